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
        statusLine = message
        sink("\r\u{1B}[K\(tool): \(message)")
    }

    /// Ends the live progress line, leaving its last text on screen.
    public func endProgress() {
        guard statusLine != nil else { return }
        statusLine = nil
        sink("\n")
    }

    public func log(_ level: Level, _ message: String, _ fields: [(String, JSON)] = []) {
        guard level <= self.level else { return }
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
            for (k, v) in fields { obj[k] = v }
            sink(JSON.object(obj).serialized() + "\n")
        }
    }
}
