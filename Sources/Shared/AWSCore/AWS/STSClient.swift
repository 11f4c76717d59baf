/// Signs a request with credentials for a region and service; SigV4 in the tools, a fake in tests.
public typealias RequestSigner = (_ request: HTTPRequest, _ credentials: Credentials, _ region: String,
                                  _ service: String, _ date: Double) -> HTTPRequest

/// SigV4 header signing, the signer every AWS call uses.
public let sigV4RequestSigner: RequestSigner = { request, credentials, region, service, date in
    SigV4Signer(credentials: credentials, region: region, service: service).sign(request, date: date)
}

/// An error answer from STS (or no usable answer); the message carries the STS code and message.
public struct STSError: ReportedError, CustomStringConvertible {
    public var operation: String
    public var code: String?
    public var awsMessage: String
    public var httpStatus: Int?
    public var failureKind: FailureKind

    public var message: String {
        var s = "sts \(operation): "
        if let code { s += "\(code): " }
        s += awsMessage
        if let httpStatus { s += " (HTTP \(httpStatus))" }
        return s
    }
    public var description: String { message }

    /// STS codes that mean the caller's identity or permission was refused (exit 77).
    static let authCodes: Set<String> = [
        "AccessDenied", "AccessDeniedException", "InvalidClientTokenId", "SignatureDoesNotMatch",
        "IncompleteSignature", "ExpiredToken", "ExpiredTokenException", "InvalidIdentityToken",
        "IDPRejectedClaim", "AuthFailure", "MissingAuthenticationToken", "UnrecognizedClientException",
        "InvalidAccessKeyId",
    ]
    static let throttlingCodes: Set<String> = ["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"]
    /// Worth another attempt: STS or the network hiccuped.
    static let transientCodes: Set<String> = ["IDPCommunicationError", "InternalError", "ServiceUnavailable", "RequestTimeout"]

    static func status(code: String?, http: Int?) -> FailureKind {
        if let code {
            if authCodes.contains(code) { return .permission }
            if throttlingCodes.contains(code) { return .throttled }
            if transientCodes.contains(code) { return .unavailable }
        }
        if let http {
            if http >= 500 { return .unavailable }
            if code == nil && (http == 401 || http == 403) { return .permission }
            if http == 429 { return .throttled }
        }
        return .configuration
    }
}

/// The two STS calls the credential chain needs, over the AWS query protocol.
public final class STSClient {
    public let endpoint: String
    public let region: String
    let transport: HTTPTransport
    let time: TimeSource
    let signer: RequestSigner
    /// Attempts for throttling, 5xx and connection failures.
    public var maxAttempts = 3

    public init(endpoint: String, region: String, transport: HTTPTransport, time: TimeSource,
                signer: @escaping RequestSigner = sigV4RequestSigner) {
        self.endpoint = endpoint
        self.region = region
        self.transport = transport
        self.time = time
        self.signer = signer
    }

    /// Parameters of AssumeRole.
    public struct AssumeRoleRequest: Sendable, Equatable {
        public var roleArn: String
        public var sessionName: String
        public var externalId: String?
        public var durationSeconds: Int?
        public init(roleArn: String, sessionName: String, externalId: String? = nil, durationSeconds: Int? = nil) {
            self.roleArn = roleArn
            self.sessionName = sessionName
            self.externalId = externalId
            self.durationSeconds = durationSeconds
        }
    }

    /// AssumeRole, signed with the source credentials.
    public func assumeRole(_ request: AssumeRoleRequest, using credentials: Credentials) throws -> Credentials {
        var params: [(String, String)] = [("Action", "AssumeRole"), ("Version", "2011-06-15"),
                                          ("RoleArn", request.roleArn), ("RoleSessionName", request.sessionName)]
        if let id = request.externalId { params.append(("ExternalId", id)) }
        if let d = request.durationSeconds { params.append(("DurationSeconds", String(d))) }
        return try call("AssumeRole", params, signWith: credentials)
    }

