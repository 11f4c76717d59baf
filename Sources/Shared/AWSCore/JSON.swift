import CJansson
import CShim

/// A JSON value: parsed by Jansson, key order kept, integers exact to 64 bits.
public enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

/// A JSON object that keeps its keys in insertion order.
public struct JSONObject: Equatable, Sendable, Sequence {
    public private(set) var keys: [String] = []
    private var storage: [String: JSON] = [:]

    public init() {}

    public init(_ pairs: [(String, JSON)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Setting a new key appends it; setting an existing key keeps its place; nil removes it.
    public subscript(key: String) -> JSON? {
        get { storage[key] }
        set {
            if let v = newValue {
                if storage.updateValue(v, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public func makeIterator() -> AnyIterator<(key: String, value: JSON)> {
        var i = 0
        return AnyIterator {
            guard i < keys.count else { return nil }
            defer { i += 1 }
            return (keys[i], storage[keys[i]]!)
        }
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.keys == b.keys && a.storage == b.storage
    }
}

// MARK: - Access

extension JSON {
    public subscript(key: String) -> JSON? {
        get {
            if case .object(let o) = self { return o[key] }
            return nil
        }
        set {
            guard case .object(var o) = self else { return }
            o[key] = newValue
            self = .object(o)
        }
    }

    public subscript(index: Int) -> JSON? {
        if case .array(let a) = self, index >= 0, index < a.count { return a[index] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var isNull: Bool { self == .null }

    /// The value as an integer (a double with no fraction counts).
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9.0e18: return Int64(d)
        default: return nil
        }
    }

    /// The value as a double (integers convert).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// A short name of the value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

// MARK: - Serialising

extension JSON {
    /// Compact, one line, keys in order, non-ASCII kept as UTF-8.
    public func serialized() -> String {
        var out = ""
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isFinite {
                // Swift prints the shortest text that reads back as the same double.
                out += d.description
            } else {
                out += "null"
            }
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            var first = true
            for (k, v) in o {
                if !first { out += "," }
                first = false
                JSON.writeString(k, to: &out)
                out += ":"
                v.write(to: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 || u.value == 0x7F || u.value == 0x2028 || u.value == 0x2029 {
                    out += "\\u" + Hex.encode([UInt8(u.value >> 8), UInt8(u.value & 0xFF)])
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}

// MARK: - Parsing

/// Bad JSON input, with where it went wrong.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Jansson's description of the problem.
    public var reason: String
    /// 1-based line and column (in characters) in the whole input.
    public var line: Int
    public var column: Int
    /// Byte offset in the whole input.
    public var offset: Int
    /// Name of the input ("<stdin>", a file path, "message body").
    public var source: String

    public var description: String { "\(source):\(line):\(column): \(reason)" }
}

extension JSON {
    /// Parses exactly one JSON value (surrounding whitespace allowed).
    public static func parse(_ bytes: [UInt8], source: String = "<input>") throws -> JSON {
        let all = try parseAll(bytes, source: source)
        guard all.count == 1 else {
            throw JSONParseError(reason: all.isEmpty ? "no JSON value" : "more than one JSON value",
                                 line: 1, column: 1, offset: 0, source: source)
        }
        return all[0]
    }

    public static func parse(_ text: String, source: String = "<input>") throws -> JSON {
        try parse(Array(text.utf8), source: source)
    }

    /// Parses a stream of values: JSON Lines or concatenated (pretty-printed) values.
    public static func parseAll(_ bytes: [UInt8], source: String = "<input>") throws -> [JSON] {
        var reader = JSONStreamParser(source: source)
        reader.append(bytes)
        reader.finish()
        var out: [JSON] = []
        while let v = try reader.next() { out.append(v) }
        return out
    }
}

/// Incremental parser over a growing buffer: feed bytes, take complete values.
public struct JSONStreamParser {
    private var buffer: [UInt8] = []
    /// Bytes of `buffer` already consumed.
    private var start = 0
    /// Bytes dropped from the front of the buffer so far (for absolute offsets).
    private var dropped = 0
    /// Line and column bookkeeping for the dropped prefix.
    private var droppedLines = 0
    private var droppedColumnCarry = 0
    private var atEOF = false
    public let source: String

    public init(source: String) { self.source = source }

    public mutating func append(_ bytes: [UInt8]) { buffer.append(contentsOf: bytes) }
    public mutating func finish() { atEOF = true }
    public var isFinished: Bool { atEOF }

    /// The next complete value; nil when more input is needed (or at the end of a finished stream).
    public mutating func next() throws -> JSON? {
        while start < buffer.count, Self.isSpace(buffer[start]) { start += 1 }
        if start >= buffer.count {
            compact()
            return nil
        }
        var error = json_error_t()
        let flags = JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL
        let length = buffer.count - start
        let parsed: UnsafeMutablePointer<json_t>? = buffer.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { base in
                json_loadb(base + start, length, Int(flags), &error)
            }
        }
        guard let root = parsed else {
            let code = cshim_json_error_code(&error)
            let position = Int(cshim_json_error_position(&error))
            if code == Int32(json_error_premature_end_of_input.rawValue) && !atEOF {
                return nil  // wait for more bytes
            }
            let reason = withUnsafeBytes(of: &error.text) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            let at = min(start + max(0, position), buffer.count)
            let (line, column) = lineColumn(at)
            throw JSONParseError(reason: reason, line: line, column: column, offset: dropped + at, source: source)
        }
        defer { json_decref(root) }
        var consumed = Int(cshim_json_error_position(&error))
        // A bare number at the very end needs the EOF to be known complete.
        if consumed <= 0 { consumed = length }
        let value = JSON.from(root)
        start += consumed
        return value
    }

    /// Drops consumed bytes so a long-running stream does not grow without bound.
    private mutating func compact() {
        guard start > 0 else { return }
        Self.count(buffer[0..<start], lines: &droppedLines, columns: &droppedColumnCarry)
        dropped += start
        buffer.removeFirst(start)
        start = 0
    }

    private func lineColumn(_ at: Int) -> (Int, Int) {
        var lines = droppedLines
        var columns = droppedColumnCarry
        Self.count(buffer[0..<at], lines: &lines, columns: &columns)
        return (lines + 1, columns + 1)
    }

    /// Adds the newlines of `bytes` to `lines`, and to `columns` the characters (UTF-8 lead bytes) after
    /// the last of them, or after what `columns` held when there is none.
    private static func count(_ bytes: ArraySlice<UInt8>, lines: inout Int, columns: inout Int) {
        for b in bytes {
            if b == 0x0A {
                lines += 1
                columns = 0
            } else if b & 0xC0 != 0x80 {
                columns += 1
            }
        }
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
}

extension JSON {
    /// Converts a Jansson value; the caller keeps ownership of `p`.
    static func from(_ p: UnsafeMutablePointer<json_t>) -> JSON {
        switch cshim_json_type(p) {
        case Int32(JSON_OBJECT.rawValue):
            var obj = JSONObject()
            var it = json_object_iter(p)
            while let iter = it {
                let keyPtr = json_object_iter_key(iter)!
                let keyLen = json_object_iter_key_len(iter)
                let key = keyPtr.withMemoryRebound(to: UInt8.self, capacity: keyLen) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: keyLen), as: UTF8.self)
                }
                if let v = json_object_iter_value(iter) { obj[key] = from(v) }
                it = json_object_iter_next(p, iter)
            }
            return .object(obj)
        case Int32(JSON_ARRAY.rawValue):
            let n = json_array_size(p)
            var arr: [JSON] = []
            arr.reserveCapacity(n)
            for i in 0..<n {
                if let v = json_array_get(p, i) { arr.append(from(v)) }
            }
            return .array(arr)
        case Int32(JSON_STRING.rawValue):
            let len = json_string_length(p)
            guard let s = json_string_value(p) else { return .string("") }
            return .string(s.withMemoryRebound(to: UInt8.self, capacity: len) {
                String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
            })
        case Int32(JSON_INTEGER.rawValue):
            return .int(Int64(cshim_json_integer_value(p)))
        case Int32(JSON_REAL.rawValue):
            return .double(json_real_value(p))
        case Int32(JSON_TRUE.rawValue): return .bool(true)
        case Int32(JSON_FALSE.rawValue): return .bool(false)
        default: return .null
        }
    }
}
