import AWSCore
import Deployment

import ArgumentParser

/// ecs-register: registers each document's `taskDefinition` and adds `taskDefinitionArn`.
///
/// A document from the queue is first judged (`judgeDelivery`): its service must be deployable, a
/// redelivered message is re-attached to the deployment its earlier delivery started, and a message
/// older than one the worker deployed is stale; in those cases nothing is registered.
/// A bare definition (from --file, or on stdin without pipeline fields) gives `{"taskDefinitionArn": …}`.
public struct ECSRegister: ToolCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ecs-register",
        abstract: "Register the task definition of each document and add its ARN as taskDefinitionArn.",
        discussion: """
            \(Manual.input)

            Each document's "taskDefinition" is registered (normalised as sqs-receive does: a describe-task-definition \
            wrapper is unwrapped and the read-only fields dropped) and "taskDefinitionArn" is added. A bare task \
            definition on stdin (an object with family/containerDefinitions and none of message, service, \
            taskDefinitionArn; or describe-task-definition output, only taskDefinition and tags), or the file given \
            with --file, is registered and gives the document {"taskDefinitionArn": ...}. ECS's own validation \
            errors (ClientException) exit 65 with ECS's message.

            A document from the queue (with "message") is judged before anything is registered, with one \
            DescribeServices: its service must exist, be ACTIVE and use the ECS deployment controller (else exit 65, \
            "result" {"status":"rejected"}). A message received again (message.receiveCount > 1) whose service has \
            a deployment created since its first receipt (message.firstReceiveTimestamp) is not deployed twice: \
            "deploymentId", "taskDefinitionArn" and "previousTaskDefinitionArn" of that deployment and \
            "reattached": true are added, and ecs-wait judges it. With --history, a message sent before one deployed \
            there whose deployment is still the service's PRIMARY is stale: "result" {"status":"stale"} is added \
            and the exit status is 3 (sqs-receive --delete then deletes the message).

            ENVIRONMENT: ECS_CLUSTER (default cluster of documents from the queue).
            \(Manual.aws)

            \(Manual.exits())

            EXAMPLES:
              ecs-register --file taskdef.json
              aws ecs describe-task-definition --task-definition web --include TAGS \\
                | ecs-register
              sqs-receive | ecs-register | ecs-update | ecs-wait
            """,
        version: Version.full)

    @OptionGroup public var common: CommonOptions

    @Option(help: ArgumentHelp("Register the task definition in this file (a bare definition or describe-task-definition output) instead of reading stdin.",
                               valueName: "path"))
    public var file: String?

    @Option(help: ArgumentHelp("Documents ecs-update wrote earlier (JSON Lines; a missing file is empty): a message older than one deployed there whose deployment is still the service's PRIMARY is stale. The worker's --watch keeps this file.",
                               valueName: "path"))
    public var history: String?

    public init() {}

    public func run(_ context: ToolContext) -> ExitStatus {
        let defaultCluster = common.resolvedCluster(context.environment)
        if let path = file {
            do {
                let bytes: [UInt8]
                do {
                    bytes = try context.fileSystem.read(path)
                } catch let e as FileError {
                    throw SimpleToolError(.dataError, "cannot read \(e.path): \(e.detail)")
                }
                let value = try JSON.parse(bytes, source: path)
                let arn = try register(value, source: path, queueUrl: nil, context: context)
                context.output.write(line: JSON.object(JSONObject([(DocumentKey.taskDefinitionArn, .string(arn))])).serialized())
                return .ok
            } catch {
                return fail(context, error)
            }
        }
        var history: [DeployedMessage]?
        return forEachDocument(context) { doc in
            var doc = doc
            let source = "document \(doc.number)"
            if isBareDefinition(doc) {
                let arn = try register(doc.json, source: source, queueUrl: nil, context: context)
                return (Document(object: JSONObject([(DocumentKey.taskDefinitionArn, .string(arn))]), number: doc.number), .ok)
            }
            guard let definition = try doc.taskDefinition() else { throw doc.missing(DocumentKey.taskDefinition) }
            let message = try doc.message()
            if let message = message {
                if history == nil { history = try readHistory(self.history, context: context) }
                let cluster = try doc.cluster() ?? defaultCluster
                let service = try deployableService(try context.factory.ecs(queueUrl: message.queueUrl), cluster: cluster, service: try doc.service(),
                                                    clusterNamedByInput: try doc.clusterNamedByInput())
                switch judgeDelivery(Delivery(message), cluster: cluster, service: service, history: history ?? []) {
                case .deploy:
                    break
                case .reattach(let earlier):
                    context.logger.info("\(earlier.reason); re-attached, nothing registered")
                    doc.set(DocumentKey.taskDefinitionArn, earlier.taskDefinitionArn.map(JSON.string) ?? .null)
                    doc.set(DocumentKey.previousTaskDefinitionArn, earlier.previousTaskDefinitionArn.map(JSON.string) ?? .null)
                    doc.set(DocumentKey.deploymentId, .string(earlier.deploymentId))
                    doc.set(DocumentKey.reattached, .bool(true))
                    doc.summariseTaskDefinition()
                    return (doc, .ok)
                case .stale(let reason):
                    context.logger.warning("stale: \(reason); not deployed")
                    let primary = ServiceView(service).primary
                    doc.set(DocumentKey.result, WaitResult(status: .stale, reason: reason, deploymentId: primary?.id,
                                                           taskDefinitionArn: primary?.taskDefinition).json)
                    doc.summariseTaskDefinition()
                    return (doc, WaitStatus.stale.exitStatus)
                }
            }
            let arn = try register(definition, source: source, queueUrl: message?.queueUrl, context: context)
            doc.set(DocumentKey.taskDefinitionArn, .string(arn))
            doc.summariseTaskDefinition()
            return (doc, .ok)
        }
    }
}

