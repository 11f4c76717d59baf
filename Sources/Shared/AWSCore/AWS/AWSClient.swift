/// What the client needs to know about one service: its name and its wire protocol.
public struct AWSServiceSpec: Sendable, Equatable {
    /// The wire protocols the tools speak.
    public enum WireProtocol: Sendable, Equatable {
        /// AWS JSON: POST of a JSON body, the operation in `X-Amz-Target` (`AmazonSQS.ReceiveMessage`).
        case json(targetPrefix: String, version: String)
        /// AWS query: POST of a form body with `Action` and `Version`, an XML answer (STS).
        case query(apiVersion: String)
        /// Plain HTTP answering JSON, unsigned (the container credential endpoint): `send` only.
        case plain
    }

    /// Name used for signing, endpoints and messages ("sqs", "ecs", "sts").
    public var name: String
    public var wire: WireProtocol

    public init(name: String, wire: WireProtocol) {
        self.name = name
        self.wire = wire
    }

    public static let sqs = AWSServiceSpec(name: "sqs", wire: .json(targetPrefix: "AmazonSQS", version: "1.0"))
    public static let ecs = AWSServiceSpec(name: "ecs", wire: .json(targetPrefix: "AmazonEC2ContainerServiceV20141113",
                                                                     version: "1.1"))
    public static let sts = AWSServiceSpec(name: "sts", wire: .query(apiVersion: "2011-06-15"))
    public static let containerCredentials = AWSServiceSpec(name: "ecs container", wire: .plain)
}

/// The one path of every AWS call (SQS, ECS, STS, and the container credential endpoint): builds the
/// request, signs it, sends it, decodes errors and retries in standard mode within the deadline.
///
/// Not Sendable: the tools make their calls from one thread, and `deadline` and the quota change between calls.
public final class AWSClient {
    public let service: AWSServiceSpec
    public let region: String
    /// Base URL without a trailing slash, e.g. `https://ecs.us-east-1.amazonaws.com`.
    public let endpoint: String
    public let credentials: CredentialProvider
    public let transport: HTTPTransport
    public let time: TimeSource
    public let random: RandomSource
    public let logger: Logger?
    public var retry: RetryPolicy
    /// Seconds since the epoch after which no attempt starts and no backoff sleeps; nil for none.
    public var deadline: Double?
    /// The User-Agent of every request, e.g. `ecs-deployment/0.1.0`; the caller names itself.
    public let userAgent: String
    /// Seconds allowed to connect, per attempt.
    public var connectTimeout: Double = 5
    /// Seconds allowed for one exchange, unless the call asks for more (long polls).
    public var requestTimeout: Double = 30
    /// Shared by every call of this client, as in the SDKs.
    public let quota: RetryQuota

    public init(service: AWSServiceSpec, region: String, endpoint: String, credentials: CredentialProvider,
                transport: HTTPTransport, time: TimeSource, random: RandomSource, userAgent: String, logger: Logger? = nil,
                retry: RetryPolicy = .standard, quota: RetryQuota = RetryQuota()) {
        self.service = service
        self.region = region
        var base = Substring(endpoint)
        while base.hasSuffix("/") { base.removeLast() }
        self.endpoint = String(base)
        self.credentials = credentials
        self.transport = transport
        self.time = time
        self.random = random
        self.logger = logger
        self.retry = retry
        self.quota = quota
        self.userAgent = userAgent
    }

    /// Calls `operation` with `input` as the JSON body; the parsed response, `{}` when empty.
    public func call(_ operation: String, _ input: JSON) throws -> JSON {
        try call(operation, input, timeout: nil)
    }

    /// As `call(_:_:)`, with the HTTP timeout of each attempt raised to `timeout` seconds (long polls).
    public func call(_ operation: String, _ input: JSON, timeout: Double?) throws -> JSON {
        guard case .json(let targetPrefix, let version) = service.wire else {
            preconditionFailure("\(service.name) does not speak the JSON protocol")
        }
        let response = try send(operation, headers: [("Content-Type", "application/x-amz-json-\(version)"),
                                                     ("X-Amz-Target", "\(targetPrefix).\(operation)")],
                                body: Array(input.serialized().utf8), timeout: timeout)
        return try parseSuccess(response.response, operation: operation, attempts: response.attempts)
    }

    /// Calls `operation` over the query protocol with `parameters` after `Action` and `Version`; the XML
    /// answer. `signed` false for the calls whose proof is in the parameters (AssumeRoleWithWebIdentity).
    public func query(_ operation: String, _ parameters: [(String, String)], signed: Bool = true) throws -> String {
        guard case .query(let version) = service.wire else {
            preconditionFailure("\(service.name) does not speak the query protocol")
        }
        let form = [("Action", operation), ("Version", version)] + parameters
        return try send(operation, headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                        body: Array(formEncode(form).utf8), signed: signed).response.text
    }

