# Cases against a second local AWS whose simulated time runs at half speed, so that
# each rollout state lasts longer than ecs-wait's longest poll interval (6 s), as in
# real ECS, where a rollback takes minutes. (At the main server's speed a failed
# deployment can come and go between two polls.)
# shellcheck shell=sh disable=SC2154 # rc, secs, Q, BEFORE come from lib.sh

case_breaker_rollback_reason() {
	given_message fail-start --circuit-breaker on --rollback on
	export ECS_TIMEOUT=120
	worker w
	record "fail-start, circuit breaker with rollback (time x0.5): status $rc after ${secs}s (ECS_TIMEOUT=120)"
	expect_rc w 1
	expect_doc w result.status rolled_back
	# The circuit breaker's rolloutStateReason, and where the service went back to.
	expect_doc_match w result.reason 'ECS deployment circuit breaker: tasks failed to start'
	expect_doc_match w result.reason "rolled back to $N:1"
	expect_doc w result.rolloutState FAILED
	expect_stderr w '^ecs-deployment: message left in the queue'
	expect_count "$Q" 1 "after a rollback"
	wait_until 60 "service $N back on $BEFORE" drained default "$N" 2
	expect_service default "$N" taskDefinition "$BEFORE"
}

case_redelivery_killed_during_wait() {
	# The worker is killed (SIGKILL, no trap runs) while ecs-wait watches the rollout; the
	# message comes back (here at once: an operator resets its visibility), and the next
	# worker waits for the same deployment instead of deploying again.
	given_message 2
	mkdir tmp
	note "\$ ecs-deployment (killed during the wait)"
	env TMPDIR="$T/tmp" HOME="$IT_SERVER/home-deployer" AWS_CONFIG_FILE="$IT_SERVER/home-deployer/.aws/config" \
		AWS_SHARED_CREDENTIALS_FILE="$IT_SERVER/home-deployer/.aws/credentials" \
		AWS_ENDPOINT_URL="$IT_ENDPOINT" ECS_TIMEOUT=120 \
		sh "$IT_ROOT/scripts/ecs-deployment" --wait-seconds 1 >w1.out 2>w1.err </dev/null &
	pid=$!
	# ecs-update has written its document: ecs-wait is watching the rollout.
	wait_until 60 "deployment of $N started by the worker" updated_doc_written
	sleep 1
	pkill -KILL -P "$pid" 2>/dev/null
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	sed 's/^/   w1 err: /' w1.err >&2
	expect_no_stderr w1 'succeeded'
	expect_eq "rollout of $N when the worker was killed" "$(svc default "$N" 'deployments.[status=PRIMARY].rolloutState')" IN_PROGRESS
	first=$(svc default "$N" 'deployments.[status=PRIMARY].id')
	expect_changes "$N" 1 1
	receipt=$(q tmp/ecs-deployment.*/1.json message.receiptHandle) || fail "no document of the killed worker"
	admin_sqs change_message_visibility "{\"QueueUrl\": \"$Q\", \"ReceiptHandle\": \"$receipt\", \"VisibilityTimeout\": 0}" >/dev/null ||
		fail "cannot reset the message's visibility"

	worker w2
	expect_rc w2 0
	expect_doc w2 message.messageId "$MID"
	expect_doc w2 message.receiveCount 2
	expect_doc w2 reattached true
	expect_doc w2 deploymentId "$first"
	expect_doc w2 result.status succeeded
	expect_doc w2 result.deploymentId "$first"
	expect_stderr w2 "ecs-register: message received 2 times, first at .*: an earlier delivery started deployment $first of $N:2 at .*; re-attached, nothing registered"
	expect_count "$Q" 0 "after the re-attached deployment succeeded"
	expect_changes "$N" 1 1
}

updated_doc_written() {
	for f in tmp/ecs-deployment.*/3.json; do [ -s "$f" ] && return 0; done
	return 1
}
