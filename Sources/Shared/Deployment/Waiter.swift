import AWSCore

/// Polls services until each deployment added reaches a final outcome or its deadline passes; the caller
/// drives it (`pollDue`, then waits until `nextPoll`) and ends it on a stop (`interruptAll`). Many
/// deployments are waited for at once: those on one client and cluster share each
/// DescribeServices, up to 10 services per call, so a poll round costs ceil(services / 10) calls however
/// many deployments wait (docs/design.md, "Waiting for several deployments").
public final class Waiter {
    let time: TimeSource
    let logger: Logger
    /// The result lists at most this many stopped tasks.
    public var maxStoppedTasksReported = 10
    /// DescribeServices takes at most this many services.
    public static let servicesPerCall = 10

    /// The deployments being waited for, in the order they were added.
    private var watches: [Watch] = []
    private var nextTicket = 0

    public init(time: TimeSource, logger: Logger) {
        self.time = time
        self.logger = logger
    }

    /// One finished wait: its result, or an error (service missing, access denied, AWS failing until the
    /// deadline, an unsupported deployment controller), never an outcome.
    public typealias Finished = (ticket: Int, outcome: Result<WaitResult, any Error>)

    /// Starts waiting for a deployment; its first poll is due after `firstPollAfter` seconds (a caller that
    /// expects more deployments soon lets them share it). The ticket names it when it finishes.
    @discardableResult
    public func add(ecs: ECSAPI, cluster: String, service: String, expectation: WaitExpectation, timeout: Double,
                    firstPollAfter: Double = 0) -> Int {
        nextTicket += 1
        let watch = Watch(ticket: nextTicket, ecs: ecs, cluster: cluster, service: service, expectation: expectation,
                          start: time.now(), timeout: timeout)
        watch.due += max(0, firstPollAfter)
        watches.append(watch)
        return nextTicket
    }

    /// Makes every first poll still waiting due now: no more deployments are coming to share it.
    public func pollFirstOnesNow() {
        let now = time.now()
        for w in watches where w.attempt == 0 { w.due = min(w.due, now) }
    }

    /// No deployment is being waited for.
    public var isIdle: Bool { watches.isEmpty }

    /// When the next poll is due; nil when idle.
    public var nextPoll: Double? { watches.map(\.due).min() }

    /// Polls every group (client and cluster) that has a deployment due, all its deployments together,
    /// and returns those that finished, in the order they were added.
    public func pollDue() -> [Finished] {
        let now = time.now()
        var finished: [Finished] = []
        var polled = Set<Int>()
        for watch in watches where watch.due <= now && !polled.contains(watch.ticket) {
            let group = watches.filter { $0.ecs === watch.ecs && $0.cluster == watch.cluster }
            polled.formUnion(group.map(\.ticket))
            finished += poll(group)
        }
        let done = Set(finished.map(\.ticket))
        watches.removeAll { done.contains($0.ticket) }
        return finished.sorted { $0.ticket < $1.ticket }
    }

    /// Ends every wait as interrupted: the deployments go on without us.
    public func interruptAll() -> [Finished] {
        let now = time.now()
        let out = watches.map { w -> Finished in
            (w.ticket, .success(w.unknown("interrupted after \(seconds(now - w.start)) while waiting for", self)))
        }
        watches = []
        return out
    }

    /// One poll round of a group: DescribeServices for up to 10 distinct services per call, then each
    /// deployment judges its own service.
    private func poll(_ group: [Watch]) -> [Finished] {
        guard let first = group.first else { return [] }
        let labelled = watches.count > 1
        var names: [String] = []
        for w in group where !names.contains(w.service) { names.append(w.service) }
        var finished: [Finished] = []
        var i = 0
        while i < names.count {
            let chunk = Array(names[i..<min(i + Self.servicesPerCall, names.count)])
            i += Self.servicesPerCall
            let members = group.filter { chunk.contains($0.service) }
            let answer: Result<DescribeServicesResult, any Error>
            do {
                answer = .success(try first.ecs.describeServices(cluster: first.cluster, services: chunk))
            } catch let e as ReportedError where [.throttled, .unavailable, .timedOut].contains(e.failureKind) {
                // The client already retried; a long wait should outlast a passing outage. A call cut
                // short by the deadline (timedOut) just means the wait is over.
                logger.warning("\(e.message); still waiting")
                answer = .failure(e)
            } catch {
                answer = .failure(error)
            }
            for w in members {
                do {
                    if let status = try w.absorb(answer, waiter: self, labelled: labelled) {
                        finished.append((w.ticket, .success(status)))
                    }
                } catch {
                    finished.append((w.ticket, .failure(error)))
                }
            }
        }
        return finished
    }

    /// The state of one wait.
    private final class Watch {
        let ticket: Int
        let ecs: ECSAPI
        let cluster: String
        let service: String
        var expectation: WaitExpectation
        let start: Double
        let deadline: Double
        /// When its next poll is due.
        var due: Double
        var attempt = 0
        var previous: ServiceSnapshot?
        var last: WaitDecision?
        /// Stopped tasks by ARN in the order first seen; those not yet STOPPED are asked again.
        var stopped: [String: JSON] = [:]
        var stoppedOrder: [String] = []
        var warnedAboutTasks = false

        init(ticket: Int, ecs: ECSAPI, cluster: String, service: String, expectation: WaitExpectation, start: Double,
             timeout: Double) {
            self.ticket = ticket
            self.ecs = ecs
            self.cluster = cluster
            self.service = service
            self.expectation = expectation
            self.start = start
            self.deadline = start + max(0, timeout)
            self.due = start
        }

        var stoppedList: [JSON] { stoppedOrder.compactMap { stopped[$0] } }

