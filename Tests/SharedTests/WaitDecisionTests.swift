import Testing
@testable import AWSCore
@testable import Deployment
@testable import Shared
@testable import TestSupport

private let v7 = Fixture.td("web:7")
private let v8 = Fixture.td("web:8")
private let v9 = Fixture.td("web:9")
private let ours = "ecs-svc/8"
private let old = "ecs-svc/7"
private let newer = "ecs-svc/9"
private extension Double {
    var millis: Int64 { Int64((self * 1000).rounded()) }
}

private let expectOurs = WaitExpectation(deploymentId: ours, taskDefinitionArn: v8, previousTaskDefinitionArn: v7)

private func expecting(_ until: WaitUntil = .deployed, maxFailed: Int = 3, id: String? = ours,
                       td: String? = v8) -> WaitExpectation {
    WaitExpectation(deploymentId: id, taskDefinitionArn: td, previousTaskDefinitionArn: v7, until: until,
                    maxFailedTasks: maxFailed)
}

/// The old deployment, still draining (or drained to 0).
private func oldDeployment(running: Int64 = 2) -> JSON {
    Fixture.deployment(old, "ACTIVE", td: v7, desired: running, running: running, rollout: "COMPLETED",
                       createdAt: Fixture.epoch - 3600)
}

/// One row of the table: a snapshot and what must be decided about it.
struct DecisionCase: CustomTestStringConvertible, Sendable {
    var name: String
    var service: JSON
    var previous: JSON? = nil
    var expectation: WaitExpectation = expectOurs
    var stopped: [JSON] = []
    var poll: Int = 2
    /// succeeded, failed, rolledBack, superseded, keepWaiting, unsupported
    var kind: String
    var contains: [String] = []
    var fetch: Bool? = nil

    var testDescription: String { name }
}

/// succeeded, failed, rolledBack, superseded, or keepWaiting while there is no final status.
private func kind(_ d: WaitDecision) -> String {
    d.status.map { "\($0)" } ?? "keepWaiting"
}

private let pulls = (1...3).map { Fixture.pullFailure("p\($0)", td: v8, startedBy: ours) }
private let crashes = (1...3).map { Fixture.crash("c\($0)", td: v8, startedBy: ours, exitCode: 137) }

