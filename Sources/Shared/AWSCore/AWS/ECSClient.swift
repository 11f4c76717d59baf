/// The five ECS calls the tools make, over the AWS JSON 1.1 protocol; nothing else is callable through it.
public final class ECSClient: ECSAPI {
    private let client: AWSClient

    /// DescribeTasks accepts at most this many tasks per call.
    static let describeTasksBatch = 100
    /// A guard against an endpoint that hands out nextTokens forever.
    static let maxListPages = 1000

    public init(client: AWSClient) {
        precondition(client.service == .ecs, "ECSClient needs an ecs AWSClient")
        self.client = client
    }

    /// See `AWSClient.deadline`.
    public var deadline: Double? {
        get { client.deadline }
        set { client.deadline = newValue }
    }

    public func registerTaskDefinition(_ definition: JSON) throws -> JSON {
        try field("taskDefinition", of: client.call("RegisterTaskDefinition", definition), "RegisterTaskDefinition")
    }

    public func updateService(cluster: String, service: String, taskDefinition: String) throws -> JSON {
        let input: JSON = ["cluster": .string(cluster), "service": .string(service),
                           "taskDefinition": .string(taskDefinition)]
        return try field("service", of: client.call("UpdateService", input), "UpdateService")
    }

    public func describeServices(cluster: String, services: [String]) throws -> DescribeServicesResult {
        let input: JSON = ["cluster": .string(cluster), "services": .array(services.map { .string($0) })]
        let output = try client.call("DescribeServices", input)
        return DescribeServicesResult(services: output["services"]?.arrayValue ?? [],
                                      failures: output["failures"]?.arrayValue ?? [])
    }

    public func listTasks(cluster: String, serviceName: String?, startedBy: String?,
                          desiredStatus: String?) throws -> [String] {
        var arns: [String] = []
        var token: String? = nil
        for _ in 0..<ECSClient.maxListPages {
            var input = JSONObject()
            input["cluster"] = .string(cluster)
            if let serviceName { input["serviceName"] = .string(serviceName) }
            if let startedBy { input["startedBy"] = .string(startedBy) }
            if let desiredStatus { input["desiredStatus"] = .string(desiredStatus) }
            if let token { input["nextToken"] = .string(token) }
            let output = try client.call("ListTasks", .object(input))
            arns += (output["taskArns"]?.arrayValue ?? []).compactMap { $0.stringValue }
            guard let next = output["nextToken"]?.stringValue, !next.isEmpty, next != token else { return arns }
            token = next
        }
        return arns
    }

    public func describeTasks(cluster: String, tasks: [String]) throws -> [JSON] {
        var result: [JSON] = []
        var start = 0
        while start < tasks.count {
            let batch = tasks[start..<min(start + ECSClient.describeTasksBatch, tasks.count)]
            let input: JSON = ["cluster": .string(cluster), "tasks": .array(batch.map { .string($0) })]
            result += try client.call("DescribeTasks", input)["tasks"]?.arrayValue ?? []
            start += ECSClient.describeTasksBatch
        }
        return result
    }

    private func field(_ name: String, of output: JSON, _ operation: String) throws -> JSON {
        guard let value = output[name], !value.isNull else {
            throw AWSError(service: "ecs", operation: operation, httpStatus: 200, code: nil,
                           awsMessage: "the response has no '\(name)'", requestId: nil, kind: .transient)
        }
        return value
    }
}