        /// Takes one poll's answer: the result when the wait is over, else nil with the next poll scheduled.
        /// Throws for an error that waiting cannot mend, or for AWS failing until the deadline.
        func absorb(_ answer: Result<DescribeServicesResult, any Error>, waiter: Waiter, labelled: Bool) throws -> WaitResult? {
            attempt += 1
            var throttled = false
            var failure: ReportedError?
            do {
                let svc = try serviceIn(try answer.get(), cluster: cluster, service: service)
                let decision = try judge(svc, waiter: waiter, labelled: labelled)
                if let status = decision.status { return result(status, decision.reason, decision, waiter) }
            } catch let e as ReportedError where [.throttled, .unavailable, .timedOut].contains(e.failureKind) {
                // A failed shared call was reported once, by the round; this one is ours alone.
                if case .success = answer { waiter.logger.warning("\(e.message); still waiting") }
                failure = e
                throttled = e.failureKind == .throttled
            }
            let now = waiter.time.now()
            let remaining = deadline - now
            if remaining <= 0 {
                if let e = failure, e.failureKind != .timedOut { throw e }
                return unknown("timed out after \(seconds(now - start)) waiting for", waiter)
            }
            due = now + pollDelay(attempt: attempt, remaining: remaining, throttled: throttled)
            return nil
        }

        /// Decides on one snapshot, asking for the stopped tasks when the decision needs them.
        func judge(_ svc: JSON, waiter: Waiter, labelled: Bool) throws -> WaitDecision {
            let time = waiter.time
            var snapshot = ServiceSnapshot(service: svc, time: time.now(), poll: attempt, previous: previous?.service)
            if attempt == 1 { pin(ServiceView(svc)) }
            var decision = try decide(snapshot: snapshot, expectation: expectation, stoppedTasks: stoppedList)
            if decision.fetchStoppedTasks, let id = decision.deployment?.id {
                let before = decision.status
                fetchStoppedTasks(startedBy: id, waiter: waiter)
                decision = try decide(snapshot: snapshot, expectation: expectation, stoppedTasks: stoppedList)
                if decision.status == .failed, before == nil {
                    // The stopped tasks are newer than the snapshot, and ECS may have judged the deployment
                    // meanwhile: its circuit breaker counts the same failures and rolls back. Its verdict wins.
                    let fresh = try describeService(ecs, cluster: cluster, service: service)
                    snapshot = ServiceSnapshot(service: fresh, time: time.now(), poll: attempt, previous: previous?.service)
                    decision = try decide(snapshot: snapshot, expectation: expectation, stoppedTasks: stoppedList)
                }
            }
            // With several deployments waited for at once, each line says whose it is.
            let label = labelled ? "service \(service): " : ""
            for line in progressLines(previous: previous, current: snapshot, expectation: expectation) {
                if line.hasPrefix("deployment ") {
                    waiter.logger.progress(label + line)
                } else {
                    waiter.logger.info(label + line)
                }
            }
            waiter.logger.debug("\(label)poll \(attempt): \(decision.reason)")
            previous = snapshot
            last = decision
            return decision
        }

        /// Fixes which deployment is ours when the caller did not say exactly (standalone use).
        func pin(_ view: ServiceView) {
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

        func fetchStoppedTasks(startedBy id: String, waiter: Waiter) {
            do {
                let arns = try ecs.listTasks(cluster: cluster, serviceName: nil, startedBy: id, desiredStatus: "STOPPED")
                let fresh = arns.filter { stopped[$0]?["lastStatus"]?.stringValue != "STOPPED" }
                var i = 0
                while i < fresh.count {
                    let batch = Array(fresh[i..<min(i + 100, fresh.count)])
                    for task in try ecs.describeTasks(cluster: cluster, tasks: batch) {
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

        func result(_ status: WaitStatus, _ reason: String, _ decision: WaitDecision?, _ waiter: Waiter) -> WaitResult {
            let ours = decision?.deployment
            let failing = decision?.failingTasks ?? []
            return WaitResult(
                status: status, reason: reason,
                elapsedSeconds: ((waiter.time.now() - start) * 1000).rounded() / 1000,
                deploymentId: ours?.id ?? expectation.deploymentId,
                taskDefinitionArn: ours?.taskDefinition ?? expectation.taskDefinitionArn,
                counts: ours.map { TaskCounts(desired: $0.desiredCount, running: $0.runningCount, pending: $0.pendingCount,
                                              failed: max($0.failedTasks, Int64(failing.count))) },
                rolloutState: ours?.rolloutState,
                stoppedTasks: Array(failing.prefix(waiter.maxStoppedTasksReported)))
        }

        /// Timed out or interrupted: the deployment goes on without us.
        func unknown(_ what: String, _ waiter: Waiter) -> WaitResult {
            var subject = "deployment"
            if let id = last?.deployment?.id ?? expectation.deploymentId { subject += " \(id)" }
            if let td = last?.deployment?.taskDefinition ?? expectation.taskDefinitionArn {
                subject += " (\(shortTaskDefinition(td)))"
            }
            subject += " of service \(service)"
            var reason = "\(what) \(subject)"
            if let d = last?.deployment { reason += " (\(d.countsText)\(d.rolloutState.map { ", rollout \($0)" } ?? ""))" }
            reason += "; the outcome is unknown and the deployment may still finish"
            return result(.timedOut, reason, last, waiter)
        }
    }
}

/// "12s" or "1.5s".
func seconds(_ value: Double) -> String {
    let tenths = (max(0, value) * 10).rounded() / 10
    return tenths == tenths.rounded() ? "\(Int64(tenths))s" : "\(tenths)s"
}