private let cases: [DecisionCase] = [
    DecisionCase(name: "healthy rollout in progress", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 1, pending: 1), oldDeployment()]),
        kind: "keepWaiting", contains: ["running 1/2, pending 1, failed 0"], fetch: false),
    DecisionCase(name: "completed while the old tasks still drain", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 2, rollout: "COMPLETED"), oldDeployment(running: 1)]),
        kind: "succeeded", contains: ["deployment ecs-svc/8 (web:8) completed", "running 2/2"]),
    DecisionCase(name: "completed but not stable yet", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 2, rollout: "COMPLETED"), oldDeployment(running: 1)]),
        expectation: expecting(.stable), kind: "keepWaiting"),
    DecisionCase(name: "stable: ours alone at full count", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 2, rollout: "COMPLETED")]),
        expectation: expecting(.stable), kind: "succeeded", contains: ["is stable", "running 2/2"]),
    DecisionCase(name: "stable needs the full count", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 1, pending: 1, rollout: "COMPLETED")]),
        expectation: expecting(.stable), kind: "keepWaiting"),
    DecisionCase(name: "running: one task of ours RUNNING", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 1, pending: 1), oldDeployment()]),
        expectation: expecting(.running), kind: "succeeded", contains: ["is running", "running 1/2"]),
    DecisionCase(name: "running: none yet", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, pending: 2), oldDeployment()]),
        expectation: expecting(.running), kind: "keepWaiting"),
    DecisionCase(name: "no rolloutState (classic load balancer) falls back to stable", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 2, rollout: nil)]),
        kind: "succeeded", contains: ["no rollout state reported; judged stable"]),
    DecisionCase(name: "no rolloutState and the old deployment still there", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 2, rollout: nil), oldDeployment(running: 1)]),
        kind: "keepWaiting"),
    DecisionCase(name: "circuit breaker FAILED without rollback", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, failed: 3, rollout: "FAILED"), oldDeployment()]),
        stopped: pulls, kind: "failed",
        contains: ["deployment ecs-svc/8 (web:8) failed: ECS deployment circuit breaker: tasks failed to start.",
                   "3x TaskFailedToStart: CannotPullContainerError"], fetch: true),
    DecisionCase(name: "circuit breaker FAILED and rolling back", service: Fixture.service(deployments: [
        Fixture.deployment(newer, td: v7, running: 1, createdAt: Fixture.epoch + 120),
        Fixture.deployment(ours, "ACTIVE", td: v8, failed: 3, rollout: "FAILED")]),
        kind: "rolledBack", contains: ["failed and was rolled back to web:7 (deployment ecs-svc/9)", "circuit breaker"]),
    DecisionCase(name: "gone, the previous revision runs again", service: Fixture.service(deployments: [
        Fixture.deployment(newer, td: v7, running: 2, rollout: "COMPLETED")]),
        kind: "rolledBack", contains: ["deployment ecs-svc/8 (web:8) is gone", "previous task definition web:7 again"]),
    DecisionCase(name: "replaced by the previous revision while still listed", service: Fixture.service(deployments: [
        Fixture.deployment(newer, td: v7, running: 1), Fixture.deployment(ours, "ACTIVE", td: v8, running: 1)]),
        kind: "rolledBack", contains: ["replaced by the previous task definition web:7"]),
    DecisionCase(name: "superseded by a third revision", service: Fixture.service(deployments: [
        Fixture.deployment(newer, td: v9), Fixture.deployment(ours, "ACTIVE", td: v8, running: 1)]),
        kind: "superseded", contains: ["superseded by deployment ecs-svc/9 of web:9"]),
    DecisionCase(name: "gone, a third revision is PRIMARY", service: Fixture.service(deployments: [
        Fixture.deployment(newer, td: v9, running: 2, rollout: "COMPLETED")]),
        kind: "superseded", contains: ["is gone", "web:9"]),
    DecisionCase(name: "gone, a newer deployment of the same revision", service: Fixture.service(deployments: [
        Fixture.deployment(newer, td: v8, running: 2)]),
        kind: "superseded", contains: ["same task definition"]),
    DecisionCase(name: "tasks fail to start: reasons from the stopped tasks", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, failed: 3), oldDeployment()]),
        stopped: pulls, kind: "failed",
        contains: ["3 tasks of deployment ecs-svc/8 (web:8) stopped",
                   "3x TaskFailedToStart: CannotPullContainerError: pull image manifest has been retried 5 time(s): not found (app: CannotPullContainerError: not found)"]),
    DecisionCase(name: "failedTasks at the limit, stopped tasks not fetched yet", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, failed: 3), oldDeployment()]),
        kind: "failed", contains: ["3 tasks of deployment ecs-svc/8 (web:8) failed to start"], fetch: true),
    DecisionCase(name: "failedTasks grew: fetch", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, pending: 1, failed: 1), oldDeployment()]),
        previous: Fixture.service(deployments: [Fixture.deployment(ours, td: v8, pending: 2), oldDeployment()]),
        kind: "keepWaiting", contains: ["failed 1"], fetch: true),
    DecisionCase(name: "crash after RUNNING: our running count dropped, fetch", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 1, pending: 1), oldDeployment()]),
        previous: Fixture.service(deployments: [Fixture.deployment(ours, td: v8, running: 2), oldDeployment()]),
        kind: "keepWaiting", fetch: true),
    DecisionCase(name: "crashes after RUNNING reach the limit", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 1, pending: 1), oldDeployment()]),
        stopped: crashes, kind: "failed",
        contains: ["3 tasks of deployment ecs-svc/8 (web:8) stopped",
                   "3x EssentialContainerExited: Essential container in task exited (app: exit code 137)"]),
    DecisionCase(name: "one crash with --max-failed-tasks 1", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 1, pending: 1), oldDeployment()]),
        expectation: expecting(maxFailed: 1), stopped: [crashes[0]], kind: "failed", contains: ["exit code 137"]),
    DecisionCase(name: "stops that are not failures of ours do not count", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 1, pending: 1), oldDeployment()]),
        expectation: expecting(maxFailed: 1),
        stopped: [Fixture.crash("o1", td: v7, startedBy: old),
                  Fixture.task("s1", td: v8, startedBy: ours, stopCode: "ServiceSchedulerInitiated",
                               reason: "Scaling activity initiated by (deployment ecs-svc/8)"),
                  Fixture.task("u1", td: v8, startedBy: ours, stopCode: "UserInitiated", reason: "stopped by an operator")],
        kind: "keepWaiting"),
    DecisionCase(name: "failed health checks count", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 1, pending: 1), oldDeployment()]),
        expectation: expecting(maxFailed: 1),
        stopped: [Fixture.task("h1", td: v8, startedBy: ours, stopCode: "ServiceSchedulerInitiated",
                               reason: "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/abc)")],
        kind: "failed", contains: ["Task failed ELB health checks"]),
    DecisionCase(name: "desired count 0: pointing at ours is enough for running", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, desired: 0), oldDeployment(running: 0)]),
        expectation: expecting(.running), kind: "succeeded", contains: ["desired count is 0", "runs no tasks"]),
    DecisionCase(name: "desired count 0: deployed once COMPLETED", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, desired: 0, rollout: "COMPLETED")]),
        kind: "succeeded", contains: ["desired count is 0"]),
    DecisionCase(name: "desired count 0: rollout still IN_PROGRESS", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, desired: 0), oldDeployment(running: 0)]),
        kind: "keepWaiting"),
    DecisionCase(name: "DAEMON service: desired is the number of instances", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, desired: 3, running: 3, rollout: "COMPLETED")], scheduling: "DAEMON"),
        kind: "succeeded", contains: ["daemon service on 3 instances", "running 3/3"]),
    DecisionCase(name: "CODE_DEPLOY controller", service: Fixture.service(deployments: [], controller: "CODE_DEPLOY"),
        kind: "unsupported", contains: ["CODE_DEPLOY deployment controller", "only ECS rolling deployments"]),
    DecisionCase(name: "EXTERNAL controller", service: Fixture.service(deployments: [], controller: "EXTERNAL"),
        kind: "unsupported", contains: ["EXTERNAL"]),
    DecisionCase(name: "no deploymentController means ECS", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 2, rollout: "COMPLETED")], controller: nil),
        kind: "succeeded"),
    DecisionCase(name: "INACTIVE service", service: Fixture.service(status: "INACTIVE", deployments: []),
        kind: "failed", contains: ["service web is INACTIVE"]),
    DecisionCase(name: "DRAINING service", service: Fixture.service(status: "DRAINING", deployments: [
        Fixture.deployment(ours, td: v8, running: 2, rollout: "COMPLETED")]),
        kind: "failed", contains: ["service web is DRAINING"]),
    DecisionCase(name: "without a deployment id ours is found by task definition", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 2, rollout: "COMPLETED"), oldDeployment(running: 0)]),
        expectation: expecting(id: nil, td: "web:8"), kind: "succeeded", contains: ["ecs-svc/8"]),
    DecisionCase(name: "periodic check for crashes every few polls", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 1, pending: 1), oldDeployment()]),
        previous: Fixture.service(deployments: [Fixture.deployment(ours, td: v8, running: 1, pending: 1), oldDeployment()]),
        poll: 9, kind: "keepWaiting", fetch: true),
    DecisionCase(name: "nothing changed: no fetch", service: Fixture.service(deployments: [
        Fixture.deployment(ours, td: v8, running: 1, pending: 1), oldDeployment()]),
        previous: Fixture.service(deployments: [Fixture.deployment(ours, td: v8, running: 1, pending: 1), oldDeployment()]),
        poll: 8, kind: "keepWaiting", fetch: false),
]

