/// What the AWS JSON protocol needs to know about one service.
public struct AWSServiceSpec: Sendable, Equatable {
    /// Name used for signing, endpoints and messages ("sqs", "ecs").
    public var name: String
    /// The X-Amz-Target prefix ("AmazonSQS").
    public var targetPrefix: String
    /// "1.0" or "1.1", for the Content-Type.
    public var jsonVersion: String

    public init(name: String, targetPrefix: String, jsonVersion: String) {
        self.name = name
        self.targetPrefix = targetPrefix
        self.jsonVersion = jsonVersion
    }

    public static let sqs = AWSServiceSpec(name: "sqs", targetPrefix: "AmazonSQS", jsonVersion: "1.0")
    public static let ecs = AWSServiceSpec(name: "ecs", targetPrefix: "AmazonEC2ContainerServiceV20141113",
                                           jsonVersion: "1.1")
}

/// Calls one AWS service over the JSON protocol: signs, sends, decodes errors and retries in standard mode.
public final class AWSJSONClient: @unchecked Sendable {
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

    /// The public AWS endpoint of a service in a region (`.amazonaws.com.cn` in China).
    public static func defaultEndpoint(service: String, region: String) -> String {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return "https://\(service).\(region).\(suffix)"
    }

    /// Calls `operation` with `input` as the JSON body; the parsed response, `{}` when empty.
    public func call(_ operation: String, _ input: JSON) throws -> JSON {
        try call(operation, input, timeout: nil)
    }

    /// As `call(_:_:)`, with the HTTP timeout of each attempt raised to `timeout` seconds (long polls).
    public func call(_ operation: String, _ input: JSON, timeout: Double?) throws -> JSON {
        guard let url = URLParts(endpoint + "/") else {
            throw Failure(.configuration, "\(service.name): invalid endpoint url '\(endpoint)'")
        }
        let body = Array(input.serialized().utf8)
        let headers: [(name: String, value: String)] = [
            ("Host", url.hostHeader),
            ("Content-Type", "application/x-amz-json-\(service.jsonVersion)"),
            ("X-Amz-Target", "\(service.targetPrefix).\(operation)"),
            ("User-Agent", userAgent),
        ]
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
            let creds = try credentials.credentials(now: start)
            let unsigned = HTTPRequest(method: "POST", url: endpoint + "/", headers: headers, body: body,
                                       connectTimeout: min(connectTimeout, perAttempt), timeout: perAttempt)
            let signed = SigV4Signer(credentials: creds, region: region, service: service.name)
                .sign(unsigned, date: start)

            var error: AWSError
            do {
                let response = try transport.send(signed)
                if (200..<300).contains(response.status) {
                    quota.release(acquired ?? RetryQuota.noRetryIncrement)
                    return try parseSuccess(response, operation: operation, attempts: attempt)
                }
                error = AWSError.decode(response, service: service.name, operation: operation)
            } catch let e as TransportError {
                error = AWSError.transport(e, service: service.name, operation: operation)
                // Cut short by the caller's deadline (libcurl may fire a millisecond early), not by a
                // connect timeout that came before it.
                if let deadline, e.kind == .timeout, limitedByDeadline, time.now() >= deadline - 0.1 {
                    var timedOut = AWSError.timedOut(service: service.name, operation: operation,
                                                     detail: "the deadline passed while waiting for \(endpoint)")
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
            logger?.debug("\(service.name) \(operation): \(error.code ?? error.kind.rawValue) on attempt \(attempt) of \(retry.maxAttempts), retrying in \(AWSJSONClient.seconds(delay)) s")
            time.sleep(delay)
        }
    }

    private func parseSuccess(_ response: HTTPResponse, operation: String, attempts: Int) throws -> JSON {
        if response.body.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }) { return .object(JSONObject()) }
        do {
            return try JSON.parse(response.body, source: "\(service.name) \(operation) response")
        } catch {
            throw AWSError(service: service.name, operation: operation, httpStatus: response.status, code: nil,
                           awsMessage: "unreadable response: " + AWSError.oneLine(response.text),
                           requestId: response.header("x-amzn-RequestId"), kind: .transient, attempts: attempts)
        }
    }

    private static func seconds(_ d: Double) -> String {
        let ms = Int((d * 1000).rounded())
        let frac = ms % 1000
        return "\(ms / 1000).\(frac < 10 ? "00" : frac < 100 ? "0" : "")\(frac)"
    }
}
