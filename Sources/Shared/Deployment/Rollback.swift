import AWSCore

/// Rolling back a deployment that failed or timed out, for services without ECS's circuit breaker
/// (docs/design.md, "Rollback"): `ecs-update --rollback` points the service back at the task definition
/// it ran before, `ecs-wait` judges that rollback deployment, and the result tells both stories.

/// What `ecs-update --rollback` does with one document.
public enum RollbackPlan: Equatable, Sendable {
    /// The outcome needs no rollback (succeeded, superseded, stale, rejected, or none yet).
    case notNeeded
    /// ECS already rolled back (its circuit breaker): nothing to do; the reason says so.
    case alreadyRolledBack(String)
    /// A rollback is wanted but cannot be made; the result keeps its status and gains the reason.
    case impossible(String)
    /// ECS's own rollback deployment is under way: judge it instead of starting another.
    case attach(deploymentId: String, taskDefinitionArn: String)
    /// Point the service back at this task definition.
    case update(to: String)
}

/// Decides the rollback of a document whose `result` is `status`; `service` is a DescribeServices
/// service taken just now. Pure.
public func planRollback(status: WaitStatus, deploymentId: String?, taskDefinitionArn: String?,
                         previousTaskDefinitionArn: String?, service: JSON) -> RollbackPlan {
    switch status {
    case .failed, .timedOut:
        break
    case .rolledBack:
        return .alreadyRolledBack("ECS already rolled the deployment back; nothing to do")
    case .succeeded, .superseded, .stale, .rejected:
        return .notNeeded
    }
    guard let previous = previousTaskDefinitionArn else {
        return .impossible("no previous task definition is known, so it was not rolled back")
    }
    if sameTaskDefinition(previous, taskDefinitionArn) {
        return .impossible("the previous task definition is the one that failed, so it was not rolled back")
    }
    let view = ServiceView(service)
    guard let primary = view.primary else { return .update(to: previous) }
    if sameTaskDefinition(primary.taskDefinition, previous) {
        // The circuit breaker (or an operator) has already put the previous revision back.
        return .attach(deploymentId: primary.id, taskDefinitionArn: primary.taskDefinition)
    }
    if primary.id != deploymentId, !sameTaskDefinition(primary.taskDefinition, taskDefinitionArn) {
        return .impossible("the service has moved on to \(shortTaskDefinition(primary.taskDefinition)) (deployment \(primary.id)), "
                           + "so it was not rolled back")
    }
    return .update(to: previous)
}

/// The final result of a rolled-back deployment: the original failure's result, its status and
/// reason telling both stories, and the rollback's own outcome under `rollback`. Pure.
///
/// A rollback that succeeded makes the outcome `rolled_back`; one that failed makes it `failed` (both
/// reasons kept); one that was superseded by a newer deployment `superseded`; one whose outcome is
/// unknown `timed_out`.
public func rolledBackResult(failure: JSON, rollback: WaitResult) -> JSON {
    var out = failure.objectValue ?? JSONObject()
    let original = out["reason"]?.stringValue ?? "the deployment failed"
    let target = rollback.taskDefinitionArn.map(shortTaskDefinition) ?? "the previous task definition"
    let by = rollback.deploymentId.map { " (deployment \($0))" } ?? ""
    let status: WaitStatus
    let story: String
    switch rollback.status {
    case .succeeded:
        status = .rolledBack
        story = "rolled back to \(target)\(by): \(rollback.reason)"
    case .superseded, .stale:
        status = .superseded
        story = "the rollback to \(target)\(by) was superseded: \(rollback.reason)"
    case .timedOut:
        status = .timedOut
        story = "the rollback to \(target)\(by) did not finish: \(rollback.reason)"
    case .failed, .rolledBack, .rejected:
        status = .failed
        story = "the rollback to \(target)\(by) failed too: \(rollback.reason)"
    }
    out["status"] = .string(status.rawValue)
    out["reason"] = .string("\(original); \(story)")
    out["rollback"] = rollback.json
    return .object(out)
}
