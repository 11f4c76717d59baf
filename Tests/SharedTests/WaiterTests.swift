import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

private let v7 = Fixture.td("web:7")
private let v8 = Fixture.td("web:8")
private let ours = "ecs-svc/8"
private let old = "ecs-svc/7"
private let expectOurs = WaitExpectation(deploymentId: ours, taskDefinitionArn: v8, previousTaskDefinitionArn: v7)

/// Collects log lines.
final class LogLines {
    var lines: [String] = []
    lazy var logger = Logger(tool: "ecs-wait", level: .info, sink: { [unowned self] in self.lines.append($0) })
}

private func service(_ running: Int64 = 0, pending: Int64 = 2, failed: Int64 = 0, rollout: String = "IN_PROGRESS",
                     oldRunning: Int64 = 2) -> JSON {
    Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: running, pending: pending, failed: failed, rollout: rollout),
        Fixture.deployment(old, "ACTIVE", td: v7, desired: oldRunning, running: oldRunning, rollout: "COMPLETED",
                           createdAt: Fixture.epoch - 3600),
    ])
}

private func frame(_ service: JSON?, _ stopped: [JSON] = []) -> FakeECS.Frame { FakeECS.Frame(service: service, stopped: stopped) }

@Suite struct WaiterTests {
    let time = ManualTime(Fixture.epoch + 30)
    let ecs = FakeECS()
    let log = LogLines()

    /// One deployment of web, driven as ecs-wait drives the waiter: poll what is due, stop when asked,
    /// else sleep until the next poll.
    func wait(_ expectation: WaitExpectation = expectOurs, timeout: Double = 300,
              shouldStop: @escaping () -> Bool = { false }) throws -> WaitResult {
        let waiter = Waiter(time: time, logger: log.logger)
        waiter.add(ecs: ecs, cluster: "prod", service: "web", expectation: expectation, timeout: timeout)
        while true {
            let finished = shouldStop() ? waiter.interruptAll() : waiter.pollDue()
            if let only = finished.first { return try only.outcome.get() }
            if !shouldStop() { time.sleep(max(0, (waiter.nextPoll ?? time.now()) - time.now())) }
        }
    }

