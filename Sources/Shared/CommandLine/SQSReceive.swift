import AWSCore
import Deployment

import ArgumentParser

/// sqs-receive: one receive (or, with --delete, deletes for the documents on stdin).
public struct SQSReceive: ToolCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sqs-receive",
        abstract: "Receive deployment requests from SQS as JSON documents, or delete the messages of finished ones.",
        discussion: """
            Receives up to --max-messages messages from the queue (long polling up to --wait-seconds) and writes \
            one document per message:
              {"message":{"queueUrl","messageId","receiptHandle","sentTimestamp","receiveCount","attributes"},
               "service", "cluster", "taskDefinition"}
            The body is the task definition: a RegisterTaskDefinition input, or the output of \
            `aws ecs describe-task-definition` (unwrapped, its tags kept, and exactly the read-only fields \
            taskDefinitionArn, revision, status, requiresAttributes, compatibilities, registeredAt, registeredBy, \
            deregisteredAt, deleteRequestedAt dropped, each drop logged). The String message attribute "service" \
            names the service; "cluster", when present, overrides --cluster. Messages are received with a \
            visibility timeout covering the whole deployment and are not deleted here. A message that cannot \
            succeed (body not JSON, no "service" attribute, no family or containerDefinitions) is reported with \
            its messageId and written with only its message and service, and "result" {"status": "rejected", \
            "reason"}; it is not deleted here either: sqs-receive --delete --delete-on-failure deletes it, else \
            the queue's redrive policy (dead-letter queue) takes it. An empty queue writes nothing and exits 0.

            With --delete: reads documents on stdin instead, deletes the message (message.queueUrl, \
            message.receiptHandle) of each document, and passes every document through unchanged. A document \
            whose result is failed, rolled_back or rejected keeps its message on the queue unless \
            --delete-on-failure is given; timed_out always keeps it (the deployment may still finish: the \
            message comes back and is judged again); succeeded, superseded, stale, or no result at all: deleted.

            ENVIRONMENT: SQS_URL (queue), ECS_CLUSTER (default cluster), ECS_TIMEOUT (seconds a deployment may \
            take, default 300; the visibility timeout is ECS_TIMEOUT + 60).
            \(Manual.aws)

            \(Manual.exits())

            EXAMPLES:
              sqs-receive --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/deploy
              sqs-receive | ecs-register | ecs-update | ecs-wait | sqs-receive --delete
            """,
        version: Version.full)

    @OptionGroup public var common: CommonOptions

    @Option(name: .customLong("queue-url"), help: ArgumentHelp("Queue to read (env SQS_URL).", valueName: "url"))
    public var queueURL: String?

    @Option(name: .customLong("wait-seconds"), help: ArgumentHelp("Long-poll up to this many seconds, 0-20.", valueName: "s"))
    public var waitSeconds: Int = 20

    @Option(name: .customLong("max-messages"), help: ArgumentHelp("Receive up to this many messages, 1-10.", valueName: "n"))
    public var maxMessages: Int = 1

    @Option(name: .customLong("visibility-timeout"),
            help: ArgumentHelp("Hide received messages from other workers for this many seconds, 0-43200 (default: ECS_TIMEOUT + 60, i.e. 360).",
                               valueName: "s"))
    public var visibilityTimeout: Int?

    @Flag(help: "Instead of receiving: delete the message of each document on stdin, passing the documents through.")
    public var delete = false

    @Flag(name: .customLong("delete-on-failure"),
          help: "With --delete: also delete messages whose deployment failed or was rolled back, and messages that can never succeed (status rejected); default: leave them for the queue's redrive policy. A timed-out deployment's message is never deleted.")
    public var deleteOnFailure = false

    public init() {}

    public func validate() throws {
        guard (0...20).contains(waitSeconds) else { throw ValidationError("--wait-seconds must be 0 to 20, got \(waitSeconds)") }
        guard (1...10).contains(maxMessages) else { throw ValidationError("--max-messages must be 1 to 10, got \(maxMessages)") }
        if let v = visibilityTimeout, !(0...43200).contains(v) {
            throw ValidationError("--visibility-timeout must be 0 to 43200, got \(v)")
        }
        if deleteOnFailure && !delete { throw ValidationError("--delete-on-failure needs --delete") }
    }

    public func run(_ context: ToolContext) -> ExitStatus {
        if delete { return deleteMessages(context) }
        let env = context.environment
        guard let queue = queueURL ?? env.nonEmpty("SQS_URL") else {
            context.logger.error("no queue: give --queue-url or set SQS_URL")
            return .usage
        }
        var messages: [JSON]
        do {
            // Cover the whole deployment, so no other worker takes the message meanwhile.
            let visibility = try visibilityTimeout ?? Int(ecsTimeout(env).rounded(.up)) + 60
            let request = ReceiveMessageRequest(queueUrl: queue, maxMessages: maxMessages,
                                                waitSeconds: waitSeconds, visibilityTimeout: visibility)
            messages = try context.factory.sqs(queueUrl: queue).receiveMessage(request)
        } catch {
            return fail(context, error)
        }
        messages = inSendingOrder(messages)
        var worst = ExitStatus.ok
        let cluster = common.resolvedCluster(env)
        for message in messages {
            do {
                let (document, dropped) = try messageDocument(message, queueUrl: queue, defaultCluster: cluster)
                let id = message["MessageId"]?.stringValue ?? "?"
                if !dropped.isEmpty {
                    context.logger.info("message \(id): dropped read-only fields \(dropped.joined(separator: ", "))")
                }
                context.logger.debug("message \(id): service \(document["service"]?.stringValue ?? "") in cluster \(document["cluster"]?.stringValue ?? "")")
                context.output.write(line: document.serialized())
            } catch {
                // Not deleted: the queue's redrive policy takes it to the dead-letter queue. A message that can
                // never succeed is still written, marked rejected, so the worker can report it and, when asked,
                // delete it.
                let status = fail(context, error)
                worst = worst.worse(status)
                if status == .dataError, let m = try? documentMessage(message, queueUrl: queue) {
                    var doc = JSONObject()
                    doc[DocumentKey.message] = m.json
                    if let service = m.attributes["service"] { doc[DocumentKey.service] = service }
                    doc[DocumentKey.result] = WaitResult(status: .rejected, reason: describe(error)).json
                    context.output.write(line: JSON.object(doc).serialized())
                }
            }
        }
        return worst
    }
}

