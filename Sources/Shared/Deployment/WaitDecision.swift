import AWSCore

/// When ecs-wait calls a deployment a success.
public enum WaitUntil: String, CaseIterable, Sendable {
    /// Our deployment's rolloutState is COMPLETED (falls back to `stable` where ECS reports none).
    case deployed
    /// Ours is the only deployment left and runs the desired count.
    case stable
    /// At least one task of our revision is RUNNING (the original criterion).
    case running
}

/// What ecs-wait expects of the service: which deployment is ours and when it counts as done.
public struct WaitExpectation: Equatable, Sendable {
    public var deploymentId: String?
    public var taskDefinitionArn: String?
    public var previousTaskDefinitionArn: String?
    public var until: WaitUntil
    public var maxFailedTasks: Int

    public init(deploymentId: String? = nil, taskDefinitionArn: String? = nil, previousTaskDefinitionArn: String? = nil,
                until: WaitUntil = .deployed, maxFailedTasks: Int = 3) {
        self.deploymentId = deploymentId
        self.taskDefinitionArn = taskDefinitionArn
        self.previousTaskDefinitionArn = previousTaskDefinitionArn
        self.until = until
        self.maxFailedTasks = maxFailedTasks
    }
}

/// The decision on one snapshot: the verdict, and whether stopped tasks are worth fetching.
public struct WaitDecision: Equatable, Sendable {
    /// The final outcome (succeeded, failed, rolled_back or superseded); nil while the deployment goes on.
    public var status: WaitStatus?
    /// Why: the outcome's reason, or while waiting, our deployment's counts.
    public var reason: String
    /// Ask ListTasks/DescribeTasks: our failures grew, our running count dropped (a crash after
    /// RUNNING is only visible in the stopped tasks), every few polls, or to explain a failure.
    public var fetchStoppedTasks: Bool
    /// Our deployment as found in the snapshot; nil when it is gone.
    public var deployment: Deployment?
    /// Our failing stopped tasks among those given.
    public var failingTasks: [StoppedTask]

    public init(_ status: WaitStatus?, _ reason: String, fetchStoppedTasks: Bool = false, deployment: Deployment? = nil,
                failingTasks: [StoppedTask] = []) {
        self.status = status
        self.reason = reason
        self.fetchStoppedTasks = fetchStoppedTasks
        self.deployment = deployment
        self.failingTasks = failingTasks
    }
}

/// Polls between periodic stopped-task checks while nothing else asks for one.
/// While a rollout is in progress the stopped tasks are checked every few polls: a crash after RUNNING
/// does not raise failedTasks, and at the capped poll interval this notices one within about 20 s.
let stoppedTaskCheckInterval = 3

