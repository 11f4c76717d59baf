import AWSCore

/// Polls one service until our deployment reaches a final outcome, the deadline passes, or a stop is requested.
public final class Waiter {
    let ecs: ECSAPI
    let time: TimeSource
    let logger: Logger
    let shouldStop: () -> Bool
    /// The result lists at most this many stopped tasks.
    public var maxStoppedTasksReported = 10

    public init(ecs: ECSAPI, time: TimeSource, logger: Logger, shouldStop: @escaping () -> Bool = { false }) {
        self.ecs = ecs
        self.time = time
        self.logger = logger
        self.shouldStop = shouldStop
    }

    /// Waits for our deployment of `service`; throws only for errors (service missing, access denied,
    /// AWS failing until the deadline, an unsupported deployment controller), never for an outcome.
    public func wait(cluster: String, service: String, expectation initial: WaitExpectation,
                     timeout: Double) throws -> WaitResult {
        var run = Run(waiter: self, cluster: cluster, service: service, expectation: initial,
                      start: time.now(), timeout: timeout)
        return try run.loop()
    }

    /// The state of one wait.
    private struct Run {
        let waiter: Waiter
        let cluster: String
        let service: String
        var expectation: WaitExpectation
        let start: Double
        let deadline: Double
        var previous: ServiceSnapshot?
        var last: WaitDecision?
        /// Stopped tasks by ARN in the order first seen; those not yet STOPPED are asked again.
        var stopped: [String: JSON] = [:]
        var stoppedOrder: [String] = []
        var warnedAboutTasks = false

        init(waiter: Waiter, cluster: String, service: String, expectation: WaitExpectation, start: Double,
             timeout: Double) {
            self.waiter = waiter
            self.cluster = cluster
            self.service = service
            self.expectation = expectation
            self.start = start
            self.deadline = start + max(0, timeout)
        }

        var time: TimeSource { waiter.time }
        var stoppedList: [JSON] { stoppedOrder.compactMap { stopped[$0] } }

        mutating func loop() throws -> WaitResult {
            var attempt = 0
            while true {
                if waiter.shouldStop() {
                    return unknown("interrupted after \(seconds(time.now() - start)) while waiting for")
                }
                attempt += 1
                var throttled = false
                var failure: ReportedError?
                do {
                    let decision = try poll(attempt)
                    if let status = decision.status { return result(status, decision.reason, decision) }
                } catch let e as ReportedError where [.throttled, .unavailable, .timedOut].contains(e.failureKind) {
                    // The client already retried; a long wait should outlast a passing outage. A call cut
                    // short by the deadline (timedOut) just means the wait is over.
                    failure = e
                    throttled = e.failureKind == .throttled
                    waiter.logger.warning("\(e.message); still waiting")
                }
                if waiter.shouldStop() {
                    return unknown("interrupted after \(seconds(time.now() - start)) while waiting for")
                }
                let remaining = deadline - time.now()
                if remaining <= 0 {
                    if let e = failure, e.failureKind != .timedOut { throw e }
                    return unknown("timed out after \(seconds(time.now() - start)) waiting for")
                }
                time.sleep(pollDelay(attempt: attempt, remaining: remaining, throttled: throttled))
            }
        }

        /// One DescribeServices, plus the stopped tasks when the decision asks for them.
        mutating func poll(_ attempt: Int) throws -> WaitDecision {
            let svc = try describeService(waiter.ecs, cluster: cluster, service: service)
            var snapshot = ServiceSnapshot(service: svc, time: time.now(), poll: attempt, previous: previous?.service)
            if attempt == 1 { pin(ServiceView(svc)) }
            var decision = try decide(snapshot: snapshot, expectation: expectation, stoppedTasks: stoppedList)
            if decision.fetchStoppedTasks, let id = decision.deployment?.id {
                let before = decision.status
                fetchStoppedTasks(startedBy: id)
                decision = try decide(snapshot: snapshot, expectation: expectation, stoppedTasks: stoppedList)
                if decision.status == .failed, before == nil,
                   let fresh = try waiter.ecs.describeServices(cluster: cluster, services: [service]).services.first {
                    // The stopped tasks are newer than the snapshot, and ECS may have judged the deployment
                    // meanwhile: its circuit breaker counts the same failures and rolls back. Its verdict wins.
                    snapshot = ServiceSnapshot(service: fresh, time: time.now(), poll: attempt, previous: previous?.service)
                    decision = try decide(snapshot: snapshot, expectation: expectation, stoppedTasks: stoppedList)
                }
            }
            for line in progressLines(previous: previous, current: snapshot, expectation: expectation) {
                if line.hasPrefix("deployment ") {
                    waiter.logger.progress(line)
                } else {
                    waiter.logger.info(line)
                }
            }
            waiter.logger.debug("poll \(attempt): \(decision.reason)")
            previous = snapshot
            last = decision
            return decision
        }