/// The messages of one receive, oldest sent first: a standard queue hands a batch out in any order, and
/// the messages of one service must be deployed in the order they were sent (docs/messages.md, "Order and
/// redelivery"). Equal sending times keep the order received, so a FIFO queue's order stands; a message
/// without one goes last.
public func inSendingOrder(_ messages: [JSON]) -> [JSON] {
    let sent = messages.map { m -> Int64 in
        m["Attributes"]?["SentTimestamp"]?.stringValue.flatMap { Int64($0) } ?? Int64.max
    }
    return messages.indices.sorted { (sent[$0], $0) < (sent[$1], $1) }.map { messages[$0] }
}

/// The document of one received message (docs/design.md, "Documents"), and the read-only fields dropped from its definition.
public func messageDocument(_ message: JSON, queueUrl: String, defaultCluster: String) throws -> (JSON, dropped: [String]) {
    let m = try documentMessage(message, queueUrl: queueUrl)
    let id = m.messageId
    let attributes = m.attributes
    try checkNameAttributes(message, id: id)
    guard let service = attributes["service"]?.stringValue, !service.isEmpty else {
        throw SimpleToolError(.dataError, "message \(id): missing string message attribute \"service\"")
    }
    let body: JSON
    do {
        body = try JSON.parse(message["Body"]?.stringValue ?? "", source: "body")
    } catch let e as JSONParseError {
        throw SimpleToolError(.dataError, "message \(id): body is not JSON: line \(e.line), column \(e.column): \(e.reason)")
    }
    let definition = try TaskDefinition.normalise(body, source: "message \(id)")
    var doc = JSONObject()
    doc[DocumentKey.message] = m.json
    doc[DocumentKey.service] = .string(service)
    let cluster = attributes["cluster"]?.stringValue ?? ""
    doc[DocumentKey.cluster] = .string(cluster.isEmpty ? defaultCluster : cluster)
    doc[DocumentKey.taskDefinition] = definition.input
    return (.object(doc), definition.dropped)
}