/// Judges our deployment in one DescribeServices snapshot (docs/design.md, "Wait semantics"); pure.
/// Throws (bad input, 65) for a service these tools cannot judge: not an ECS rolling deployment.
public func decide(snapshot: ServiceSnapshot, expectation: WaitExpectation, stoppedTasks: [JSON]) throws -> WaitDecision {
    let view = ServiceView(snapshot.service)
    let name = view.name
    if view.controllerType != "ECS" {
        throw Failure(.invalidInput,
                      "service \(name) uses the \(view.controllerType) deployment controller; only ECS rolling deployments can be deployed and judged")
    }
    if let status = view.status, status != "ACTIVE" {
        return WaitDecision(.failed, "service \(name) is \(status)")
    }

    let ourTD = expectation.taskDefinitionArn
    let previousTD = expectation.previousTaskDefinitionArn
    let primary = view.primary
    guard let ours = view.deployment(id: expectation.deploymentId, taskDefinition: ourTD) else {
        return gone(expectation: expectation, view: view, stoppedTasks: stoppedTasks)
    }
    let ourName = "deployment \(ours.id) (\(shortTaskDefinition(ours.taskDefinition)))"
    let failing = stoppedTasks.compactMap(StoppedTask.init).filter { task in
        task.isFailure && (task.startedBy.map { $0 == ours.id } ?? sameTaskDefinition(task.taskDefinitionArn, ours.taskDefinition))
    }
    let failedCount = max(Int(ours.failedTasks), failing.count)
    let rolledBackTo: Deployment? = primary.flatMap { p in
        guard p.id != ours.id, let prev = previousTD, sameTaskDefinition(p.taskDefinition, prev),
              !sameTaskDefinition(p.taskDefinition, ours.taskDefinition) else { return nil }
        return p
    }
    func final(_ status: WaitStatus, _ reason: String, explain: Bool = false) -> WaitDecision {
        // A failure is worth explaining with the tasks' own reasons.
        WaitDecision(status, reason, fetchStoppedTasks: explain, deployment: ours, failingTasks: failing)
    }

    if ours.rolloutState == "FAILED" {
        let reason = ours.rolloutStateReason ?? "rollout failed"
        if let back = rolledBackTo {
            return final(.rolledBack, "\(ourName) failed and was rolled back to \(shortTaskDefinition(back.taskDefinition)) (deployment \(back.id)): \(reason)", explain: true)
        }
        return final(.failed, "\(ourName) failed: \(reason)" + failureDetail(failing), explain: true)
    }
    if !ours.isPrimary {
        if let back = rolledBackTo {
            return final(.rolledBack, "\(ourName) was replaced by the previous task definition \(shortTaskDefinition(back.taskDefinition)) (deployment \(back.id))", explain: true)
        }
        return final(.superseded, supersededReason(ourName: ourName, ourTD: ours.taskDefinition, primary: primary))
    }
    if failedCount >= expectation.maxFailedTasks {
        let what = failing.count >= expectation.maxFailedTasks
            ? "\(failing.count) tasks of \(ourName) stopped"
            : "\(ours.failedTasks) tasks of \(ourName) failed to start"
        // Reasons for failures not yet seen among the stopped tasks are worth one more look.
        return final(.failed, what + failureDetail(failing), explain: failing.count < Int(ours.failedTasks))
    }

    let daemonNote = view.isDaemon ? " (daemon service on \(view.desiredCount) instances)" : ""
    if view.desiredCount == 0 {
        let zero = "desired count is 0: the service points at \(shortTaskDefinition(ours.taskDefinition)) but runs no tasks\(daemonNote)"
        switch expectation.until {
        case .deployed where ours.rolloutState == nil || ours.rolloutState == "COMPLETED",
             .running:
            return final(.succeeded, "\(ourName): \(zero)")
        case .stable where view.deployments.count == 1:
            return final(.succeeded, "\(ourName): \(zero)")
        default:
            break
        }
    }

    let stable = view.deployments.count == 1 && ours.runningCount == ours.desiredCount
        && view.runningCount == view.desiredCount
    switch expectation.until {
    case .deployed where ours.rolloutState == "COMPLETED":
        return final(.succeeded, "\(ourName) completed: \(ours.countsText)\(daemonNote)")
    case .deployed where ours.rolloutState == nil && stable,
         .stable where stable:
        let note = ours.rolloutState == nil && expectation.until == .deployed ? " (no rollout state reported; judged stable)" : ""
        return final(.succeeded, "\(ourName) is stable: \(ours.countsText)\(daemonNote)\(note)")
    case .running where ours.runningCount >= 1:
        return final(.succeeded, "\(ourName) is running: \(ours.countsText)\(daemonNote)")
    default:
        break
    }

    // Still in progress: decide whether the stopped tasks are worth a look.
    var fetch = snapshot.poll % stoppedTaskCheckInterval == 0
    if let before = snapshot.previous.flatMap({ ServiceView($0).deployment(id: ours.id, taskDefinition: nil) }) {
        if ours.failedTasks > before.failedTasks || ours.runningCount < before.runningCount { fetch = true }
    } else if ours.failedTasks > 0 {
        fetch = true
    }
    return WaitDecision(nil, ours.countsText, fetchStoppedTasks: fetch, deployment: ours, failingTasks: failing)
}

