import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

@Suite struct RetryTests {
    @Test(arguments: [
        (1, 0.5, 0.5), (2, 0.5, 1.0), (3, 0.5, 2.0), (4, 0.25, 2.0), (5, 1.0, 16.0),
        (6, 1.0, 20.0), (6, 0.5, 10.0), (30, 0.5, 10.0), (100, 1.0, 20.0), (1, 0.0, 0.0), (0, 1.0, 1.0),
    ] as [(Int, Double, Double)])
    func backoffIsFullJitterCappedAt20Seconds(attempt: Int, random: Double, expected: Double) {
        #expect(RetryPolicy.standard.backoffDelay(attempt: attempt, random: random) == expected)
    }

    @Test func customBaseAndCap() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: 0.1, maxBackoff: 1)
        #expect(policy.backoffDelay(attempt: 3, random: 0.5) == 0.2)
        #expect(policy.backoffDelay(attempt: 9, random: 0.5) == 0.5)
    }

    @Test func maxAttemptsFromTheEnvironment() throws {
        #expect(try RetryPolicy.standard(environment: Environment()) == .standard)
        #expect(try RetryPolicy.standard(environment: Environment(["AWS_MAX_ATTEMPTS": "7"])).maxAttempts == 7)
        #expect(try RetryPolicy.standard(environment: Environment(["AWS_MAX_ATTEMPTS": ""])).maxAttempts == 3)
        for bad in ["0", "-2", "many"] {
            let error = try #require(throws: Failure.self) {
                try RetryPolicy.standard(environment: Environment(["AWS_MAX_ATTEMPTS": bad]))
            }
            #expect(error.exitStatus == .config)
            #expect(error.message == "AWS_MAX_ATTEMPTS must be a positive integer, not '\(bad)'")
        }
    }

    @Test func throttlingThenSuccessRetriesOnceAfterTheBackoff() throws {
        let transport = ScriptedTransport([ScriptedTransport.Step.awsError(400, "ThrottlingException"),
                                           .ok(#"{"taskArns":["a"]}"#)])
        let time = ManualTime()
        let client = TestAWS.client(.ecs, transport, time: time, random: 0.25)
        let output = try client.call("ListTasks", ["cluster": "c"])
        #expect(output["taskArns"] == ["a"])
        #expect(transport.requests.count == 2)
        #expect(time.sleeps == [RetryPolicy.standard.backoffDelay(attempt: 1, random: 0.25)])
        #expect(time.sleeps == [0.25])
        // The same request again, re-signed.
        #expect(transport.requests[0].body == transport.requests[1].body)
    }

    @Test func serverErrorsUntilTheDeadlineStopWithoutSleepingPastIt() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.Step.json(500, #"{"__type":"ServerException","message":"boom"}"#))
        let time = ManualTime(1_000)
        transport.onSend = { _ in time.current += 0.1 }
        let client = TestAWS.client(.ecs, transport, time: time, random: 0.5, retry: RetryPolicy(maxAttempts: 10))
        let deadline = time.current + 5
        client.deadline = deadline
        let error = try #require(throws: AWSError.self) { try client.call("DescribeServices", [:]) }
        // Attempts at 0, 0.6, 1.7 and 3.8; the next backoff (4 s) would end after the deadline.
        #expect(time.sleeps == [0.5, 1.0, 2.0])
        #expect(transport.requests.count == 4)
        #expect(error.attempts == 4)
        #expect(time.current <= deadline)
        #expect(error.kind == .transient)
        #expect(error.httpStatus == 500)
        #expect(error.exitStatus.rawValue == 69)
        #expect(error.message == "ecs DescribeServices: ServerException: boom (HTTP 500, after 4 attempts)")
    }

    @Test func validationErrorIsNotRetried() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.Step.awsError(400, "ValidationException", "bad"))
        let time = ManualTime()
        let client = TestAWS.client(.ecs, transport, time: time)
        let error = try #require(throws: AWSError.self) { try client.call("UpdateService", [:]) }
        #expect(transport.requests.count == 1)
        #expect(time.sleeps.isEmpty)
        #expect(error.kind == .invalidInput)
        #expect(error.exitStatus.rawValue == 65)
        #expect(client.quota.available == RetryQuota.initialCapacity)
    }

    @Test func authErrorAndNot500ServerErrorsAreNotRetried() throws {
        for step in [ScriptedTransport.Step.awsError(400, "AccessDeniedException"), ScriptedTransport.Step.json(501, "")] {
            let transport = ScriptedTransport(fallback: step)
            let time = ManualTime()
            #expect(throws: AWSError.self) { try TestAWS.client(.ecs, transport, time: time).call("ListTasks", [:]) }
            #expect(transport.requests.count == 1)
            #expect(time.sleeps.isEmpty)
        }
    }

    @Test func transportErrorsAreRetriedThenExit69() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.Step.connectFailure())
        let time = ManualTime()
        let client = TestAWS.client(.ecs, transport, time: time, random: 0.5)
        let error = try #require(throws: AWSError.self) { try client.call("DescribeServices", [:]) }
        #expect(transport.requests.count == 3)
        #expect(time.sleeps == [0.5, 1.0])
        #expect(error.kind == .transport)
        #expect(error.transportKind == .connect)
        #expect(error.exitStatus.rawValue == 69)
        #expect(error.attempts == 3)
        #expect(error.message.hasSuffix("(after 3 attempts)"))
        #expect(client.quota.available == RetryQuota.initialCapacity - 2 * RetryQuota.retryCost)
    }

    @Test func throttlingAfterEveryAttemptExits75() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.Step.awsError(400, "ThrottlingException"))
        let client = TestAWS.client(.ecs, transport, retry: RetryPolicy(maxAttempts: 5))
        let error = try #require(throws: AWSError.self) { try client.call("DescribeServices", [:]) }
        #expect(transport.requests.count == 5)
        #expect(error.exitStatus.rawValue == 75)
    }

    @Test func retryQuotaRunsOutAndRefillsOnSuccess() throws {
        let transport = ScriptedTransport(fallback: ScriptedTransport.Step.json(503, ""))
        let client = TestAWS.client(.ecs, transport)
        // Each failing call spends two retries of 5 from the bucket of 500.
        for _ in 0..<50 {
            #expect(throws: AWSError.self) { try client.call("DescribeServices", [:]) }
        }
        #expect(transport.requests.count == 150)
        #expect(client.quota.available == 0)
        // Empty bucket: a retryable failure is not retried.
        #expect(throws: AWSError.self) { try client.call("DescribeServices", [:]) }
        #expect(transport.requests.count == 151)

        // A success at the first attempt gives 1 back; one after a retry gives back that retry's cost.
        transport.steps = [.ok()]
        _ = try client.call("DescribeServices", [:])
        #expect(client.quota.available == 1)
        transport.steps = [.ok(), .ok(), .ok(), .ok()]
        for _ in 0..<4 { _ = try client.call("DescribeServices", [:]) }
        #expect(client.quota.available == 5)
        transport.steps = [ScriptedTransport.Step.json(503, ""), .ok()]
        _ = try client.call("DescribeServices", [:])
        #expect(client.quota.available == 5)
    }

    @Test func timeoutRetriesCostMore() throws {
        let timeout = ScriptedTransport.Step.failure(TransportError(kind: .timeout, url: "u", detail: "curl error 28"))
        let transport = ScriptedTransport([timeout, .ok()])
        let client = TestAWS.client(.ecs, transport)
        _ = try client.call("DescribeServices", [:])
        #expect(transport.requests.count == 2)
        // 10 taken for the retry, given back by the success that followed it.
        #expect(client.quota.available == RetryQuota.initialCapacity)
        let quota = RetryQuota()
        #expect(quota.acquire(timeout: true) == 10)
        #expect(quota.acquire(timeout: false) == 5)
        #expect(quota.available == 485)
        quota.release(100)
        #expect(quota.available == 500)
    }

    @Test func attemptCutShortByTheDeadlineIsATimeout() throws {
        let time = ManualTime(1_000)
        let transport = ScriptedTransport(fallback: .failure(TransportError(kind: .timeout, url: "u", detail: "curl error 28")))
        transport.onSend = { req in time.current += req.timeout }
        let client = TestAWS.client(.ecs, transport, time: time)
        client.deadline = time.current + 3
        let error = try #require(throws: AWSError.self) { try client.call("DescribeServices", [:]) }
        #expect(transport.requests.count == 1)
        #expect(transport.requests[0].timeout == 3)
        #expect(error.kind == .timedOut)
        #expect(error.exitStatus.rawValue == 124)
    }

    @Test func connectTimeoutWellBeforeTheDeadlineIsRetried() throws {
        let time = ManualTime(1_000)
        let transport = ScriptedTransport([.failure(TransportError(kind: .timeout, url: "u", detail: "curl error 28")), .ok()])
        transport.onSend = { req in time.current += req.connectTimeout }
        let client = TestAWS.client(.ecs, transport, time: time)
        client.deadline = time.current + 20
        _ = try client.call("DescribeServices", [:])
        #expect(transport.requests.count == 2)
        #expect(transport.requests[0].timeout == 20)
    }

    @Test func retryableClassification() {
        let policy = RetryPolicy.standard
        func error(_ status: Int?, _ code: String?) -> AWSError {
            AWSError(service: "ecs", operation: "X", httpStatus: status, code: code, awsMessage: "", requestId: nil,
                     kind: AWSError.classify(code: code, status: status))
        }
        for code in RetryPolicy.throttlingCodes { #expect(policy.isRetryable(error(400, code)), "\(code)") }
        for status in [500, 502, 503, 504] { #expect(policy.isRetryable(error(status, nil))) }
        for code in ["RequestTimeout", "RequestTimeoutException", "InternalError", "ServiceUnavailable"] {
            #expect(policy.isRetryable(error(400, code)), "\(code)")
        }
        for (status, code) in [(501, nil), (400, "ValidationException"), (400, "ClientException"), (403, nil),
                               (400, "ServiceNotFoundException"), (404, nil)] as [(Int, String?)] {
            #expect(!policy.isRetryable(error(status, code)), "\(status) \(code ?? "-")")
        }
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }
}