@Suite struct WaitDecisionTests {
    @Test(arguments: cases)
    func decision(_ c: DecisionCase) {
        let d: WaitDecision
        do {
            d = try decide(snapshot: ServiceSnapshot(service: c.service, time: Fixture.epoch + 60, poll: c.poll, previous: c.previous),
                           expectation: c.expectation, stoppedTasks: c.stopped)
        } catch {
            // A service these tools cannot judge is bad input, not an outcome.
            #expect(c.kind == "unsupported", "\(error)")
            #expect((error as? Failure)?.failureKind == .invalidInput)
            for fragment in c.contains {
                #expect(describe(error).contains(fragment), "\(describe(error)) lacks \(fragment)")
            }
            return
        }
        #expect(kind(d) == c.kind, "\(d.status.map { "\($0)" } ?? "keepWaiting"): \(d.reason)")
        for fragment in c.contains {
            #expect(d.reason.contains(fragment), "\(d.reason) lacks \(fragment)")
        }
        if let fetch = c.fetch { #expect(d.fetchStoppedTasks == fetch) }
    }

    @Test func aRollbackWhoseFailedDeploymentIsGoneKeepsItsReason() throws {
        // ECS lists a failed deployment only until its tasks are gone; the event and the stopped tasks remain.
        let events = [
            Fixture.event("e2", at: Fixture.epoch + 50, "(service web) (deployment \(newer)) deployment completed."),
            Fixture.event("e1", at: Fixture.epoch + 30, "(service web) (deployment \(ours)) deployment failed: tasks failed to start."),
        ]
        let svc = Fixture.service(deployments: [Fixture.deployment(newer, td: v7, running: 2, rollout: "COMPLETED")],
                                  events: events)
        let first = try decide(snapshot: ServiceSnapshot(service: svc, time: Fixture.epoch + 60), expectation: expectOurs,
                           stoppedTasks: [])
        #expect(kind(first) == "rolledBack")
        #expect(first.reason.hasSuffix("again (deployment ecs-svc/9): deployment failed: tasks failed to start"))
        #expect(first.fetchStoppedTasks)
        #expect(first.deployment?.id == ours)

        let explained = try decide(snapshot: ServiceSnapshot(service: svc, time: Fixture.epoch + 60), expectation: expectOurs,
                               stoppedTasks: pulls + [Fixture.pullFailure("x", td: v7, startedBy: old)])
        #expect(explained.failingTasks.map { $0.taskArn } == pulls.compactMap { $0["taskArn"]?.stringValue })
        #expect(explained.reason.contains("3x TaskFailedToStart: CannotPullContainerError"))
    }

    @Test func failingTasksAreReportedWithTheDecision() throws {
        let svc = Fixture.service(deployments: [Fixture.deployment(ours, td: v8, running: 1, pending: 1), oldDeployment()])
        let d = try decide(snapshot: ServiceSnapshot(service: svc, time: 0), expectation: expectOurs,
                       stoppedTasks: [crashes[0], Fixture.crash("o1", td: v7, startedBy: old)])
        #expect(d.failingTasks.map { $0.taskArn } == [Fixture.taskArn("c1")])
        #expect(d.deployment?.id == ours)
        #expect(d.failingTasks.first?.json.serialized()
                == #"{"taskArn":"arn:aws:ecs:us-east-1:123456789012:task/prod/c1","stopCode":"EssentialContainerExited","stoppedReason":"Essential container in task exited","containers":[{"name":"app","exitCode":137,"reason":null}]}"#)
    }

    @Test(arguments: [
        (1, 300.0, false, 1.0), (2, 300, false, 2), (3, 300, false, 3), (6, 300, false, 6), (7, 300, false, 6),
        (500, 300, false, 6), (4, 2.5, false, 2.5), (1, 0, false, 0), (3, -4, false, 0), (0, 300, false, 1),
        (1, 300, true, 15), (9, 300, true, 15), (2, 10, true, 10),
    ])
    func pollDelays(attempt: Int, remaining: Double, throttled: Bool, expected: Double) {
        #expect(pollDelay(attempt: attempt, remaining: remaining, throttled: throttled) == expected)
    }

    @Test func pollDelayIsBoundedAndNeverPassesTheDeadline() {
        var total = 0.0
        for attempt in 1...200 {
            let d = pollDelay(attempt: attempt, remaining: 300 - total, throttled: false)
            #expect(d <= 6 && d >= 0)
            total += d
        }
        #expect(total == 300)
    }
}

@Suite struct OrderingGuardTests {
    // Times in milliseconds around Fixture.epoch (seconds), as SQS and ECS report them.
    static let t0: Int64 = 1_700_000_000_000
    static func at(_ offsetSeconds: Double) -> Double { Fixture.epoch + offsetSeconds }

