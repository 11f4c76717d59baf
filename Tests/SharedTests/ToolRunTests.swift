import ArgumentParser
import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

private let queue = "https://sqs.us-east-1.amazonaws.com/123456789012/deploy"
private let v7 = Fixture.td("web:7")
private let v8 = Fixture.td("web:8")
private let bare = #"{"family":"web","containerDefinitions":[{"name":"app","image":"nginx:1.27"}]}"#

private func common(_ args: String...) throws -> CommonOptions { try CommonOptions.parse(args) }

/// A service whose PRIMARY (web:7) was created at the fixture epoch.
private func runningService(_ name: String = "web", controller: String? = "ECS") -> JSON {
    Fixture.service(name, deployments: [Fixture.deployment("ecs-svc/7", td: v7, running: 2, rollout: "COMPLETED")],
                    controller: controller)
}

private func message(sent: Int64, receiveCount: Int = 1, firstReceived: Int64? = nil) -> String {
    let first = firstReceived.map { #","firstReceiveTimestamp":\#($0)"# } ?? ""
    return #"{"queueUrl":"\#(queue)","messageId":"m1","receiptHandle":"AQEBm1handle","sentTimestamp":\#(sent),"receiveCount":\#(receiveCount)\#(first),"attributes":{"service":"web"}}"#
}

@Suite struct SQSReceiveRunTests {
    let sqs = FakeSQS()

    @Test func aBatchIsWrittenInTheOrderTheMessagesWereSent() throws {
        // A standard queue hands a batch out in any order; one service's messages must be deployed oldest first.
        sqs.messages = [FakeSQS.message("m3", body: bare, sent: 1_700_000_003_000), FakeSQS.message("m1", body: bare, sent: 1_700_000_001_000),
                        FakeSQS.message("m2a", body: bare, service: "api", sent: 1_700_000_002_000),
                        FakeSQS.message("m2b", body: bare, sent: 1_700_000_002_000)]
        let h = Harness(tool: "sqs-receive", factory: FakeFactory(sqs: sqs))
        #expect(try SQSReceive.parse(["--queue-url", queue, "--max-messages", "10"]).run(h.context) == .ok)
        // Equal sending times keep the order received.
        #expect(h.outJSON.map { $0["message"]?["messageId"]?.stringValue } == ["m1", "m2a", "m2b", "m3"])
    }

    @Test func eachMessageBecomesOneDocument() throws {
        let wrapped = #"{"taskDefinition":{"taskDefinitionArn":"\#(v7)","family":"web","revision":7,"containerDefinitions":[{"name":"app","image":"nginx:1.27"}],"status":"ACTIVE"},"tags":[{"key":"team","value":"web"}]}"#
        sqs.messages = [FakeSQS.message("m1", body: wrapped, sent: 1_700_000_000_000, receiveCount: 2),
                        FakeSQS.message("m2", body: bare, service: "api", cluster: "staging")]
        let h = Harness(tool: "sqs-receive", env: ["SQS_URL": queue, "ECS_TIMEOUT": "600"], factory: FakeFactory(sqs: sqs),
                        level: .info)
        let status = try SQSReceive.parse(["--max-messages", "5", "--cluster", "prod"]).run(h.context)
        #expect(status == .ok)
        #expect(h.out == [
            #"{"message":{"queueUrl":"\#(queue)","messageId":"m1","receiptHandle":"AQEBm1handle","sentTimestamp":1700000000000,"receiveCount":2,"attributes":{"service":"web"}},"service":"web","cluster":"prod","taskDefinition":{"family":"web","containerDefinitions":[{"name":"app","image":"nginx:1.27"}],"tags":[{"key":"team","value":"web"}]}}"#,
            #"{"message":{"queueUrl":"\#(queue)","messageId":"m2","receiptHandle":"AQEBm2handle","sentTimestamp":1700000000000,"receiveCount":1,"attributes":{"service":"api","cluster":"staging"}},"service":"api","cluster":"staging","taskDefinition":\#(bare)}"#,
        ])
        #expect(h.stderr == ["sqs-receive: message m1: dropped read-only fields taskDefinitionArn, revision, status\n"])
        #expect(sqs.requests == [ReceiveMessageRequest(queueUrl: queue, maxMessages: 5, waitSeconds: 20, visibilityTimeout: 660,
                                                       systemAttributeNames: ["SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"],
                                                       messageAttributeNames: ["service", "cluster"])])
        #expect(sqs.deleted.isEmpty)
    }

    @Test func unusableMessagesAreReportedByIdMarkedRejectedAndNotDeleted() throws {
        sqs.messages = [FakeSQS.message("m1", body: #"{"family": tru"#), FakeSQS.message("m2", body: bare, service: nil),
                        FakeSQS.message("m3", body: bare), FakeSQS.message("m4", body: #"{"family":"web"}"#)]
        let h = Harness(tool: "sqs-receive", factory: FakeFactory(sqs: sqs))
        let status = try SQSReceive.parse(["--queue-url", queue, "--max-messages", "10"]).run(h.context)
        #expect(status == .dataError)
        // Every message is written, in order; the unusable ones carry only their message and a rejected result.
        #expect(h.outJSON.map { $0["message"]?["messageId"] } == ["m1", "m2", "m3", "m4"])
        #expect(h.outJSON.map { $0["result"]?["status"] } == ["rejected", "rejected", nil, "rejected"])
        #expect(h.outJSON[0]["taskDefinition"] == nil)
        #expect(h.outJSON[1]["service"] == nil)
        #expect(h.outJSON[3]["service"] == "web")
        #expect(h.outJSON[3]["result"]?["reason"] == "message m4: task definition is missing \"containerDefinitions\"")
        #expect(h.outJSON[2]["cluster"] == "default")
        #expect(h.stderr.count == 3)
        #expect(h.stderr[0].hasPrefix("sqs-receive: message m1: body is not JSON: line 1, column "))
        #expect(h.stderr[1] == "sqs-receive: message m2: missing string message attribute \"service\"\n")
        #expect(h.stderr[2] == "sqs-receive: message m4: task definition is missing \"containerDefinitions\"\n")
        #expect(sqs.deleted.isEmpty)
    }

    @Test(arguments: [
        ("service", "Number", "42", #"message m1: message attribute "service" must be of type String, got Number"#),
        ("service", "Binary", "d2Vi", #"message m1: message attribute "service" must be of type String, got Binary"#),
        ("cluster", "Number.int", "7", #"message m1: message attribute "cluster" must be of type String, got Number.int"#),
        ("service", "String", "web\necs-wait: service web: succeeded: FORGED",
         #"message m1: message attribute "service" holds control characters"#),
        ("cluster", "String", "prod\u{1B}[2J", #"message m1: message attribute "cluster" holds control characters"#),
    ])
    func nameAttributesMustBePlainStrings(_ name: String, _ type: String, _ value: String, _ reason: String) throws {
        var m = FakeSQS.message("m1", body: bare)
        m["MessageAttributes"]?[name] = ["DataType": .string(type), "StringValue": .string(value)]
        sqs.messages = [m]
        let h = Harness(tool: "sqs-receive", factory: FakeFactory(sqs: sqs))
        #expect(try SQSReceive.parse(["--queue-url", queue]).run(h.context) == .dataError)
        #expect(h.outJSON.first?["result"]?["status"] == "rejected")
        #expect(h.outJSON.first?["result"]?["reason"] == .string(reason))
        #expect(h.outJSON.first?["taskDefinition"] == nil)
        #expect(sqs.deleted.isEmpty)
    }

    @Test func aCustomStringTypeIsAString() throws {
        var m = FakeSQS.message("m1", body: bare)
        m["MessageAttributes"]?["service"] = ["DataType": "String.ecs-service", "StringValue": "web"]
        sqs.messages = [m]
        let h = Harness(tool: "sqs-receive", factory: FakeFactory(sqs: sqs))
        #expect(try SQSReceive.parse(["--queue-url", queue]).run(h.context) == .ok)
        #expect(h.outJSON.first?["service"] == "web")
    }

    @Test func anEmptyQueueWritesNothing() throws {
        let h = Harness(tool: "sqs-receive", env: ["SQS_URL": queue], factory: FakeFactory(sqs: sqs))
        #expect(try SQSReceive.parse([]).run(h.context) == .ok)
        #expect(h.out.isEmpty && h.stderr.isEmpty)
        #expect(sqs.requests.first?.visibilityTimeout == 360)
    }

    @Test func withoutAQueueItIsAUsageError() throws {
        let h = Harness(tool: "sqs-receive", factory: FakeFactory(sqs: sqs))
        #expect(try SQSReceive.parse([]).run(h.context) == .usage)
        #expect(h.stderr == ["sqs-receive: no queue: give --queue-url or set SQS_URL\n"])
        #expect(sqs.requests.isEmpty)
    }

    @Test func aBadEcsTimeoutIsAUsageError() throws {
        let h = Harness(tool: "sqs-receive", env: ["SQS_URL": queue, "ECS_TIMEOUT": "5m"], factory: FakeFactory(sqs: sqs))
        #expect(try SQSReceive.parse([]).run(h.context) == .usage)
        #expect(h.stderr == ["sqs-receive: ECS_TIMEOUT must be a positive number of seconds, got \"5m\"\n"])
    }

    @Test func anAWSErrorKeepsItsStatus() throws {
        sqs.errors["ReceiveMessage"] = [FakeAWSError(.permission, "AccessDenied: not authorized to perform sqs:ReceiveMessage")]
        let h = Harness(tool: "sqs-receive", env: ["SQS_URL": queue], factory: FakeFactory(sqs: sqs))
        #expect(try SQSReceive.parse([]).run(h.context) == .noPermission)
        #expect(h.stderr == ["sqs-receive: AccessDenied: not authorized to perform sqs:ReceiveMessage\n"])
    }

    @Test(arguments: [["--max-messages", "0"], ["--max-messages", "11"], ["--wait-seconds", "21"],
                      ["--visibility-timeout", "43201"], ["--delete-on-failure"]])
    func outOfRangeFlagsAreRejected(args: [String]) {
        #expect(throws: (any Error).self) { try SQSReceive.parse(args) }
    }

    static let finished = [
        #"{"message":\#(message(sent: 1)),"service":"web","result":{"status":"succeeded","reason":"ok"}}"#,
        #"{"message":\#(message(sent: 2)),"service":"web","result":{"status":"failed","reason":"no"}}"#,
        #"{"message":\#(message(sent: 3)),"service":"web","result":{"status":"timed_out","reason":"?"}}"#,
        #"{"message":\#(message(sent: 4)),"service":"web","result":{"status":"stale","reason":"old"}}"#,
        #"{"message":\#(message(sent: 5)),"service":"web"}"#,
    ]

    @Test func deleteRemovesOnlyFinalOutcomesAndPassesEverythingThrough() throws {
        let h = Harness(tool: "sqs-receive", stdin: Self.finished.joined(separator: "\n"), factory: FakeFactory(sqs: sqs))
        #expect(try SQSReceive.parse(["--delete"]).run(h.context) == .ok)
        #expect(h.out == Self.finished)
        #expect(sqs.deleted.count == 3)
        #expect(sqs.deleted.allSatisfy { $0.queueUrl == queue && $0.receiptHandle == "AQEBm1handle" })
    }

    @Test func deleteOnFailureRemovesEveryFinalMessageButNeverATimedOutOne() throws {
        let h = Harness(tool: "sqs-receive", stdin: Self.finished.joined(separator: "\n"), factory: FakeFactory(sqs: sqs),
                        level: .info)
        let command = try SQSReceive.parse(["--delete", "--delete-on-failure"])
        #expect(command.run(h.context) == .ok)
        #expect(sqs.deleted.count == 4)
        #expect(h.stderr.contains { $0.contains("kept on the queue: timed_out") })
    }

    @Test func deletableOutcomes() {
        for status in WaitStatus.allCases {
            let plain = deletable(status, deleteOnFailure: false)
            let forced = deletable(status, deleteOnFailure: true)
            switch status {
            case .succeeded, .superseded, .stale: #expect(plain && forced)
            case .failed, .rolledBack, .rejected: #expect(!plain && forced)
            case .timedOut: #expect(!plain && !forced)
            }
        }
    }

    @Test func deleteNeedsTheMessage() throws {
        let stdin = #"{"service":"web"}"# + "\n" + Self.finished[0]
        let h = Harness(tool: "sqs-receive", stdin: stdin, factory: FakeFactory(sqs: sqs))
        #expect(try SQSReceive.parse(["--delete"]).run(h.context) == .dataError)
        #expect(h.stderr == ["sqs-receive: document 1: missing \"message\"\n"])
        #expect(h.out == [Self.finished[0]])
        #expect(sqs.deleted.count == 1)
    }
}

@Suite struct ECSRegisterRunTests {
    let ecs = FakeECS()
    init() { ecs.add(runningService(), cluster: "default") }

    @Test func aStreamOfThreeDocumentsArrivingInSmallChunks() throws {
        let stdin = """
            {"service":"web","taskDefinition":\(bare),"note":1}
            {
              "service": "api",
              "taskDefinition": {"family": "api", "containerDefinitions": [{"name": "app", "image": "api:2"}]}
            }{"service":"web","taskDefinition":{"taskDefinition":\(bare)}}
            """
        let h = Harness(tool: "ecs-register", stdin: stdin, chunkSize: 7, factory: FakeFactory(ecs: ecs))
        #expect(try ECSRegister.parse([]).run(h.context) == .ok)
        // Once registered, the body is summed up: family, revision, containers' names and images.
        #expect(h.out == [
            #"{"service":"web","taskDefinition":{"family":"web","revision":1,"containerDefinitions":[{"name":"app","image":"nginx:1.27"}]},"note":1,"taskDefinitionArn":"\#(Fixture.td("web:1"))"}"#,
            #"{"service":"api","taskDefinition":{"family":"api","revision":1,"containerDefinitions":[{"name":"app","image":"api:2"}]},"taskDefinitionArn":"\#(Fixture.td("api:1"))"}"#,
            #"{"service":"web","taskDefinition":{"family":"web","revision":2,"containerDefinitions":[{"name":"app","image":"nginx:1.27"}]},"taskDefinitionArn":"\#(Fixture.td("web:2"))"}"#,
        ])
        #expect(ecs.registered.map { $0.serialized() } == [bare, #"{"family":"api","containerDefinitions":[{"name":"app","image":"api:2"}]}"#, bare])
        #expect(h.stderr.isEmpty)
    }

    static let secretive = #"{"family":"web","containerDefinitions":[{"name":"app","image":"web:2","memory":128,"command":["--password=hunter2"],"environment":[{"name":"DB_PASSWORD","value":"hunter2"}],"secrets":[{"name":"API_KEY","valueFrom":"arn:aws:ssm:eu-west-1:123456789012:parameter/api-key"}],"logConfiguration":{"logDriver":"splunk","options":{"splunk-token":"hunter2"}}}]}"#

    @Test func theDefinitionsSecretsNeverReachTheOutput() throws {
        let registered = #"{"message":\#(message(sent: 1)),"service":"web","taskDefinition":\#(Self.secretive)}"#
        let rejected = #"{"message":\#(message(sent: 1)),"service":"web","taskDefinition":\#(Self.secretive.replacingFirst(#""family":"web","#, with: ""))}"#
        let h = Harness(tool: "ecs-register", stdin: registered + "\n" + rejected, factory: FakeFactory(ecs: ecs))
        #expect(try ECSRegister.parse([]).run(h.context) == .dataError)
        #expect(h.out.count == 2)
        #expect(h.outJSON[0]["taskDefinition"]?.serialized() == #"{"family":"web","revision":1,"containerDefinitions":[{"name":"app","image":"web:2"}]}"#)
        #expect(h.outJSON[1]["result"]?["status"] == "rejected")
        #expect(h.outJSON[1]["taskDefinition"]?.serialized() == #"{"containerDefinitions":[{"name":"app","image":"web:2"}]}"#)
        for line in h.out { #expect(!line.contains("hunter2") && !line.contains("api-key")) }
        // ECS got the whole definition.
        #expect(ecs.registered.first?.serialized().contains("hunter2") == true)
    }

    @Test func documentsAreProcessedAsTheyArrive() throws {
        let captured = CapturedLines()
        let source = ScriptedSource([#"{"service":"web","taskDefinition":\#(bare)}"# + "\n", #"{"service":"web","taskDefinition":\#(bare)}"#])
        let h = Harness(tool: "ecs-register", factory: FakeFactory(ecs: ecs))
        h.context.input = source
        h.context.output = captured
        source.beforeEachChunk = { index in
            // The first document was written before the second one was even read.
            if index == 1 { #expect(captured.lines.count == 1) }
        }
        #expect(try ECSRegister.parse([]).run(h.context) == .ok)
        #expect(captured.lines.count == 2)
    }

    @Test func aBareDefinitionOrDescribeOutputOnStdinGivesItsArn() throws {
        let described = #"{"taskDefinition":{"family":"web","revision":4,"containerDefinitions":[]},"tags":[{"key":"a","value":"b"}]}"#
        let h = Harness(tool: "ecs-register", stdin: bare + "\n" + described.replacingFirst("[]", with: #"[{"name":"x"}]"#),
                        factory: FakeFactory(ecs: ecs))
        #expect(try ECSRegister.parse([]).run(h.context) == .ok)
        #expect(h.out == [#"{"taskDefinitionArn":"\#(Fixture.td("web:1"))"}"#, #"{"taskDefinitionArn":"\#(Fixture.td("web:2"))"}"#])
        #expect(ecs.registered[1].serialized() == #"{"family":"web","containerDefinitions":[{"name":"x"}],"tags":[{"key":"a","value":"b"}]}"#)
    }

    @Test func aFile() throws {
        let h = Harness(tool: "ecs-register", stdin: "not read", factory: FakeFactory(ecs: ecs), files: ["td.json": bare])
        #expect(try ECSRegister.parse(["--file", "td.json"]).run(h.context) == .ok)
        #expect(h.out == [#"{"taskDefinitionArn":"\#(Fixture.td("web:1"))"}"#])
    }

    @Test func aMissingOrBadFile() throws {
        let h = Harness(tool: "ecs-register", factory: FakeFactory(ecs: ecs), files: ["bad.json": "{\"family\":\n oops}"])
        #expect(try ECSRegister.parse(["--file", "td.json"]).run(h.context) == .dataError)
        #expect(try ECSRegister.parse(["--file", "bad.json"]).run(h.context) == .dataError)
        #expect(h.stderr.count == 2)
        #expect(h.stderr[0] == "ecs-register: cannot read td.json: No such file or directory\n")
        #expect(h.stderr[1].hasPrefix("ecs-register: bad json at bad.json:2:"))
        #expect(h.out.isEmpty && ecs.registered.isEmpty)
    }

    @Test func ecsValidationErrorsAreBadInputWithTheirMessage() throws {
        let stdin = #"{"service":"web","taskDefinition":{"family":"web","containerDefinitions":[]}}"# + "\n"
            + #"{"service":"web","taskDefinition":\#(bare)}"#
        let h = Harness(tool: "ecs-register", stdin: stdin, factory: FakeFactory(ecs: ecs))
        #expect(try ECSRegister.parse([]).run(h.context) == .dataError)
        #expect(h.stderr == ["ecs-register: document 1: ClientException: Container definitions cannot be empty.\n"])
        #expect(h.out.count == 1)
    }

    @Test func aRejectedQueueMessageIsWrittenWithItsOutcomeAndDecidedDocumentsPassThrough() throws {
        let message = #"{"queueUrl":"q","messageId":"m1","receiptHandle":"h","attributes":{"service":"web"}}"#
        let stdin = #"{"message":\#(message),"service":"web","taskDefinition":{"family":"web","containerDefinitions":[]}}"# + "\n"
            + #"{"message":\#(message),"service":"web","result":{"status":"stale","reason":"old"}}"#
        let h = Harness(tool: "ecs-register", stdin: stdin, factory: FakeFactory(ecs: ecs))
        #expect(try ECSRegister.parse([]).run(h.context) == .dataError)
        #expect(h.outJSON.count == 2)
        #expect(h.outJSON[0]["result"]?["status"] == "rejected")
        #expect(h.outJSON[0]["result"]?["reason"] == "ClientException: Container definitions cannot be empty.")
        #expect(h.outJSON[0]["taskDefinitionArn"] == nil)
        #expect(h.out[1] == #"{"message":\#(message),"service":"web","result":{"status":"stale","reason":"old"}}"#)
        #expect(ecs.registered.isEmpty)
    }

    static func clusterNotFound() -> AWSError {
        AWSError(service: "ecs", operation: "DescribeServices", httpStatus: 400, code: "ClusterNotFoundException",
                 awsMessage: "Cluster not found.", requestId: "r1", kind: .notFound)
    }

    @Test func anUnknownClusterFromTheSettingsIsAConfigurationErrorNotABadMessage() throws {
        // ECS_CLUSTER=defualt: the message is good, the worker's setting is not; nothing is written or registered.
        ecs.errors["DescribeServices"] = [Self.clusterNotFound()]
        let stdin = #"{"message":\#(message(sent: 1)),"service":"web","cluster":"defualt","taskDefinition":\#(bare)}"#
        let h = Harness(tool: "ecs-register", stdin: stdin, env: ["ECS_CLUSTER": "defualt"], factory: FakeFactory(ecs: ecs))
        #expect(try ECSRegister.parse([]).run(h.context) == .config)
        #expect(h.out.isEmpty)
        #expect(h.stderr.count == 1)
        #expect(h.stderr[0].hasPrefix("ecs-register: document 1: cluster defualt (from ECS_CLUSTER or --cluster) not found: "))
        #expect(ecs.count("RegisterTaskDefinition") == 0)
    }

    @Test func anUnknownClusterNamedByTheMessageIsABadMessage() throws {
        ecs.errors["DescribeServices"] = [Self.clusterNotFound()]
        let attributes = message(sent: 1).replacingFirst(#""attributes":{"service":"web"}"#, with: #""attributes":{"service":"web","cluster":"nowhere"}"#)
        let stdin = #"{"message":\#(attributes),"service":"web","cluster":"nowhere","taskDefinition":\#(bare)}"#
        let h = Harness(tool: "ecs-register", stdin: stdin, factory: FakeFactory(ecs: ecs))
        #expect(try ECSRegister.parse([]).run(h.context) == .dataError)
        #expect(h.outJSON.first?["result"]?["status"] == "rejected")
        #expect(ecs.count("RegisterTaskDefinition") == 0)
    }

    @Test func aQueueMessageForAServiceThatCannotBeDeployedRegistersNothing() throws {
        let stdin = #"{"message":\#(message(sent: 1)),"service":"api","cluster":"prod","taskDefinition":\#(bare)}"#
        let h = Harness(tool: "ecs-register", stdin: stdin, factory: FakeFactory(ecs: ecs))
        #expect(try ECSRegister.parse([]).run(h.context) == .dataError)
        #expect(h.stderr == ["ecs-register: document 1: service api not found in cluster prod\n"])
        #expect(h.outJSON.first?["result"]?["status"] == "rejected")
        #expect(ecs.calls == ["DescribeServices"])
    }

    @Test func aQueueMessageSentBeforeTheCurrentDeploymentIsDeployedOnItsFirstDelivery() throws {
        // The backlog case: the PRIMARY deployment (created at the epoch) is newer than the message.
        let stdin = #"{"message":\#(message(sent: 1_699_999_000_000)),"service":"web","taskDefinition":\#(bare)}"#
        let h = Harness(tool: "ecs-register", stdin: stdin, factory: FakeFactory(ecs: ecs))
        #expect(try ECSRegister.parse([]).run(h.context) == .ok)
        #expect(ecs.calls == ["DescribeServices", "RegisterTaskDefinition"])
        #expect(h.outJSON.first?["taskDefinitionArn"] == .string(Fixture.td("web:1")))
    }

    @Test func aRedeliveredMessageIsReattachedToItsDeploymentAndNothingIsRegistered() throws {
        // The deployment in place (ecs-svc/7, created at the epoch) was created after the first receipt.
        let first = Int64(Fixture.epoch * 1000) - 2_000
        let stdin = #"{"message":\#(message(sent: first - 1_000, receiveCount: 2, firstReceived: first)),"service":"web","taskDefinition":\#(bare)}"#
        let h = Harness(tool: "ecs-register", stdin: stdin, factory: FakeFactory(ecs: ecs), level: .info)
        #expect(try ECSRegister.parse([]).run(h.context) == .ok)
        #expect(ecs.calls == ["DescribeServices"])
        let out = try #require(h.outJSON.first)
        #expect(out["taskDefinitionArn"] == .string(v7))
        #expect(out["deploymentId"] == "ecs-svc/7")
        #expect(out["previousTaskDefinitionArn"] == .null)
        #expect(out["reattached"] == true)
        #expect(h.stderr == ["ecs-register: message received 2 times, first at 2023-11-14T22:13:18.000Z: an earlier delivery started deployment ecs-svc/7 of web:7 at 2023-11-14T22:13:20.000Z; re-attached, nothing registered\n"])
    }

    @Test func withHistoryAMessageOlderThanOneDeployedAndStillInPlaceIsStale() throws {
        let history = #"{"message":\#(message(sent: 1_700_000_000_000)),"service":"web","cluster":"default","taskDefinitionArn":"\#(v7)","deploymentId":"ecs-svc/7"}"#
        let stdin = #"{"message":\#(message(sent: 1_699_999_000_000)),"service":"web","taskDefinition":\#(bare)}"#
        let h = Harness(tool: "ecs-register", stdin: stdin, factory: FakeFactory(ecs: ecs), files: ["h.jsonl": history + "\n"],
                        level: .warning)
        #expect(try ECSRegister.parse(["--history", "h.jsonl"]).run(h.context) == .superseded)
        #expect(ecs.calls == ["DescribeServices"])
        let out = try #require(h.outJSON.first)
        #expect(out["result"]?["status"] == "stale")
        #expect(out["result"]?["deploymentId"] == "ecs-svc/7")
        #expect(h.stderr == ["ecs-register: warning: stale: message sent at 2023-11-14T21:56:40.000Z is older than the message sent at 2023-11-14T22:13:20.000Z that this worker deployed as deployment ecs-svc/7 (web:7), still the PRIMARY deployment of service web; not deployed\n"])

        // A missing history file is an empty one: the same message is deployed.
        let again = Harness(tool: "ecs-register", stdin: stdin, factory: FakeFactory(ecs: ecs))
        #expect(try ECSRegister.parse(["--history", "none.jsonl"]).run(again.context) == .ok)
        #expect(ecs.count("RegisterTaskDefinition") == 1)
    }

    @Test func anUnreadableHistoryIsAConfigurationError() throws {
        let stdin = #"{"message":\#(message(sent: 1)),"service":"web","taskDefinition":\#(bare)}"#
        let h = Harness(tool: "ecs-register", stdin: stdin, factory: FakeFactory(ecs: ecs), files: ["h.jsonl": "{oops"])
        #expect(try ECSRegister.parse(["--history", "h.jsonl"]).run(h.context) == .config)
        #expect(h.stderr.count == 1 && h.stderr[0].hasPrefix("ecs-register: document 1: --history h.jsonl: "))
        #expect(ecs.count("RegisterTaskDefinition") == 0)
    }

    @Test func badJSONOnStdinNamesItsPositionAndEndsTheRun() throws {
        let stdin = #"{"service":"a","taskDefinition":\#(bare)}"# + "\n" + #"{"service":"b","taskDefinition":\#(bare)}"#
            + "\n" + #"{"service": "c", "taskDefinition": tru}"# + "\n" + #"{"service":"d","taskDefinition":\#(bare)}"#
        let h = Harness(tool: "ecs-register", stdin: stdin, chunkSize: 16, factory: FakeFactory(ecs: ecs))
        #expect(try ECSRegister.parse([]).run(h.context) == .dataError)
        #expect(h.out.count == 2)
        #expect(h.stderr.count == 1)
        #expect(h.stderr[0].hasPrefix("ecs-register: bad json at <stdin>:3:"))
    }

    @Test func emptyInputNeedsNoAWSAtAll() throws {
        let factory = FakeFactory()
        factory.failure = SimpleToolError(.config, "no credentials")
        for stdin in ["", "\n  \n"] {
            let h = Harness(tool: "ecs-register", stdin: stdin, factory: factory)
            #expect(try ECSRegister.parse([]).run(h.context) == .ok)
            #expect(h.out.isEmpty && h.stderr.isEmpty)
        }
        #expect(factory.ecsHints.isEmpty && factory.sqsHints.isEmpty)
        let h = Harness(tool: "ecs-register", stdin: bare, factory: factory)
        #expect(try ECSRegister.parse([]).run(h.context) == .config)
        #expect(h.stderr == ["ecs-register: document 1: no credentials\n"])
    }

    @Test func aDocumentWithoutATaskDefinition() throws {
        let h = Harness(tool: "ecs-register", stdin: #"{"service":"web"} [1]"#, factory: FakeFactory(ecs: ecs))
        #expect(try ECSRegister.parse([]).run(h.context) == .dataError)
        #expect(h.stderr == ["ecs-register: document 1: missing \"taskDefinition\"\n",
                             "ecs-register: document 2: expected a JSON object, got an array\n"])
    }
}

/// Hands out chunks one by one, calling back before each.
final class ScriptedSource: ByteSource {
    var chunks: [String]
    var index = 0
    var beforeEachChunk: (Int) -> Void = { _ in }
    init(_ chunks: [String]) { self.chunks = chunks }
    func read() throws -> [UInt8]? {
        guard index < chunks.count else { return nil }
        beforeEachChunk(index)
        defer { index += 1 }
        return Array(chunks[index].utf8)
    }
}

@Suite struct ECSUpdateRunTests {
    let ecs = FakeECS()
    init() { ecs.add(runningService()) }

    @Test func updatesTheServiceAndRecordsTheDeployment() throws {
        let doc = #"{"message":\#(message(sent: 1_700_000_060_000)),"service":"web","cluster":"prod","taskDefinitionArn":"\#(v8)"}"#
        let factory = FakeFactory(ecs: ecs)
        let h = Harness(tool: "ecs-update", stdin: doc, factory: factory)
        #expect(try ECSUpdate.parse([]).run(h.context) == .ok)
        #expect(h.out == [String(doc.dropLast()) + #","previousTaskDefinitionArn":"\#(v7)","deploymentId":"ecs-svc/7000000000000000001"}"#])
        #expect(ecs.calls == ["DescribeServices", "UpdateService"])
        #expect(ecs.updates.map { "\($0.cluster) \($0.service) \($0.taskDefinition)" } == ["prod web \(v8)"])
        #expect(factory.ecsHints == [queue])
    }

    @Test func aMessageSentBeforeTheCurrentDeploymentIsDeployed() throws {
        // A backlog: the message waited in the queue while ecs-svc/7 was deployed; it is the newer definition.
        let doc = #"{"message":\#(message(sent: 1_699_999_000_000)),"service":"web","cluster":"prod","taskDefinitionArn":"\#(v8)"}"#
        let h = Harness(tool: "ecs-update", stdin: doc, factory: FakeFactory(ecs: ecs), level: .warning)
        #expect(try ECSUpdate.parse([]).run(h.context) == .ok)
        let out = try #require(h.outJSON.first)
        #expect(out["result"] == nil)
        #expect(out["deploymentId"] == "ecs-svc/7000000000000000001")
        #expect(ecs.calls == ["DescribeServices", "UpdateService"])
        #expect(h.stderr.isEmpty)
    }

    @Test func aReattachedDocumentPassesThroughWithoutAnyCall() throws {
        let doc = #"{"message":\#(message(sent: 1, receiveCount: 2, firstReceived: 2)),"service":"web","cluster":"prod","taskDefinitionArn":"\#(v7)","previousTaskDefinitionArn":null,"deploymentId":"ecs-svc/7","reattached":true}"#
        let h = Harness(tool: "ecs-update", stdin: doc, factory: FakeFactory(ecs: ecs))
        #expect(try ECSUpdate.parse([]).run(h.context) == .ok)
        #expect(h.out == [doc])
        #expect(ecs.calls.isEmpty)
    }

    @Test func standaloneFromFlagsDoesNotReadStdin() throws {
        let h = Harness(tool: "ecs-update", stdin: "garbage", env: ["ECS_CLUSTER": "prod"], factory: FakeFactory(ecs: ecs))
        let command = try ECSUpdate.parse(["--service", "web", "--task-definition", "web:8"])
        #expect(command.run(h.context) == .ok)
        #expect(h.out == [#"{"service":"web","cluster":"prod","taskDefinitionArn":"web:8","previousTaskDefinitionArn":"\#(v7)","deploymentId":"ecs-svc/7000000000000000001"}"#])
    }

    @Test func theClusterFallsBackToTheEnvironment() throws {
        let h = Harness(tool: "ecs-update", stdin: #"{"service":"web","taskDefinitionArn":"web:8"}"#, env: ["ECS_CLUSTER": "staging"],
                        factory: FakeFactory(ecs: ecs))
        #expect(try ECSUpdate.parse([]).run(h.context) == .dataError)
        #expect(h.stderr == ["ecs-update: document 1: service web not found in cluster staging\n"])
        #expect(ecs.calls == ["DescribeServices"])
    }

    @Test func standaloneWithAnUnknownClusterFromTheSettingsIsAConfigurationError() throws {
        ecs.errors["DescribeServices"] = [ECSRegisterRunTests.clusterNotFound()]
        let h = Harness(tool: "ecs-update", stdin: "", env: ["ECS_CLUSTER": "defualt"], factory: FakeFactory(ecs: ecs))
        let command = try ECSUpdate.parse(["--service", "web", "--task-definition", "web:8"])
        #expect(command.run(h.context) == .config)
        #expect(h.stderr.first?.hasPrefix("ecs-update: cluster defualt (from ECS_CLUSTER or --cluster) not found: ") == true)
        #expect(ecs.updates.isEmpty)
    }

    @Test func servicesThatCannotBeUpdated() throws {
        ecs.add(runningService("blue", controller: "CODE_DEPLOY"))
        ecs.add(Fixture.service("gone", status: "INACTIVE", deployments: []))
        let stdin = [
            #"{"service":"blue","cluster":"prod","taskDefinitionArn":"web:8"}"#,
            #"{"service":"gone","cluster":"prod","taskDefinitionArn":"web:8"}"#,
            #"{"service":"web","cluster":"prod"}"#,
            #"{"cluster":"prod","taskDefinitionArn":"web:8"}"#,
        ].joined(separator: "\n")
        let h = Harness(tool: "ecs-update", stdin: stdin, factory: FakeFactory(ecs: ecs))
        #expect(try ECSUpdate.parse([]).run(h.context) == .dataError)
        #expect(h.stderr == [
            "ecs-update: document 1: service blue uses the CODE_DEPLOY deployment controller; only ECS rolling deployments are supported\n",
            "ecs-update: document 2: service gone in cluster prod is INACTIVE\n",
            "ecs-update: document 3: missing \"taskDefinitionArn\"\n",
            "ecs-update: document 4: missing \"service\"\n",
        ])
        #expect(h.out.isEmpty)
        #expect(ecs.updates.isEmpty)
    }

    @Test func updateErrorsKeepTheirStatus() throws {
        ecs.errors["UpdateService"] = [FakeAWSError(.permission, "AccessDeniedException: not authorized to perform ecs:UpdateService")]
        let h = Harness(tool: "ecs-update", stdin: #"{"service":"web","cluster":"prod","taskDefinitionArn":"web:8"}"#,
                        factory: FakeFactory(ecs: ecs))
        #expect(try ECSUpdate.parse([]).run(h.context) == .noPermission)
        #expect(h.stderr == ["ecs-update: document 1: AccessDeniedException: not authorized to perform ecs:UpdateService\n"])
    }

    @Test(arguments: [["--service", "web"], ["--task-definition", "web:8"]])
    func standaloneFlagsComeInPairs(args: [String]) {
        #expect(throws: (any Error).self) { try ECSUpdate.parse(args) }
    }
}

@Suite struct ECSWaitRunTests {
    let ecs = FakeECS()

    func frames(_ outcome: String) -> [FakeECS.Frame] {
        let ours = Fixture.deployment("ecs-svc/8", td: v8, running: 1, pending: 1)
        let old = Fixture.deployment("ecs-svc/7", "ACTIVE", td: v7, running: 2, rollout: "COMPLETED")
        let last = Fixture.deployment("ecs-svc/8", td: v8, running: outcome == "COMPLETED" ? 2 : 0, pending: 0,
                                      failed: outcome == "FAILED" ? 3 : 0, rollout: outcome)
        return [FakeECS.Frame(service: Fixture.service(deployments: [ours, old])),
                FakeECS.Frame(service: Fixture.service(deployments: [last, old]))]
    }

    static let pending = #"{"service":"web","cluster":"prod","taskDefinitionArn":"\#(v8)","previousTaskDefinitionArn":"\#(v7)","deploymentId":"ecs-svc/8"}"#

    @Test func addsTheResultOfASuccess() throws {
        ecs.frames = frames("COMPLETED")
        let h = Harness(tool: "ecs-wait", stdin: Self.pending, factory: FakeFactory(ecs: ecs))
        #expect(try ECSWait.parse([]).run(h.context) == .ok)
        #expect(h.out == [String(Self.pending.dropLast()) + #","result":{"status":"succeeded","reason":"deployment ecs-svc/8 (web:8) completed: running 2/2, pending 0, failed 0","elapsedSeconds":1.0,"deploymentId":"ecs-svc/8","taskDefinitionArn":"\#(v8)","counts":{"desired":2,"running":2,"pending":0,"failed":0},"rolloutState":"COMPLETED","stoppedTasks":[]}}"#])
        #expect(h.stderr.isEmpty)
    }

    @Test func aFailureIsWrittenWithOneErrorLine() throws {
        ecs.frames = frames("FAILED")
        let h = Harness(tool: "ecs-wait", stdin: Self.pending, factory: FakeFactory(ecs: ecs))
        #expect(try ECSWait.parse([]).run(h.context) == .deploymentFailed)
        #expect(h.outJSON.first?["result"]?["status"] == "failed")
        #expect(h.stderr == ["ecs-wait: service web: failed: deployment ecs-svc/8 (web:8) failed: ECS deployment circuit breaker: tasks failed to start.\n"])
    }

    @Test func aDecidedDocumentPassesThroughUnchanged() throws {
        let stale = #"{"service":"web","result":{"status":"stale","reason":"older"},"z":[1]}"#
        let h = Harness(tool: "ecs-wait", stdin: stale, factory: FakeFactory(ecs: ecs))
        #expect(try ECSWait.parse([]).run(h.context) == .superseded)
        #expect(h.out == [stale])
        #expect(ecs.calls.isEmpty)
    }

    @Test func aStreamEndsWithTheWorstStatus() throws {
        ecs.frames = frames("FAILED")
        let stdin = [#"{"service":"web","result":{"status":"stale","reason":"older"}}"#, Self.pending,
                     #"{"service":"web","result":{"status":"done"}}"#].joined(separator: "\n")
        let h = Harness(tool: "ecs-wait", stdin: stdin, factory: FakeFactory(ecs: ecs))
        #expect(try ECSWait.parse([]).run(h.context) == .dataError)
        #expect(h.out.count == 2)
        // Document 3 is refused as it is read, before document 2's outcome is known.
        #expect(h.stderr.count == 2)
        #expect(h.stderr[0].hasPrefix("ecs-wait: document 3: \"result.status\" is \"done\""))
        #expect(h.stderr[1].hasPrefix("ecs-wait: service web: failed:"))
    }

    @Test func timesOutAfterECSTimeout() throws {
        ecs.frames = [frames("IN_PROGRESS")[0]]
        let h = Harness(tool: "ecs-wait", stdin: Self.pending, env: ["ECS_TIMEOUT": "5"], factory: FakeFactory(ecs: ecs))
        #expect(try ECSWait.parse([]).run(h.context) == .timedOut)
        #expect(h.outJSON.first?["result"]?["status"] == "timed_out")
        #expect(h.outJSON.first?["result"]?["elapsedSeconds"] == 5.0)
        #expect(h.stderr.count == 1)
        #expect(h.stderr[0].contains("the outcome is unknown"))
    }

    @Test func standaloneJudgesTheNamedDeployment() throws {
        ecs.frames = frames("COMPLETED")
        let h = Harness(tool: "ecs-wait", stdin: "not read", factory: FakeFactory(ecs: ecs))
        let command = try ECSWait.parse(["--service", "web", "--deployment-id", "ecs-svc/8", "--until", "running", "--timeout", "60",
                                         "--cluster", "prod"])
        #expect(command.run(h.context) == .ok)
        let out = try #require(h.outJSON.first)
        #expect(out["service"] == "web" && out["cluster"] == "prod" && out["deploymentId"] == "ecs-svc/8")
        #expect(out["result"]?["reason"] == "deployment ecs-svc/8 (web:8) is running: running 1/2, pending 1, failed 0")
        #expect(ecs.count("DescribeServices") == 1)
    }

    @Test func interruptedMarksEveryUndecidedDocumentWithoutACall() throws {
        let received = #"{"message":{"messageId":"m1"},"service":"web","taskDefinition":{"family":"web","containerDefinitions":[{"name":"app","image":"nginx:1.27","environment":[{"name":"TOKEN","value":"s3cret"}]}]}}"#
        let decided = #"{"service":"web","result":{"status":"stale","reason":"older"}}"#
        let h = Harness(tool: "ecs-wait", stdin: [received, decided, Self.pending].joined(separator: "\n"),
                        factory: FakeFactory(ecs: ecs))
        #expect(try ECSWait.parse(["--interrupted", "stopped by SIGTERM"]).run(h.context) == .timedOut)
        #expect(h.out == [
            #"{"message":{"messageId":"m1"},"service":"web","taskDefinition":{"family":"web","containerDefinitions":[{"name":"app","image":"nginx:1.27"}]},"result":{"status":"timed_out","reason":"stopped by SIGTERM","stoppedTasks":[]}}"#,
            decided,
            String(Self.pending.dropLast()) + #","result":{"status":"timed_out","reason":"stopped by SIGTERM","stoppedTasks":[]}}"#,
        ])
        #expect(ecs.calls.isEmpty)
        #expect(h.stderr.isEmpty)
    }

    @Test(arguments: [["--timeout", "0"], ["--max-failed-tasks", "0"], ["--deployment-id", "x"], ["--until", "soon"],
                      ["--interrupted", ""], ["--interrupted", "x", "--service", "web"]])
    func badFlagsAreRejected(args: [String]) {
        #expect(throws: (any Error).self) { try ECSWait.parse(args) }
    }
}

/// Calls back after the first line, as a signal arriving mid-run would.
final class StopAfterFirst: LineWriter {
    let onLine: () -> Void
    init(_ onLine: @escaping () -> Void) { self.onLine = onLine }
    func write(line: String) { onLine() }
}

@Suite struct ToolSurfaceTests {
    /// What each tool's --help must say besides what every one says.
    static let specific: [String: [String]] = [
        "sqs-receive": ["SQS_URL", "ECS_TIMEOUT", "--delete-on-failure", "(default: 20)"],
        "ecs-register": ["--file", "taskDefinitionArn", "--history", "reattached", "stale"],
        "ecs-update": ["previousTaskDefinitionArn", "deploymentId", "reattached"],
        "ecs-wait": ["ECS_TIMEOUT", "rolled_back", "timed_out", "--max-failed-tasks", "(default: 3)"],
    ]

    @Test(arguments: Tools.all.indices)
    func everyHelpIsAManual(index: Int) {
        let command = Tools.all[index]
        let tool = command.toolName
        let help = command.helpMessage(columns: 400)
        for needle in Self.specific[tool, default: []] + ["EXIT STATUS:", ExitStatus.manual, "EXAMPLES:", tool, "--cluster", "ECS_CLUSTER", "--region",
                                                          "AWS_REGION", "--profile", "AWS_PROFILE", "--endpoint-url", "AWS_ENDPOINT_URL",
                                                          "--quiet", "--verbose", "--log-format", "--version"] {
            #expect(help.contains(needle), "\(tool) --help lacks \(needle)")
        }
        #expect(command.configuration.version == Version.full)
    }

    /// sqs-receive's manual tells what the code does (docs/design.md, "Delete policy"): an unusable message
    /// is written, marked rejected (unusableMessagesAreReportedByIdMarkedRejectedAndNotDeleted), and
    /// --delete-on-failure never deletes the message of a timed-out deployment (deletableOutcomes).
    @Test func sqsReceiveManualMatchesTheDeletePolicy() {
        let help = SQSReceive.helpMessage(columns: 10_000)
        #expect(!help.contains("not written"))
        #expect(help.contains(#"written with only its message and service, and "result" {"status": "rejected", "reason"}"#))
        #expect(help.contains("A document whose result is failed, rolled_back or rejected keeps its message on the queue unless --delete-on-failure is given"))
        #expect(help.contains("timed_out always keeps it"))
        #expect(!help.contains("rolled_back or timed_out keeps"))
    }

    /// The one list of tools, Package.swift's `tools`, what scripts/tools prints for the build and packaging
    /// scripts, and the executables (Sources/<tool>/main.swift, each running its command) agree.
    @Test func theToolListIsTheOneList() throws {
        let names = Tools.all.map { $0.toolName }
        #expect(names == ["sqs-receive", "ecs-register", "ecs-update", "ecs-wait"])
        #expect(Set(Self.specific.keys) == Set(names))
        let root = TestFiles.repoRoot
        let executables = TestFiles.list(root + "/Sources").filter { TestFiles.read(root + "/Sources/\($0)/main.swift") != nil }
        #expect(executables == names.sorted())
        for command in Tools.all {
            let main = TestFiles.read(root + "/Sources/\(command.toolName)/main.swift") ?? ""
            #expect(main.contains("\n\(command).runAsTool()\n"), "Sources/\(command.toolName)/main.swift does not run \(command)")
        }
        let package = try #require(TestFiles.read(root + "/Package.swift"))
        let declared = package.split(separator: "\n").first { $0.hasPrefix("let tools = [") }
        #expect(declared.map(String.init) == "let tools = [" + names.map { "\"\($0)\"" }.joined(separator: ", ") + "]")
        let printed = try runShell("sh '\(root)/scripts/tools'", env: Environment(["PATH": "/usr/bin:/bin"]))
        #expect(String(decoding: printed.stdout, as: UTF8.self) == names.joined(separator: "\n") + "\n")
    }

    @Test func commonOptions() throws {
        #expect(try common().resolvedCluster(Environment(["ECS_CLUSTER": "staging"])) == "staging")
        #expect(try common().resolvedCluster(Environment(["ECS_CLUSTER": ""])) == "default")
        #expect(try common("--cluster", "prod").resolvedCluster(Environment(["ECS_CLUSTER": "staging"])) == "prod")
        #expect(try common("-q").logLevel == .error)
        #expect(try common("--verbose").logLevel == .debug)
        #expect(try common().logLevel == .info)
        #expect(try common("--log-format", "json").logFormat == .json)
        #expect(throws: (any Error).self) { try CommonOptions.parse(["--quiet", "--verbose"]) }
        #expect(throws: (any Error).self) { try CommonOptions.parse(["--log-format", "xml"]) }
    }

    @Test(arguments: ["http://127.0.0.1:99999", "http://127.0.0.1:0", "ftp://example.com", "http://", "http://a b",
                      "localhost:4566", "http://[::1]:70000"])
    func aBadEndpointURLIsAUsageErrorBeforeAnythingIsRead(_ url: String) {
        #expect(throws: (any Error).self) { try CommonOptions.parse(["--endpoint-url", url]) }
    }

    @Test(arguments: ["http://127.0.0.1:4566", "https://ecs.eu-west-1.amazonaws.com", "http://[::1]:8080/", "http://localhost"])
    func aGoodEndpointURLIsTaken(_ url: String) throws {
        #expect(try CommonOptions.parse(["--endpoint-url", url]).endpointURL == url)
    }

    @Test func theWorstStatusWins() {
        #expect(ExitStatus.ok.worse(.superseded) == .superseded)
        #expect(ExitStatus.deploymentFailed.worse(.timedOut) == .deploymentFailed)
        #expect(ExitStatus.timedOut.worse(.superseded) == .timedOut)
        #expect(ExitStatus.deploymentFailed.worse(.dataError) == .dataError)
        #expect(ExitStatus.dataError.worse(.noPermission) == .noPermission)
        #expect(Set(ExitStatus.allCases.map { $0.severity }).count == ExitStatus.allCases.count)
    }

    /// The real clients are built on first use, once per queue URL: nothing is resolved, read or sent
    /// before, and every later request for the same hint gets the same clients.
    @Test func theRealClientsAreBuiltOnFirstUseAndKept() throws {
        let logger = Logger(tool: "ecs-wait", level: .debug)
        var lines: [String] = []
        logger.sink = { lines.append($0) }
        let files = MemoryFileSystem([:])
        let transport = CredFakeTransport.unused()
        let factory = RealAWSClientFactory(common: try common("--region", "eu-west-1"),
                                           environment: Environment(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret"]),
                                           time: ManualTime(), random: FixedRandom(), fileSystem: files, logger: logger,
                                           transport: transport)
        #expect(lines.isEmpty)
        let ecs = try factory.ecs(queueUrl: nil)
        #expect(try factory.ecs(queueUrl: nil) === ecs)
        let sqs = try factory.sqs(queueUrl: nil)
        #expect(try factory.sqs(queueUrl: nil) === sqs)
        #expect(lines.count == 1 && lines[0].contains("region eu-west-1"))
        let other = try factory.ecs(queueUrl: queue)
        #expect(other !== ecs)
        #expect(lines.count == 2)
        #expect(transport.requests.isEmpty)
    }
}