/// The deployments recorded in `--history`: what this worker deployed, per message.
private func readHistory(_ path: String?, context: ToolContext) throws -> [DeployedMessage] {
    guard let path = path else { return [] }
    let bytes: [UInt8]
    do {
        bytes = try context.fileSystem.read(path)
    } catch let e as FileError where e.kind == .notFound {
        return []
    } catch let e as FileError {
        throw SimpleToolError(.config, "cannot read --history \(e.path): \(e.detail)")
    }
    var parser = JSONStreamParser(source: path)
    parser.append(bytes)
    parser.finish()
    var records: [DeployedMessage] = []
    do {
        var number = 0
        while let value = try parser.next() {
            number += 1
            if let doc = try? Document(value, number: number), let record = DeployedMessage(doc) { records.append(record) }
        }
    } catch {
        throw SimpleToolError(.config, "--history \(path): \(describe(error))")
    }
    return records
}

/// A task definition itself rather than a pipeline document: describe-task-definition output
/// (only `taskDefinition` and `tags`), or an object with `family`/`containerDefinitions` and no pipeline fields.
func isBareDefinition(_ doc: Document) -> Bool {
    let keys = doc.object.keys
    if doc.has(DocumentKey.taskDefinition) {
        return keys.allSatisfy { $0 == DocumentKey.taskDefinition || $0 == "tags" }
    }
    let pipeline = [DocumentKey.message, DocumentKey.service, DocumentKey.taskDefinitionArn]
    return (doc.has("family") || doc.has("containerDefinitions")) && !pipeline.contains(where: doc.has)
}

private func register(_ value: JSON, source: String, queueUrl: String?, context: ToolContext) throws -> String {
    let definition = try TaskDefinition.normalise(value, source: source)
    if !definition.dropped.isEmpty {
        context.logger.info("\(source): dropped read-only fields \(definition.dropped.joined(separator: ", "))")
    }
    let registered = try context.factory.ecs(queueUrl: queueUrl).registerTaskDefinition(definition.input)
    guard let arn = registered["taskDefinitionArn"]?.stringValue else {
        throw SimpleToolError(.unavailable, "\(source): RegisterTaskDefinition returned no taskDefinitionArn")
    }
    context.logger.info("registered \(arn)")
    return arn
}
