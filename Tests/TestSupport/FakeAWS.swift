import AWSCore
import Deployment
import Shared

/// An AWS error as a real client reports it: a kind of failure and one line.
struct FakeAWSError: ReportedError, Equatable {
    var failureKind: FailureKind
    var message: String
    init(_ kind: FailureKind, _ message: String) {
        failureKind = kind
        self.message = message
    }
}

/// Real-shaped ECS JSON, as DescribeServices/DescribeTasks return it.
enum Fixture {
    static let epoch: Double = 1_700_000_000

    static func td(_ familyRevision: String) -> String {
        "arn:aws:ecs:us-east-1:123456789012:task-definition/\(familyRevision)"
    }

    static func deployment(_ id: String, _ status: String = "PRIMARY", td taskDefinition: String,
                           desired: Int64 = 2, running: Int64 = 0, pending: Int64 = 0, failed: Int64 = 0,
                           rollout: String? = "IN_PROGRESS", reason: String? = nil,
                           createdAt: Double = epoch) -> JSON {
        var o = JSONObject()
        o["id"] = .string(id)
        o["status"] = .string(status)
        o["taskDefinition"] = .string(taskDefinition)
        o["desiredCount"] = .int(desired)
        o["pendingCount"] = .int(pending)
        o["runningCount"] = .int(running)
        o["failedTasks"] = .int(failed)
        o["createdAt"] = .double(createdAt)
        o["updatedAt"] = .double(createdAt + 5)
        o["launchType"] = "FARGATE"
        o["platformVersion"] = "1.4.0"
        o["networkConfiguration"] = ["awsvpcConfiguration": ["subnets": ["subnet-0abc"], "assignPublicIp": "DISABLED"]]
        if let r = rollout {
            o["rolloutState"] = .string(r)
            o["rolloutStateReason"] = .string(reason ?? Fixture.defaultReason(r, id))
        }
        return .object(o)
    }

    static func defaultReason(_ state: String, _ id: String) -> String {
        switch state {
        case "COMPLETED": return "ECS deployment \(id) completed."
        case "FAILED": return "ECS deployment circuit breaker: tasks failed to start."
        default: return "ECS deployment \(id) in progress."
        }
    }

    static func event(_ id: String, at time: Double, _ message: String) -> JSON {
        ["id": .string(id), "createdAt": .double(time), "message": .string(message)]
    }

    /// A service; counts default to the sum over its deployments, desired to the PRIMARY's.
    static func service(_ name: String = "web", cluster: String = "prod", status: String = "ACTIVE",
                        desired: Int64? = nil, running: Int64? = nil, pending: Int64? = nil,
                        deployments: [JSON], events: [JSON] = [], scheduling: String = "REPLICA",
                        controller: String? = "ECS") -> JSON {
        let ds = deployments.compactMap(Deployment.init)
        let primary = ds.first { $0.isPrimary }
        var o = JSONObject()
        o["serviceArn"] = .string("arn:aws:ecs:us-east-1:123456789012:service/\(cluster)/\(name)")
        o["serviceName"] = .string(name)
        o["clusterArn"] = .string("arn:aws:ecs:us-east-1:123456789012:cluster/\(cluster)")
        o["loadBalancers"] = []
        o["serviceRegistries"] = []
        o["status"] = .string(status)
        o["desiredCount"] = .int(desired ?? primary?.desiredCount ?? 0)
        o["runningCount"] = .int(running ?? ds.reduce(0) { $0 + $1.runningCount })
        o["pendingCount"] = .int(pending ?? ds.reduce(0) { $0 + $1.pendingCount })
        o["launchType"] = "FARGATE"
        o["taskDefinition"] = primary.map { JSON.string($0.taskDefinition) } ?? .null
        o["deploymentConfiguration"] = [
            "deploymentCircuitBreaker": ["enable": true, "rollback": true],
            "maximumPercent": 200, "minimumHealthyPercent": 100,
        ]
        o["deployments"] = .array(deployments)
        o["events"] = .array(events)
        o["createdAt"] = .double(epoch - 86_400)
        o["placementConstraints"] = []
        o["placementStrategy"] = []
        o["schedulingStrategy"] = .string(scheduling)
        if let c = controller { o["deploymentController"] = ["type": .string(c)] }
        o["enableECSManagedTags"] = false
        o["propagateTags"] = "NONE"
        return .object(o)
    }

