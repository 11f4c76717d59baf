#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where diagnostics go: stderr as `tool: message`, or one JSON object per line.
public final class Logger {
    public enum Level: Int, Comparable, Sendable {
        case error = 0, warning, info, debug
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var name: String {
            switch self {
            case .error: return "error"
            case .warning: return "warning"
            case .info: return "info"
            case .debug: return "debug"
            }
        }
    }
    public enum Format: String, Sendable { case text, json }

    public let tool: String
    public var level: Level
    public var format: Format
    /// Receives each finished line (with its newline); stderr unless replaced.
    public var sink: (String) -> Void
    /// Seconds since the epoch, for JSON log lines.
    public var clock: () -> Double

    /// True when stderr is a terminal a person watches: progress is then one line redrawn in place.
    public var live = false
    /// The progress line on screen, redrawn after other lines.
    private var statusLine: String?

    public init(tool: String, level: Level = .info, format: Format = .text,
                sink: ((String) -> Void)? = nil, clock: (() -> Double)? = nil) {
        self.tool = tool
        self.level = level
        self.format = format
        self.sink = sink ?? { line in writeAll(fd: 2, line) }
        self.clock = clock ?? { SystemTime().now() }
    }

    public func error(_ message: String, fields: [(String, JSON)] = []) { log(.error, message, fields) }
    public func warning(_ message: String, fields: [(String, JSON)] = []) { log(.warning, message, fields) }
    public func info(_ message: String, fields: [(String, JSON)] = []) { log(.info, message, fields) }
    public func debug(_ message: String, fields: [(String, JSON)] = []) { log(.debug, message, fields) }

    /// Progress worth showing: on a live terminal it replaces the previous progress line, elsewhere it is an info line.
    public func progress(_ message: String) {
        guard live, format == .text, level >= .info else { return info(message) }
        let line = Logger.escaped(message)
        statusLine = line
        sink("\r\u{1B}[K\(tool): \(line)")
    }

    /// Ends the live progress line, leaving its last text on screen.
    public func endProgress() {
        guard statusLine != nil else { return }
        statusLine = nil
        sink("\n")
    }

    /// Every line goes through here, and so does every value in it: text from a message, from AWS or
    /// from the environment cannot start a line of its own or drive the operator's terminal.
    public func log(_ level: Level, _ text: String, _ fields: [(String, JSON)] = []) {
        guard level <= self.level else { return }
        let message = Logger.escaped(text)
        switch format {
        case .text:
            let prefix = level == .warning ? "warning: " : ""
            if let status = statusLine {
                sink("\r\u{1B}[K\(tool): \(prefix)\(message)\n\(tool): \(status)")
                return
            }
            sink("\(tool): \(prefix)\(message)\n")
        case .json:
            var obj = JSONObject()
            obj["time"] = .double(clock())
            obj["level"] = .string(level.name)
            obj["tool"] = .string(tool)
            obj["message"] = .string(message)
            for (k, v) in fields { obj[Logger.escaped(k)] = Logger.escaped(v) }
            sink(JSON.object(obj).serialized() + "\n")
        }
    }
}

extension Logger {
    /// `text` with every control character written out: `\n`, `\r`, `\t`, and `\xHH` / `\u{HHHH}` for the rest
    /// of C0, DEL, C1 and the bidirectional controls that reorder what a terminal shows. Where anything is
    /// written out, a backslash is doubled too, so the escaped text reads back unambiguously; text with
    /// nothing to escape (a plain path, say) is left as it is.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\x" + Hex.encode([UInt8(scalar.value)])
            case _ where needsEscape(scalar):
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func escaped(_ value: JSON) -> JSON {
        switch value {
        case .string(let s): return .string(escaped(s))
        case .array(let a): return .array(a.map(escaped))
        case .object(let o): return .object(JSONObject(o.map { (escaped($0.key), escaped($0.value)) }))
        default: return value
        }
    }

    private static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0..<0x20, 0x7F, 0x80..<0xA0: return true
        // LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI: they reorder the rest of the line on screen.
        case 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
