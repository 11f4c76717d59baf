/// The small text helpers of the AWS core, each defined once: hex digits, percent-encoding, one-line
/// messages, a URL's host for messages, and the few XML elements the query protocol answers with.
enum Hex {
    static let lower = Array("0123456789abcdef".utf8)
    static let upper = Array("0123456789ABCDEF".utf8)

    /// Two digits per byte.
    static func encode(_ bytes: [UInt8], uppercase: Bool = false) -> String {
        let digits = uppercase ? upper : lower
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// RFC 3986 percent-encoding as SigV4 defines it: only A-Z a-z 0-9 - _ . ~ stay as they are (and `/`
/// with `keepSlash`, for a path); every other byte is %XX, uppercase (space is %20).
public func percentEncode(_ s: String, keepSlash: Bool = false) -> String {
    var out = [UInt8]()
    for b in s.utf8 {
        let unreserved = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2D || b == 0x5F || b == 0x2E || b == 0x7E
        if unreserved || (b == 0x2F && keepSlash) {
            out.append(b)
        } else {
            out.append(0x25)
            out.append(Hex.upper[Int(b >> 4)])
            out.append(Hex.upper[Int(b & 0xF)])
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// `a=b&c=d` with SigV4's encoding, for query-protocol bodies.
public func formEncode(_ params: [(String, String)]) -> String {
    params.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
}

/// One line of at most `limit` characters, for messages: whitespace runs become one space, control characters `?`.
func oneLine(_ s: String, limit: Int = 300) -> String {
    var out = ""
    var pendingSpace = false
    var count = 0
    for ch in s {
        if ch.isWhitespace {
            pendingSpace = !out.isEmpty
            continue
        }
        if pendingSpace {
            out.append(" ")
            count += 1
            pendingSpace = false
        }
        if count >= limit {
            out.append("…")
            break
        }
        if let ascii = ch.asciiValue, ascii < 0x20 || ascii == 0x7f {
            out.append("?")
        } else {
            out.append(ch)
        }
        count += 1
    }
    return out
}

/// The host (and port) of a URL, for messages: paths of credential endpoints can be sensitive.
func hostOf(_ url: String) -> String {
    guard let parts = URLParts(url) else { return "an unreadable url" }
    return parts.port.map { "\(parts.host):\($0)" } ?? parts.host
}

/// Just enough XML to read the query-protocol answers: the text of the first element with a name.
enum XMLText {
    /// The text of the first element `name`, entities decoded; nil when there is none.
    static func element(_ name: String, in xml: String) -> String? {
        let open = "<" + name
        var search = xml[...]
        while let r = search.firstRange(of: open) {
            let after = search[r.upperBound...]
            guard let next = after.first else { return nil }
            // `<Code>` or `<Code attr="">`, but not `<CodeX>`.
            if next == ">" || next == " " || next == "\t" || next == "\n" || next == "/" {
                guard let gt = after.firstIndex(of: ">") else { return nil }
                if gt > after.startIndex && after[after.index(before: gt)] == "/" { return "" }
                let content = after[after.index(after: gt)...]
                guard let close = content.firstRange(of: "</" + name + ">") else { return nil }
                return decode(String(content[..<close.lowerBound]))
            }
            search = after
        }
        return nil
    }

    static func decode(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == "&", let semi = s[i...].firstIndex(of: ";"), s.distance(from: i, to: semi) <= 10 {
                let entity = s[s.index(after: i)..<semi]
                var replacement: String?
                switch entity {
                case "amp": replacement = "&"
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if entity.hasPrefix("#x"), let v = UInt32(entity.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) {
                        replacement = String(Character(u))
                    } else if entity.hasPrefix("#"), let v = UInt32(entity.dropFirst()), let u = Unicode.Scalar(v) {
                        replacement = String(Character(u))
                    }
                }
                if let r = replacement {
                    out += r
                    i = s.index(after: semi)
                    continue
                }
            }
            out.append(s[i])
            i = s.index(after: i)
        }
        return out
    }
}