    /// web:8 (ours) PRIMARY created 10 s after t0, web:7 ACTIVE before it.
    static func rolling(_ rollout: String = "IN_PROGRESS", createdAt: Double = at(10)) -> JSON {
        Fixture.service(deployments: [Fixture.deployment(ours, td: v8, running: 1, rollout: rollout, createdAt: createdAt),
                                      Fixture.deployment(old, "ACTIVE", td: v7, running: 2, rollout: "COMPLETED", createdAt: at(-3600))])
    }

    static func first(sent: Int64) -> Delivery { Delivery(sentTimestamp: sent, firstReceiveTimestamp: sent + 100, receiveCount: 1) }
    static func again(sent: Int64, firstReceived: Int64, count: Int64 = 2) -> Delivery {
        Delivery(sentTimestamp: sent, firstReceiveTimestamp: firstReceived, receiveCount: count)
    }

    // The defect this guard replaces: B waited in the queue behind A; A's deployment is newer than B's
    // sending, and B is still the newest definition: it must be deployed.
    @Test func aBackloggedMessageIsDeployedOnItsFirstDelivery() {
        let b = Self.first(sent: Self.t0 - 60_000)
        #expect(judgeDelivery(b, cluster: "prod", service: Self.rolling("COMPLETED")) == .deploy)
    }