    /// AssumeRoleWithWebIdentity: the token is the proof, so the request is not signed.
    public func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String,
                                          durationSeconds: Int? = nil) throws -> Credentials {
        var params: [(String, String)] = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"),
                                          ("RoleArn", roleArn), ("RoleSessionName", sessionName),
                                          ("WebIdentityToken", token)]
        if let d = durationSeconds { params.append(("DurationSeconds", String(d))) }
        return try call("AssumeRoleWithWebIdentity", params, signWith: nil)
    }

    func call(_ operation: String, _ params: [(String, String)], signWith credentials: Credentials?) throws -> Credentials {
        let body = formEncode(params)
        var lastError: STSError?
        for attempt in 1...max(1, maxAttempts) {
            if attempt > 1 { time.sleep(Double(1 << (attempt - 2))) }
            var request = HTTPRequest(method: "POST", url: endpoint.hasSuffix("/") ? endpoint : endpoint + "/",
                                      headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                                      body: Array(body.utf8), connectTimeout: 5, timeout: 30)
            if let credentials {
                request = signer(request, credentials, region, "sts", time.now())
            }
            let response: HTTPResponse
            do {
                response = try transport.send(request)
            } catch let e as TransportError {
                lastError = STSError(operation: operation, code: nil, awsMessage: "cannot reach \(hostOf(endpoint)): \(e.detail)",
                                     httpStatus: nil, failureKind: .unavailable)
                continue
            }
            if response.status == 200 {
                return try parseCredentials(response.text, operation: operation)
            }
            let error = parseError(response, operation: operation)
            lastError = error
            if error.failureKind != .unavailable && error.failureKind != .throttled { throw error }
        }
        throw lastError!
    }

    func parseCredentials(_ xml: String, operation: String) throws -> Credentials {
        guard let block = XMLText.element("Credentials", in: xml),
              let keyId = XMLText.element("AccessKeyId", in: block),
              let secret = XMLText.element("SecretAccessKey", in: block) else {
            throw STSError(operation: operation, code: nil, awsMessage: "response has no credentials", httpStatus: 200,
                           failureKind: .unavailable)
        }
        var expiration: Double?
        if let e = XMLText.element("Expiration", in: block) {
            guard let t = ISO8601.parse(e) else {
                throw STSError(operation: operation, code: nil, awsMessage: "unreadable Expiration \(e)", httpStatus: 200,
                               failureKind: .unavailable)
            }
            expiration = t
        }
        return Credentials(accessKeyId: keyId, secretAccessKey: secret,
                           sessionToken: XMLText.element("SessionToken", in: block), expiration: expiration)
    }

    func parseError(_ response: HTTPResponse, operation: String) -> STSError {
        let text = response.text
        if let code = XMLText.element("Code", in: text) {
            let message = XMLText.element("Message", in: text) ?? ""
            return STSError(operation: operation, code: code, awsMessage: oneLine(message), httpStatus: response.status,
                            failureKind: STSError.status(code: code, http: response.status))
        }
        let shown = oneLine(text)
        return STSError(operation: operation, code: nil, awsMessage: shown.isEmpty ? "empty response" : shown,
                        httpStatus: response.status, failureKind: STSError.status(code: nil, http: response.status))
    }
}

/// `a=b&c=d` with SigV4's encoding: unreserved characters kept, everything else %XX (space is %20).
public func formEncode(_ params: [(String, String)]) -> String {
    params.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
}

/// RFC 3986 percent-encoding of every byte outside A-Z a-z 0-9 - _ . ~, as SigV4 requires.
public func percentEncode(_ s: String) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            out.append(b)
        default:
            out.append(UInt8(ascii: "%"))
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 15)])
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// Collapses text to one trimmed line of at most 300 characters, for error messages.
func oneLine(_ s: String) -> String {
    var words: [Substring] = []
    for w in s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\r\n" }) {
        words.append(w)
    }
    let joined = words.joined(separator: " ")
    return joined.count > 300 ? String(joined.prefix(300)) + "…" : joined
}

/// Just enough XML to read the query-protocol answers: the text of the first element with a name.
enum XMLText {
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