    static func container(_ name: String, exitCode: Int64? = nil, reason: String? = nil) -> JSON {
        var o = JSONObject()
        o["containerArn"] = .string("arn:aws:ecs:us-east-1:123456789012:container/prod/\(name)")
        o["name"] = .string(name)
        o["lastStatus"] = "STOPPED"
        if let e = exitCode { o["exitCode"] = .int(e) }
        if let r = reason { o["reason"] = .string(r) }
        return .object(o)
    }

    static func task(_ id: String, td taskDefinition: String, startedBy: String?, lastStatus: String = "STOPPED",
                     stopCode: String?, reason: String?, containers: [JSON] = []) -> JSON {
        var o = JSONObject()
        o["taskArn"] = .string(taskArn(id))
        o["clusterArn"] = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
        o["taskDefinitionArn"] = .string(taskDefinition)
        o["lastStatus"] = .string(lastStatus)
        o["desiredStatus"] = "STOPPED"
        if let s = startedBy { o["startedBy"] = .string(s) }
        if let c = stopCode { o["stopCode"] = .string(c) }
        if let r = reason { o["stoppedReason"] = .string(r) }
        o["containers"] = .array(containers)
        o["createdAt"] = .double(epoch + 10)
        return .object(o)
    }

    static func taskArn(_ id: String) -> String { "arn:aws:ecs:us-east-1:123456789012:task/prod/\(id)" }

    static func pullFailure(_ id: String, td: String, startedBy: String) -> JSON {
        task(id, td: td, startedBy: startedBy, stopCode: "TaskFailedToStart",
             reason: "CannotPullContainerError: pull image manifest has been retried 5 time(s): not found",
             containers: [container("app", reason: "CannotPullContainerError: not found")])
    }

    static func crash(_ id: String, td: String, startedBy: String, exitCode: Int64 = 1) -> JSON {
        task(id, td: td, startedBy: startedBy, stopCode: "EssentialContainerExited",
             reason: "Essential container in task exited", containers: [container("app", exitCode: exitCode)])
    }
}

/// An in-memory ECS: services as real-shaped JSON; a test either scripts DescribeServices frame by
/// frame (each call takes the next frame, the last repeats) or lets UpdateService change the stored service.
final class FakeECS: ECSAPI {
    /// One step of a scripted rollout: the service (nil: MISSING) and the stopped tasks visible then.
    struct Frame {
        var service: JSON?
        var stopped: [JSON] = []
    }

    var services: [String: JSON] = [:]
    /// The deadline the caller set, as the real client would honour it.
    var deadline: Double?
    var stoppedTasks: [JSON] = []
    var frames: [Frame] = []
    private(set) var frameIndex = -1
    /// A scripted rollout per service name, taken one frame per DescribeServices that names it; a
    /// service without one follows `frames`, else `services`.
    var serviceFrames: [String: [Frame]] = [:]
    private var serviceFrameIndex: [String: Int] = [:]
    /// The services each DescribeServices asked for.
    private(set) var describedServiceBatches: [[String]] = []
    /// Errors to throw, in order, per operation name.
    var errors: [String: [Error]] = [:]
    private(set) var calls: [String] = []
    private(set) var registered: [JSON] = []
    private(set) var updates: [(cluster: String, service: String, taskDefinition: String)] = []
    private(set) var listRequests: [(startedBy: String?, desiredStatus: String?)] = []
    private(set) var describedTaskBatches: [[String]] = []
    private var revisions: [String: Int] = [:]
    private var nextDeployment = 7_000_000_000_000_000_001
    var clock: () -> Double

    init(clock: @escaping () -> Double = { Fixture.epoch + 600 }) { self.clock = clock }

    func add(_ service: JSON, cluster: String = "prod") {
        services["\(cluster)/\(service["serviceName"]!.stringValue!)"] = service
    }