    @Test func succeedsWithOneDescribeServicesPerPollAndNoTaskCalls() throws {
        ecs.frames = [frame(service()), frame(service(1, pending: 1)), frame(service(2, pending: 0, rollout: "COMPLETED", oldRunning: 1))]
        let r = try wait()
        #expect(r.status == .succeeded)
        #expect(r.reason == "deployment ecs-svc/8 (web:8) completed: running 2/2, pending 0, failed 0")
        #expect(ecs.calls == ["DescribeServices", "DescribeServices", "DescribeServices"])
        #expect(time.sleeps == [1, 2])
        #expect(r.elapsedSeconds == 3)
        #expect(r.json.serialized() == #"{"status":"succeeded","reason":"deployment ecs-svc/8 (web:8) completed: running 2/2, pending 0, failed 0","elapsedSeconds":3.0,"deploymentId":"ecs-svc/8","taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:8","counts":{"desired":2,"running":2,"pending":0,"failed":0},"rolloutState":"COMPLETED","stoppedTasks":[]}"#)
        #expect(log.lines == [
            "ecs-wait: rollout IN_PROGRESS: ECS deployment ecs-svc/8 in progress.\n",
            "ecs-wait: deployment ecs-svc/8 (web:8): running 0/2, pending 2, failed 0\n",
            "ecs-wait: deployment ecs-svc/8 (web:8): running 1/2, pending 1, failed 0\n",
            "ecs-wait: rollout COMPLETED: ECS deployment ecs-svc/8 completed.\n",
            "ecs-wait: deployment ecs-svc/8 (web:8): running 2/2, pending 0, failed 0\n",
        ])
    }

    @Test func failsFastWhenTasksFailToStartAskingOnlyForNewStoppedTasks() throws {
        let p = (1...3).map { Fixture.pullFailure("p\($0)", td: v8, startedBy: ours) }
        ecs.frames = [frame(service()), frame(service(failed: 1), [p[0]]), frame(service(failed: 2), [p[0], p[1]]),
                      frame(service(failed: 3), p)]
        let r = try wait(timeout: 600)
        #expect(r.status == .failed)
        #expect(r.status.exitStatus == .deploymentFailed)
        #expect(r.elapsedSeconds == 6)
        #expect(r.reason.hasPrefix("3 tasks of deployment ecs-svc/8 (web:8) stopped: 3x TaskFailedToStart: CannotPullContainerError"))
        #expect(ecs.count("DescribeServices") == 4)
        #expect(ecs.count("ListTasks") == 3)
        #expect(ecs.listRequests.allSatisfy { $0.startedBy == ours && $0.desiredStatus == "STOPPED" })
        #expect(ecs.describedTaskBatches == [[Fixture.taskArn("p1")], [Fixture.taskArn("p2")], [Fixture.taskArn("p3")]])
        #expect(r.stoppedTasks.map { $0.taskArn } == p.map { $0["taskArn"]!.stringValue! })
        #expect(r.stoppedTasks.first?.containers.first?.reason == "CannotPullContainerError: not found")
        #expect(r.counts == TaskCounts(desired: 2, running: 0, pending: 2, failed: 3))
    }

    @Test func timesOutExactlyAtTheDeadlineAfterALastPoll() throws {
        ecs.frames = [frame(service(1, pending: 1))]
        let r = try wait(timeout: 20)
        #expect(r.status == .timedOut)
        #expect(r.status.exitStatus == .timedOut)
        #expect(r.elapsedSeconds == 20)
        #expect(time.sleeps == [1, 2, 3, 4, 5, 5])
        #expect(ecs.count("DescribeServices") == 7)
        // Polls 3 and 6 look for crashed tasks; nothing stopped, so nothing is described.
        #expect(ecs.count("ListTasks") == 2)
        #expect(ecs.count("DescribeTasks") == 0)
        #expect(r.reason == "timed out after 20s waiting for deployment ecs-svc/8 (web:8) of service web (running 1/2, pending 1, failed 0, rollout IN_PROGRESS); the outcome is unknown and the deployment may still finish")
        #expect(r.counts == TaskCounts(desired: 2, running: 1, pending: 1, failed: 0))
    }

    @Test func aLongWaitLooksAtStoppedTasksEveryThirdPoll() throws {
        ecs.frames = [frame(service(1, pending: 1))]
        let r = try wait(timeout: 100)
        #expect(r.status == .timedOut)
        #expect(ecs.count("DescribeServices") == 21)
        #expect(ecs.count("ListTasks") == 7)
        #expect(ecs.count("DescribeTasks") == 0)
        #expect(time.sleeps.max() == 6)
    }

    @Test func crashesAfterRunningAreSeenInTheStoppedTasks() throws {
        let c = (1...3).map { Fixture.crash("c\($0)", td: v8, startedBy: ours, exitCode: 2) }
        ecs.frames = [frame(service(2, pending: 0)), frame(service(1, pending: 1), [c[0]]), frame(service(2, pending: 0), [c[0]]),
                      frame(service(1, pending: 1), [c[0], c[1]]), frame(service(2, pending: 0), [c[0], c[1]]),
                      frame(service(1, pending: 1), c)]
        let r = try wait()
        #expect(r.status == .failed)
        #expect(r.reason.contains("3x EssentialContainerExited: Essential container in task exited (app: exit code 2)"))
        // Six polls, and one fresh snapshot to judge the stopped tasks that decided the failure.
        #expect(ecs.count("DescribeServices") == 7)
        // Each drop in the running count, and the periodic check at poll 3.
        #expect(ecs.count("ListTasks") == 4)
        #expect(r.stoppedTasks.map { $0.containers.first?.exitCode } == [2, 2, 2])
        // ECS's failedTasks stays 0 for crashes after RUNNING; the result counts them.
        #expect(r.counts?.failed == 3)
    }

    @Test func circuitBreakerRollbackIsNotASuccess() throws {
        let p = (1...2).map { Fixture.pullFailure("p\($0)", td: v8, startedBy: ours) }
        let rollingBack = Fixture.service(deployments: [
            Fixture.deployment("ecs-svc/9", td: v7, running: 2, rollout: "IN_PROGRESS", createdAt: Fixture.epoch + 20),
            Fixture.deployment(ours, "ACTIVE", td: v8, failed: 2, rollout: "FAILED"),
        ])
        ecs.frames = [frame(service(failed: 0)), frame(rollingBack, p)]
        let r = try wait()
        #expect(r.status == .rolledBack)
        #expect(r.status.exitStatus == .deploymentFailed)
        #expect(r.reason.contains("rolled back to web:7 (deployment ecs-svc/9): ECS deployment circuit breaker"))
        #expect(r.rolloutState == "FAILED")
        #expect(r.stoppedTasks.count == 2)
        #expect(ecs.count("ListTasks") == 1)
    }

    @Test func stoppedTasksNewerThanTheSnapshotAreJudgedWithAFreshOne() throws {
        // The snapshot shows 2 failures, the stopped tasks (read after it) 3: by then the circuit breaker,
        // which counts the same failures, has rolled back, and that is the outcome.
        let p = (1...3).map { Fixture.pullFailure("p\($0)", td: v8, startedBy: ours) }
        let rollingBack = Fixture.service(deployments: [
            Fixture.deployment("ecs-svc/9", td: v7, running: 2, rollout: "IN_PROGRESS", createdAt: Fixture.epoch + 20),
            Fixture.deployment(ours, "ACTIVE", td: v8, failed: 3, rollout: "FAILED"),
        ])
        ecs.frames = [frame(service(failed: 2), p), frame(rollingBack, p)]
        let r = try wait()
        #expect(r.status == .rolledBack)
        #expect(r.reason.contains("rolled back to web:7 (deployment ecs-svc/9)"))
        #expect(ecs.calls == ["DescribeServices", "ListTasks", "DescribeTasks", "DescribeServices"])
    }

    @Test func aStandaloneWaitPinsThePrimaryAndRecognisesARollback() throws {
        let back = Fixture.service(deployments: [
            Fixture.deployment("ecs-svc/9", td: v7, running: 2, rollout: "COMPLETED", createdAt: Fixture.epoch + 20),
        ])
        ecs.frames = [frame(service()), frame(back)]
        let r = try wait(WaitExpectation())
        #expect(r.status == .rolledBack)
        #expect(r.reason.contains("deployment ecs-svc/8 (web:8) is gone and the service runs the previous task definition web:7 again"))
        #expect(r.deploymentId == ours)
    }

    @Test func interruptedEndsWithAnUnknownOutcome() throws {
        ecs.frames = [frame(service(1, pending: 1))]
        let r = try wait(shouldStop: { [ecs] in ecs.count("DescribeServices") >= 2 })
        #expect(r.status == .timedOut)
        #expect(r.reason.hasPrefix("interrupted after 1s while waiting for deployment ecs-svc/8 (web:8) of service web"))
        #expect(r.reason.hasSuffix("the outcome is unknown and the deployment may still finish"))
        #expect(ecs.count("DescribeServices") == 2)
    }

    @Test func throttlingSlowsThePollingDown() throws {
        ecs.errors["DescribeServices"] = [FakeAWSError(.throttled, "ThrottlingException: Rate exceeded")]
        ecs.frames = [frame(service(2, pending: 0, rollout: "COMPLETED"))]
        let r = try wait()
        #expect(r.status == .succeeded)
        #expect(time.sleeps == [15])
        #expect(log.lines.first == "ecs-wait: warning: ThrottlingException: Rate exceeded; still waiting\n")
    }

    @Test func anOutageLastingPastTheDeadlineIsReportedAsSuch() throws {
        ecs.errors["DescribeServices"] = Array(repeating: FakeAWSError(.unavailable, "ServerException: internal error"), count: 50)
        #expect(throws: FakeAWSError(.unavailable, "ServerException: internal error")) { try wait(timeout: 10) }
        #expect(time.current == Fixture.epoch + 40)
    }

    @Test func aCallCutShortByTheDeadlineIsATimeout() throws {
        ecs.frames = [frame(service(1, pending: 1))]
        ecs.errors["DescribeServices"] = [FakeAWSError(.unavailable, "ecs DescribeServices: cannot connect"),
                                          FakeAWSError(.unavailable, "ecs DescribeServices: cannot connect"),
                                          FakeAWSError(.timedOut, "ecs DescribeServices: timed out before an answer")]
        let r = try wait(timeout: 3)
        #expect(r.status == .timedOut)
        #expect(r.reason == "timed out after 3s waiting for deployment ecs-svc/8 (web:8) of service web; the outcome is unknown and the deployment may still finish")
        #expect(r.counts == nil)
        #expect(time.sleeps == [1, 2])
    }

    @Test func accessDeniedEndsTheWaitAtOnce() throws {
        ecs.errors["DescribeServices"] = [FakeAWSError(.permission, "AccessDeniedException: not authorized to perform ecs:DescribeServices")]
        #expect(throws: FakeAWSError(.permission, "AccessDeniedException: not authorized to perform ecs:DescribeServices")) {
            try wait()
        }
        #expect(time.sleeps.isEmpty)
    }

    @Test func aMissingServiceIsBadInput() throws {
        ecs.frames = [frame(nil)]
        #expect(throws: Failure(.invalidInput, "service web not found in cluster prod")) { try wait() }
    }

    @Test func aCodeDeployServiceIsAnError() throws {
        ecs.frames = [frame(Fixture.service(deployments: [], controller: "CODE_DEPLOY"))]
        do {
            _ = try wait()
            Issue.record("expected an error")
        } catch let e as Failure {
            #expect(e.exitStatus == .dataError)
            #expect(e.message.contains("CODE_DEPLOY deployment controller"))
        }
    }

    @Test func unreadableStoppedTasksAreWarnedAboutOnceAndTheWaitGoesOn() throws {
        ecs.errors["ListTasks"] = Array(repeating: FakeAWSError(.permission, "AccessDeniedException: ecs:ListTasks"), count: 5)
        ecs.frames = [frame(service()), frame(service(failed: 1)), frame(service(failed: 2)), frame(service(failed: 3))]
        let r = try wait()
        #expect(r.status == .failed)
        #expect(r.reason == "3 tasks of deployment ecs-svc/8 (web:8) failed to start")
        #expect(log.lines.filter { $0.contains("warning") } == [
            "ecs-wait: warning: cannot read stopped tasks of deployment ecs-svc/8: AccessDeniedException: ecs:ListTasks\n",
        ])
    }

    @Test func theResultListsAtMostTenStoppedTasks() throws {
        let many = (1...12).map { Fixture.crash("c\($0)", td: v8, startedBy: ours) }
        ecs.frames = [frame(service(2, pending: 0)), frame(service(0, pending: 2), many)]
        let r = try wait()
        #expect(r.status == .failed)
        #expect(r.stoppedTasks.count == 10)
        #expect(r.counts?.failed == 12)
        #expect(r.reason.contains("12 tasks of deployment ecs-svc/8 (web:8) stopped: 12x EssentialContainerExited"))
    }
}
