import AWSCore

/// What to do with a message before anything is registered (docs/messages.md, "Order and redelivery").
///
/// The rule, in two sentences: a message received for the first time is always deployed, so messages
/// handled in queue order are each deployed in turn and the newest ends deployed; a message received
/// again is not deployed again when the service has a deployment created since the message was first
/// received, which its earlier delivery started, and is re-attached to that deployment instead.
/// A `--watch` worker also remembers what it deployed: a message older than one it deployed that is
/// still the service's PRIMARY deployment is stale (best effort against a standard queue's reordering).
public enum DeliveryVerdict: Equatable, Sendable {
    /// Register the definition and update the service.
    case deploy
    /// An earlier delivery of this message started this deployment: judge it, change nothing.
    case reattach(Reattachment)
    /// A newer message's deployment is in place; deploying this one would roll it back.
    case stale(String)
}

/// The deployment an earlier delivery of a message started.
public struct Reattachment: Equatable, Sendable {
    public var deploymentId: String
    /// Nil when the deployment has left the service's list (it failed and ECS rolled it back).
    public var taskDefinitionArn: String?
    /// What the service ran before it, where the service still shows it.
    public var previousTaskDefinitionArn: String?
    public var reason: String

    public init(deploymentId: String, taskDefinitionArn: String?, previousTaskDefinitionArn: String?, reason: String) {
        self.deploymentId = deploymentId
        self.taskDefinitionArn = taskDefinitionArn
        self.previousTaskDefinitionArn = previousTaskDefinitionArn
        self.reason = reason
    }
}

/// How a message was delivered, from SQS's system attributes (milliseconds since the epoch).
public struct Delivery: Equatable, Sendable {
    public var sentTimestamp: Int64?
    public var firstReceiveTimestamp: Int64?
    public var receiveCount: Int64?

    public init(sentTimestamp: Int64?, firstReceiveTimestamp: Int64?, receiveCount: Int64?) {
        self.sentTimestamp = sentTimestamp
        self.firstReceiveTimestamp = firstReceiveTimestamp
        self.receiveCount = receiveCount
    }

    public init(_ message: DocumentMessage) {
        self.init(sentTimestamp: message.sentTimestamp, firstReceiveTimestamp: message.firstReceiveTimestamp,
                  receiveCount: message.receiveCount)
    }
}

/// A deployment a `--watch` worker started for a message, as ecs-update wrote it.
public struct DeployedMessage: Equatable, Sendable {
    public var cluster: String
    public var service: String
    public var sentTimestamp: Int64
    public var deploymentId: String
    public var taskDefinitionArn: String?

    public init(cluster: String, service: String, sentTimestamp: Int64, deploymentId: String, taskDefinitionArn: String?) {
        self.cluster = cluster
        self.service = service
        self.sentTimestamp = sentTimestamp
        self.deploymentId = deploymentId
        self.taskDefinitionArn = taskDefinitionArn
    }

    /// The record in one document ecs-update wrote; nil for a document that started no deployment.
    public init?(_ doc: Document) {
        guard (try? doc.result()) == nil,
              let deployment = try? doc.deploymentId(), let service = try? doc.service(),
              let cluster = try? doc.cluster(), let sent = (try? doc.message())??.sentTimestamp else { return nil }
        self.init(cluster: cluster, service: service, sentTimestamp: sent, deploymentId: deployment,
                  taskDefinitionArn: try? doc.taskDefinitionArn())
    }
}

/// Judges one delivery of a message for `service` (a DescribeServices service) in `cluster`; pure.
public func judgeDelivery(_ delivery: Delivery, cluster: String, service: JSON,
                          history: [DeployedMessage] = []) -> DeliveryVerdict {
    let view = ServiceView(service)
    if let count = delivery.receiveCount, count > 1, let first = delivery.firstReceiveTimestamp,
       let attachment = earlierDelivery(view, firstReceive: first, receiveCount: count) {
        return .reattach(attachment)
    }
    // A newer message this worker deployed, whose deployment still leads the service.
    if let sent = delivery.sentTimestamp,
       // A service may be named by ARN in one message and by name in another.
       let newer = history.filter({ $0.cluster == cluster && $0.service.split(separator: "/").last.map(String.init) == view.name
                                     && $0.sentTimestamp > sent })
           .max(by: { $0.sentTimestamp < $1.sentTimestamp }),
       let primary = view.primary, primary.id == newer.deploymentId {
        return .stale("message sent at \(formatEpoch(Double(sent) / 1000)) is older than the message sent at "
                      + "\(formatEpoch(Double(newer.sentTimestamp) / 1000)) that this worker deployed as deployment "
                      + "\(primary.id) (\(shortTaskDefinition(primary.taskDefinition))), still the PRIMARY deployment of service \(view.name)")
    }
    return .deploy
}

/// The deployment an earlier delivery started: the oldest one created since the message was first
/// received. ECS starts a deployment of its own when its circuit breaker rolls one back; then the
/// failed deployment, named by the service's events, is the message's.
private func earlierDelivery(_ view: ServiceView, firstReceive: Int64, receiveCount: Int64) -> Reattachment? {
    let firstSeconds = Double(firstReceive) / 1000
    let all = view.deployments.sorted { ($0.createdAt ?? 0) < ($1.createdAt ?? 0) }
    guard let ours = all.first(where: { ($0.createdAt ?? 0) >= firstSeconds }), let created = ours.createdAt else { return nil }
    let received = "message received \(receiveCount) times, first at \(formatEpoch(firstSeconds))"
    if let failed = rolledBackDeployment(view, rollback: ours, since: firstSeconds) {
        return Reattachment(deploymentId: failed, taskDefinitionArn: nil, previousTaskDefinitionArn: ours.taskDefinition,
                            reason: "\(received): an earlier delivery started deployment \(failed), which failed and was rolled back by deployment \(ours.id)")
    }
    let before = all.last { ($0.createdAt ?? 0) < created }
    return Reattachment(deploymentId: ours.id, taskDefinitionArn: ours.taskDefinition,
                        previousTaskDefinitionArn: before?.taskDefinition,
                        reason: "\(received): an earlier delivery started deployment \(ours.id) of \(shortTaskDefinition(ours.taskDefinition)) at \(formatEpoch(created))")
}

/// The id of the deployment that `rollback` rolls back, from the events ECS writes together:
/// "(deployment X) deployment failed: …" then "rolling back to deployment <rollback>".
private func rolledBackDeployment(_ view: ServiceView, rollback: Deployment, since: Double) -> String? {
    let events = view.events
    guard let rolling = events.lastIndex(where: { $0.message.contains("rolling back to deployment \(rollback.id)") }) else {
        return nil
    }
    for event in events[...rolling].reversed() where event.createdAt >= since {
        guard let range = event.message.firstRange(of: "(deployment ") else { continue }
        let rest = event.message[range.upperBound...]
        guard let close = rest.firstIndex(of: ")"), rest[close...].hasPrefix(") deployment failed") else { continue }
        return String(rest[..<close])
    }
    return nil
}

/// UTC ISO-8601 with milliseconds.
public func formatEpoch(_ seconds: Double) -> String { ISO8601.format(seconds, milliseconds: true) }