/// The `message` part of a document: where the message came from and how to delete it.
func documentMessage(_ message: JSON, queueUrl: String) throws -> DocumentMessage {
    let id = message["MessageId"]?.stringValue ?? "?"
    guard let receipt = message["ReceiptHandle"]?.stringValue else {
        throw SimpleToolError(.unavailable, "message \(id): ReceiveMessage returned no receipt handle")
    }
    var attributes = JSONObject()
    for (name, value) in message["MessageAttributes"]?.objectValue ?? JSONObject() {
        let type = value["DataType"]?.stringValue ?? "String"
        if type == "String" || type.hasPrefix("String."), let s = value["StringValue"]?.stringValue {
            attributes[name] = .string(s)
        }
    }
    let system = message["Attributes"]
    var m = DocumentMessage(queueUrl: queueUrl, messageId: id, receiptHandle: receipt, attributes: attributes)
    // SQS sends these numbers as strings.
    func number(_ name: String) -> Int64? { system?[name].flatMap { $0.stringValue.flatMap { Int64($0) } ?? $0.intValue } }
    m.sentTimestamp = number("SentTimestamp")
    m.receiveCount = number("ApproximateReceiveCount")
    m.firstReceiveTimestamp = number("ApproximateFirstReceiveTimestamp")
    return m
}

/// The `service` and `cluster` attributes name AWS resources: they must be of SQS type String (the
/// message contract), and a name with control characters can only be a mistake or a forgery.
private func checkNameAttributes(_ message: JSON, id: String) throws {
    for name in ["service", "cluster"] {
        guard let attribute = message["MessageAttributes"]?[name] else { continue }
        let type = attribute["DataType"]?.stringValue ?? "?"
        guard type == "String" || type.hasPrefix("String.") else {
            throw SimpleToolError(.dataError, "message \(id): message attribute \"\(name)\" must be of type String, got \(type)")
        }
        if let value = attribute["StringValue"]?.stringValue,
           value.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) }) {
            throw SimpleToolError(.dataError, "message \(id): message attribute \"\(name)\" holds control characters")
        }
    }
}

/// Whether a message with this outcome may be deleted (docs/design.md, "Delete policy"): a final success, superseded or stale
/// always; a failure or a message that can never succeed only when asked; an unknown outcome never.
public func deletable(_ status: WaitStatus, deleteOnFailure: Bool) -> Bool {
    switch status {
    case .succeeded, .superseded, .stale: return true
    case .failed, .rolledBack, .rejected: return deleteOnFailure
    case .timedOut: return false
    }
}

extension SQSReceive {
    /// Deletes the message of each document whose outcome is final, passing every document through.
    func deleteMessages(_ context: ToolContext) -> ExitStatus {
        forEachDocument(context, passDecided: false) { doc in
            guard let message = try doc.message() else { throw doc.missing(DocumentKey.message) }
            if let result = try doc.result(), !deletable(result.status, deleteOnFailure: deleteOnFailure) {
                // Never lose a request whose outcome is not final or not a success: the redrive policy decides.
                // A timed-out deployment may still finish; its message comes back and is then judged stale.
                context.logger.info("message \(message.messageId) kept on the queue: \(result.status.rawValue)")
                return (doc, .ok)
            }
            try context.factory.sqs(queueUrl: message.queueUrl).deleteMessage(queueUrl: message.queueUrl, receiptHandle: message.receiptHandle)
            context.logger.info("message \(message.messageId) deleted")
            return (doc, .ok)
        }
    }
}
