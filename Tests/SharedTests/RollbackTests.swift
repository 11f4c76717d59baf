import Testing
@testable import AWSCore
@testable import Deployment
@testable import TestSupport

private let v7 = Fixture.td("web:7")
private let v8 = Fixture.td("web:8")
private let v9 = Fixture.td("web:9")
private let ours = "ecs-svc/8"

/// The service with ours (web:8) as PRIMARY, rolling out or failed, and web:7 still draining.
private func stuck(_ rollout: String = "IN_PROGRESS") -> JSON {
    Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 0, failed: 4, rollout: rollout),
        Fixture.deployment("ecs-svc/7", "ACTIVE", td: v7, running: 2, rollout: "COMPLETED", createdAt: Fixture.epoch - 3600),
    ])
}

private func plan(_ status: WaitStatus, previous: String? = v7, service: JSON = stuck()) -> RollbackPlan {
    planRollback(status: status, deploymentId: ours, taskDefinitionArn: v8, previousTaskDefinitionArn: previous, service: service)
}

@Suite struct RollbackTests {
    @Test(arguments: [WaitStatus.failed, .timedOut])
    func aFailedOrTimedOutDeploymentIsPointedBackAtThePreviousDefinition(_ status: WaitStatus) {
        #expect(plan(status) == .update(to: v7))
        #expect(plan(status, service: stuck("FAILED")) == .update(to: v7))
    }

    @Test(arguments: [WaitStatus.succeeded, .superseded, .stale, .rejected])
    func otherOutcomesNeedNoRollback(_ status: WaitStatus) {
        #expect(plan(status) == .notNeeded)
    }

    @Test func theCircuitBreakersOwnRollbackIsLeftAlone() {
        #expect(plan(.rolledBack) == .alreadyRolledBack("ECS already rolled the deployment back; nothing to do"))
        // ecs-wait called it failed (enough stopped tasks) just as the breaker began its rollback: judge that one.
        let rollingBack = Fixture.service(deployments: [
            Fixture.deployment("ecs-svc/9", td: v7, running: 1, rollout: "IN_PROGRESS", createdAt: Fixture.epoch + 20),
            Fixture.deployment(ours, "ACTIVE", td: v8, failed: 3, rollout: "FAILED"),
        ])
        #expect(plan(.failed, service: rollingBack) == .attach(deploymentId: "ecs-svc/9", taskDefinitionArn: v7))
    }

    @Test func noPreviousDefinitionIsReportedAsSuch() {
        #expect(plan(.failed, previous: nil) == .impossible("no previous task definition is known, so it was not rolled back"))
        #expect(plan(.failed, previous: v8) == .impossible("the previous task definition is the one that failed, so it was not rolled back"))
    }

    @Test func aServiceThatMovedOnIsNotRolledBack() {
        let moved = Fixture.service(deployments: [Fixture.deployment("ecs-svc/9", td: v9, running: 2, rollout: "COMPLETED")])
        #expect(plan(.timedOut, service: moved)
                == .impossible("the service has moved on to web:9 (deployment ecs-svc/9), so it was not rolled back"))
    }

    static let failure: JSON = [
        "status": "failed", "reason": "3 tasks of deployment ecs-svc/8 (web:8) stopped: 3x TaskFailedToStart",
        "deploymentId": .string(ours), "taskDefinitionArn": .string(v8), "stoppedTasks": [],
    ]

    @Test(arguments: [
        (WaitStatus.succeeded, "rolled_back",
         "3 tasks of deployment ecs-svc/8 (web:8) stopped: 3x TaskFailedToStart; rolled back to web:7 (deployment ecs-svc/10): deployment ecs-svc/10 (web:7) completed"),
        (.failed, "failed",
         "3 tasks of deployment ecs-svc/8 (web:8) stopped: 3x TaskFailedToStart; the rollback to web:7 (deployment ecs-svc/10) failed too: deployment ecs-svc/10 (web:7) completed"),
        (.superseded, "superseded",
         "3 tasks of deployment ecs-svc/8 (web:8) stopped: 3x TaskFailedToStart; the rollback to web:7 (deployment ecs-svc/10) was superseded: deployment ecs-svc/10 (web:7) completed"),
        (.timedOut, "timed_out",
         "3 tasks of deployment ecs-svc/8 (web:8) stopped: 3x TaskFailedToStart; the rollback to web:7 (deployment ecs-svc/10) did not finish: deployment ecs-svc/10 (web:7) completed"),
    ])
    func theResultTellsBothStories(_ rollbackStatus: WaitStatus, _ status: String, _ reason: String) {
        let rollback = WaitResult(status: rollbackStatus, reason: "deployment ecs-svc/10 (web:7) completed", deploymentId: "ecs-svc/10",
                                  taskDefinitionArn: v7)
        let out = rolledBackResult(failure: Self.failure, rollback: rollback)
        #expect(out["status"] == .string(status))
        #expect(out["reason"] == .string(reason))
        // The original failure's details stay; the rollback's own outcome is beside them.
        #expect(out["deploymentId"] == .string(ours))
        #expect(out["taskDefinitionArn"] == .string(v8))
        #expect(out["rollback"]?["status"] == .string(rollbackStatus.rawValue))
        #expect(out["rollback"]?["deploymentId"] == "ecs-svc/10")
    }
}
