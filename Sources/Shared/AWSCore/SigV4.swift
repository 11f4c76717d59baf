/// AWS Signature Version 4 header signing: a pure value, the date passed in.
public struct SigV4Signer: Sendable {
    public var credentials: Credentials
    public var region: String
    public var service: String
    /// Remove dot segments and repeated slashes from the path (every service but S3).
    public var normalizePath = true
    /// Add and sign `x-amz-content-sha256` (S3 style); off for SQS and ECS.
    public var signPayloadHeader = false
    /// Add the session token after signing instead of signing it (a few services want that).
    public var omitSessionTokenFromSignature = false

    /// Headers never signed: proxies and the transport may change them.
    static let unsignedHeaders: Set<String> = ["authorization", "user-agent", "expect", "x-amzn-trace-id", "connection"]

    public init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The request with X-Amz-Date, X-Amz-Security-Token (with a session token) and Authorization added.
    public func sign(_ request: HTTPRequest, date: Double) -> HTTPRequest {
        signWithDetails(request, date: date).request
    }

    /// The signed request with its canonical request and string to sign, for tests and debugging.
    public func signWithDetails(_ request: HTTPRequest, date: Double)
        -> (request: HTTPRequest, canonicalRequest: String, stringToSign: String)
    {
        var req = request
        let stamp = SigV4Signer.amzDate(date)
        let url = URLParts(req.url)
        if req.header("host") == nil, let url { req.headers.append(("Host", url.hostHeader)) }
        req.headers.removeAll { ["x-amz-date", "authorization"].contains($0.name.lowercased()) }
        req.headers.append(("X-Amz-Date", stamp))
        let payloadHash = Crypto.hex(Crypto.sha256(req.body))
        if signPayloadHeader, req.header("x-amz-content-sha256") == nil {
            req.headers.append(("X-Amz-Content-Sha256", payloadHash))
        }
        let token = credentials.sessionToken.flatMap { $0.isEmpty ? nil : $0 }
        if let token, !omitSessionTokenFromSignature, req.header("x-amz-security-token") == nil {
            req.headers.append(("X-Amz-Security-Token", token))
        }
        let signable = req.headers.filter { !SigV4Signer.unsignedHeaders.contains($0.name.lowercased()) }
        let canonical = canonicalRequest(method: req.method, path: url?.path ?? "/", query: url?.query ?? "",
                                         headers: signable, payloadHash: payloadHash)
        let sts = stringToSign(canonicalRequest: canonical.text, amzDate: stamp)
        req.headers.append(("Authorization", authorization(signedHeaders: canonical.signedHeaders,
                                                            signature: signature(stringToSign: sts, amzDate: stamp),
                                                            amzDate: stamp)))
        if let token, omitSessionTokenFromSignature, req.header("x-amz-security-token") == nil {
            req.headers.append(("X-Amz-Security-Token", token))
        }
        return (req, canonical.text, sts)
    }

    // MARK: Stages

    /// Task 1: the canonical request and its signed-header list.
    public func canonicalRequest(method: String, path: String, query: String,
                                 headers: [(name: String, value: String)], payloadHash: String)
        -> (text: String, signedHeaders: String)
    {
        var grouped: [String: [String]] = [:]
        for (name, value) in headers {
            grouped[name.lowercased(), default: []].append(SigV4Signer.trimHeaderValue(value))
        }
        let names = grouped.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signed = names.joined(separator: ";")
        let text = [method.uppercased(), canonicalURI(path), SigV4Signer.canonicalQuery(query),
                    canonicalHeaders, signed, payloadHash].joined(separator: "\n")
        return (text, signed)
    }

    /// Task 2: the string to sign.
    public func stringToSign(canonicalRequest: String, amzDate: String) -> String {
        "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope(amzDate))\n\(Crypto.hex(Crypto.sha256(Array(canonicalRequest.utf8))))"
    }

    /// Task 3: the hex signature.
    public func signature(stringToSign: String, amzDate: String) -> String {
        let day = String(amzDate.prefix(8))
        var key = Crypto.hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), Array(day.utf8))
        key = Crypto.hmacSHA256(key: key, Array(region.utf8))
        key = Crypto.hmacSHA256(key: key, Array(service.utf8))
        key = Crypto.hmacSHA256(key: key, Array("aws4_request".utf8))
        return Crypto.hex(Crypto.hmacSHA256(key: key, Array(stringToSign.utf8)))
    }

    /// Task 4: the Authorization header value.
    public func authorization(signedHeaders: String, signature: String, amzDate: String) -> String {
        "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope(amzDate)), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    public func scope(_ amzDate: String) -> String {
        "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
    }

    // MARK: Encoding rules

    func canonicalURI(_ rawPath: String) -> String {
        var path = rawPath.isEmpty ? "/" : rawPath
        if normalizePath { path = SigV4Signer.removeDotSegments(path) }
        // Every service but S3 encodes the (already encoded) path once more.
        return percentEncode(path, keepSlash: true)
    }

    static func removeDotSegments(_ path: String) -> String {
        var out: [Substring] = []
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        for s in segments {
            if s == "." { continue }
            if s == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(s)
        }
        var result = "/" + out.joined(separator: "/")
        let last = segments.last
        if path.hasSuffix("/") || last == "." || last == "..", result != "/" { result += "/" }
        return result
    }

    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentEncode(percentDecode(String(kv[0])))
            let value = kv.count > 1 ? percentEncode(percentDecode(String(kv[1]))) : ""
            pairs.append((key, value))
        }
        pairs.sort { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Collapses runs of spaces, trims, and folds continuation lines into one.
    static func trimHeaderValue(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for ch in value {
            if ch == " " || ch == "\t" || ch == "\n" || ch == "\r" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(ch)
            }
        }
        return out
    }

    static func percentDecode(_ s: String) -> String {
        var bytes = Array(s.utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        while i < bytes.count {
            if bytes[i] == 0x25, i + 2 < bytes.count, let h = nibble(bytes[i + 1]), let l = nibble(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        bytes = out
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC.
    public static func amzDate(_ epoch: Double) -> String {
        ISO8601.format(epoch).filter { $0 != "-" && $0 != ":" }
    }
}