/// Our deployment is no longer listed: rolled back if the previous revision runs, else superseded.
/// ECS drops a failed deployment once its tasks are gone, so the reason is taken from what outlives
/// it: the service's "deployment failed" event and the stopped tasks it started.
private func gone(expectation: WaitExpectation, view: ServiceView, stoppedTasks: [JSON]) -> WaitDecision {
    let service = view.name
    let ourName: String
    switch (expectation.deploymentId, expectation.taskDefinitionArn) {
    case (let id?, let td?): ourName = "deployment \(id) (\(shortTaskDefinition(td)))"
    case (let id?, nil): ourName = "deployment \(id)"
    case (nil, let td?): ourName = "the deployment of \(shortTaskDefinition(td))"
    case (nil, nil): ourName = "the deployment"
    }
    // A stand-in for the vanished deployment, so the waiter can look up the tasks it started.
    let ghost = expectation.deploymentId.flatMap { id in
        Deployment(JSON.object(JSONObject([("id", .string(id)), ("taskDefinition", .string(expectation.taskDefinitionArn ?? ""))])))
    }
    let failing = stoppedTasks.compactMap(StoppedTask.init).filter { task in
        task.isFailure && (ghost.map { task.startedBy == $0.id } ?? sameTaskDefinition(task.taskDefinitionArn, expectation.taskDefinitionArn))
    }
    guard let p = view.primary else {
        return WaitDecision(.failed, "\(ourName) is gone and service \(service) has no PRIMARY deployment")
    }
    if let prev = expectation.previousTaskDefinitionArn, sameTaskDefinition(p.taskDefinition, prev),
       !sameTaskDefinition(p.taskDefinition, expectation.taskDefinitionArn) {
        var reason = "\(ourName) is gone and the service runs the previous task definition \(shortTaskDefinition(p.taskDefinition)) again (deployment \(p.id))"
        if let failed = ghost.flatMap({ deploymentFailedEvent(view, id: $0.id) }) { reason += ": \(failed)" }
        return WaitDecision(.rolledBack, reason + failureDetail(failing), fetchStoppedTasks: ghost != nil,
                            deployment: ghost, failingTasks: failing)
    }
    return WaitDecision(.superseded, supersededReason(ourName: ourName + " is gone;", ourTD: expectation.taskDefinitionArn, primary: p))
}

/// The reason of the service event ECS writes when a deployment fails, e.g. "tasks failed to start".
func deploymentFailedEvent(_ view: ServiceView, id: String) -> String? {
    let marker = "(deployment \(id)) deployment failed"
    for event in view.events.reversed() {
        guard let range = event.message.firstRange(of: marker) else { continue }
        var rest = event.message[range.upperBound...]
        while rest.first == ":" || rest.first == " " { rest = rest.dropFirst() }
        if rest.hasSuffix(".") { rest = rest.dropLast() }
        return rest.isEmpty ? "deployment failed" : "deployment failed: \(rest)"
    }
    return nil
}

private func supersededReason(ourName: String, ourTD: String?, primary: Deployment?) -> String {
    guard let p = primary else { return "\(ourName) is no longer the PRIMARY deployment" }
    if sameTaskDefinition(p.taskDefinition, ourTD) {
        return "\(ourName) was replaced by deployment \(p.id) of the same task definition"
    }
    return "\(ourName) was superseded by deployment \(p.id) of \(shortTaskDefinition(p.taskDefinition))"
}

/// The distinct reasons of the failing tasks, most frequent first.
private func failureDetail(_ failing: [StoppedTask]) -> String {
    guard !failing.isEmpty else { return "" }
    var order: [String] = []
    var counts: [String: Int] = [:]
    for t in failing {
        let s = t.summary
        if counts[s] == nil { order.append(s) }
        counts[s, default: 0] += 1
    }
    let sorted = order.enumerated().sorted { a, b in
        let ca = counts[a.element]!, cb = counts[b.element]!
        return ca != cb ? ca > cb : a.offset < b.offset
    }
    return ": " + sorted.map { e in
        let c = counts[e.element]!
        return c > 1 ? "\(c)x \(e.element)" : e.element
    }.joined(separator: "; ")
}

/// Seconds to sleep before the next poll: quick at first (a deployment that is already done is
/// noticed at once), then a bounded interval, never past the deadline; slower only when throttled.
public func pollDelay(attempt: Int, remaining: Double, throttled: Bool) -> Double {
    guard remaining > 0 else { return 0 }
    let base = throttled ? 15.0 : Double(min(max(attempt, 1), 6))
    return min(base, remaining)
}