    @Test(arguments: [Int64(1), 0])
    func firstDeliveriesAreDeployedWhateverTheServiceRuns(count: Int64) {
        let d = Delivery(sentTimestamp: Self.t0, firstReceiveTimestamp: Self.t0 + 5_000, receiveCount: count)
        #expect(judgeDelivery(d, cluster: "prod", service: Self.rolling()) == .deploy)
    }

    @Test func aRedeliveryReattachesToTheDeploymentItsEarlierDeliveryStarted() {
        let d = Self.again(sent: Self.t0 - 1_000, firstReceived: Self.t0)
        guard case .reattach(let r) = judgeDelivery(d, cluster: "prod", service: Self.rolling()) else {
            Issue.record("not re-attached"); return
        }
        #expect(r.deploymentId == ours)
        #expect(r.taskDefinitionArn == v8)
        #expect(r.previousTaskDefinitionArn == v7)
        #expect(r.reason == "message received 2 times, first at 2023-11-14T22:13:20.000Z: an earlier delivery started deployment ecs-svc/8 of web:8 at 2023-11-14T22:13:30.000Z")
    }

    @Test func aRedeliveryAfterItsDeploymentCompletedAndDrainedReattachesWithNoPrevious() {
        let svc = Fixture.service(deployments: [Fixture.deployment(ours, td: v8, running: 2, rollout: "COMPLETED", createdAt: Self.at(10))])
        let verdict = judgeDelivery(Self.again(sent: Self.t0, firstReceived: Self.t0, count: 3), cluster: "prod", service: svc)
        #expect(verdict == .reattach(Reattachment(
            deploymentId: ours, taskDefinitionArn: v8, previousTaskDefinitionArn: nil,
            reason: "message received 3 times, first at 2023-11-14T22:13:20.000Z: an earlier delivery started deployment ecs-svc/8 of web:8 at 2023-11-14T22:13:30.000Z")))
    }

    @Test func aRedeliveryWhoseEarlierDeliveryStartedNothingIsDeployed() {
        // The deployment in place predates the first receipt: the earlier delivery stopped before UpdateService.
        let d = Self.again(sent: Self.t0 - 1_000, firstReceived: Self.at(11).millis)
        #expect(judgeDelivery(d, cluster: "prod", service: Self.rolling()) == .deploy)
    }

    @Test func theOldestDeploymentSinceTheFirstReceiptIsTheMessages() {
        // Ours (web:8) then a newer one (web:9): the redelivered message is judged on ours, which
        // ecs-wait then reports superseded.
        let svc = Fixture.service(deployments: [
            Fixture.deployment(newer, td: v9, running: 1, createdAt: Self.at(40)),
            Fixture.deployment(ours, "ACTIVE", td: v8, running: 1, createdAt: Self.at(10)),
            Fixture.deployment(old, "ACTIVE", td: v7, running: 1, rollout: "COMPLETED", createdAt: Self.at(-3600)),
        ])
        guard case .reattach(let r) = judgeDelivery(Self.again(sent: Self.t0, firstReceived: Self.t0), cluster: "prod", service: svc) else {
            Issue.record("not re-attached"); return
        }
        #expect(r.deploymentId == ours && r.previousTaskDefinitionArn == v7)
    }

    @Test func aFailedDeploymentRolledBackByTheCircuitBreakerIsTheMessagesNotTheRollback() {
        // Ours (ecs-svc/8) failed and is gone; ECS's rollback deployment (ecs-svc/10, web:7) is PRIMARY.
        let rollback = "ecs-svc/10"
        let svc = Fixture.service(
            deployments: [Fixture.deployment(rollback, td: v7, running: 2, rollout: "COMPLETED", createdAt: Self.at(70))],
            events: [
                Fixture.event("e3", at: Self.at(70), "(service web) rolling back to deployment \(rollback)."),
                Fixture.event("e2", at: Self.at(70), "(service web) (deployment \(ours)) deployment failed: tasks failed to start."),
                Fixture.event("e1", at: Self.at(-50), "(service web) (deployment ecs-svc/1) deployment failed: tasks failed to start."),
            ])
        let verdict = judgeDelivery(Self.again(sent: Self.t0, firstReceived: Self.t0), cluster: "prod", service: svc)
        #expect(verdict == .reattach(Reattachment(
            deploymentId: ours, taskDefinitionArn: nil, previousTaskDefinitionArn: v7,
            reason: "message received 2 times, first at 2023-11-14T22:13:20.000Z: an earlier delivery started deployment ecs-svc/8, which failed and was rolled back by deployment ecs-svc/10")))
    }

    static let deployedNewer = DeployedMessage(cluster: "prod", service: "web", sentTimestamp: t0 - 1_000, deploymentId: ours,
                                               taskDefinitionArn: v8)

    @Test func anOlderMessageThanOneThisWorkerDeployedStillInPlaceIsStale() {
        let verdict = judgeDelivery(Self.first(sent: Self.t0 - 5_000), cluster: "prod", service: Self.rolling("COMPLETED"),
                                    history: [Self.deployedNewer])
        #expect(verdict == .stale("message sent at 2023-11-14T22:13:15.000Z is older than the message sent at 2023-11-14T22:13:19.000Z that this worker deployed as deployment ecs-svc/8 (web:8), still the PRIMARY deployment of service web"))
    }

    struct HistoryCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var sentBefore: Int64
        var cluster = "prod"
        var service = "web"
        var recorded = ours
    }

    @Test(arguments: [
        // Newer by sending time than what was deployed: deploy.
        HistoryCase(testDescription: "newer message", sentBefore: 500),
        // What this worker deployed is no longer PRIMARY (rolled back, or deployed over by someone else).
        HistoryCase(testDescription: "deployment replaced", sentBefore: 5_000, recorded: "ecs-svc/6"),
        // Another service, or the same name in another cluster.
        HistoryCase(testDescription: "other service", sentBefore: 5_000, service: "api"),
        HistoryCase(testDescription: "other cluster", sentBefore: 5_000, cluster: "staging"),
    ])
    func theHistoryMakesStaleOnlyWhatIsOlderThanADeploymentStillInPlace(_ c: HistoryCase) {
        var record = Self.deployedNewer
        record.cluster = c.cluster
        record.service = c.service
        record.deploymentId = c.recorded
        let delivery = Self.first(sent: Self.t0 - c.sentBefore)
        #expect(judgeDelivery(delivery, cluster: "prod", service: Self.rolling("COMPLETED"), history: [record]) == .deploy)
    }

    @Test func theHistoryKnowsAServiceNamedByItsArn() {
        var record = Self.deployedNewer
        record.service = "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
        let verdict = judgeDelivery(Self.first(sent: Self.t0 - 5_000), cluster: "prod", service: Self.rolling("COMPLETED"),
                                    history: [record])
        guard case .stale = verdict else { Issue.record("\(verdict)"); return }
    }

    @Test func aRedeliveryIsReattachedEvenWhenTheHistoryHasANewerMessage() {
        let verdict = judgeDelivery(Self.again(sent: Self.t0 - 5_000, firstReceived: Self.t0), cluster: "prod",
                                    service: Self.rolling(), history: [Self.deployedNewer])
        guard case .reattach = verdict else { Issue.record("\(verdict)"); return }
    }

    @Test func theHistoryIsReadFromEcsUpdateDocuments() throws {
        let updated = try Document(JSON.parse(#"{"message":{"queueUrl":"q","messageId":"m","receiptHandle":"h","sentTimestamp":5,"attributes":{}},"service":"web","cluster":"prod","taskDefinitionArn":"a","deploymentId":"ecs-svc/8"}"#), number: 1)
        #expect(DeployedMessage(updated) == DeployedMessage(cluster: "prod", service: "web", sentTimestamp: 5, deploymentId: "ecs-svc/8", taskDefinitionArn: "a"))
        let stale = try Document(JSON.parse(#"{"message":{"queueUrl":"q","messageId":"m","receiptHandle":"h","sentTimestamp":5,"attributes":{}},"service":"web","cluster":"prod","result":{"status":"stale","reason":"x"}}"#), number: 2)
        #expect(DeployedMessage(stale) == nil)
    }

    @Test(arguments: [(0.0, "1970-01-01T00:00:00.000Z"), (951_782_400.5, "2000-02-29T00:00:00.500Z"),
                      (1_700_000_000.123, "2023-11-14T22:13:20.123Z"), (4_102_444_799.999, "2099-12-31T23:59:59.999Z")])
    func epochFormatting(seconds: Double, text: String) {
        #expect(formatEpoch(seconds) == text)
    }
}

@Suite struct ProgressTests {
    static let e1 = Fixture.event("e1", at: Fixture.epoch - 100, "(service web) has reached a steady state.")
    static let e2 = Fixture.event("e2", at: Fixture.epoch + 5, "(service web) has started 1 tasks: (task a).")
    static let e3 = Fixture.event("e3", at: Fixture.epoch + 9, "(service web) has started 1 tasks: (task b).")
    static let e4 = Fixture.event("e4", at: Fixture.epoch + 30, "(service web) registered 1 targets in (target-group tg)")

    static func snap(_ d: JSON, events: [JSON], poll: Int) -> ServiceSnapshot {
        ServiceSnapshot(service: Fixture.service(deployments: [d, oldDeployment()], events: events), time: 0, poll: poll)
    }

    @Test func firstSnapshotShowsOnlyEventsOfOurDeploymentOldestFirst() {
        // ECS lists events newest first.
        let s = Self.snap(Fixture.deployment(ours, td: v8, pending: 2), events: [Self.e3, Self.e2, Self.e1], poll: 1)
        #expect(progressLines(previous: nil, current: s, expectation: expectOurs) == [
            "event: (service web) has started 1 tasks: (task a).",
            "event: (service web) has started 1 tasks: (task b).",
            "rollout IN_PROGRESS: ECS deployment ecs-svc/8 in progress.",
            "deployment ecs-svc/8 (web:8): running 0/2, pending 2, failed 0",
        ])
    }

    @Test func laterSnapshotsShowOnlyWhatChanged() {
        let a = Self.snap(Fixture.deployment(ours, td: v8, pending: 2), events: [Self.e3, Self.e2, Self.e1], poll: 1)
        let same = Self.snap(Fixture.deployment(ours, td: v8, pending: 2), events: [Self.e3, Self.e2, Self.e1], poll: 2)
        #expect(progressLines(previous: a, current: same, expectation: expectOurs).isEmpty)

        let counts = Self.snap(Fixture.deployment(ours, td: v8, running: 1, pending: 1), events: [Self.e4, Self.e3, Self.e2, Self.e1], poll: 3)
        #expect(progressLines(previous: same, current: counts, expectation: expectOurs) == [
            "event: (service web) registered 1 targets in (target-group tg)",
            "deployment ecs-svc/8 (web:8): running 1/2, pending 1, failed 0",
        ])

        let done = Self.snap(Fixture.deployment(ours, td: v8, running: 1, pending: 1, rollout: "COMPLETED"),
                             events: [Self.e4, Self.e3, Self.e2, Self.e1], poll: 4)
        #expect(progressLines(previous: counts, current: done, expectation: expectOurs) == [
            "rollout COMPLETED: ECS deployment ecs-svc/8 completed.",
        ])
    }
}
