import AWSCore
import Deployment

import ArgumentParser

/// ecs-wait: waits for each document's deployment and adds `result`; exits with the worst outcome's status.
public struct ECSWait: ToolCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ecs-wait",
        abstract: "Wait for each document's deployment to finish and add its outcome as result.",
        discussion: """
            \(Manual.input)

            Judges the deployment of the document ("deploymentId", else the one of "taskDefinitionArn"; \
            "previousTaskDefinitionArn" recognises a rollback), never merely what the service runs now, and adds \
            "result": {"status", "reason", "elapsedSeconds", "deploymentId", "taskDefinitionArn", \
            "counts": {"desired","running","pending","failed"}, "rolloutState", "stoppedTasks": [{"taskArn", \
            "stopCode", "stoppedReason", "containers": [{"name","exitCode","reason"}]}]}. Status:
              succeeded    deployed: rolloutState COMPLETED (none reported: as stable);
                           stable: ours alone, at full count; running: one task RUNNING
              failed       rollout FAILED (circuit breaker), or --max-failed-tasks tasks
                           of ours failed to start or stopped, with reasons, exit codes
              rolled_back  ours was replaced by the previous task definition
              superseded   a newer deployment of another task definition replaced ours
              timed_out    --timeout passed, or SIGTERM/SIGINT: the outcome is unknown,
                           the deployment may still finish
            A service with desired count 0 succeeds as soon as it points at our task definition; a DAEMON \
            service's desired count is its number of instances; a service that is INACTIVE fails; one whose \
            deployment controller is not ECS is an error (65). A document that already has a result (e.g. \
            stale from ecs-update) passes through unchanged with that result's exit status. Progress (counts, \
            new service events, rollout state) goes to stderr, one line per change. Standalone: \
            ecs-wait --service S [--task-definition ARN] [--deployment-id ID] judges that deployment (default: \
            the service's PRIMARY one).

            ENVIRONMENT: ECS_CLUSTER (default cluster), ECS_TIMEOUT (default --timeout, 300).
            \(Manual.aws)

            \(Manual.exits("Per status: succeeded 0, failed and rolled_back 1, superseded and stale 3, timed_out 124."))

            EXAMPLES:
              ecs-wait --cluster prod --service web --timeout 600
              sqs-receive | ecs-register | ecs-update | ecs-wait --until stable \\
                | sqs-receive --delete
            """,
        version: Version.full)

    @OptionGroup public var common: CommonOptions

    @Option(help: ArgumentHelp("Wait for this service, instead of the services of the documents on stdin.", valueName: "name"))
    public var service: String?

    @Option(name: .customLong("task-definition"),
            help: ArgumentHelp("With --service: the task definition whose deployment to judge (default: the PRIMARY deployment's).",
                               valueName: "arn"))
    public var taskDefinition: String?

    @Option(name: .customLong("deployment-id"),
            help: ArgumentHelp("With --service: the deployment to judge, e.g. ecs-svc/1234567890123456789.", valueName: "id"))
    public var deploymentId: String?

    @Option(help: ArgumentHelp("Give up after this many seconds, per document (env ECS_TIMEOUT; default: 300).", valueName: "s"))
    public var timeout: Double?

    @Option(help: ArgumentHelp("Success when our deployment is deployed (rollout COMPLETED), stable (the only deployment, at full count), or running (one task RUNNING).",
                               valueName: "deployed|stable|running"))
    public var until: WaitUntil = .deployed

    @Option(name: .customLong("max-failed-tasks"),
            help: ArgumentHelp("Fail once this many tasks of our deployment failed to start or stopped.", valueName: "n"))
    public var maxFailedTasks: Int = 3

    public func validate() throws {
        if let t = timeout, !(t > 0 && t.isFinite) { throw ValidationError("--timeout must be a positive number of seconds") }
        if maxFailedTasks < 1 { throw ValidationError("--max-failed-tasks must be at least 1, got \(maxFailedTasks)") }
        if service == nil && (taskDefinition != nil || deploymentId != nil) {
            throw ValidationError("--task-definition and --deployment-id need --service")
        }
    }

    public init() {}

    /// A wait stopped by SIGTERM/SIGINT still reports its document, as timed_out.
    public static let reportsWhenStopped = true

    public func run(_ context: ToolContext) -> ExitStatus {
        let cluster = common.resolvedCluster(context.environment)
        let timeout: Double
        do {
            timeout = try self.timeout ?? ecsTimeout(context.environment)
        } catch {
            return fail(context, error)
        }
        if let service = service {
            var o = JSONObject()
            o[DocumentKey.service] = .string(service)
            o[DocumentKey.cluster] = .string(cluster)
            if let td = taskDefinition { o[DocumentKey.taskDefinitionArn] = .string(td) }
            if let id = deploymentId { o[DocumentKey.deploymentId] = .string(id) }
            do {
                let (out, status) = try waitForDeployment(Document(object: o, number: 1), timeout: timeout,
                                                          defaultCluster: cluster, context: context)
                context.output.write(line: out.json.serialized())
                return status
            } catch {
                return fail(context, error)
            }
        }
        return forEachDocument(context) { doc in
            try waitForDeployment(doc, timeout: timeout, defaultCluster: cluster, context: context)
        }
    }
}

extension ECSWait {
    func waitForDeployment(_ doc: Document, timeout: Double, defaultCluster: String, context: ToolContext) throws -> (Document, ExitStatus) {
        if let recorded = try doc.result() {
            // Already decided upstream (e.g. stale in ecs-update): nothing to wait for.
            context.logger.debug("document \(doc.number): already \(recorded.status.rawValue), passed through")
            return (doc, recorded.status.exitStatus)
        }
        var doc = doc
        let service = try doc.service()
        let cluster = try doc.cluster() ?? defaultCluster
        let rollback = try doc.rollback()
        // A rollback is judged like any deployment; "previous" is then the definition that failed.
        let expectation = WaitExpectation(deploymentId: try rollback?.deploymentId ?? doc.deploymentId(),
                                          taskDefinitionArn: try rollback.map { $0.taskDefinitionArn } ?? doc.taskDefinitionArn(),
                                          previousTaskDefinitionArn: try rollback == nil ? doc.previousTaskDefinitionArn() : doc.taskDefinitionArn(),
                                          until: until, maxFailedTasks: maxFailedTasks)
        let ecs = try context.factory.ecs(queueUrl: try doc.message()?.queueUrl)
        // No call or retry of the real client may run far past the wait's own deadline; the few seconds of
        // grace let the last poll, made at the deadline, still get its answer.
        ecs.deadline = context.time.now() + timeout + 5
        defer { context.logger.endProgress() }
        let waiter = Waiter(ecs: ecs, time: context.time, logger: context.logger, shouldStop: context.shouldStop)
        let waited = try waiter.wait(cluster: cluster, service: service, expectation: expectation, timeout: timeout)
        let result: WaitResult
        if let rollback {
            let final = rolledBackResult(failure: rollback.failure, rollback: waited)
            doc.set(DocumentKey.result, final)
            result = WaitResult(status: WaitStatus(rawValue: final["status"]?.stringValue ?? "") ?? .failed,
                                reason: final["reason"]?.stringValue ?? waited.reason)
        } else {
            doc.set(DocumentKey.result, waited.json)
            result = waited
        }
        let line = "service \(service): \(result.status.rawValue): \(result.reason)"
        switch result.status {
        case .succeeded: context.logger.info(line)
        case .superseded, .stale: context.logger.warning(line)
        case .failed, .rolledBack, .timedOut, .rejected: context.logger.error(line)
        }
        return (doc, result.status.exitStatus)
    }
}