        /// Fixes which deployment is ours when the caller did not say exactly (standalone use).
        mutating func pin(_ view: ServiceView) {
            guard let ours = view.deployment(id: expectation.deploymentId, taskDefinition: expectation.taskDefinitionArn) else {
                return
            }
            if expectation.deploymentId == nil { expectation.deploymentId = ours.id }
            if expectation.taskDefinitionArn == nil { expectation.taskDefinitionArn = ours.taskDefinition }
            if expectation.previousTaskDefinitionArn == nil, ours.isPrimary,
               let older = view.deployments.first(where: { $0.id != ours.id && !sameTaskDefinition($0.taskDefinition, ours.taskDefinition) }) {
                // What the service ran before ours: lets a standalone wait recognise a rollback.
                expectation.previousTaskDefinitionArn = older.taskDefinition
            }
        }

        mutating func fetchStoppedTasks(startedBy id: String) {
            do {
                let arns = try waiter.ecs.listTasks(cluster: cluster, serviceName: nil, startedBy: id, desiredStatus: "STOPPED")
                let fresh = arns.filter { stopped[$0]?["lastStatus"]?.stringValue != "STOPPED" }
                var i = 0
                while i < fresh.count {
                    let batch = Array(fresh[i..<min(i + 100, fresh.count)])
                    for task in try waiter.ecs.describeTasks(cluster: cluster, tasks: batch) {
                        guard let arn = task["taskArn"]?.stringValue else { continue }
                        if stopped[arn] == nil { stoppedOrder.append(arn) }
                        stopped[arn] = task
                    }
                    i += 100
                }
            } catch {
                // The reasons only explain an outcome the service itself shows; go on without them.
                if !warnedAboutTasks {
                    warnedAboutTasks = true
                    waiter.logger.warning("cannot read stopped tasks of deployment \(id): \(describe(error))")
                }
            }
        }

        func result(_ status: WaitStatus, _ reason: String, _ decision: WaitDecision?) -> WaitResult {
            let ours = decision?.deployment
            let failing = decision?.failingTasks ?? []
            return WaitResult(
                status: status, reason: reason,
                elapsedSeconds: ((time.now() - start) * 1000).rounded() / 1000,
                deploymentId: ours?.id ?? expectation.deploymentId,
                taskDefinitionArn: ours?.taskDefinition ?? expectation.taskDefinitionArn,
                counts: ours.map { TaskCounts(desired: $0.desiredCount, running: $0.runningCount, pending: $0.pendingCount,
                                              failed: max($0.failedTasks, Int64(failing.count))) },
                rolloutState: ours?.rolloutState,
                stoppedTasks: Array(failing.prefix(waiter.maxStoppedTasksReported)))
        }

        /// Timed out or interrupted: the deployment goes on without us.
        func unknown(_ what: String) -> WaitResult {
            var subject = "deployment"
            if let id = last?.deployment?.id ?? expectation.deploymentId { subject += " \(id)" }
            if let td = last?.deployment?.taskDefinition ?? expectation.taskDefinitionArn {
                subject += " (\(shortTaskDefinition(td)))"
            }
            subject += " of service \(service)"
            var reason = "\(what) \(subject)"
            if let d = last?.deployment { reason += " (\(d.countsText)\(d.rolloutState.map { ", rollout \($0)" } ?? ""))" }
            reason += "; the outcome is unknown and the deployment may still finish"
            return result(.timedOut, reason, last)
        }
    }
}

/// "12s" or "1.5s".
func seconds(_ value: Double) -> String {
    let tenths = (max(0, value) * 10).rounded() / 10
    return tenths == tenths.rounded() ? "\(Int64(tenths))s" : "\(tenths)s"
}
