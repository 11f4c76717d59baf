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

            ROLLBACK: with --rollback, each document whose "result" is failed or timed_out (as ecs-wait writes \
            it) has its service pointed back at "previousTaskDefinitionArn": "result" moves into "rollback" \
            {"deploymentId", "taskDefinitionArn", "failure"}, and ecs-wait then judges the rollback deployment \
            and writes the final "result": rolled_back (exit 1) when the rollback succeeded, failed (exit 1) when \
            it failed too, each with both reasons and the rollback's own outcome under "result.rollback". Where \
            ECS's circuit breaker has rolled back already, nothing is done (its rollback deployment, if still \
            under way, is judged instead). A document with no previous task definition, or whose service has \
            moved on to another one, keeps its result, and the reason says why it was not rolled back. Other \
            documents pass through. Uses only DescribeServices and UpdateService.

            ENVIRONMENT: ECS_CLUSTER (default cluster).
            \(Manual.aws)

            \(Manual.exits())

            EXAMPLES:
              ecs-update --cluster prod --service web --task-definition web:42
              sqs-receive | ecs-register | ecs-update | ecs-wait
              ... | ecs-wait | ecs-update --rollback | ecs-wait
            """,
        version: Version.full)

    @OptionGroup public var common: CommonOptions

    @Option(help: ArgumentHelp("Update this service, instead of the services of the documents on stdin (needs --task-definition).",
                               valueName: "name"))
    public var service: String?

    @Option(name: .customLong("task-definition"),
            help: ArgumentHelp("With --service: the task definition to deploy (ARN or family:revision).", valueName: "arn"))
    public var taskDefinition: String?

    @Flag(help: "Instead of deploying: roll each failed or timed-out document's service back to its previousTaskDefinitionArn (see ROLLBACK).")
    public var rollback = false

    public func validate() throws {
        if rollback && service != nil { throw ValidationError("--rollback reads the documents on stdin; it takes no --service") }
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
        if rollback {
            // The documents to roll back are the decided ones.
            return forEachDocument(context, passDecided: false) { doc in
                try rollBack(doc, defaultCluster: cluster, context: context)
            }
        }
        return forEachDocument(context) { doc in
            let (out, status) = try updateService(doc, defaultCluster: cluster, context: context)
            return (out, status)
        }
    }
}

/// ecs-update --rollback on one document (`planRollback` decides; this only carries it out).
func rollBack(_ doc: Document, defaultCluster: String, context: ToolContext) throws -> (Document, ExitStatus) {
    guard let result = try doc.result(), case .object(var recorded)? = doc.object[DocumentKey.result] else {
        return (doc, .ok)
    }
    var doc = doc
    let service = try doc.service()
    let cluster = try doc.cluster() ?? defaultCluster
    var current = JSON.null
    if result.status == .failed || result.status == .timedOut {
        let ecs = try context.factory.ecs(queueUrl: try doc.message()?.queueUrl)
        current = try describeService(ecs, cluster: cluster, service: service)
    }
    let plan = planRollback(status: result.status, deploymentId: try doc.deploymentId(), taskDefinitionArn: try doc.taskDefinitionArn(),
                            previousTaskDefinitionArn: try doc.previousTaskDefinitionArn(), service: current)
    func started(_ id: String, _ td: String) {
        doc.set(DocumentKey.rollback, .object(JSONObject([("deploymentId", .string(id)), ("taskDefinitionArn", .string(td)),
                                                          ("failure", .object(recorded))])))
        doc.remove(DocumentKey.result)
    }
    switch plan {
    case .notNeeded:
        break
    case .alreadyRolledBack(let reason):
        context.logger.info("service \(service): \(reason)")
    case .impossible(let reason):
        context.logger.warning("service \(service): \(reason)")
        recorded["reason"] = .string("\(result.reason); \(reason)")
        doc.set(DocumentKey.result, .object(recorded))
    case .attach(let id, let td):
        context.logger.info("service \(service): ECS is already rolling back to \(shortTaskDefinition(td)) (deployment \(id)); judging that")
        started(id, td)
        return (doc, .ok)
    case .update(let previous):
        let ecs = try context.factory.ecs(queueUrl: try doc.message()?.queueUrl)
        let primary = try startDeployment(ecs, cluster: cluster, service: service, taskDefinition: previous)
        context.logger.info("service \(service): rolling back to \(shortTaskDefinition(previous)) with deployment \(primary.id)")
        started(primary.id, previous)
        return (doc, .ok)
    }
    return (doc, result.status.exitStatus)
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
    let primary = try startDeployment(ecs, cluster: cluster, service: service, taskDefinition: td)
    doc.set(DocumentKey.previousTaskDefinitionArn, previous.map(JSON.string) ?? .null)
    doc.set(DocumentKey.deploymentId, .string(primary.id))
    context.logger.info("service \(service): deployment \(primary.id) of \(shortTaskDefinition(primary.taskDefinition)) started"
                        + (previous.map { " (was \(shortTaskDefinition($0)))" } ?? ""))
    return (doc, .ok)
}
