import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

/// A transport that records requests and answers from a script, for AWS client tests.
final class ScriptedTransport: HTTPTransport {
    enum Step {
        case response(HTTPResponse)
        case failure(TransportError)
    }

    var steps: [Step]
    /// Answers every request once the script has run out.
    var fallback: Step?
    private(set) var requests: [HTTPRequest] = []
    /// Runs on each request before it is answered (e.g. to let a ManualTime advance).
    var onSend: ((HTTPRequest) -> Void)?

    init(_ steps: [Step] = [], fallback: Step? = nil) {
        self.steps = steps
        self.fallback = fallback
    }

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        requests.append(request)
        onSend?(request)
        guard let step = steps.isEmpty ? fallback : steps.removeFirst() else {
            throw TransportError(kind: .other, url: request.url, detail: "scripted transport ran out of answers")
        }
        switch step {
        case .response(let r): return r
        case .failure(let e): throw e
        }
    }

    /// The JSON bodies of the requests, parsed.
    var bodies: [JSON] { requests.map { (try? JSON.parse($0.body)) ?? .null } }
    /// The operations called, from X-Amz-Target.
    var operations: [String] { requests.map { String($0.header("X-Amz-Target")?.split(separator: ".").last ?? "") } }
}

extension ScriptedTransport.Step {
    static func json(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> ScriptedTransport.Step {
        .response(HTTPResponse(status: status, headers: headers, text: body))
    }

    static func ok(_ body: String = "{}") -> ScriptedTransport.Step { json(200, body) }

    static func awsError(_ status: Int, _ type: String, _ message: String = "details") -> ScriptedTransport.Step {
        json(status, #"{"__type":"\#(type)","message":"\#(message)"}"#, headers: [("x-amzn-RequestId", "req-1")])
    }

    static func connectFailure(_ url: String = "https://ecs.us-east-1.amazonaws.com/") -> ScriptedTransport.Step {
        .failure(TransportError(kind: .connect, url: url, detail: "curl error 7: Failed to connect"))
    }
}

/// Hands out new keys on every call, like a provider refreshing temporary credentials.
final class RotatingCredentials: CredentialProvider {
    private(set) var calls: [Double] = []
    func credentials(now: Double) throws -> Credentials {
        calls.append(now)
        return Credentials(accessKeyId: "ASIAROTATE\(calls.count)", secretAccessKey: "secret-\(calls.count)",
                           sessionToken: "token-\(calls.count)", expiration: now + 900, source: "test")
    }
}

final class FailingCredentials: CredentialProvider {
    func credentials(now: Double) throws -> Credentials {
        throw Failure(.configuration, "no credentials found")
    }
}

enum TestAWS {
    static let credentials = Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                         sessionToken: "session-token-secret", source: "test")

    static func client(_ service: AWSServiceSpec = .ecs, _ transport: ScriptedTransport,
                       time: ManualTime = ManualTime(), random: Double = 0.5, retry: RetryPolicy = .standard,
                       credentials: CredentialProvider? = nil, logger: Logger? = nil,
                       endpoint: String? = nil, quota: RetryQuota = RetryQuota()) -> AWSClient {
        AWSClient(service: service, region: "us-east-1",
                      endpoint: endpoint ?? (try! ResolvedAWSConfig.defaultEndpoint(service: service.name, region: "us-east-1")),
                      credentials: credentials ?? StaticCredentialProvider(TestAWS.credentials),
                      transport: transport, time: time, random: FixedRandom(random), userAgent: Version.userAgent, logger: logger, retry: retry,
                      quota: quota)
    }
}

@Suite struct AWSClientTests {
    @Test func requestIsASignedJSONPost() throws {
        let transport = ScriptedTransport([.response(HTTPResponse(status: 200, headers: [("x-amzn-RequestId", "r")],
                                                                  text: #"{"services":[],"failures":[]}"#))])
        let time = ManualTime(1_700_000_000)
        let client = TestAWS.client(.ecs, transport, time: time)
        let input: JSON = ["cluster": "prod", "services": ["web"]]
        let output = try client.call("DescribeServices", input)
        #expect(output == ["services": [], "failures": []])

        let req = try #require(transport.requests.first)
        #expect(req.method == "POST")
        #expect(req.url == "https://ecs.us-east-1.amazonaws.com/")
        #expect(req.body == Array(#"{"cluster":"prod","services":["web"]}"#.utf8))
        #expect(req.header("Content-Type") == "application/x-amz-json-1.1")
        #expect(req.header("X-Amz-Target") == "AmazonEC2ContainerServiceV20141113.DescribeServices")
        #expect(req.header("User-Agent") == "ecs-deployment/\(Version.string)")
        #expect(req.header("Host") == "ecs.us-east-1.amazonaws.com")
        #expect(req.header("X-Amz-Date") == "20231114T221320Z")
        #expect(req.header("X-Amz-Security-Token") == "session-token-secret")
        let auth = try #require(req.header("Authorization"))
        #expect(auth.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/ecs/aws4_request, "))
        #expect(auth.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"))

        // The signature is the signer's over exactly what was sent.
        var unsigned = req
        unsigned.headers.removeAll { ["authorization", "x-amz-date", "x-amz-security-token"].contains($0.name.lowercased()) }
        let resigned = SigV4Signer(credentials: TestAWS.credentials, region: "us-east-1", service: "ecs")
            .sign(unsigned, date: time.current)
        #expect(resigned.header("Authorization") == auth)
    }

    @Test func sqsUsesJSON10AndItsTarget() throws {
        let transport = ScriptedTransport([.ok()])
        let client = TestAWS.client(.sqs, transport, endpoint: "http://127.0.0.1:4566/")
        _ = try client.call("DeleteMessage", ["QueueUrl": "q", "ReceiptHandle": "h"])
        let req = try #require(transport.requests.first)
        #expect(req.url == "http://127.0.0.1:4566/")
        #expect(req.header("Host") == "127.0.0.1:4566")
        #expect(req.header("Content-Type") == "application/x-amz-json-1.0")
        #expect(req.header("X-Amz-Target") == "AmazonSQS.DeleteMessage")
        #expect(req.header("Authorization")?.contains("/us-east-1/sqs/aws4_request") == true)
    }

    @Test func emptySuccessBodyIsAnEmptyObject() throws {
        let transport = ScriptedTransport([.response(HTTPResponse(status: 200, text: ""))])
        #expect(try TestAWS.client(.sqs, transport).call("DeleteMessage", [:]) == .object(JSONObject()))
    }

    @Test func unreadableSuccessBodyIsAnError() throws {
        let transport = ScriptedTransport([.json(200, "<html>oops</html>")])
        let error = try #require(throws: AWSError.self) { try TestAWS.client(.ecs, transport).call("ListTasks", [:]) }
        #expect(error.kind == .transient)
        #expect(error.message.contains("unreadable response: <html>oops</html>"))
        #expect(transport.requests.count == 1)
    }

    @Test func credentialsAreFetchedForEveryAttempt() throws {
        let transport = ScriptedTransport([ScriptedTransport.Step.awsError(400, "ThrottlingException"), .ok()])
        let provider = RotatingCredentials()
        let time = ManualTime(1_700_000_000)
        _ = try TestAWS.client(.ecs, transport, time: time, credentials: provider).call("ListTasks", [:])
        #expect(provider.calls.count == 2)
        #expect(provider.calls[1] > provider.calls[0])
        #expect(transport.requests[0].header("Authorization")?.contains("Credential=ASIAROTATE1/") == true)
        #expect(transport.requests[1].header("Authorization")?.contains("Credential=ASIAROTATE2/") == true)
        #expect(transport.requests[1].header("X-Amz-Security-Token") == "token-2")
    }

    @Test func credentialErrorsPassThroughWithoutARequest() throws {
        let transport = ScriptedTransport([.ok()])
        let client = TestAWS.client(.ecs, transport, credentials: FailingCredentials())
        let error = try #require(throws: Failure.self) { try client.call("ListTasks", [:]) }
        #expect(error.exitStatus == .config)
        #expect(transport.requests.isEmpty)
    }

    @Test func callAfterTheDeadlineFailsAtOnce() throws {
        let transport = ScriptedTransport([.ok()])
        let time = ManualTime(1_700_000_000)
        let client = TestAWS.client(.ecs, transport, time: time)
        client.deadline = time.current - 1
        let error = try #require(throws: AWSError.self) { try client.call("DescribeServices", [:]) }
        #expect(error.kind == .timedOut)
        #expect(error.exitStatus == .timedOut)
        #expect(error.exitStatus.rawValue == 124)
        #expect(error.message == "ecs DescribeServices: timed out before an answer: the deadline had passed before the call")
        #expect(transport.requests.isEmpty)
    }

    @Test func attemptTimeoutNeverOutlastsTheDeadline() throws {
        let transport = ScriptedTransport([.ok(), .ok()])
        let time = ManualTime(1_700_000_000)
        let client = TestAWS.client(.ecs, transport, time: time)
        _ = try client.call("DescribeServices", [:])
        client.deadline = time.current + 7
        _ = try client.call("DescribeServices", [:])
        #expect(transport.requests[0].timeout == 30)
        #expect(transport.requests[1].timeout == 7)
        #expect(transport.requests[1].connectTimeout == 5)
    }

    @Test func defaultEndpoints() throws {
        #expect(try ResolvedAWSConfig.defaultEndpoint(service: "ecs", region: "us-east-1") == "https://ecs.us-east-1.amazonaws.com")
        #expect(try ResolvedAWSConfig.defaultEndpoint(service: "sqs", region: "eu-west-3") == "https://sqs.eu-west-3.amazonaws.com")
        #expect(try ResolvedAWSConfig.defaultEndpoint(service: "sqs", region: "cn-north-1") == "https://sqs.cn-north-1.amazonaws.com.cn")
    }

    @Test func invalidEndpointIsAConfigurationError() throws {
        let transport = ScriptedTransport([.ok()])
        let client = TestAWS.client(.ecs, transport, endpoint: "ecs.example")
        let error = try #require(throws: Failure.self) { try client.call("ListTasks", [:]) }
        #expect(error.exitStatus == .config)
        #expect(error.message == "ecs: invalid endpoint url 'ecs.example'")
    }

    @Test func retryLogsNameTheErrorButNoSecret() throws {
        var lines: [String] = []
        let logger = Logger(tool: "ecs-wait", level: .debug, sink: { lines.append($0) })
        let transport = ScriptedTransport([ScriptedTransport.Step.awsError(400, "ThrottlingException"), .ok()])
        _ = try TestAWS.client(.ecs, transport, logger: logger).call("DescribeServices", [:])
        let all = lines.joined()
        #expect(all.contains("ThrottlingException"))
        #expect(all.contains("attempt 1 of 3"))
        for secret in ["wJalrXUtnFEMI", "session-token-secret", "Signature=", "Authorization"] {
            #expect(!all.contains(secret))
        }
    }

    // MARK: - Error decoding

    struct ErrorCase: Sendable, CustomStringConvertible {
        var name: String
        var status: Int
        var headers: [(name: String, value: String)]
        var body: String
        var code: String?
        var awsMessage: String
        var requestId: String?
        var kind: AWSError.Kind
        var exit: Int32
        var description: String { name }
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(name: "json __type with namespace, lowercase message", status: 400,
                  headers: [("x-amzn-RequestId", "abc")],
                  body: #"{"__type":"com.amazonaws.ecs#ServiceNotFoundException","message":"Service not found."}"#,
                  code: "ServiceNotFoundException", awsMessage: "Service not found.", requestId: "abc",
                  kind: .notFound, exit: 65),
        ErrorCase(name: "capitalised Message", status: 400, headers: [],
                  body: #"{"__type":"ClientException","Message":"Family is required."}"#,
                  code: "ClientException", awsMessage: "Family is required.", requestId: nil, kind: .invalidInput, exit: 65),
        ErrorCase(name: "__type with a trailing colon part", status: 400, headers: [("x-amz-request-id", "r2")],
                  body: #"{"__type":"ValidationException:http://internal.amazon.com/coral/","message":"bad value"}"#,
                  code: "ValidationException", awsMessage: "bad value", requestId: "r2", kind: .invalidInput, exit: 65),
        ErrorCase(name: "x-amzn-query-error", status: 400,
                  headers: [("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")],
                  body: #"{"message":"The specified queue does not exist."}"#,
                  code: "AWS.SimpleQueueService.NonExistentQueue", awsMessage: "The specified queue does not exist.",
                  requestId: nil, kind: .notFound, exit: 65),
        ErrorCase(name: "sqs throttling in x-amzn-query-error", status: 400,
                  headers: [("x-amzn-query-error", "AWS.SimpleQueueService.RequestThrottled;Sender")],
                  body: "{}", code: "AWS.SimpleQueueService.RequestThrottled", awsMessage: "", requestId: nil,
                  kind: .throttling, exit: 75),
        ErrorCase(name: "x-amzn-errortype", status: 403,
                  headers: [("x-amzn-errortype", "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/")],
                  body: "", code: "UnrecognizedClientException", awsMessage: "", requestId: nil, kind: .auth, exit: 77),
        ErrorCase(name: "xml ErrorResponse", status: 403, headers: [],
                  body: """
                  <?xml version="1.0" encoding="UTF-8"?>
                  <ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">
                    <Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>
                    <Message>The security token included in the request is invalid &amp; expired.</Message></Error>
                    <RequestId>xml-req-9</RequestId>
                  </ErrorResponse>
                  """,
                  code: "InvalidClientTokenId", awsMessage: "The security token included in the request is invalid & expired.",
                  requestId: "xml-req-9", kind: .auth, exit: 77),
        ErrorCase(name: "garbage body kept verbatim on one line", status: 502, headers: [],
                  body: "<html>\n<body>Bad\tGateway</body>\n</html>\n", code: nil,
                  awsMessage: "<html> <body>Bad Gateway</body> </html>", requestId: nil, kind: .transient, exit: 69),
        ErrorCase(name: "403 without a code", status: 403, headers: [], body: "", code: nil, awsMessage: "",
                  requestId: nil, kind: .auth, exit: 77),
        ErrorCase(name: "429 without a code", status: 429, headers: [], body: "slow down", code: nil,
                  awsMessage: "slow down", requestId: nil, kind: .throttling, exit: 75),
        ErrorCase(name: "throttling code", status: 400, headers: [], body: #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
                  code: "ThrottlingException", awsMessage: "Rate exceeded", requestId: nil, kind: .throttling, exit: 75),
        ErrorCase(name: "access denied", status: 400, headers: [],
                  body: #"{"__type":"AccessDeniedException","Message":"User is not authorized to perform: ecs:ListClusters"}"#,
                  code: "AccessDeniedException", awsMessage: "User is not authorized to perform: ecs:ListClusters",
                  requestId: nil, kind: .auth, exit: 77),
        ErrorCase(name: "expired token", status: 400, headers: [], body: #"{"__type":"ExpiredTokenException","message":"expired"}"#,
                  code: "ExpiredTokenException", awsMessage: "expired", requestId: nil, kind: .auth, exit: 77),
        ErrorCase(name: "signature mismatch", status: 403, headers: [],
                  body: #"{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match"}"#,
                  code: "InvalidSignatureException", awsMessage: "The request signature we calculated does not match",
                  requestId: nil, kind: .auth, exit: 77),
        ErrorCase(name: "server exception", status: 500, headers: [], body: #"{"__type":"ServerException","message":"oops"}"#,
                  code: "ServerException", awsMessage: "oops", requestId: nil, kind: .transient, exit: 69),
        ErrorCase(name: "cluster not found", status: 400, headers: [], body: #"{"__type":"ClusterNotFoundException","message":"Cluster not found."}"#,
                  code: "ClusterNotFoundException", awsMessage: "Cluster not found.", requestId: nil, kind: .notFound, exit: 65),
        ErrorCase(name: "other 4xx", status: 400, headers: [], body: #"{"__type":"InvalidParameterException","message":"x"}"#,
                  code: "InvalidParameterException", awsMessage: "x", requestId: nil, kind: .invalidInput, exit: 65),
    ]

    @Test(arguments: errorCases)
    func errorDecoding(_ c: ErrorCase) {
        let e = AWSError.decode(HTTPResponse(status: c.status, headers: c.headers, text: c.body),
                                service: "ecs", operation: "UpdateService")
        #expect(e.httpStatus == c.status)
        #expect(e.code == c.code)
        #expect(e.awsMessage == c.awsMessage)
        #expect(e.requestId == c.requestId)
        #expect(e.kind == c.kind)
        #expect(e.exitStatus.rawValue == c.exit)
        #expect(!e.message.contains("\n"))
        #expect(e.message.hasPrefix("ecs UpdateService: "))
    }

    @Test func errorMessageIsOneReadableLine() {
        let e = AWSError.decode(HTTPResponse(status: 400, headers: [("x-amzn-RequestId", "abc")],
                                             text: #"{"__type":"com.amazonaws.ecs#ServiceNotFoundException","message":"Service not found."}"#),
                                service: "ecs", operation: "UpdateService")
        #expect(e.message == "ecs UpdateService: ServiceNotFoundException: Service not found. (HTTP 400, request id abc)")
        let empty = AWSError.decode(HTTPResponse(status: 503, text: ""), service: "sqs", operation: "ReceiveMessage")
        #expect(empty.message == "sqs ReceiveMessage: error with no details (HTTP 503)")
    }

    @Test func longGarbageIsTrimmedAndControlCharactersMasked() {
        let body = "\u{1b}[31m" + String(repeating: "x", count: 1000)
        let e = AWSError.decode(HTTPResponse(status: 500, text: body), service: "sqs", operation: "ReceiveMessage")
        #expect(e.awsMessage.hasPrefix("?[31mxxx"))
        #expect(e.awsMessage.count == 301)
        #expect(e.awsMessage.hasSuffix("…"))
    }

    @Test func transportErrorMessage() {
        let e = AWSError.transport(TransportError(kind: .connect, url: "http://127.0.0.1:9/",
                                                  detail: "curl error 7: Failed to connect to 127.0.0.1 port 9"),
                                   service: "sqs", operation: "ReceiveMessage")
        #expect(e.kind == .transport)
        #expect(e.exitStatus == .unavailable)
        #expect(e.httpStatus == nil)
        #expect(e.message == "sqs ReceiveMessage: cannot connect: http://127.0.0.1:9/: curl error 7: Failed to connect to 127.0.0.1 port 9")
    }
}
