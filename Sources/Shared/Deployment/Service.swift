import AWSCore

/// One entry of a service's `deployments`, read from DescribeServices JSON.
public struct Deployment: Equatable, Sendable {
    public var id: String
    /// PRIMARY, ACTIVE or INACTIVE.
    public var status: String
    public var taskDefinition: String
    public var desiredCount: Int64
    public var runningCount: Int64
    public var pendingCount: Int64
    /// ECS counts only consecutive failures to start here.
    public var failedTasks: Int64
    /// IN_PROGRESS, COMPLETED or FAILED; nil where ECS reports none (e.g. Classic Load Balancer).
    public var rolloutState: String?
    public var rolloutStateReason: String?
    /// Seconds since the epoch.
    public var createdAt: Double?

    public init?(_ json: JSON) {
        guard let id = json["id"]?.stringValue else { return nil }
        self.id = id
        status = json["status"]?.stringValue ?? ""
        taskDefinition = json["taskDefinition"]?.stringValue ?? ""
        desiredCount = json["desiredCount"]?.intValue ?? 0
        runningCount = json["runningCount"]?.intValue ?? 0
        pendingCount = json["pendingCount"]?.intValue ?? 0
        failedTasks = json["failedTasks"]?.intValue ?? 0
        rolloutState = json["rolloutState"]?.stringValue
        rolloutStateReason = json["rolloutStateReason"]?.stringValue
        createdAt = json["createdAt"]?.doubleValue
    }

    public var isPrimary: Bool { status == "PRIMARY" }

    /// "running 1/2, pending 1, failed 0"
    public var countsText: String {
        "running \(runningCount)/\(desiredCount), pending \(pendingCount), failed \(failedTasks)"
    }
}

/// A DescribeServices service, read through the fields the decisions use.
public struct ServiceView: Sendable {
    public var json: JSON

    public init(_ json: JSON) { self.json = json }

    public var name: String { json["serviceName"]?.stringValue ?? "service" }
    /// ACTIVE, DRAINING or INACTIVE.
    public var status: String? { json["status"]?.stringValue }
    public var desiredCount: Int64 { json["desiredCount"]?.intValue ?? 0 }
    public var runningCount: Int64 { json["runningCount"]?.intValue ?? 0 }
    public var pendingCount: Int64 { json["pendingCount"]?.intValue ?? 0 }
    public var taskDefinition: String? { json["taskDefinition"]?.stringValue }
    public var isDaemon: Bool { json["schedulingStrategy"]?.stringValue == "DAEMON" }
    /// ECS, CODE_DEPLOY or EXTERNAL; ECS when absent.
    public var controllerType: String { json["deploymentController"]?["type"]?.stringValue ?? "ECS" }

    public var deployments: [Deployment] {
        (json["deployments"]?.arrayValue ?? []).compactMap(Deployment.init)
    }

    public var primary: Deployment? { deployments.first { $0.isPrimary } }

    /// Service events, oldest first (ECS lists them newest first).
    public var events: [ServiceEvent] {
        (json["events"]?.arrayValue ?? []).compactMap(ServiceEvent.init).reversed()
    }

    /// Our deployment: by id when known, else the deployment of our task definition (PRIMARY preferred).
    public func deployment(id: String?, taskDefinition: String?) -> Deployment? {
        let all = deployments
        if let id = id { return all.first { $0.id == id } }
        if let td = taskDefinition {
            let matching = all.filter { sameTaskDefinition($0.taskDefinition, td) }
            return matching.first { $0.isPrimary } ?? matching.first
        }
        return primary
    }
}

/// One entry of a service's `events`.
public struct ServiceEvent: Equatable, Sendable {
    public var id: String
    public var createdAt: Double
    public var message: String

    public init?(_ json: JSON) {
        guard let message = json["message"]?.stringValue else { return nil }
        self.message = message
        self.id = json["id"]?.stringValue ?? message
        self.createdAt = json["createdAt"]?.doubleValue ?? 0
    }
}

/// One DescribeServices service as seen at one poll, the input of the wait decision.
public struct ServiceSnapshot: Sendable {
    public var service: JSON
    /// Seconds since the epoch when it was taken.
    public var time: Double
    /// 1-based poll number.
    public var poll: Int
    /// The service at the previous poll, to notice what changed.
    public var previous: JSON?

    public init(service: JSON, time: Double, poll: Int = 1, previous: JSON? = nil) {
        self.service = service
        self.time = time
        self.poll = poll
        self.previous = previous
    }
}

/// A stopped task, with what the result reports about why it stopped.
public struct StoppedTask: Equatable, Sendable {
    /// One container of the task.
    public struct Container: Equatable, Sendable {
        public var name: String
        public var exitCode: Int64?
        public var reason: String?
    }

    public var taskArn: String
    public var taskDefinitionArn: String?
    public var startedBy: String?
    public var lastStatus: String?
    public var stopCode: String?
    public var stoppedReason: String?
    public var containers: [Container]

    public init?(_ json: JSON) {
        guard let arn = json["taskArn"]?.stringValue else { return nil }
        taskArn = arn
        taskDefinitionArn = json["taskDefinitionArn"]?.stringValue
        startedBy = json["startedBy"]?.stringValue
        lastStatus = json["lastStatus"]?.stringValue
        stopCode = json["stopCode"]?.stringValue
        stoppedReason = json["stoppedReason"]?.stringValue
        containers = (json["containers"]?.arrayValue ?? []).map { c in
            Container(name: c["name"]?.stringValue ?? "?", exitCode: c["exitCode"]?.intValue,
                      reason: c["reason"]?.stringValue)
        }
    }

    /// Whether the stop is a failure of the revision: failing to start, an essential container
    /// exiting (services run forever), or failing health checks; not scale-in or a manual stop.
    public var isFailure: Bool {
        switch stopCode {
        case "TaskFailedToStart", "EssentialContainerExited":
            return true
        case "ServiceSchedulerInitiated":
            return (stoppedReason ?? "").lowercased().contains("health check")
        default:
            return false
        }
    }

    /// One phrase saying why, e.g. `EssentialContainerExited: Essential container in task exited (app: exit code 1)`.
    public var summary: String {
        var parts: [String] = []
        if let c = stopCode { parts.append(c) }
        if let r = stoppedReason, !r.isEmpty { parts.append(r) }
        var text = parts.joined(separator: ": ")
        let details = containers.compactMap { c -> String? in
            var d: [String] = []
            if let e = c.exitCode { d.append("exit code \(e)") }
            if let r = c.reason, !r.isEmpty, r != stoppedReason { d.append(r) }
            return d.isEmpty ? nil : "\(c.name): " + d.joined(separator: ", ")
        }
        if !details.isEmpty { text += (text.isEmpty ? "" : " ") + "(" + details.joined(separator: "; ") + ")" }
        return text.isEmpty ? "stopped" : text
    }

    /// The shape reported in `result.stoppedTasks`.
    public var json: JSON {
        var o = JSONObject()
        o["taskArn"] = .string(taskArn)
        o["stopCode"] = stopCode.map(JSON.string) ?? .null
        o["stoppedReason"] = stoppedReason.map(JSON.string) ?? .null
        o["containers"] = .array(containers.map { c in
            var co = JSONObject()
            co["name"] = .string(c.name)
            co["exitCode"] = c.exitCode.map(JSON.int) ?? .null
            co["reason"] = c.reason.map(JSON.string) ?? .null
            return .object(co)
        })
        return .object(o)
    }
}
