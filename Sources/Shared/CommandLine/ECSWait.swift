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
            stale from ecs-update) passes through unchanged with that result's exit status. Several documents \
            are waited for at once, each taken as it arrives: one DescribeServices per poll covers up to 10 \
            services of a cluster, and each result is written as soon as it is known (the output follows the \
            outcomes, not the input). Progress (counts, new service events, rollout state) goes to stderr, one \
            line per change, each starting with the service's name while several are waited for. Standalone: \
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

    @Option(help: ArgumentHelp("Give up on a deployment after this many seconds from when its document was read (env ECS_TIMEOUT; default: 300).", valueName: "s"))
    public var timeout: Double?

    @Option(help: ArgumentHelp("Success when our deployment is deployed (rollout COMPLETED), stable (the only deployment, at full count), or running (one task RUNNING).",
                               valueName: "deployed|stable|running"))
    public var until: WaitUntil = .deployed

    @Option(name: .customLong("max-failed-tasks"),
            help: ArgumentHelp("Fail once this many tasks of our deployment failed to start or stopped.", valueName: "n"))
    public var maxFailedTasks: Int = 3

    @Option(help: ArgumentHelp("Do not wait: write each document that has no result with result timed_out and this reason, its task definition summarised, and call nothing (what a caller stopped between two steps reports).",
                               valueName: "reason"))
    public var interrupted: String?

    public func validate() throws {
        if let t = timeout, !(t > 0 && t.isFinite) { throw ValidationError("--timeout must be a positive number of seconds") }
        if maxFailedTasks < 1 { throw ValidationError("--max-failed-tasks must be at least 1, got \(maxFailedTasks)") }
        if service == nil && (taskDefinition != nil || deploymentId != nil) {
            throw ValidationError("--task-definition and --deployment-id need --service")
        }
        if let reason = interrupted {
            if service != nil { throw ValidationError("--interrupted and --service exclude each other") }
            if reason.isEmpty { throw ValidationError("--interrupted needs a reason") }
        }
    }

    public init() {}

    /// A wait stopped by SIGTERM/SIGINT still reports its document, as timed_out.
    public static let reportsWhenStopped = true

    public func run(_ context: ToolContext) -> ExitStatus {
        if let reason = interrupted { return markInterrupted(context, reason: reason) }
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
            return waitForDocuments(context, timeout: timeout, defaultCluster: cluster, only: Document(object: o, number: 1))
        }
        return waitForDocuments(context, timeout: timeout, defaultCluster: cluster)
    }
}

extension ECSWait {
    /// A document whose deployment is being waited for.
    struct Pending {
        var doc: Document
        let service: String
        let rollback: (deploymentId: String, taskDefinitionArn: String?, failure: JSON)?
    }

    /// Waits for the deployments of every document at once, taking documents as they arrive: those on
    /// one client and cluster share each poll's DescribeServices. A result is written as soon as its
    /// deployment's outcome is known, so the order of the output is the order of the outcomes. Bad JSON
    /// ends the reading, not the waits already started; a stop ends every wait as timed_out. With `only`
    /// (standalone use), that document is judged and the input is not read.
    func waitForDocuments(_ context: ToolContext, timeout: Double, defaultCluster: String, only: Document? = nil) -> ExitStatus {
        let waiter = Waiter(time: context.time, logger: context.logger)
        var input = DocumentInput()
        var reading = only == nil
        var pending: [Int: Pending] = [:]
        var worst = ExitStatus.ok
        defer { context.logger.endProgress() }
        /// A standalone wait's error is the run's, not a document's.
        func failed(_ error: Error, _ doc: Document) -> ExitStatus {
            only == nil ? reportFailure(error, of: doc, number: doc.number, context: context) : fail(context, error)
        }
        if let doc = only {
            do {
                let p = try start(doc, timeout: timeout, defaultCluster: defaultCluster, waiter: waiter, context: context)
                pending[p.ticket] = p.pending
            } catch {
                return failed(error, doc)
            }
        }
        func report(_ finished: [Waiter.Finished]) {
            for f in finished {
                guard let p = pending.removeValue(forKey: f.ticket) else { continue }
                do {
                    let (out, status) = try complete(p, try f.outcome.get(), context: context)
                    context.output.write(line: out.json.serialized())
                    worst = worst.worse(status)
                } catch {
                    worst = worst.worse(failed(error, p.doc))
                }
            }
        }
        while true {
            if context.shouldStop() {
                if reading && !input.ended {
                    context.logger.error("interrupted; document \(input.count + 1) and any after it were not processed")
                }
                report(waiter.interruptAll())
                return worst.worse(.timedOut)
            }
            report(waiter.pollDue())
            if context.shouldStop() { continue }
            if reading {
                do {
                    while let (number, value) = try input.next() {
                        worst = worst.worse(handleDocument(value, number: number, context: context) { doc in
                            // More documents may follow from a pipeline: their first polls are shared.
                            let p = try start(doc, timeout: timeout, defaultCluster: defaultCluster, waiter: waiter,
                                              context: context, firstPollAfter: Self.gatherSeconds)
                            pending[p.ticket] = p.pending
                            return (nil, .ok)
                        })
                    }
                    if input.ended {
                        reading = false
                        waiter.pollFirstOnesNow()
                    } else if context.input.waitReadable(seconds: waiter.nextPoll.map { max(0, $0 - context.time.now()) }) {
                        try input.read(context.input)
                    }
                } catch {
                    // The stream cannot be trusted past bad JSON; the deployments already read are still judged.
                    context.logger.error(describe(error))
                    worst = worst.worse(exitStatus(of: error))
                    reading = false
                    waiter.pollFirstOnesNow()
                }
            } else if let next = waiter.nextPoll {
                context.time.sleep(max(0, next - context.time.now()))
            } else {
                return worst
            }
        }
    }

