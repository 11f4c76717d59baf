import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

private let v7 = Fixture.td("web:7")
private let v8 = Fixture.td("web:8")
private let ours = "ecs-svc/8"

/// ecs-wait's document of a failed deployment of web:8, which replaced web:7.
private func failedDoc(status: String = "failed", previous: String? = v7) -> String {
    let prev = previous.map { #""\#($0)""# } ?? "null"
    return #"{"service":"web","cluster":"prod","taskDefinitionArn":"\#(v8)","previousTaskDefinitionArn":\#(prev),"deploymentId":"\#(ours)","result":{"status":"\#(status)","reason":"3 tasks stopped","stoppedTasks":[]}}"#
}

/// ours (web:8) PRIMARY and failing, web:7 draining.
private func failing() -> JSON {
    Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 0, failed: 3),
        Fixture.deployment("ecs-svc/7", "ACTIVE", td: v7, running: 2, rollout: "COMPLETED", createdAt: Fixture.epoch - 3600),
    ])
}

@Suite struct RollbackRunTests {
    let ecs = FakeECS()

    @Test func aFailedDeploymentIsPointedBackAndTheRollbackJudged() throws {
        ecs.add(failing())
        let h = Harness(tool: "ecs-update", stdin: failedDoc(), factory: FakeFactory(ecs: ecs))
        #expect(try ECSUpdate.parse(["--rollback"]).run(h.context) == .ok)
        #expect(ecs.calls == ["DescribeServices", "UpdateService"])
        #expect(ecs.updates.map { $0.taskDefinition } == [v7])
        let started = try #require(h.outJSON.first)
        #expect(started["result"] == nil)
        #expect(started["rollback"]?["deploymentId"] == "ecs-svc/7000000000000000001")
        #expect(started["rollback"]?["taskDefinitionArn"] == .string(v7))
        #expect(started["rollback"]?["failure"]?["reason"] == "3 tasks stopped")

        // ecs-wait judges the rollback deployment and tells both stories.
        let rollback = "ecs-svc/7000000000000000001"
        let done = Fixture.service(deployments: [Fixture.deployment(rollback, td: v7, running: 2, rollout: "COMPLETED")])
        ecs.frames = [FakeECS.Frame(service: done)]
        let w = Harness(tool: "ecs-wait", stdin: h.out[0], factory: FakeFactory(ecs: ecs))
        #expect(try ECSWait.parse([]).run(w.context) == .deploymentFailed)
        let out = try #require(w.outJSON.first)
        #expect(out["result"]?["status"] == "rolled_back")
        #expect(out["result"]?["reason"] == .string("3 tasks stopped; rolled back to web:7 (deployment \(rollback)): deployment \(rollback) (web:7) completed: running 2/2, pending 0, failed 0"))
        #expect(out["result"]?["rollback"]?["status"] == "succeeded")
        #expect(out["rollback"]?["deploymentId"] == .string(rollback))
    }

    @Test func aTimedOutDeploymentIsRolledBackToo() throws {
        ecs.add(failing())
        let h = Harness(tool: "ecs-update", stdin: failedDoc(status: "timed_out"), factory: FakeFactory(ecs: ecs))
        #expect(try ECSUpdate.parse(["--rollback"]).run(h.context) == .ok)
        #expect(ecs.updates.map { $0.taskDefinition } == [v7])
    }

    @Test func theCircuitBreakersRollbackAndOtherOutcomesPassThroughWithoutACall() throws {
        let docs = [failedDoc(status: "rolled_back"), failedDoc(status: "succeeded"), failedDoc(status: "superseded")]
        let h = Harness(tool: "ecs-update", stdin: docs.joined(separator: "\n"), factory: FakeFactory(ecs: ecs), level: .info)
        #expect(try ECSUpdate.parse(["--rollback"]).run(h.context) == .deploymentFailed)
        #expect(h.out == docs)
        #expect(ecs.calls.isEmpty)
        #expect(h.stderr == ["ecs-update: service web: ECS already rolled the deployment back; nothing to do\n"])
    }

    @Test func noPreviousDefinitionKeepsTheFailureAndSaysWhy() throws {
        ecs.add(failing())
        let h = Harness(tool: "ecs-update", stdin: failedDoc(previous: nil), factory: FakeFactory(ecs: ecs), level: .warning)
        #expect(try ECSUpdate.parse(["--rollback"]).run(h.context) == .deploymentFailed)
        #expect(h.outJSON.first?["result"]?["status"] == "failed")
        #expect(h.outJSON.first?["result"]?["reason"] == "3 tasks stopped; no previous task definition is known, so it was not rolled back")
        #expect(ecs.updates.isEmpty)
        #expect(h.stderr == ["ecs-update: warning: service web: no previous task definition is known, so it was not rolled back\n"])
    }

    @Test func rollbackTakesNoService() {
        #expect(throws: (any Error).self) { try ECSUpdate.parse(["--rollback", "--service", "web", "--task-definition", "x"]) }
    }
}
