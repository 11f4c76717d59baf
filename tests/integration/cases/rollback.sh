# --rollback: a deployment that fails or times out on a service without ECS's circuit
# breaker is rolled back to the task definition the service ran before; ECS's own
# rollback is left alone. The local AWS counts UpdateService per service, so each case
# shows how many times the worker changed the service.
# shellcheck shell=sh disable=SC2154 # rc, Q, BEFORE come from lib.sh

case_rollback_of_a_failed_rollout() {
	given_message fail-start
	worker w --rollback
	expect_rc w 1
	expect_doc w result.status rolled_back
	expect_doc_match w result.reason "TaskFailedToStart.*; rolled back to $N:1 \(deployment ecs-svc/[0-9]+\): deployment .* completed"
	expect_doc w result.rollback.status succeeded
	expect_doc w result.rollback.taskDefinitionArn "$BEFORE"
	# The original failure's details stay in the result.
	expect_doc_match w result.stoppedTasks.0.stopCode TaskFailedToStart
	expect_count "$Q" 1 "after a rolled-back deployment"
	expect_changes "$N" 1 2
	wait_until 60 "service $N back on $BEFORE" drained default "$N" 2
	expect_service default "$N" taskDefinition "$BEFORE"
}

case_rollback_of_a_timed_out_rollout() {
	given_message slow
	ECS_TIMEOUT=3 worker w --rollback
	expect_rc w 1
	expect_doc w result.status rolled_back
	expect_doc_match w result.reason "^timed out after .*; rolled back to $N:1"
	expect_doc w result.rollback.status succeeded
	expect_count "$Q" 1 "after a rolled-back deployment"
	expect_changes "$N" 1 2
	expect_service default "$N" taskDefinition "$BEFORE"
}

case_rollback_that_fails_too() {
	# The service's current definition is itself broken (a failed deployment left it so,
	# with no circuit breaker); a new failing deployment can only be rolled back to it.
	given_message fail-start
	worker first
	expect_rc first 1
	broken=$(q first.out taskDefinitionArn) || fail "no taskDefinitionArn"
	taskdef "$N" "$(image crash)" >td2.json
	send "$Q" "$N" td2.json
	changes_from_here "$N"
	worker w --rollback --delete-on-failure
	expect_rc w 1
	expect_doc_match w message.messageId "^$MID\$"
	expect_doc w result.status failed
	expect_doc_match w result.reason "; the rollback to $N:2 \(deployment ecs-svc/[0-9]+\) failed too: "
	expect_doc w result.rollback.status failed
	expect_doc w result.rollback.taskDefinitionArn "$broken"
	# --delete-on-failure: a failure, rolled back or not, may go.
	expect_count "$Q" 1 "after the second message (the first one stays)"
	expect_changes "$N" 1 2
}

case_rollback_leaves_the_circuit_breakers_alone() {
	given_message fail-start --circuit-breaker on --rollback on
	worker w --rollback
	expect_rc w 1
	expect_doc w result.status rolled_back
	expect_count "$Q" 1 "after ECS's own rollback"
	# One UpdateService: the deployment; ECS rolled back by itself.
	expect_changes "$N" 1 1
	wait_until 60 "service $N back on $BEFORE" drained default "$N" 2
	expect_service default "$N" taskDefinition "$BEFORE"
}

case_rollback_without_a_previous_definition() {
	# A document that knows no previous task definition (ecs-update --rollback alone).
	given_message 2
	printf '{"service":"%s","cluster":"default","taskDefinitionArn":"%s","previousTaskDefinitionArn":null,"deploymentId":"ecs-svc/1","result":{"status":"failed","reason":"it broke"}}\n' \
		"$N" "$BEFORE" >failed.json
	IN="$T/failed.json" tool u ecs-update --rollback
	expect_rc u 1
	expect_doc u result.status failed
	expect_doc u result.reason "it broke; no previous task definition is known, so it was not rolled back"
	expect_stderr u "no previous task definition is known"
	expect_changes "$N" 0 0
}
