import AWSCore

/// The final status of a deployment as recorded in `result.status`.
public enum WaitStatus: String, CaseIterable, Sendable {
    case succeeded
    case failed
    case rolledBack = "rolled_back"
    case superseded
    case stale
    case timedOut = "timed_out"
    /// The message can never succeed as sent: not JSON, no `service`, a definition ECS rejects, no such service.
    case rejected
}
// Task counts of our deployment in the result.
public struct TaskCounts: Equatable, Sendable {
    public var desired: Int64
    public var running: Int64
    public var pending: Int64
    public var failed: Int64

    public init(desired: Int64, running: Int64, pending: Int64, failed: Int64) {
        self.desired = desired
        self.running = running
        self.pending = pending
        self.failed = failed
    }
}

/// The outcome ecs-wait (or ecs-update's stale guard) adds to the document as `result`.
public struct WaitResult: Equatable, Sendable {
    public var status: WaitStatus
    public var reason: String
    public var elapsedSeconds: Double?
    public var deploymentId: String?
    public var taskDefinitionArn: String?
    public var counts: TaskCounts?
    public var rolloutState: String?
    public var stoppedTasks: [StoppedTask]

    public init(status: WaitStatus, reason: String, elapsedSeconds: Double? = nil, deploymentId: String? = nil,
                taskDefinitionArn: String? = nil, counts: TaskCounts? = nil, rolloutState: String? = nil,
                stoppedTasks: [StoppedTask] = []) {
        self.status = status
        self.reason = reason
        self.elapsedSeconds = elapsedSeconds
        self.deploymentId = deploymentId
        self.taskDefinitionArn = taskDefinitionArn
        self.counts = counts
        self.rolloutState = rolloutState
        self.stoppedTasks = stoppedTasks
    }

    public var json: JSON {
        var o = JSONObject()
        o["status"] = .string(status.rawValue)
        o["reason"] = .string(reason)
        if let e = elapsedSeconds { o["elapsedSeconds"] = .double(e) }
        if let d = deploymentId { o["deploymentId"] = .string(d) }
        if let t = taskDefinitionArn { o["taskDefinitionArn"] = .string(t) }
        if let c = counts {
            o["counts"] = ["desired": .int(c.desired), "running": .int(c.running), "pending": .int(c.pending),
                           "failed": .int(c.failed)]
        }
        if let r = rolloutState { o["rolloutState"] = .string(r) }
        o["stoppedTasks"] = .array(stoppedTasks.map { $0.json })
        return .object(o)
    }
}