    /// How long a document's first poll waits for the documents an open input may still bring (a pipeline
    /// writes them one by one); at the end of the input, the first polls are made at once.
    static let gatherSeconds = 0.5

    /// Starts waiting for a document's deployment (or its rollback's).
    func start(_ doc: Document, timeout: Double, defaultCluster: String, waiter: Waiter,
               context: ToolContext, firstPollAfter: Double = 0) throws -> (ticket: Int, pending: Pending) {
        let service = try doc.service()
        let cluster = try doc.cluster() ?? defaultCluster
        let rollback = try doc.rollback()
        // A rollback is judged like any deployment; "previous" is then the definition that failed.
        let expectation = WaitExpectation(deploymentId: try rollback?.deploymentId ?? doc.deploymentId(),
                                          taskDefinitionArn: try rollback.map { $0.taskDefinitionArn } ?? doc.taskDefinitionArn(),
                                          previousTaskDefinitionArn: try rollback == nil ? doc.previousTaskDefinitionArn() : doc.taskDefinitionArn(),
                                          until: until, maxFailedTasks: maxFailedTasks)
        let ecs = try context.factory.ecs(queueUrl: try doc.message()?.queueUrl)
        // No call or retry of the real client may run far past the waits' own deadlines; the few seconds
        // of grace let the last poll, made at a deadline, still get its answer.
        ecs.deadline = max(ecs.deadline ?? 0, context.time.now() + timeout + 5)
        let ticket = waiter.add(ecs: ecs, cluster: cluster, service: service, expectation: expectation, timeout: timeout,
                                firstPollAfter: firstPollAfter)
        return (ticket, Pending(doc: doc, service: service, rollback: rollback))
    }

    /// --interrupted: every document written as a stopped caller must report it, with no call: an outcome
    /// already known is kept, any other becomes timed_out; a task definition body never goes further.
    func markInterrupted(_ context: ToolContext, reason: String) -> ExitStatus {
        forEachDocument(context, passDecided: false) { doc in
            var doc = doc
            doc.summariseTaskDefinition()
            if let known = try doc.result() { return (doc, known.status.exitStatus) }
            doc.set(DocumentKey.result, WaitResult(status: .timedOut, reason: reason).json)
            return (doc, .timedOut)
        }
    }

    /// The document with its result, and the result's exit status; one stderr line tells the outcome.
    func complete(_ p: Pending, _ waited: WaitResult, context: ToolContext) throws -> (Document, ExitStatus) {
        var doc = p.doc
        let result: WaitResult
        if let rollback = p.rollback {
            let final = rolledBackResult(failure: rollback.failure, rollback: waited)
            doc.set(DocumentKey.result, final)
            result = WaitResult(status: WaitStatus(rawValue: final["status"]?.stringValue ?? "") ?? .failed,
                                reason: final["reason"]?.stringValue ?? waited.reason)
        } else {
            doc.set(DocumentKey.result, waited.json)
            result = waited
        }
        let line = "service \(p.service): \(result.status.rawValue): \(result.reason)"
        switch result.status {
        case .succeeded: context.logger.info(line)
        case .superseded, .stale: context.logger.warning(line)
        case .failed, .rolledBack, .timedOut, .rejected: context.logger.error(line)
        }
        return (doc, result.status.exitStatus)
    }

}