    func count(_ name: String) -> Int { calls.filter { $0 == name }.count }

    private func enter(_ name: String) throws {
        calls.append(name)
        if var queued = errors[name], !queued.isEmpty {
            let e = queued.removeFirst()
            errors[name] = queued
            throw e
        }
    }

    private var currentStopped: [JSON] {
        (frames.isEmpty ? stoppedTasks : frames[max(0, frameIndex)].stopped)
            + serviceFrames.sorted { $0.key < $1.key }.flatMap { name, script in
                script[max(0, serviceFrameIndex[name] ?? 0)].stopped
            }
    }

    func registerTaskDefinition(_ definition: JSON) throws -> JSON {
        try enter("RegisterTaskDefinition")
        guard let family = definition["family"]?.stringValue else {
            throw FakeAWSError(.invalidInput, "ClientException: Family is required.")
        }
        if definition["containerDefinitions"]?.arrayValue?.isEmpty ?? true {
            throw FakeAWSError(.invalidInput, "ClientException: Container definitions cannot be empty.")
        }
        registered.append(definition)
        let revision = (revisions[family] ?? 0) + 1
        revisions[family] = revision
        var out = definition
        out["taskDefinitionArn"] = .string(Fixture.td("\(family):\(revision)"))
        out["revision"] = .int(Int64(revision))
        out["status"] = "ACTIVE"
        return out
    }

    func updateService(cluster: String, service: String, taskDefinition: String) throws -> JSON {
        try enter("UpdateService")
        let key = "\(cluster)/\(service)"
        guard var svc = services[key] else { throw FakeAWSError(.invalidInput, "ServiceNotFoundException: Service not found.") }
        updates.append((cluster, service, taskDefinition))
        let desired = svc["desiredCount"]?.intValue ?? 0
        let old = (svc["deployments"]?.arrayValue ?? []).map { d -> JSON in
            var d = d
            if d["status"] == "PRIMARY" { d["status"] = "ACTIVE" }
            return d
        }
        let id = "ecs-svc/\(nextDeployment)"
        nextDeployment += 1
        let arn = taskDefinition.hasPrefix("arn:") ? taskDefinition : Fixture.td(taskDefinition)
        svc["deployments"] = .array([Fixture.deployment(id, td: arn, desired: desired, createdAt: clock())] + old)
        svc["taskDefinition"] = .string(arn)
        services[key] = svc
        return svc
    }

    func describeServices(cluster: String, services names: [String]) throws -> DescribeServicesResult {
        try enter("DescribeServices")
        describedServiceBatches.append(names)
        var found: [JSON] = []
        var failures: [JSON] = []
        for name in names {
            let svc: JSON?
            if let script = serviceFrames[name] {
                let i = min((serviceFrameIndex[name] ?? -1) + 1, script.count - 1)
                serviceFrameIndex[name] = i
                svc = script[i].service
            } else if frames.isEmpty {
                svc = services["\(cluster)/\(name)"]
            } else {
                frameIndex = min(frameIndex + 1, frames.count - 1)
                svc = frames[frameIndex].service
            }
            if let s = svc {
                found.append(s)
            } else {
                failures.append(["arn": .string("arn:aws:ecs:us-east-1:123456789012:service/\(cluster)/\(name)"),
                                 "reason": "MISSING"])
            }
        }
        return DescribeServicesResult(services: found, failures: failures)
    }

    func listTasks(cluster: String, serviceName: String?, startedBy: String?, desiredStatus: String?) throws -> [String] {
        try enter("ListTasks")
        listRequests.append((startedBy, desiredStatus))
        return currentStopped.filter { t in
            (startedBy == nil || t["startedBy"]?.stringValue == startedBy)
                && (desiredStatus == nil || t["desiredStatus"]?.stringValue == desiredStatus)
        }.compactMap { $0["taskArn"]?.stringValue }
    }

    func describeTasks(cluster: String, tasks: [String]) throws -> [JSON] {
        try enter("DescribeTasks")
        describedTaskBatches.append(tasks)
        return currentStopped.filter { tasks.contains($0["taskArn"]?.stringValue ?? "") }
    }
}

