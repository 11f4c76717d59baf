/// The two SQS calls the tools make, over the AWS JSON 1.0 protocol; nothing else is callable through it.
public final class SQSClient: SQSAPI {
    private let client: AWSClient

    /// Seconds added to WaitTimeSeconds for the HTTP timeout of a long poll, so the poll ends first.
    static let longPollMargin: Double = 10

    public init(client: AWSClient) {
        precondition(client.service == .sqs, "SQSClient needs an sqs AWSClient")
        self.client = client
    }

    /// See `AWSClient.deadline`.
    public var deadline: Double? {
        get { client.deadline }
        set { client.deadline = newValue }
    }

    public func receiveMessage(_ request: ReceiveMessageRequest) throws -> [JSON] {
        var input = JSONObject()
        input["QueueUrl"] = .string(request.queueUrl)
        input["MaxNumberOfMessages"] = .int(Int64(request.maxMessages))
        input["WaitTimeSeconds"] = .int(Int64(request.waitSeconds))
        if let v = request.visibilityTimeout { input["VisibilityTimeout"] = .int(Int64(v)) }
        if !request.systemAttributeNames.isEmpty {
            let names = JSON.array(request.systemAttributeNames.map { .string($0) })
            input["MessageSystemAttributeNames"] = names
            // The deprecated spelling too: AWS and moto read both, older emulators (ElasticMQ < 1.6.2) only this.
            input["AttributeNames"] = names
        }
        if !request.messageAttributeNames.isEmpty {
            input["MessageAttributeNames"] = .array(request.messageAttributeNames.map { .string($0) })
        }
        let timeout = Double(max(0, request.waitSeconds)) + SQSClient.longPollMargin
        let output = try client.call("ReceiveMessage", .object(input), timeout: timeout)
        return output["Messages"]?.arrayValue ?? []
    }

    public func deleteMessage(queueUrl: String, receiptHandle: String) throws {
        _ = try client.call("DeleteMessage", ["QueueUrl": .string(queueUrl), "ReceiptHandle": .string(receiptHandle)])
    }
}
