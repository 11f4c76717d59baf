import Testing
@testable import AWSCore
@testable import Deployment
@testable import TestSupport

/// A task definition using much of what ECS offers, shaped as `aws ecs register-task-definition` takes it.
private let rich = #"""
{"family":"web","taskRoleArn":"arn:aws:iam::123456789012:role/web","executionRoleArn":"arn:aws:iam::123456789012:role/exec",
 "networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
 "runtimePlatform":{"cpuArchitecture":"ARM64","operatingSystemFamily":"LINUX"},
 "ephemeralStorage":{"sizeInGiB":30},
 "containerDefinitions":[{"name":"app","image":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:2","essential":true,
   "cpu":256,"memory":512,"memoryReservation":256,
   "portMappings":[{"containerPort":8080,"protocol":"tcp","name":"http","appProtocol":"http"}],
   "environment":[{"name":"MODE","value":"production"}],
   "secrets":[{"name":"DB_PASSWORD","valueFrom":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"}],
   "healthCheck":{"command":["CMD-SHELL","curl -f http://localhost:8080/ || exit 1"],"interval":30,"retries":3},
   "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/web","awslogs-region":"eu-west-1"}},
   "ulimits":[{"name":"nofile","softLimit":65536,"hardLimit":65536}],
   "dependsOn":[{"containerName":"init","condition":"SUCCESS"}],
   "dockerLabels":{"team":"storefront"},"readonlyRootFilesystem":true,"linuxParameters":{"initProcessEnabled":true}},
  {"name":"init","image":"busybox","essential":false,"command":["true"]}],
 "volumes":[{"name":"data","efsVolumeConfiguration":{"fileSystemId":"fs-1234","transitEncryption":"ENABLED"}}],
 "tags":[{"key":"team","value":"storefront"}]}
"""#

private func problems(_ text: String) throws -> [String] {
    TaskDefinitionModel.ecs.problems(try JSON.parse(Array(text.utf8), source: "test"))
}

@Suite struct TaskDefinitionModelTests {
    @Test func aRealisticDefinitionPasses() throws {
        #expect(try problems(rich) == [])
        #expect(try problems(#"{"family":"web","containerDefinitions":[{"name":"app","image":"nginx"}]}"#) == [])
    }

    @Test(arguments: [
        (#"{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","memorry":512}]}"#,
         ["containerDefinitions[0].memorry: unknown; did you mean memory?"]),
        (#"{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","Memory":512}]}"#,
         ["containerDefinitions[0].Memory: unknown; did you mean memory?"]),
        (#"{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","frobnicate":1}]}"#,
         ["containerDefinitions[0].frobnicate: unknown"]),
        (#"{"family":"web","taskRoleArm":"r","containerDefinitions":[]}"#,
         ["taskRoleArm: unknown; did you mean taskRoleArn?"]),
        // Task-level cpu and memory are strings; container-level ones are integers.
        (#"{"family":"web","cpu":256,"containerDefinitions":[{"name":"app","cpu":"256"}]}"#,
         ["cpu: must be a string, got a number", "containerDefinitions[0].cpu: must be an integer, got a string"]),
        (#"{"family":"web","containerDefinitions":[{"name":"app","essential":"yes","portMappings":{"containerPort":80}}]}"#,
         ["containerDefinitions[0].essential: must be true or false, got a string",
          "containerDefinitions[0].portMappings: must be an array, got an object"]),
        (#"{"family":"web","containerDefinitions":[{"name":"app","memory":512.5}]}"#,
         ["containerDefinitions[0].memory: must be an integer, got a number"]),
        (#"{"family":"web","containerDefinitions":[{"name":"app","secrets":[{"name":"A"}],"ulimits":[{"name":"nofile"}]}]}"#,
         ["containerDefinitions[0].secrets[0].valueFrom: required, missing",
          "containerDefinitions[0].ulimits[0].softLimit: required, missing",
          "containerDefinitions[0].ulimits[0].hardLimit: required, missing"]),
        (#"{"containerDefinitions":[]}"#, ["family: required, missing"]),
        (#"{"family":"web","containerDefinitions":[{"name":"app","dockerLabels":{"a":1}}]}"#,
         ["containerDefinitions[0].dockerLabels.a: must be a string, got a number"]),
        (#"[1]"#, ["the task definition: must be an object, got an array"]),
    ])
    func mistakesAreNamedByTheirPath(_ text: String, _ expected: [String]) throws {
        #expect(try problems(text) == expected)
    }

    @Test func nullMembersAreNotGiven() throws {
        #expect(try problems(#"{"family":"web","cpu":null,"containerDefinitions":[{"name":"app","memory":null}]}"#) == [])
    }

    @Test func aNulInAnyStringIsRefused() throws {
        // (A NUL in a member name is already refused by the JSON parser.)
        let text = #"{"family":"web","containerDefinitions":[{"name":"app","environment":[{"name":"A","value":"x\u0000y"}],"dockerLabels":{"k":"\u0000"}}]}"#
        #expect(try problems(text) == [
            "containerDefinitions[0].environment[0].value: contains a NUL character (\\u0000)",
            "containerDefinitions[0].dockerLabels.k: contains a NUL character (\\u0000)",
        ])
    }

    @Test func ecsSizeLimitIsCheckedBeforeAnyCall() throws {
        let big = String(repeating: "x", count: 70_000)
        let found = try problems(#"{"family":"web","containerDefinitions":[{"name":"app","command":["\#(big)"]}]}"#)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("the task definition is 70") == true)
        #expect(found.first?.hasSuffix("bytes, over ECS's limit of 65536 (64 KiB)") == true)
    }

    @Test func normaliseReportsTheFirstProblemWithItsSourceAndCount() throws {
        let body = try JSON.parse(Array(#"{"family":"web","containerDefinitions":[{"name":"app","memorry":1,"imagee":"x"}]}"#.utf8), source: "b")
        #expect {
            try TaskDefinition.normalise(body, source: "message m1")
        } throws: { error in
            "\(error)" == "message m1: containerDefinitions[0].memorry: unknown; did you mean memory? (and 1 more)"
        }
    }

    @Test(arguments: [("memorry", "memory"), ("Image", "image"), ("imag", "image"), ("entryPoint", "entryPoint"),
                      ("xyz", nil), ("essentials", "essential"), ("cpuu", "cpu")] as [(String, String?)])
    func typosFindTheirNearestName(_ word: String, _ expected: String?) {
        #expect(nearest(word, among: ["memory", "image", "entryPoint", "essential", "cpu", "name"]) == expected)
    }

    @Test func theEmbeddedModelIsTheVendoredOne() throws {
        let path = TestFiles.repoRoot + "/Tests/SharedTests/Vectors/ecs-model/register-task-definition.json"
        let vendored = try #require(TestFiles.read(path))
        // A multi-line literal holds the text without its last newline.
        #expect(vendored == ecsRegisterTaskDefinitionModel + "\n")
        #expect(TaskDefinitionModel.ecs.shapeCount == 90)
    }
}