/// An in-memory SQS queue.
final class FakeSQS: SQSAPI {
    var messages: [JSON] = []
    var errors: [String: [Error]] = [:]
    private(set) var requests: [ReceiveMessageRequest] = []
    private(set) var deleted: [(queueUrl: String, receiptHandle: String)] = []

    func receiveMessage(_ request: ReceiveMessageRequest) throws -> [JSON] {
        if var queued = errors["ReceiveMessage"], !queued.isEmpty {
            let e = queued.removeFirst()
            errors["ReceiveMessage"] = queued
            throw e
        }
        requests.append(request)
        let n = min(request.maxMessages, messages.count)
        let out = Array(messages.prefix(n))
        messages.removeFirst(n)
        return out
    }

    func deleteMessage(queueUrl: String, receiptHandle: String) throws {
        if var queued = errors["DeleteMessage"], !queued.isEmpty {
            let e = queued.removeFirst()
            errors["DeleteMessage"] = queued
            throw e
        }
        deleted.append((queueUrl, receiptHandle))
    }

    /// A message as ReceiveMessage returns it (AWS JSON protocol).
    static func message(_ id: String, body: String, service: String? = "web", cluster: String? = nil,
                        sent: Int64 = 1_700_000_000_000, receiveCount: Int = 1) -> JSON {
        var attributes = JSONObject()
        if let s = service { attributes["service"] = ["StringValue": .string(s), "DataType": "String"] }
        if let c = cluster { attributes["cluster"] = ["StringValue": .string(c), "DataType": "String"] }
        var o = JSONObject()
        o["MessageId"] = .string(id)
        o["ReceiptHandle"] = .string("AQEB\(id)handle")
        o["MD5OfBody"] = "0123456789abcdef0123456789abcdef"
        o["Body"] = .string(body)
        o["Attributes"] = ["SentTimestamp": .string(String(sent)), "ApproximateReceiveCount": .string(String(receiveCount))]
        o["MessageAttributes"] = .object(attributes)
        return .object(o)
    }
}

/// Hands out the fakes and records the region hints it was given; with `failure`, fails every request
/// for a client (as no credentials or no region would).
final class FakeFactory: AWSClientFactory {
    let sqsClient: FakeSQS
    let ecsClient: FakeECS
    var failure: Error?
    private(set) var sqsHints: [String?] = []
    private(set) var ecsHints: [String?] = []

    init(sqs: FakeSQS = FakeSQS(), ecs: FakeECS = FakeECS()) {
        sqsClient = sqs
        ecsClient = ecs
    }

    func sqs(queueUrl: String?) throws -> SQSAPI {
        sqsHints.append(queueUrl)
        if let e = failure { throw e }
        return sqsClient
    }

    func ecs(queueUrl: String?) throws -> ECSAPI {
        ecsHints.append(queueUrl)
        if let e = failure { throw e }
        return ecsClient
    }
}

/// A tool run against fakes: stdin text in; stdout lines and stderr lines out.
final class Harness {
    let stdout = CapturedLines()
    private(set) var stderr: [String] = []
    let time: ManualTime
    let context: ToolContext

    /// `level` .error keeps stderr to the error lines, as --quiet does.
    init(tool: String, stdin: String = "", chunkSize: Int = 1 << 20, env: [String: String] = [:],
         factory: AWSClientFactory = FakeFactory(), files: [String: String] = [:], time: ManualTime = ManualTime(),
         level: Logger.Level = .error, shouldStop: @escaping () -> Bool = { false }) {
        self.time = time
        let logger = Logger(tool: tool, level: level, clock: { time.now() })
        context = ToolContext(tool: tool, environment: Environment(env), time: time, random: FixedRandom(),
                              fileSystem: MemoryFileSystem(files), input: BytesSource(stdin, chunkSize: chunkSize),
                              output: stdout, logger: logger, factory: factory, shouldStop: shouldStop)
        logger.sink = { [unowned self] line in self.stderr.append(line) }
    }

    var out: [String] { stdout.lines }
    var outJSON: [JSON] { stdout.lines.map { try! JSON.parse($0) } }
}
