import AWSCore

/// The lines worth printing between two successive snapshots: new service events (oldest first),
/// a rolloutState change, and our deployment's counts when they changed.
///
/// On the first snapshot only events since our deployment was created are shown, so a wait does not
/// start by replaying the service's history.
public func progressLines(previous: ServiceSnapshot?, current: ServiceSnapshot, expectation: WaitExpectation) -> [String] {
    let now = ServiceView(current.service)
    let before = previous.map { ServiceView($0.service) }
    let ours = now.deployment(id: expectation.deploymentId, taskDefinition: expectation.taskDefinitionArn)
    let oursBefore = before?.deployment(id: ours?.id ?? expectation.deploymentId, taskDefinition: expectation.taskDefinitionArn)
    var lines: [String] = []

    let events: [ServiceEvent]
    if let before = before {
        let seen = Set(before.events.map { $0.id })
        let newest = before.events.last?.createdAt ?? 0
        // ECS keeps a bounded list; an id not seen before but older than what we saw has merely scrolled in.
        events = now.events.filter { !seen.contains($0.id) && $0.createdAt >= newest }
    } else if let since = ours?.createdAt {
        events = now.events.filter { $0.createdAt >= since }
    } else {
        events = []
    }
    lines += events.map { "event: \($0.message)" }

    if let ours = ours {
        if oursBefore?.rolloutState != ours.rolloutState, let state = ours.rolloutState {
            var line = "rollout \(state)"
            if let reason = ours.rolloutStateReason, !reason.isEmpty { line += ": \(reason)" }
            lines.append(line)
        }
        if oursBefore.map({ !sameCounts($0, ours) }) ?? true {
            lines.append("deployment \(ours.id) (\(shortTaskDefinition(ours.taskDefinition))): \(ours.countsText)")
        }
    }
    return lines
}

private func sameCounts(_ a: Deployment, _ b: Deployment) -> Bool {
    a.runningCount == b.runningCount && a.desiredCount == b.desiredCount && a.pendingCount == b.pendingCount
        && a.failedTasks == b.failedTasks
}
