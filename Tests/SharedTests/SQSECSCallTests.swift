import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

@Suite struct SQSECSCallTests {
    static let queueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/deploy"

    func sqs(_ transport: ScriptedTransport) -> SQSClient { SQSClient(client: TestAWS.client(.sqs, transport)) }
    func ecs(_ transport: ScriptedTransport) -> ECSClient { ECSClient(client: TestAWS.client(.ecs, transport)) }

    @Test func receiveMessageBodyAndLongPollTimeout() throws {
        let message: JSON = ["MessageId": "m-1", "ReceiptHandle": "rh-1", "Body": "{}",
                             "Attributes": ["SentTimestamp": "1700000000000"]]
        let transport = ScriptedTransport([.ok(#"{"Messages":[\#(message.serialized())]}"#)])
        let json = TestAWS.client(.sqs, transport)
        json.requestTimeout = 5
        let client = SQSClient(client: json)
        let messages = try client.receiveMessage(ReceiveMessageRequest(queueUrl: SQSECSCallTests.queueUrl, maxMessages: 1,
                                                                       waitSeconds: 20, visibilityTimeout: 330))
        #expect(messages == [message])
        let req = try #require(transport.requests.first)
        #expect(req.header("X-Amz-Target") == "AmazonSQS.ReceiveMessage")
        #expect(req.header("Content-Type") == "application/x-amz-json-1.0")
        #expect(String(decoding: req.body, as: UTF8.self) == """
            {"QueueUrl":"\(SQSECSCallTests.queueUrl)","MaxNumberOfMessages":1,"WaitTimeSeconds":20,"VisibilityTimeout":330,\
            "MessageSystemAttributeNames":["SentTimestamp","ApproximateReceiveCount","ApproximateFirstReceiveTimestamp"],\
            "AttributeNames":["SentTimestamp","ApproximateReceiveCount","ApproximateFirstReceiveTimestamp"],"MessageAttributeNames":["service","cluster"]}
            """)
        // The HTTP exchange must outlast the long poll.
        #expect(req.timeout > 20)
    }

    @Test func receiveMessageWithoutOptionalsAndNoMessages() throws {
        let transport = ScriptedTransport([.ok("{}")])
        let messages = try sqs(transport).receiveMessage(ReceiveMessageRequest(
            queueUrl: "q", maxMessages: 10, waitSeconds: 0, systemAttributeNames: [], messageAttributeNames: []))
        #expect(messages.isEmpty)
        #expect(transport.bodies == [["QueueUrl": "q", "MaxNumberOfMessages": 10, "WaitTimeSeconds": 0]])
        #expect(transport.requests[0].timeout == 30)
    }

    @Test func deleteMessageBody() throws {
        let transport = ScriptedTransport([.ok("")])
        try sqs(transport).deleteMessage(queueUrl: "q", receiptHandle: "AQEB+/x==")
        #expect(transport.operations == ["DeleteMessage"])
        #expect(transport.bodies == [["QueueUrl": "q", "ReceiptHandle": "AQEB+/x=="]])
    }

    @Test func sqsErrorsCarryTheOperation() throws {
        let transport = ScriptedTransport([ScriptedTransport.Step.json(
            400, #"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#,
            headers: [("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")])])
        let error = try #require(throws: AWSError.self) { try sqs(transport).deleteMessage(queueUrl: "q", receiptHandle: "h") }
        #expect(error.operation == "DeleteMessage")
        #expect(error.code == "QueueDoesNotExist")
        #expect(error.kind == .notFound)
    }

    @Test func registerTaskDefinitionSendsTheDefinitionAsIs() throws {
        let definition = try JSON.parse(#"{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","essential":true}],"cpu":"256","memory":"512","tags":[{"key":"k","value":"v"}]}"#)
        let registered: JSON = ["taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7", "revision": 7]
        let transport = ScriptedTransport([.ok((["taskDefinition": registered] as JSON).serialized())])
        let result = try ecs(transport).registerTaskDefinition(definition)
        #expect(result == registered)
        #expect(transport.requests[0].body == Array(definition.serialized().utf8))
        #expect(transport.requests[0].header("X-Amz-Target") == "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition")
        #expect(transport.requests[0].header("Content-Type") == "application/x-amz-json-1.1")
    }

    @Test func missingResultFieldIsAnError() throws {
        let transport = ScriptedTransport([.ok("{}")])
        let error = try #require(throws: AWSError.self) { try ecs(transport).registerTaskDefinition(["family": "f"]) }
        #expect(error.message == "ecs RegisterTaskDefinition: the response has no 'taskDefinition' (HTTP 200)")
    }

    @Test func updateServiceBodyAndResult() throws {
        let service: JSON = ["serviceName": "web", "deployments": [["id": "ecs-svc/1", "status": "PRIMARY"]]]
        let transport = ScriptedTransport([.ok((["service": service] as JSON).serialized())])
        let result = try ecs(transport).updateService(cluster: "prod", service: "web", taskDefinition: "arn:td/web:7")
        #expect(result == service)
        #expect(transport.operations == ["UpdateService"])
        #expect(String(decoding: transport.requests[0].body, as: UTF8.self)
                == #"{"cluster":"prod","service":"web","taskDefinition":"arn:td/web:7"}"#)
    }

    @Test func describeServicesBodyAndResult() throws {
        let transport = ScriptedTransport([.ok(#"{"services":[{"serviceName":"web"}],"failures":[{"arn":"x","reason":"MISSING"}]}"#)])
        let result = try ecs(transport).describeServices(cluster: "prod", services: ["web", "x"])
        #expect(result == DescribeServicesResult(services: [["serviceName": "web"]], failures: [["arn": "x", "reason": "MISSING"]]))
        #expect(String(decoding: transport.requests[0].body, as: UTF8.self) == #"{"cluster":"prod","services":["web","x"]}"#)
    }

    @Test func listTasksFollowsNextToken() throws {
        let transport = ScriptedTransport([
            .ok(#"{"taskArns":["t1","t2"],"nextToken":"p2"}"#),
            .ok(#"{"taskArns":["t3"],"nextToken":"p3"}"#),
            .ok(#"{"taskArns":["t4"]}"#),
        ])
        let arns = try ecs(transport).listTasks(cluster: "prod", serviceName: nil, startedBy: "ecs-svc/123",
                                                desiredStatus: "STOPPED")
        #expect(arns == ["t1", "t2", "t3", "t4"])
        #expect(transport.operations == ["ListTasks", "ListTasks", "ListTasks"])
        #expect(transport.bodies == [
            ["cluster": "prod", "startedBy": "ecs-svc/123", "desiredStatus": "STOPPED"],
            ["cluster": "prod", "startedBy": "ecs-svc/123", "desiredStatus": "STOPPED", "nextToken": "p2"],
            ["cluster": "prod", "startedBy": "ecs-svc/123", "desiredStatus": "STOPPED", "nextToken": "p3"],
        ])
    }

    @Test func listTasksByServiceName() throws {
        let transport = ScriptedTransport([.ok(#"{"taskArns":[]}"#)])
        #expect(try ecs(transport).listTasks(cluster: "c", serviceName: "web", startedBy: nil, desiredStatus: nil) == [])
        #expect(transport.bodies == [["cluster": "c", "serviceName": "web"]])
    }

    @Test func describeTasksInBatchesOf100InOrder() throws {
        let arns = (0..<250).map { "arn:aws:ecs:us-east-1:123456789012:task/prod/\($0)" }
        let transport = ScriptedTransport()
        transport.onSend = { req in
            // Answer each batch with its tasks, so the order of the result can be checked.
            let asked = (try? JSON.parse(req.body))?["tasks"]?.arrayValue ?? []
            let tasks = JSON.array(asked.map { ["taskArn": $0, "lastStatus": "RUNNING"] })
            transport.steps = [.ok((["tasks": tasks, "failures": []] as JSON).serialized())]
        }
        let tasks = try ecs(transport).describeTasks(cluster: "prod", tasks: arns)
        #expect(transport.bodies.map { $0["tasks"]?.arrayValue?.count } == [100, 100, 50])
        #expect(transport.bodies.allSatisfy { $0["cluster"] == "prod" })
        #expect(tasks.map { $0["taskArn"]?.stringValue } == arns)
    }

    @Test func describeTasksWithNoTasksCallsNothing() throws {
        let transport = ScriptedTransport()
        #expect(try ecs(transport).describeTasks(cluster: "prod", tasks: []) == [])
        #expect(transport.requests.isEmpty)
    }

    @Test func onlyTheSevenOperationsGoOut() throws {
        let transport = ScriptedTransport(fallback: .ok(#"{"taskDefinition":{},"service":{},"taskArns":[],"tasks":[]}"#))
        let s = SQSClient(client: TestAWS.client(.sqs, transport))
        let e = ECSClient(client: TestAWS.client(.ecs, transport))
        _ = try s.receiveMessage(ReceiveMessageRequest(queueUrl: "q"))
        try s.deleteMessage(queueUrl: "q", receiptHandle: "h")
        _ = try e.registerTaskDefinition(["family": "f"])
        _ = try e.updateService(cluster: "c", service: "s", taskDefinition: "t")
        _ = try e.describeServices(cluster: "c", services: ["s"])
        _ = try e.listTasks(cluster: "c", serviceName: "s", startedBy: nil, desiredStatus: nil)
        _ = try e.describeTasks(cluster: "c", tasks: ["t"])
        #expect(transport.requests.compactMap { $0.header("X-Amz-Target") } == [
            "AmazonSQS.ReceiveMessage", "AmazonSQS.DeleteMessage",
            "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition",
            "AmazonEC2ContainerServiceV20141113.UpdateService",
            "AmazonEC2ContainerServiceV20141113.DescribeServices",
            "AmazonEC2ContainerServiceV20141113.ListTasks",
            "AmazonEC2ContainerServiceV20141113.DescribeTasks",
        ])
    }

    @Test func deadlineReachesTheUnderlyingClient() throws {
        let time = ManualTime(1_000)
        let transport = ScriptedTransport([.ok()])
        let client = ECSClient(client: TestAWS.client(.ecs, transport, time: time))
        client.deadline = 999
        #expect(client.deadline == 999)
        let error = try #require(throws: AWSError.self) { try client.describeServices(cluster: "c", services: ["s"]) }
        #expect(error.kind == .timedOut)
        #expect(transport.requests.isEmpty)
    }
}
