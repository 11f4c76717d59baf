import AWSCore
import Deployment

import ArgumentParser

/// The --help of each tool: what it reads, what it adds, its environment, exit statuses and examples.
public enum Manual {
    static let input = """
        Reads JSON documents on stdin (JSON Lines, or concatenated pretty-printed values) as they arrive and \
        writes each enriched document to stdout as one line, keeping every field it does not touch in its \
        place. No input: no output, exit 0. A document that fails is reported as one line on stderr \
        (tool: document N: what went wrong) and the next one is processed; the exit status is then that \
        of the most serious failure. A queue message that can never succeed (bad input, 65) is still \
        written, with "result" {"status": "rejected", "reason"}; for other failures nothing is written. \
        A document that already has a "result" passes through untouched. Bad JSON is reported with its \
        line and column and ends the run.
        """

    static let aws = """
        AWS: credentials as the AWS CLI finds them (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, \
        web identity, AWS_PROFILE and the shared files, ECS container or EC2 instance credentials); region from \
        --region, AWS_REGION, AWS_DEFAULT_REGION, the profile, or the SQS queue URL; endpoint from \
        --endpoint-url, AWS_ENDPOINT_URL_SQS/AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL; proxies from HTTPS_PROXY/NO_PROXY.
        """

    static func exits(_ notes: String = "") -> String {
        "EXIT STATUS:\n" + ExitStatus.manual + (notes.isEmpty ? "" : "\n" + notes)
    }

    public static let sqsReceive = CommandConfiguration(
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
            its messageId, not written, and left for the queue's redrive policy (dead-letter queue). An empty \
            queue writes nothing and exits 0.

            With --delete: reads documents on stdin instead, deletes the message (message.queueUrl, \
            message.receiptHandle) of each document, and passes every document through unchanged. A document \
            whose result is failed, rolled_back or timed_out keeps its message on the queue unless \
            --delete-on-failure is given; succeeded, superseded, stale, or no result at all: deleted.

            ENVIRONMENT: SQS_URL (queue), ECS_CLUSTER (default cluster), ECS_TIMEOUT (seconds a deployment may \
            take, default 300; the visibility timeout is ECS_TIMEOUT + 60).
            \(aws)

            \(exits())

            EXAMPLES:
              sqs-receive --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/deploy
              sqs-receive | ecs-register | ecs-update | ecs-wait | sqs-receive --delete
            """,
        version: Version.full)

    public static let ecsRegister = CommandConfiguration(
        commandName: "ecs-register",
        abstract: "Register the task definition of each document and add its ARN as taskDefinitionArn.",
        discussion: """
            \(input)

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
            \(aws)

            \(exits())

            EXAMPLES:
              ecs-register --file taskdef.json
              aws ecs describe-task-definition --task-definition web --include TAGS \\
                | ecs-register
              sqs-receive | ecs-register | ecs-update | ecs-wait
            """,
        version: Version.full)

    public static let ecsUpdate = CommandConfiguration(
        commandName: "ecs-update",
        abstract: "Point each document's service at its task definition and record the deployment it starts.",
        discussion: """
            \(input)

            Reads "service", "cluster" (default --cluster) and "taskDefinitionArn"; looks the service up first \
            (it must exist, be ACTIVE and use the ECS deployment controller), then calls UpdateService and adds \
            "previousTaskDefinitionArn" (what the service ran before) and "deploymentId" (the PRIMARY deployment \
            UpdateService started), which ecs-wait judges. A document ecs-register re-attached to the deployment \
            of an earlier delivery ("reattached": true) passes through unchanged, with no call. Standalone: \
            ecs-update --service S --task-definition ARN writes one document.

            ENVIRONMENT: ECS_CLUSTER (default cluster).
            \(aws)

            \(exits())

            EXAMPLES:
              ecs-update --cluster prod --service web --task-definition web:42
              sqs-receive | ecs-register | ecs-update | ecs-wait
            """,
        version: Version.full)

    public static let ecsWait = CommandConfiguration(
        commandName: "ecs-wait",
        abstract: "Wait for each document's deployment to finish and add its outcome as result.",
        discussion: """
            \(input)

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
            \(aws)

            \(exits("Per status: succeeded 0, failed and rolled_back 1, superseded and stale 3, timed_out 124."))

            EXAMPLES:
              ecs-wait --cluster prod --service web --timeout 600
              sqs-receive | ecs-register | ecs-update | ecs-wait --until stable \\
                | sqs-receive --delete
            """,
        version: Version.full)
}