    /// Sends one request with the retry policy, the quota and the deadline: each attempt signed afresh
    /// at its own time (unless `signed` is false); the 2xx response and the attempts it took, or the
    /// last attempt's error. `url` defaults to the endpoint's root.
    public func send(_ operation: String, method: String = "POST", url: String? = nil,
                     headers extra: [(name: String, value: String)], body: [UInt8] = [], timeout: Double? = nil,
                     connectTimeout: Double? = nil, signed: Bool = true) throws -> (response: HTTPResponse, attempts: Int) {
        let target = url ?? endpoint + "/"
        guard let parts = URLParts(target) else {
            throw Failure(.configuration, "\(service.name): invalid endpoint url '\(url ?? endpoint)'")
        }
        let headers: [(name: String, value: String)] = [("Host", parts.hostHeader)] + extra + [("User-Agent", userAgent)]
        var attempt = 0
        var acquired: Int? = nil
        var lastError: AWSError? = nil

        while true {
            attempt += 1
            let start = time.now()
            var perAttempt = max(requestTimeout, timeout ?? 0)
            var limitedByDeadline = false
            if let deadline {
                let remaining = deadline - start
                if remaining <= 0 {
                    if var last = lastError {
                        last.attempts = attempt - 1
                        throw last
                    }
                    throw AWSError.timedOut(service: service.name, operation: operation,
                                            detail: "the deadline had passed before the call")
                }
                limitedByDeadline = remaining < perAttempt
                perAttempt = min(perAttempt, remaining)
            }
            var request = HTTPRequest(method: method, url: target, headers: headers, body: body,
                                      connectTimeout: min(connectTimeout ?? self.connectTimeout, perAttempt), timeout: perAttempt)
            if signed {
                let creds = try credentials.credentials(now: start)
                request = SigV4Signer(credentials: creds, region: region, service: service.name).sign(request, date: start)
            }

            var error: AWSError
            do {
                let response = try transport.send(request)
                if (200..<300).contains(response.status) {
                    quota.release(acquired ?? RetryQuota.noRetryIncrement)
                    logger?.debug("\(service.name) \(operation): HTTP \(response.status) in \(Int(((time.now() - start) * 1000).rounded())) ms")
                    return (response, attempt)
                }
                error = AWSError.decode(response, service: service.name, operation: operation)
            } catch let e as TransportError {
                error = AWSError.transport(e, service: service.name, operation: operation)
                // Cut short by the caller's deadline (libcurl may fire a millisecond early), not by a
                // connect timeout that came before it.
                if let deadline, e.kind == .timeout, limitedByDeadline, time.now() >= deadline - 0.1 {
                    var timedOut = AWSError.timedOut(service: service.name, operation: operation,
                                                     detail: "the deadline passed while waiting for \(url.map(hostOf) ?? endpoint)")
                    timedOut.attempts = attempt
                    throw timedOut
                }
            }
            error.attempts = attempt
            lastError = error

            guard retry.isRetryable(error), attempt < retry.maxAttempts else { throw error }
            let delay = retry.backoffDelay(attempt: attempt, random: random.unit())
            if let deadline, time.now() + delay >= deadline {
                logger?.debug("\(service.name) \(operation): not retrying, the deadline comes before the backoff ends")
                throw error
            }
            guard let cost = quota.acquire(timeout: error.transportKind == .timeout) else {
                logger?.debug("\(service.name) \(operation): not retrying, the retry quota is exhausted")
                throw error
            }
            acquired = cost
            logger?.debug("\(service.name) \(operation): \(error.code ?? error.kind.rawValue) on attempt \(attempt) of \(retry.maxAttempts), retrying in \(AWSClient.seconds(delay)) s")
            time.sleep(delay)
        }
    }

    private func parseSuccess(_ response: HTTPResponse, operation: String, attempts: Int) throws -> JSON {
        if response.body.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }) { return .object(JSONObject()) }
        do {
            return try JSON.parse(response.body, source: "\(service.name) \(operation) response")
        } catch {
            throw AWSError(service: service.name, operation: operation, httpStatus: response.status, code: nil,
                           awsMessage: "unreadable response: " + oneLine(response.text),
                           requestId: response.header("x-amzn-RequestId"), kind: .transient, attempts: attempts)
        }
    }

    private static func seconds(_ d: Double) -> String {
        let ms = Int((d * 1000).rounded())
        let frac = ms % 1000
        return "\(ms / 1000).\(frac < 10 ? "00" : frac < 100 ? "0" : "")\(frac)"
    }
}
