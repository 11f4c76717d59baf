/// A failed AWS call: the service's error as sent, a transport failure, or the caller's deadline passing.
public struct AWSError: ReportedError, Equatable, CustomStringConvertible {
    /// What went wrong, as far as retries and exit statuses care.
    public enum Kind: String, Sendable, Equatable {
        case throttling, transient, transport, auth, notFound, invalidInput, timedOut
    }

    /// "sqs" or "ecs".
    public var service: String
    public var operation: String
    /// nil when no HTTP response arrived.
    public var httpStatus: Int?
    /// The AWS error code, namespace dropped ("ServiceNotFoundException").
    public var code: String?
    /// The service's message, or the unparseable body (one line, trimmed), or the transport's detail.
    public var awsMessage: String
    public var requestId: String?
    public var kind: Kind
    /// Attempts made before giving up.
    public var attempts: Int
    /// For `.transport`: how the connection failed.
    public var transportKind: TransportError.Kind?

    public init(service: String, operation: String, httpStatus: Int?, code: String?, awsMessage: String,
                requestId: String?, kind: Kind, attempts: Int = 1, transportKind: TransportError.Kind? = nil) {
        self.service = service
        self.operation = operation
        self.httpStatus = httpStatus
        self.code = code
        self.awsMessage = awsMessage
        self.requestId = requestId
        self.kind = kind
        self.attempts = attempts
        self.transportKind = transportKind
    }

    public var failureKind: FailureKind {
        switch kind {
        case .throttling: return .throttled
        case .transient, .transport: return .unavailable
        case .auth: return .permission
        // STS is only asked for credentials: a request it refuses names a wrong role, policy or region
        // in the configuration, not bad input.
        case .notFound, .invalidInput: return service == "sts" ? .configuration : .invalidInput
        case .timedOut: return .timedOut
        }
    }

    /// One line: `ecs UpdateService: ServiceNotFoundException: Service not found. (HTTP 400, request id abc)`.
    public var message: String {
        var text = "\(service) \(operation): "
        switch kind {
        case .transport:
            let what: String
            switch transportKind {
            case .connect?: what = "cannot connect"
            case .timeout?: what = "no answer in time"
            case .tls?: what = "tls failure"
            default: what = "connection failed"
            }
            text += "\(what): \(awsMessage)"
        case .timedOut:
            text += "timed out before an answer" + (awsMessage.isEmpty ? "" : ": \(awsMessage)")
        default:
            switch (code, awsMessage.isEmpty) {
            case (let code?, false): text += "\(code): \(awsMessage)"
            case (let code?, true): text += code
            case (nil, false): text += awsMessage
            case (nil, true): text += "error with no details"
            }
        }
        var details: [String] = []
        if let httpStatus { details.append("HTTP \(httpStatus)") }
        if let requestId { details.append("request id \(requestId)") }
        if attempts > 1 { details.append("after \(attempts) attempts") }
        if !details.isEmpty { text += " (" + details.joined(separator: ", ") + ")" }
        return text
    }

    public var description: String { message }

    // MARK: - Building

    /// The error an HTTP error response describes, from the JSON body, the headers or an XML body.
    public static func decode(_ response: HTTPResponse, service: String, operation: String) -> AWSError {
        var code: String? = nil
        var message: String? = nil
        var requestId = nonEmpty(response.header("x-amzn-RequestId")) ?? nonEmpty(response.header("x-amz-request-id"))
        let text = response.text

        if let json = try? JSON.parse(response.body), json.objectValue != nil {
            if let type = nonEmpty(json["__type"]?.stringValue) { code = cleanType(type) }
            message = json["message"]?.stringValue ?? json["Message"]?.stringValue
        } else if let xmlCode = XMLText.element("Code", in: text)?.trimmingSpaces {
            // Query-protocol style <ErrorResponse><Error><Code>, as moto and some endpoints send.
            message = XMLText.element("Message", in: text)?.trimmingSpaces
            requestId = requestId ?? XMLText.element("RequestId", in: text)?.trimmingSpaces ?? XMLText.element("RequestID", in: text)?.trimmingSpaces
            code = nonEmpty(xmlCode)
        } else if !text.allSatisfy({ $0.isWhitespace }) {
            message = text
        }
        if code == nil, let query = response.header("x-amzn-query-error") {
            code = nonEmpty(String(query.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]))
        }
        if code == nil, let type = response.header("x-amzn-errortype") {
            code = nonEmpty(cleanType(type))
        }
        return AWSError(service: service, operation: operation, httpStatus: response.status, code: code,
                        awsMessage: oneLine(message ?? ""), requestId: requestId,
                        kind: classify(code: code, status: response.status))
    }

    /// A call that got no HTTP response.
    public static func transport(_ error: TransportError, service: String, operation: String) -> AWSError {
        AWSError(service: service, operation: operation, httpStatus: nil, code: nil,
                 awsMessage: oneLine(error.description), requestId: nil, kind: .transport,
                 transportKind: error.kind)
    }

    /// The caller's deadline passed before an answer.
    public static func timedOut(service: String, operation: String, detail: String = "") -> AWSError {
        AWSError(service: service, operation: operation, httpStatus: nil, code: nil, awsMessage: detail,
                 requestId: nil, kind: .timedOut)
    }

    /// The kind of an error response, from its code first and its status second.
    public static func classify(code: String?, status: Int?) -> Kind {
        if let code {
            if RetryPolicy.throttlingCodes.contains(code) { return .throttling }
            if RetryPolicy.transientCodes.contains(code) { return .transient }
            if authCodes.contains(code) || code.hasPrefix("AccessDenied") || code.hasPrefix("ExpiredToken")
                || code.hasSuffix("AccessDenied") {
                return .auth
            }
            if notFoundCodes.contains(code) { return .notFound }
        }
        guard let status else { return .transient }
        if status == 429 { return .throttling }
        if status >= 500 { return .transient }
        if (status == 401 || status == 403) && code == nil { return .auth }
        if status >= 400 { return .invalidInput }
        // Redirects and other surprises: the endpoint is not answering as AWS does.
        return .transient
    }

    static let authCodes: Set<String> = [
        "UnrecognizedClient", "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch",
        "IncompleteSignature", "IncompleteSignatureException", "InvalidClientTokenId", "MissingAuthenticationToken",
        "MissingAuthenticationTokenException", "AuthFailure", "InvalidAccessKeyId", "RequestExpired",
        "UnauthorizedOperation", "InvalidSecurity", "NotAuthorized", "InvalidIdentityToken", "IDPRejectedClaim",
    ]

    static let notFoundCodes: Set<String> = [
        "ServiceNotFoundException", "ClusterNotFoundException", "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
    ]

    // MARK: - Text helpers

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }

    /// "com.amazonaws.ecs#ClusterNotFoundException:http://..." -> "ClusterNotFoundException".
    static func cleanType(_ type: String) -> String {
        var t = Substring(type)
        if let colon = t.firstIndex(of: ":") { t = t[..<colon] }
        if let hash = t.lastIndex(of: "#") { t = t[t.index(after: hash)...] }
        return String(t).trimmingSpaces
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
