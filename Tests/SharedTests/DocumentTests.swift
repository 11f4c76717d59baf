import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

@Suite struct DocumentTests {
    static let full = #"{"message":{"queueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/deploy","messageId":"m1","receiptHandle":"AQEBm1","sentTimestamp":1700000000123,"receiveCount":2,"attributes":{"service":"web","cluster":"prod"}},"service":"web","cluster":"prod","taskDefinition":{"family":"web","containerDefinitions":[]},"extra":{"kept":true},"taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:8","previousTaskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:7","deploymentId":"ecs-svc/1"}"#

    @Test func typedReadsOfEveryField() throws {
        let doc = try Document(try JSON.parse(Self.full), number: 1)
        #expect(try doc.service() == "web")
        #expect(try doc.cluster() == "prod")
        #expect(try doc.taskDefinitionArn() == Fixture.td("web:8"))
        #expect(try doc.previousTaskDefinitionArn() == Fixture.td("web:7"))
        #expect(try doc.deploymentId() == "ecs-svc/1")
        #expect(try doc.taskDefinition() == ["family": "web", "containerDefinitions": []])
        #expect(try doc.result() == nil)
        let m = try #require(try doc.message())
        #expect(m == DocumentMessage(queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/deploy", messageId: "m1",
                                     receiptHandle: "AQEBm1", sentTimestamp: 1_700_000_000_123, receiveCount: 2,
                                     attributes: JSONObject([("service", "web"), ("cluster", "prod")])))
        #expect(m.json == doc.json["message"])
    }

    @Test func settingKeepsEveryOtherFieldAndItsPlace() throws {
        var doc = try Document(try JSON.parse(Self.full), number: 1)
        doc.set(DocumentKey.deploymentId, "ecs-svc/2")
        doc.set(DocumentKey.result, ["status": "succeeded", "reason": "ok"])
        let expected = Self.full.replacingFirst(#""deploymentId":"ecs-svc/1""#, with: #""deploymentId":"ecs-svc/2""#)
            .dropLast() + #","result":{"status":"succeeded","reason":"ok"}}"#
        #expect(doc.json.serialized() == expected)
        #expect(try doc.result() == WaitResult(status: .succeeded, reason: "ok"))
    }

    @Test func absentOptionalFieldsAreNil() throws {
        let doc = try Document(["service": "web", "cluster": nil], number: 3)
        #expect(try doc.cluster() == nil)
        #expect(try doc.message() == nil)
        #expect(try doc.taskDefinitionArn() == nil)
        #expect(try doc.deploymentId() == nil)
        #expect(try doc.taskDefinition() == nil)
    }

    @Test func sqsStyleNumericStringsAreAccepted() throws {
        let doc = try Document(["message": ["queueUrl": "q", "messageId": "m", "receiptHandle": "r",
                                            "sentTimestamp": "1700000000000", "receiveCount": "3"]], number: 1)
        let m = try #require(try doc.message())
        #expect(m.sentTimestamp == 1_700_000_000_000)
        #expect(m.receiveCount == 3)
        #expect(m.attributes.isEmpty)
    }

    static var errors: [(JSON, (Document) throws -> Any?, String)] { [
        (["cluster": "prod"], { try $0.service() }, #"document 2: missing "service""#),
        (["service": 5], { try $0.service() }, #"document 2: "service" must be a string, got a number"#),
        (["cluster": ["a"]], { try $0.cluster() }, #"document 2: "cluster" must be a string, got an array"#),
        (["taskDefinitionArn": true], { try $0.taskDefinitionArn() },
         #"document 2: "taskDefinitionArn" must be a string, got a boolean"#),
        (["taskDefinition": "web:8"], { try $0.taskDefinition() }, #"document 2: "taskDefinition" must be an object, got a string"#),
        (["message": "m1"], { try $0.message() }, #"document 2: "message" must be an object, got a string"#),
        (["message": ["queueUrl": "q", "messageId": "m"]], { try $0.message() },
         #"document 2: missing "message.receiptHandle""#),
        (["message": ["queueUrl": "q", "messageId": 1, "receiptHandle": "r"]], { try $0.message() },
         #"document 2: "message.messageId" must be a string, got a number"#),
        (["message": ["queueUrl": "q", "messageId": "m", "receiptHandle": "r", "sentTimestamp": "yesterday"]],
         { try $0.message() }, #"document 2: "message.sentTimestamp" must be an integer, got a string"#),
        (["message": ["queueUrl": "q", "messageId": "m", "receiptHandle": "r", "attributes": []]], { try $0.message() },
         #"document 2: "message.attributes" must be an object, got an array"#),
        (["result": ["reason": "x"]], { try $0.result() }, #"document 2: missing "result.status""#),
        (["result": ["status": "done"]], { try $0.result() },
         #"document 2: "result.status" is "done", expected one of succeeded, failed, rolled_back, superseded, stale, timed_out, rejected"#),
        (["result": 1], { try $0.result() }, #"document 2: "result" must be an object, got a number"#),
    ] }

    @Test(arguments: 0..<errors.count)
    func missingOrWronglyTypedFieldsNameTheFieldAndDocument(index: Int) throws {
        let (value, read, message) = Self.errors[index]
        let doc = try Document(value, number: 2)
        do {
            _ = try read(doc)
            Issue.record("expected an error: \(message)")
        } catch let e as DocumentError {
            #expect(e.message == message)
            #expect(e.exitStatus == .dataError)
        }
    }

    @Test func aDocumentMustBeAnObject() {
        #expect(throws: DocumentError("document 4: expected a JSON object, got an array")) {
            try Document([1, 2], number: 4)
        }
    }
}

extension String {
    /// Test helper: replaces the first occurrence (no Foundation).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = firstRange(of: target) else { return self }
        return String(self[..<r.lowerBound]) + replacement + String(self[r.upperBound...])
    }
}
