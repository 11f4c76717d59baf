import AWSCore
import Deployment

import ArgumentParser

/// ecs-update: points each document's service at its `taskDefinitionArn`, adding
/// `previousTaskDefinitionArn` and `deploymentId`; a document ecs-register re-attached to an earlier
/// delivery's deployment passes through unchanged.
public struct ECSUpdate: ToolCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ecs-update",
        abstract: "Point each document's service at its task definition and record the deployment it starts.",
        discussion: """
            \(Manual.input)

            Reads "service", "cluster" (default --cluster) and "taskDefinitionArn"; looks the service up first \
            (it must exist, be ACTIVE and use the ECS deployment controller), then calls UpdateService and adds \
            "previousTaskDefinitionArn" (what the service ran before) and "deploymentId" (the PRIMARY deployment \
            UpdateService started), which ecs-wait judges. A document ecs-register re-attached to the deployment \
            of an earlier delivery ("reattached": true) passes through unchanged, with no call. Standalone: \
            ecs-update --service S --task-definition ARN writes one document.

            ENVIRONMENT: ECS_CLUSTER (default cluster).
            \(Manual.aws)

            \(Manual.exits())

            EXAMPLES:
              ecs-update --cluster prod --service web --task-definition web:42
              sqs-receive | ecs-register | ecs-update | ecs-wait
            """,
        version: Version.full)

    @OptionGroup public var common: CommonOptions

    @Option(help: ArgumentHelp("Update this service, instead of the services of the documents on stdin (needs --task-definition).",
                               valueName: "name"))
    public var service: String?

    @Option(name: .customLong("task-definition"),
            help: ArgumentHelp("With --service: the task definition to deploy (ARN or family:revision).", valueName: "arn"))
    public var taskDefinition: String?


    public func validate() throws {
        if service != nil && taskDefinition == nil { throw ValidationError("--service needs --task-definition") }
        if service == nil && taskDefinition != nil { throw ValidationError("--task-definition needs --service") }
    }

    public init() {}

    public func run(_ context: ToolContext) -> ExitStatus {
        let cluster = common.resolvedCluster(context.environment)
        if let service = service, let td = taskDefinition {
            var o = JSONObject()
            o[DocumentKey.service] = .string(service)
            o[DocumentKey.cluster] = .string(cluster)
            o[DocumentKey.taskDefinitionArn] = .string(td)
            do {
                let (out, status) = try updateService(Document(object: o, number: 1), defaultCluster: cluster, context: context,
                                                      clusterFromSettings: true)
                context.output.write(line: out.json.serialized())
                return status
            } catch {
                return fail(context, error)
            }
        }
        return forEachDocument(context) { doc in
            let (out, status) = try updateService(doc, defaultCluster: cluster, context: context)
            return (out, status)
        }
    }
}

func updateService(_ doc: Document, defaultCluster: String, context: ToolContext,
                   clusterFromSettings: Bool = false) throws -> (Document, ExitStatus) {
    var doc = doc
    let service = try doc.service()
    let cluster = try doc.cluster() ?? defaultCluster
    if try doc.reattached(), let id = try doc.deploymentId() {
        context.logger.debug("service \(service): deployment \(id) of an earlier delivery, not updated again")
        return (doc, .ok)
    }
    guard let td = try doc.taskDefinitionArn() else { throw doc.missing(DocumentKey.taskDefinitionArn) }
    let ecs = try context.factory.ecs(queueUrl: try doc.message()?.queueUrl)
    let view = ServiceView(try deployableService(ecs, cluster: cluster, service: service,
                                                 clusterNamedByInput: !clusterFromSettings && doc.clusterNamedByInput()))
    let previous = view.taskDefinition ?? view.primary?.taskDefinition
    let updated = try ecs.updateService(cluster: cluster, service: service, taskDefinition: td)
    guard let primary = ServiceView(updated).primary else {
        throw SimpleToolError(.unavailable, "UpdateService of service \(service) returned no PRIMARY deployment")
    }
    doc.set(DocumentKey.previousTaskDefinitionArn, previous.map(JSON.string) ?? .null)
    doc.set(DocumentKey.deploymentId, .string(primary.id))
    context.logger.info("service \(service): deployment \(primary.id) of \(shortTaskDefinition(primary.taskDefinition)) started"
                        + (previous.map { " (was \(shortTaskDefinition($0)))" } ?? ""))
    return (doc, .ok)
}
