# Messages the worker cannot deploy, an `aws ecs describe-task-definition` body, and
# an empty queue. An unusable message stays in the queue for its redrive policy, and
# the service is never touched.
# shellcheck shell=sh disable=SC2154 # rc, ms, Q, MID, BEFORE come from lib.sh

# expect_rejected LABEL REGEX: the message's document says why it can never succeed.
expect_rejected() {
	expect_docs "$1" 1
	expect_doc "$1" result.status rejected
	expect_doc "$1" message.messageId "$MID"
	expect_doc_match "$1" result.reason "$2"
}

# given_body BODY_FILE [setup.py send options]: queue $N, service $N, one message
# (without attributes when no option is given).
given_body() {
	f=$1
	shift
	queue "$N"
	service default "$N"
	if [ $# -eq 0 ]; then
		send_bare "$Q" "$f"
	else
		setup send --queue-url "$Q" --body-file "$f" "$@"
		MID=$REPLY
	fi
	export SQS_URL="$Q"
	BEFORE=$(svc default "$N" taskDefinition) || fail "service $N: no taskDefinition"
}

case_body_not_json() {
	printf '{"family": "%s", "containerDefinitions": [\n' "$N" >body.txt
	given_body body.txt --service "$N"
	worker w
	expect_rc w 65
	expect_stderr w "^sqs-receive: message $MID: body is not JSON: line 2"
	expect_rejected w "body is not JSON"
	expect_stderr w '^ecs-deployment: message left in the queue'
	expect_count "$Q" 1 "after a body that is not JSON"
	expect_unchanged default "$N" "$BEFORE"
}

case_rejected_delete_on_failure() {
	printf 'not json at all\n' >body.txt
	given_body body.txt --service "$N"
	worker w --delete-on-failure
	expect_rc w 65
	expect_rejected w "body is not JSON"
	expect_count "$Q" 0 "after a rejected message with --delete-on-failure"
	expect_unchanged default "$N" "$BEFORE"
}

case_describe_output_body() {
	cat >body.json <<EOF
{
  "taskDefinition": {
    "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/$N:7",
    "containerDefinitions": [
      {"name": "web", "image": "example/web:2", "cpu": 0, "memory": 128, "essential": true,
       "portMappings": [], "environment": [{"name": "MODE", "value": "demo"}], "mountPoints": [], "volumesFrom": []}
    ],
    "family": "$N",
    "revision": 7,
    "volumes": [],
    "status": "ACTIVE",
    "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
    "placementConstraints": [],
    "compatibilities": ["EXTERNAL", "EC2"],
    "registeredAt": "2024-05-01T10:00:00.000000+00:00",
    "registeredBy": "arn:aws:iam::123456789012:user/someone"
  }
}
EOF
	given_body body.json --service "$N"
	worker w
	expect_rc w 0
	expect_doc w result.status succeeded
	# Exactly the read-only fields are dropped (and each drop logged); the rest reaches ECS untouched.
	for field in taskDefinitionArn revision status requiresAttributes compatibilities registeredAt registeredBy; do
		expect_stderr w "dropped read-only fields .*$field"
	done
	arn=$(q w.out taskDefinitionArn) || fail "no taskDefinitionArn"
	admin_ecs describe_task_definition "{\"taskDefinition\": \"$arn\"}" >registered.out || fail "cannot describe $arn"
	expect_doc registered taskDefinition.family "$N"
	expect_doc registered taskDefinition.containerDefinitions.0.environment '[{"name":"MODE","value":"demo"}]'
	expect_doc registered taskDefinition.containerDefinitions.0.cpu 0
	# The output carries a summary: the new revision, not the one of the describe output, and no environment.
	expect_doc w taskDefinition.family "$N"
	expect_doc w taskDefinition.revision "${arn##*:}"
	expect_doc w taskDefinition.containerDefinitions.0.image example/web:2
	if q w.out taskDefinition.containerDefinitions.0.environment >/dev/null; then fail "the output repeats the environment"; fi
	expect_count "$Q" 0 "after a success"
	expect_service default "$N" taskDefinition "$(q w.out taskDefinitionArn)"
}

case_no_service_attribute() {
	taskdef "$N" "$(image 2)" >td.json
	given_body td.json
	worker w
	expect_rc w 65
	expect_stderr w "^sqs-receive: message $MID: .*attribute \"service\""
	expect_rejected w 'attribute "service"'
	expect_count "$Q" 1 "after a message without a service"
	expect_unchanged default "$N" "$BEFORE"
}

case_unknown_service() {
	taskdef "$N" "$(image 2)" >td.json
	given_body td.json --service "$N-nowhere"
	changes_from_here "$N"
	worker w
	expect_rc w 65
	# Judged before anything is registered: the message leaves nothing behind.
	expect_stderr w "^ecs-register: .*(ServiceNotFound|service $N-nowhere not found)"
	expect_rejected w "$N-nowhere"
	expect_count "$Q" 1 "after a message for an unknown service"
	expect_unchanged default "$N" "$BEFORE"
	expect_changes "$N" 0 0
}

case_unknown_cluster() {
	taskdef "$N" "$(image 2)" >td.json
	given_body td.json --service "$N" --cluster "$N-nowhere"
	changes_from_here "$N"
	worker w
	expect_rc w 65
	expect_stderr w '^ecs-register: .*ClusterNotFound'
	expect_rejected w 'ClusterNotFound'
	expect_count "$Q" 1 "after a message for an unknown cluster"
	expect_unchanged default "$N" "$BEFORE"
	expect_changes "$N" 0 0
}

case_rejected_definition() {
	# ECS requires an image for every container.
	printf '{"family": "%s", "containerDefinitions": [{"name": "web", "essential": true, "memory": 128}]}\n' "$N" >td.json
	given_body td.json --service "$N"
	worker w
	expect_rc w 65
	expect_stderr w '^ecs-register: .*(ClientException|InvalidParameter).*[Ii]mage'
	expect_rejected w 'ClientException: Container.image'
	expect_count "$Q" 1 "after a definition ECS rejects"
	expect_unchanged default "$N" "$BEFORE"
}

case_empty_queue() {
	queue "$N"
	export SQS_URL="$Q"
	worker w --wait-seconds 2
	expect_rc w 0
	[ ! -s w.out ] || fail "stdout is not empty on an empty queue"
	# One long poll of at most 2 seconds, then nothing to do.
	record "empty queue, --wait-seconds 2: status $rc after ${ms}ms"
	expect_lt "wall time in ms with --wait-seconds 2" "$ms" 8000
}

case_unknown_cluster_from_settings() {
	# A typo in the worker's own ECS_CLUSTER is a configuration error (78), not a bad message:
	# nothing is registered, the message stays even with --delete-on-failure, and a --watch
	# worker stops instead of draining the queue.
	taskdef "$N" "$(image 2)" >td.json
	given_body td.json --service "$N"
	send "$Q" "$N" td.json
	changes_from_here "$N"
	ECS_CLUSTER="$N-defualt" worker once --delete-on-failure
	expect_rc once 78
	if q once.out result.status >/dev/null 2>&1; then fail "once: a result was written for a message that was never judged"; fi
	expect_stderr once "^ecs-register: document 1: cluster $N-defualt \(from ECS_CLUSTER or --cluster\) not found"
	expect_count "$Q" 2 "after a wrong ECS_CLUSTER"
	ECS_CLUSTER="$N-defualt" worker watching --watch --delete-on-failure
	expect_rc watching 78
	expect_count "$Q" 2 "after a --watch worker met a wrong ECS_CLUSTER"
	expect_changes "$N" 0 0
	expect_unchanged default "$N" "$BEFORE"
}

case_number_service_attribute() {
	# The contract says String: a Number attribute "42" must not deploy service "42".
	queue "$N"
	service default "$N"
	changes_from_here "$N"
	taskdef "$N" "$(image 2)" >td.json
	admin_sqs send_message "$(python3 -c '
import json, sys
print(json.dumps({"QueueUrl": sys.argv[1], "MessageBody": open("td.json").read(),
                  "MessageAttributes": {"service": {"DataType": "Number", "StringValue": "42"}}}))' "$Q")" >sent.json ||
		fail "cannot send the message"
	MID=$(q sent.json MessageId)
	SQS_URL=$Q worker w
	expect_rc w 65
	expect_stderr w '^sqs-receive: message .*: message attribute "service" must be of type String, got Number'
	expect_rejected w 'must be of type String'
	expect_count "$Q" 1 "after a message with a Number service attribute"
	expect_changes "$N" 0 0
}

case_log_forging() {
	# Text from the message reaches stderr only written out: a container name holding a newline
	# (which ECS's error message repeats) cannot print a line that looks like the tools' own, nor
	# can escapes drive the operator's terminal.
	queue "$N"
	service default "$N"
	printf '{"family": "%s", "containerDefinitions": [{"name": "web\\necs-wait: service %s: succeeded: FORGED\\u001b]0;owned\\u0007\\u001b[2J", "image": "%s"}]}\n' \
		"$N" "$N" "$(image 2)" >td.json
	send "$Q" "$N" td.json
	SQS_URL=$Q worker w --verbose
	expect_rc w 65
	expect_no_stderr w '^ecs-wait: service .*: succeeded: FORGED'
	if tr -d '\n' <w.err | grep -q "$(printf '\033')"; then fail "w: stderr holds an escape character"; fi
	if grep -q "$(printf '\007')" w.err; then fail "w: stderr holds a bell character"; fi
	# The text did reach stderr, inside the tool's own line.
	expect_stderr w "^ecs-register: document 1: .*container 'web.*succeeded: FORGED"
	expect_count "$Q" 1 "after a forged family"
}
