# Each rollout scenario of the local AWS, deployed through scripts/ecs-deployment.
# shellcheck shell=sh disable=SC2154 # rc, secs, ms, Q, MID, BEFORE come from lib.sh

case_healthy() {
	given_message 2
	worker w
	expect_rc w 0
	expect_docs w 1
	expect_doc w result.status succeeded
	expect_doc w message.messageId "$MID"
	expect_doc w service "$N"
	expect_doc w cluster default
	expect_doc w previousTaskDefinitionArn "$BEFORE"
	arn=$(q w.out taskDefinitionArn) || fail "no taskDefinitionArn in the document"
	expect_match taskDefinitionArn "$arn" ":task-definition/$N:[0-9]+$"
	expect_count "$Q" 0 "after a success"
	expect_service default "$N" taskDefinition "$arn"
	# Success means our rollout completed; the old tasks then drain.
	wait_until 30 "old tasks of $N drained" drained default "$N" 2
	expect_service default "$N" deployments.0.taskDefinition "$arn"
}

case_fail_start() {
	given_message fail-start --circuit-breaker off
	export ECS_TIMEOUT=120
	worker w
	record "fail-start, no circuit breaker: status $rc after ${secs}s (ECS_TIMEOUT=120)"
	expect_rc w 1
	expect_doc w result.status failed
	expect_doc_match w result.reason 'CannotPullContainerError'
	# Certain failures are reported as soon as seen, never by waiting out the timeout.
	expect_lt "wall time in seconds with ECS_TIMEOUT=120" $((ms / 1000)) 60
	expect_stderr w '^ecs-deployment: message left in the queue'
	expect_count "$Q" 1 "after a failure"
}

case_breaker_rollback() {
	given_message fail-start --circuit-breaker on --rollback on
	export ECS_TIMEOUT=120
	worker w
	record "fail-start, circuit breaker with rollback: status $rc after ${secs}s (ECS_TIMEOUT=120)"
	expect_rc w 1
	expect_doc w result.status rolled_back
	# At this speed the failed deployment may be gone before a poll sees it FAILED; its
	# reason then comes from the service's "deployment failed" event. The circuit
	# breaker's own rolloutStateReason is checked in realtime.sh.
	expect_doc_match w result.reason "rolled back|previous task definition"
	expect_doc_match w result.reason "failed to start"
	expect_doc_match w result.reason "$N:1"
	expect_count "$Q" 1 "after a rollback"
	# The rollback puts the previous revision back as the service's PRIMARY.
	wait_until 30 "service $N back on $BEFORE" drained default "$N" 2
	expect_service default "$N" taskDefinition "$BEFORE"
}

case_breaker_no_rollback() {
	given_message fail-start --circuit-breaker on --rollback off
	export ECS_TIMEOUT=120
	worker w
	record "fail-start, circuit breaker without rollback: status $rc after ${secs}s (ECS_TIMEOUT=120)"
	expect_rc w 1
	expect_doc w result.status failed
	# The tasks' reason may be seen before the breaker trips; either explains the failure.
	expect_doc_match w result.reason '[Cc]ircuit breaker|CannotPullContainerError'
	expect_count "$Q" 1 "after a failure"
	# Without rollback the failed deployment stays PRIMARY, its rollout FAILED.
	wait_until 20 "circuit breaker tripped on $N" rollout_is default "$N" FAILED
	expect_service default "$N" taskDefinition "$(q w.out taskDefinitionArn)"
}

case_crash() {
	given_message crash --circuit-breaker off
	export ECS_TIMEOUT=120
	worker w
	record "crash after RUNNING: status $rc after ${secs}s (ECS_TIMEOUT=120)"
	expect_rc w 1
	expect_doc w result.status failed
	result=$(q w.out result) || fail "no result in the document"
	expect_match "result" "$result" 'EssentialContainerExited'
	expect_match "result" "$result" '"exitCode":[1-9][0-9]*'
	expect_count "$Q" 1 "after a failure"
}

case_unhealthy() {
	given_message unhealthy --circuit-breaker off
	export ECS_TIMEOUT=120
	worker w
	record "unhealthy: status $rc after ${secs}s (ECS_TIMEOUT=120)"
	expect_rc w 1
	expect_doc w result.status failed
	expect_doc_match w result.reason '[Hh]ealth'
	expect_count "$Q" 1 "after a failure"
}

case_slow_timeout() {
	given_message slow
	export ECS_TIMEOUT=8
	worker w
	record "slow, ECS_TIMEOUT=8: status $rc after ${secs}s"
	expect_rc w 124
	expect_doc w result.status timed_out
	expect_stderr w 'timed out'
	# The deadline is kept: not before it, and not long after (receive, register, update).
	expect_ge "wall time in seconds with ECS_TIMEOUT=8" $((ms / 1000)) 8
	expect_lt "wall time in seconds with ECS_TIMEOUT=8" $((ms / 1000)) 20
	expect_count "$Q" 1 "after a timeout"
	dep=$(q w.out deploymentId) || fail "no deploymentId in the document"
	expect_service default "$N" "deployments.[id=$dep].rolloutState" IN_PROGRESS
}

case_desired_zero() {
	given_message 2 --desired 0
	worker w
	expect_rc w 0
	expect_doc w result.status succeeded
	expect_doc_match w result.reason '[Dd]esired ?[Cc]ount (is )?(of )?0|desired count 0|no tasks'
	expect_count "$Q" 0 "after a success"
	expect_service default "$N" taskDefinition "$(q w.out taskDefinitionArn)"
}

case_delete_on_failure() {
	given_message fail-start --circuit-breaker off
	export ECS_TIMEOUT=120
	worker w --delete-on-failure
	expect_rc w 1
	expect_doc w result.status failed
	expect_count "$Q" 0 "after a failure with --delete-on-failure"
}
