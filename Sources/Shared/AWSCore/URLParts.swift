/// The parts of an absolute http(s) URL, split without Foundation.
public struct URLParts: Sendable, Equatable {
    public var scheme: String
    public var host: String
    public var port: Int?
    /// The path as written ("/" when empty), still percent-encoded.
    public var path: String
    /// The query after "?", without it ("" when none).
    public var query: String

    public init?(_ string: String) {
        guard let colon = string.firstIndex(of: ":"), string[colon...].hasPrefix("://") else { return nil }
        scheme = String(string[..<colon]).lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = Substring(string[string.index(colon, offsetBy: 3)...])
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let afterAuthority = rest[authorityEnd...]
        if authority.hasPrefix("[") {
            // IPv6 literal: [::1]:8080
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else { return nil }
        host = host.lowercased()
        if let q = afterAuthority.firstIndex(of: "?") {
            path = String(afterAuthority[..<q])
            query = String(afterAuthority[afterAuthority.index(after: q)...])
        } else {
            path = String(afterAuthority)
            query = ""
        }
        if path.isEmpty { path = "/" }
    }

    /// The Host header value: the port only when it is not the scheme's default.
    public var hostHeader: String {
        guard let p = port else { return host }
        if (scheme == "https" && p == 443) || (scheme == "http" && p == 80) { return host }
        return "\(host):\(p)"
    }

    /// The host without IPv6 brackets.
    public var bareHost: String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}
