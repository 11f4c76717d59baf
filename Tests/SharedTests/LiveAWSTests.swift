#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

/// Signed calls against the local AWS endpoint with authentication and IAM policies on.
@Suite struct LiveAWSTests {
    /// Names unique to this test process, so reruns against one endpoint do not collide.
    static func name(_ base: String) -> String { "\(base)-\(getpid())" }

    @Test func deployerSQSCallsAreAccepted() throws {
        let admin = try LocalAWS.client(.sqs, user: "admin")
        let created = try admin.call("CreateQueue", ["QueueName": .string(LiveAWSTests.name("net-live"))])
        let queueUrl = try #require(created["QueueUrl"]?.stringValue)
        _ = try admin.call("SendMessage", [
            "QueueUrl": .string(queueUrl),
            "MessageBody": #"{"family":"web"}"#,
            "MessageAttributes": ["service": ["DataType": "String", "StringValue": "web"]],
        ])

        let sqs = SQSClient(client: try LocalAWS.client(.sqs, user: "deployer"))
        let messages = try sqs.receiveMessage(ReceiveMessageRequest(queueUrl: queueUrl, maxMessages: 1, waitSeconds: 1,
                                                                    visibilityTimeout: 60))
        #expect(messages.count == 1)
        let message = try #require(messages.first)
        #expect(message["Body"] == #"{"family":"web"}"#)
        #expect(message["MessageAttributes"]?["service"]?["StringValue"] == "web")
        #expect(message["Attributes"]?["ApproximateReceiveCount"] == "1")
        #expect(message["Attributes"]?["SentTimestamp"]?.stringValue != nil)
        let receipt = try #require(message["ReceiptHandle"]?.stringValue)
        try sqs.deleteMessage(queueUrl: queueUrl, receiptHandle: receipt)

        let left = try admin.call("ReceiveMessage", ["QueueUrl": .string(queueUrl), "VisibilityTimeout": 0,
                                                     "WaitTimeSeconds": 0])
        let remaining = left["Messages"]?.arrayValue ?? []
        #expect(remaining.isEmpty)
    }

    @Test func deployerECSCallsAreAccepted() throws {
        let cluster = LiveAWSTests.name("net-live")
        let admin = try LocalAWS.client(.ecs, user: "admin")
        _ = try admin.call("CreateCluster", ["clusterName": .string(cluster)])

        let ecs = ECSClient(client: try LocalAWS.client(.ecs, user: "deployer"))
        let definition: JSON = ["family": .string(cluster),
                                "containerDefinitions": [["name": "app", "image": "nginx", "memory": 128, "essential": true]]]
        let registered = try ecs.registerTaskDefinition(definition)
        let arn = try #require(registered["taskDefinitionArn"]?.stringValue)
        #expect(arn.hasSuffix(":task-definition/\(cluster):1"))

        _ = try admin.call("CreateService", ["cluster": .string(cluster), "serviceName": "web",
                                             "taskDefinition": .string(arn), "desiredCount": 1])
        let updated = try ecs.updateService(cluster: cluster, service: "web", taskDefinition: arn)
        #expect(updated["serviceName"] == "web")
        #expect(updated["taskDefinition"]?.stringValue == arn)

        let described = try ecs.describeServices(cluster: cluster, services: ["web", "absent"])
        #expect(described.services.compactMap { $0["serviceName"]?.stringValue } == ["web"])
        #expect(described.failures.compactMap { $0["reason"]?.stringValue } == ["MISSING"])

        let arns = try ecs.listTasks(cluster: cluster, serviceName: "web", startedBy: nil, desiredStatus: nil)
        let tasks = try ecs.describeTasks(cluster: cluster, tasks: arns)
        #expect(tasks.compactMap { $0["taskArn"]?.stringValue } == arns)

        // Allowed by the policy, refused by ECS: the error is the service's, not an access denial.
        let missing = try #require(throws: AWSError.self) {
            try ecs.updateService(cluster: cluster, service: "absent", taskDefinition: arn)
        }
        #expect(missing.kind == .notFound)
        #expect(missing.exitStatus.rawValue == 65)
    }

    @Test func actionOutsideThePolicyIsDenied() throws {
        let deployer = try LocalAWS.client(.ecs, user: "deployer")
        let error = try #require(throws: AWSError.self) { try deployer.call("ListClusters", [:]) }
        #expect(error.kind == .auth)
        #expect(error.exitStatus.rawValue == 77)
        #expect(error.attempts == 1)
        #expect(error.code?.hasPrefix("AccessDenied") == true)
        #expect(error.message.hasPrefix("ecs ListClusters: "))
    }

    @Test func wrongSecretKeyIsASignatureError() throws {
        let info = try LocalAWS.shared()
        let secret = "wrong-secret-key-0123456789"
        let deployer = try LocalAWS.client(.sqs, user: "deployer", secretOverride: secret)
        let error = try #require(throws: AWSError.self) {
            try deployer.call("DeleteMessage", ["QueueUrl": .string(info.endpoint + "/123456789012/none"),
                                                "ReceiptHandle": "x"])
        }
        #expect(error.kind == .auth)
        #expect(error.exitStatus.rawValue == 77)
        #expect(error.code?.contains("Signature") == true)
        #expect(!error.message.contains(secret))
    }

    @Test func unreachableEndpointGivesUpAfterBoundedRetries() throws {
        let time = ManualTime()
        let client = AWSClient(service: .sqs, region: "us-east-1",
                                   endpoint: "http://127.0.0.1:\(LoopbackServer.closedPort())",
                                   credentials: StaticCredentialProvider(TestAWS.credentials),
                                   transport: CurlTransport(environment: Environment()), time: time,
                                   random: FixedRandom(0.5), userAgent: Version.userAgent)
        let sqs = SQSClient(client: client)
        let error = try #require(throws: AWSError.self) {
            try sqs.deleteMessage(queueUrl: "q", receiptHandle: "h")
        }
        #expect(error.kind == .transport)
        #expect(error.transportKind == .connect)
        #expect(error.exitStatus.rawValue == 69)
        #expect(error.attempts == 3)
        #expect(time.sleeps == [0.5, 1.0])
        #expect(error.message.hasPrefix("sqs DeleteMessage: cannot connect: http://127.0.0.1:"))
    }
}
