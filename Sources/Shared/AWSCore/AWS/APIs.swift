/// The SQS operations the tools use (ReceiveMessage, DeleteMessage), as a seam for tests.
public protocol SQSAPI: AnyObject {
    /// The `Messages` array of the response, each message as AWS returns it ([] when none).
    func receiveMessage(_ request: ReceiveMessageRequest) throws -> [JSON]
    func deleteMessage(queueUrl: String, receiptHandle: String) throws
}

/// Parameters of one ReceiveMessage call.
public struct ReceiveMessageRequest: Sendable, Equatable {
    public var queueUrl: String
    public var maxMessages: Int
    public var waitSeconds: Int
    public var visibilityTimeout: Int?
    /// MessageSystemAttributeNames, e.g. SentTimestamp, ApproximateReceiveCount.
    public var systemAttributeNames: [String]
    /// MessageAttributeNames, e.g. service, cluster.
    public var messageAttributeNames: [String]

    public init(queueUrl: String, maxMessages: Int = 1, waitSeconds: Int = 20, visibilityTimeout: Int? = nil,
                systemAttributeNames: [String] = ["SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"],
                messageAttributeNames: [String] = ["service", "cluster"]) {
        self.queueUrl = queueUrl
        self.maxMessages = maxMessages
        self.waitSeconds = waitSeconds
        self.visibilityTimeout = visibilityTimeout
        self.systemAttributeNames = systemAttributeNames
        self.messageAttributeNames = messageAttributeNames
    }
}

/// The ECS operations the tools use, as a seam for tests; results are the AWS JSON shapes.
public protocol ECSAPI: AnyObject {
    /// Seconds since the epoch after which no call or retry starts; nil for none (see `AWSClient.deadline`).
    var deadline: Double? { get set }
    /// The `taskDefinition` of the response.
    func registerTaskDefinition(_ definition: JSON) throws -> JSON
    /// The `service` of the response.
    func updateService(cluster: String, service: String, taskDefinition: String) throws -> JSON
    func describeServices(cluster: String, services: [String]) throws -> DescribeServicesResult
    /// Every task ARN, following nextToken.
    func listTasks(cluster: String, serviceName: String?, startedBy: String?, desiredStatus: String?) throws -> [String]
    /// The `tasks` of the response, asked in batches of 100.
    func describeTasks(cluster: String, tasks: [String]) throws -> [JSON]
}

/// `services` and `failures` of a DescribeServices response.
public struct DescribeServicesResult: Sendable, Equatable {
    public var services: [JSON]
    public var failures: [JSON]
    public init(services: [JSON], failures: [JSON]) {
        self.services = services
        self.failures = failures
    }
}
