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
