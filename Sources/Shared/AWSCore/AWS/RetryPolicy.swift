/// The SDKs' "standard" retry mode: which errors are retried, how many attempts, how long to back off.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included (AWS_MAX_ATTEMPTS).
    public var maxAttempts: Int
    /// Scale of the exponential backoff, in seconds.
    public var baseDelay: Double
    /// No single backoff is longer than this, in seconds.
    public var maxBackoff: Double

    public init(maxAttempts: Int = 3, baseDelay: Double = 1, maxBackoff: Double = 20) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxBackoff = maxBackoff
    }

    /// Three attempts, full jitter over 1 s, 2 s, 4 s, ... capped at 20 s (botocore `retries/standard.py`).
    public static let standard = RetryPolicy()

    /// Standard mode with AWS_MAX_ATTEMPTS applied when it is set, as the SDKs read it.
    public static func standard(environment: Environment) throws -> RetryPolicy {
        guard let text = environment.nonEmpty("AWS_MAX_ATTEMPTS") else { return .standard }
        guard let n = Int(text), n >= 1 else {
            throw Failure(.configuration, "AWS_MAX_ATTEMPTS must be a positive integer, not '\(text)'")
        }
        return RetryPolicy(maxAttempts: n)
    }

    /// The wait after failed attempt `attempt` (1-based): random * min(base * 2^(attempt-1), cap).
    public func backoffDelay(attempt: Int, random: Double) -> Double {
        let exponent = max(0, min(attempt - 1, 62))
        let ceiling = min(baseDelay * Double(Int64(1) << Int64(exponent)), maxBackoff)
        return min(max(random, 0), 1) * ceiling
    }

    /// Whether another attempt may follow this error (attempts and quota aside).
    public func isRetryable(_ error: AWSError) -> Bool {
        switch error.kind {
        case .throttling, .transport:
            return true
        case .transient:
            if let code = error.code, RetryPolicy.transientCodes.contains(code) { return true }
            if let status = error.httpStatus { return RetryPolicy.transientStatuses.contains(status) }
            return false
        case .auth, .notFound, .invalidInput, .timedOut:
            return false
        }
    }

    /// Error codes the SDKs treat as throttling (botocore standard mode, plus SQS's query-compatible spellings).
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
        "AWS.SimpleQueueService.RequestThrottled",
    ]

    /// Error codes of transient failures, retried whatever the status.
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
        "InternalError", "InternalFailure", "ServiceUnavailable", "ServerException", "IDPCommunicationError",
    ]

    /// HTTP statuses retried as transient.
    public static let transientStatuses: Set<Int> = [500, 502, 503, 504]
}

/// The retry token bucket shared by all calls of one client: retries spend from it, successes refill it.
public final class RetryQuota {
    public static let initialCapacity = 500
    public static let retryCost = 5
    public static let timeoutRetryCost = 10
    public static let noRetryIncrement = 1

    public private(set) var available: Int
    public let capacity: Int

    public init(capacity: Int = RetryQuota.initialCapacity) {
        self.capacity = capacity
        available = capacity
    }

    /// Takes the cost of one retry; nil when the bucket cannot pay for it.
    public func acquire(timeout: Bool) -> Int? {
        let cost = timeout ? RetryQuota.timeoutRetryCost : RetryQuota.retryCost
        guard cost <= available else { return nil }
        available -= cost
        return cost
    }

    /// Gives capacity back after a success, never above the initial capacity.
    public func release(_ amount: Int) {
        available = min(capacity, available + amount)
    }
}
