import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

@Suite struct TaskDefinitionTests {
    static let bare = #"{"family":"web","taskRoleArn":"arn:aws:iam::123456789012:role/web","networkMode":"awsvpc","containerDefinitions":[{"name":"app","image":"nginx:1.27","essential":true}],"requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512"}"#

    @Test func bareDefinitionPassesThroughUntouched() throws {
        let n = try TaskDefinition.normalise(try JSON.parse(Self.bare), source: "message m1")
        #expect(n.input.serialized() == Self.bare)
        #expect(n.dropped.isEmpty)
    }

    @Test func describeOutputIsUnwrappedExactlyTheReadOnlyFieldsDroppedOthersInOrder() throws {
        // The 9 read-only fields interleaved with ordinary ones, as describe-task-definition returns them.
        let text = """
            {"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:7",
             "containerDefinitions":[{"name":"app","image":"nginx:1.27","portMappings":[{"containerPort":80}]}],
             "family":"web","executionRoleArn":"arn:aws:iam::123456789012:role/exec","networkMode":"awsvpc",
             "revision":7,"volumes":[],"status":"ACTIVE",
             "requiresAttributes":[{"name":"com.amazonaws.ecs.capability.logging-driver.awslogs"}],
             "placementConstraints":[],"compatibilities":["EC2","FARGATE"],"runtimePlatform":{"cpuArchitecture":"ARM64"},
             "requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
             "registeredAt":1700000000.123,"registeredBy":"arn:aws:iam::123456789012:user/ci",
             "deregisteredAt":1700000100.5,"deleteRequestedAt":1700000200.25,"ephemeralStorage":{"sizeInGiB":21}},
             "tags":[{"key":"team","value":"web"}]}
            """
        let n = try TaskDefinition.normalise(try JSON.parse(text), source: "message m1")
        #expect(n.dropped == ["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
                              "registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt"])
        #expect(n.input.objectValue?.keys == ["containerDefinitions", "family", "executionRoleArn", "networkMode",
                                              "volumes", "placementConstraints", "runtimePlatform",
                                              "requiresCompatibilities", "cpu", "memory", "ephemeralStorage", "tags"])
        #expect(n.input["containerDefinitions"]?.serialized() == #"[{"name":"app","image":"nginx:1.27","portMappings":[{"containerPort":80}]}]"#)
        #expect(n.input["tags"]?.serialized() == #"[{"key":"team","value":"web"}]"#)
        #expect(n.input["runtimePlatform"] == ["cpuArchitecture": "ARM64"])
    }

    @Test(arguments: TaskDefinition.readOnlyFields)
    func eachReadOnlyFieldIsDroppedAlone(field: String) throws {
        var o = try JSON.parse(Self.bare).objectValue!
        o[field] = "x"
        o["pidMode"] = "task"
        let n = try TaskDefinition.normalise(.object(o), source: "f")
        #expect(n.dropped == [field])
        #expect(n.input.serialized() == Self.bare.dropLast() + #","pidMode":"task"}"#)
    }

    @Test func normalisingTwiceChangesNothing() throws {
        let once = try TaskDefinition.normalise(["taskDefinition": ["family": "a", "containerDefinitions": [], "revision": 3]],
                                                source: "f")
        let twice = try TaskDefinition.normalise(once.input, source: "f")
        #expect(twice.input == once.input)
        #expect(twice.dropped.isEmpty)
        #expect(once.dropped == ["revision"])
    }

    @Test(arguments: [
        (#"[1]"#, #"message m1: task definition must be a JSON object, got an array"#),
        (#"{"containerDefinitions":[]}"#, #"message m1: task definition is missing "family""#),
        (#"{"family":7,"containerDefinitions":[]}"#, #"message m1: task definition "family" must be a string, got a number"#),
        (#"{"family":"","containerDefinitions":[]}"#, #"message m1: task definition "family" is empty"#),
        (#"{"family":"web"}"#, #"message m1: task definition is missing "containerDefinitions""#),
        (#"{"family":"web","containerDefinitions":{"name":"app"}}"#,
         #"message m1: task definition "containerDefinitions" must be an array, got an object"#),
        (#"{"taskDefinition":{"family":"web"},"tags":[]}"#, #"message m1: task definition is missing "containerDefinitions""#),
    ])
    func invalidDefinitionsNameTheField(input: String, message: String) throws {
        do {
            _ = try TaskDefinition.normalise(try JSON.parse(input), source: "message m1")
            Issue.record("expected an error for \(input)")
        } catch let e as Failure {
            #expect(e.message == message)
            #expect(e.exitStatus == .dataError)
        }
    }

    @Test func taskDefinitionReferences() {
        let arn = Fixture.td("web:8")
        #expect(sameTaskDefinition(arn, arn))
        #expect(sameTaskDefinition(arn, "web:8"))
        #expect(sameTaskDefinition("web:8", arn))
        #expect(!sameTaskDefinition(arn, "web:18"))
        #expect(!sameTaskDefinition(arn, Fixture.td("web:9")))
        #expect(!sameTaskDefinition(arn, nil))
        #expect(shortTaskDefinition(arn) == "web:8")
        #expect(shortTaskDefinition("web:8") == "web:8")
    }
}
