import AWSCore
import Deployment

import ArgumentParser

/// The flags of ecs-update besides the common ones.
public struct ECSUpdateOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Update this service, instead of the services of the documents on stdin (needs --task-definition).",
                               valueName: "name"))
    public var service: String?

    @Option(name: .customLong("task-definition"),
            help: ArgumentHelp("With --service: the task definition to deploy (ARN or family:revision).", valueName: "arn"))
    public var taskDefinition: String?

    public init() {}

    public func validate() throws {
        if service != nil && taskDefinition == nil { throw ValidationError("--service needs --task-definition") }
        if service == nil && taskDefinition != nil { throw ValidationError("--task-definition needs --service") }
    }
}

/// ecs-update: points each document's service at its `taskDefinitionArn`, adding
/// `previousTaskDefinitionArn` and `deploymentId`; a document ecs-register re-attached to an earlier
/// delivery's deployment passes through unchanged.
public func runECSUpdate(_ options: ECSUpdateOptions, common: CommonOptions, context: ToolContext) -> ExitStatus {
    let clients = ClientCache(context.factory)
    let cluster = common.resolvedCluster(context.environment)
    if let service = options.service, let td = options.taskDefinition {
        var o = JSONObject()
        o[DocumentKey.service] = .string(service)
        o[DocumentKey.cluster] = .string(cluster)
        o[DocumentKey.taskDefinitionArn] = .string(td)
        do {
            let (out, status) = try updateService(Document(object: o, number: 1), defaultCluster: cluster,
                                                  clients: clients, context: context, clusterFromSettings: true)
            context.output.write(line: out.json.serialized())
            return status
        } catch {
            return fail(context, error)
        }
    }
    return forEachDocument(context) { doc in
        let (out, status) = try updateService(doc, defaultCluster: cluster, clients: clients, context: context)
        return (out, status)
    }
}

func updateService(_ doc: Document, defaultCluster: String, clients: ClientCache,
                   context: ToolContext, clusterFromSettings: Bool = false) throws -> (Document, ExitStatus) {
    var doc = doc
    let service = try doc.service()
    let cluster = try doc.cluster() ?? defaultCluster
    if try doc.reattached(), let id = try doc.deploymentId() {
        context.logger.debug("service \(service): deployment \(id) of an earlier delivery, not updated again")
        return (doc, .ok)
    }
    guard let td = try doc.taskDefinitionArn() else { throw doc.missing(DocumentKey.taskDefinitionArn) }
    let ecs = try clients.ecs(try doc.message()?.queueUrl)
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
