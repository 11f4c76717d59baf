# Faults between the tools and the local AWS (tests/fault/proxy.py): throttling, 500,
# 503, connection resets, stalls past the deadline and truncated answers, injected into
# the calls of one step at a time (fault_bin, lib.sh). Transient faults (fewer than the
# tools' three attempts) still end in the right outcome, deployed once and deleted once;
# persistent faults end in 69 or 75 (124 for a stalled wait) with the message kept and
# the service untouched by anything the failed step did not finish; then the message
# comes back and a worker without faults deploys it. No fault ever deletes a message
# whose outcome is not final (DeleteMessage is counted by the local AWS).
# shellcheck shell=sh disable=SC2154 # rc, Q, MID come from lib.sh

# deploy_through STEP ROUND RULES [DELETES]: one message (image tag ROUND), deployed by a
# one-shot worker whose STEP meets the faults RULES; it must succeed and be deleted: one
# DeleteMessage, or DELETES when faults cut off the answers of earlier ones.
deploy_through() {
	taskdef "$N" "$(image "$2")" >"td$2.json"
	send "$Q" "$N" "td$2.json"
	changes_from_here "$N"
	d0=$(sim_deletes "$Q")
	faults "$3"
	ECS_DEPLOYMENT_BIN=$fault_dir worker "r$2"
	expect_rc "r$2" 0
	expect_doc "r$2" message.messageId "$MID"
	expect_doc "r$2" result.status succeeded
	expect_eq "DeleteMessage calls after round $2 ($1: $3)" "$(($(sim_deletes "$Q") - d0))" "${4:-1}"
	expect_count "$Q" 0 "after round $2"
	expect_service default "$N" taskDefinition "$(q "r$2.out" taskDefinitionArn)"
	reg=$(($(sim_target RegisterTaskDefinition "$N") - $(cut -d' ' -f1 "changes.$N")))
	upd=$(($(sim_target UpdateService "$N") - $(cut -d' ' -f2 "changes.$N")))
	case $3 in
	*'"after"'*) expect_match "changes in round $2" "$reg $upd" '^[12] [12]$' ;;
	*) expect_eq "RegisterTaskDefinition and UpdateService in round $2" "$reg $upd" "1 1" ;;
	esac
}

# persistent STEP ROUND RULES WANT: the faults never stop; the worker ends WANT, the
# message is kept (not deleted), and then a worker without faults deploys it.
persistent() {
	taskdef "$N" "$(image "$2")" >"td$2.json"
	send "$Q" "$N" "td$2.json"
	changes_from_here "$N"
	d0=$(sim_deletes "$Q")
	before=$(svc default "$N" taskDefinition)
	faults "$3"
	# A stall past the wait's deadline (ECS_TIMEOUT + 5 s): the outcome is unknown.
	[ "$1" = wait ] && export ECS_TIMEOUT=4
	ECS_DEPLOYMENT_BIN=$fault_dir worker "p$2"
	export ECS_TIMEOUT=60
	expect_rc "p$2" "$4"
	expect_eq "DeleteMessage calls under persistent faults in $1" "$(($(sim_deletes "$Q") - d0))" 0
	expect_count "$Q" 1 "under persistent faults in $1"
	expect_no_stderr "p$2" '^sqs-receive: message .* deleted'
	case $1 in
	receive | register) expect_changes "$N" 0 0 && expect_unchanged default "$N" "$before" ;;
	update) expect_changes "$N" 1 0 && expect_unchanged default "$N" "$before" ;;
	esac
	# A receive that never got an answer left nothing in flight.
	[ "$1" != receive ] || expect_eq "messages in flight" "$(in_flight "$Q")" 0
	case $4 in
	0) expect_stderr "p$2" '^ecs-deployment: the deployment ended \(status 0\) but the message could not be deleted' ;;
	124) expect_stderr "p$2" '^ecs-deployment: message left in the queue: the outcome is unknown' ;;
	*) [ "$1" = receive ] || expect_stderr "p$2" "^ecs-deployment: message left in the queue \\(status $4\\)" ;;
	esac
	faults '[]'
	if [ "$1" != receive ]; then make_visible "$Q" "$(q "p$2.out" message.receiptHandle)"; fi
	worker "again$2"
	expect_rc "again$2" 0
	expect_doc "again$2" message.messageId "$MID"
	expect_doc "again$2" result.status succeeded
	expect_count "$Q" 0 "after the faults stopped"
}

# through STEP PERSISTENT_RULES WANT: every kind of transient fault, then a persistent one.
through() {
	faulty=$1
	queue "$N"
	service default "$N"
	export SQS_URL="$Q" ECS_TIMEOUT=60
	fault_proxy
	fault_dir=$(fault_bin "$faulty")
	deploy_through "$faulty" 2 '[{"fault": "throttle"}, {"fault": "500"}]'
	deploy_through "$faulty" 3 '[{"fault": "503"}, {"fault": "reset"}]'
	if [ "$faulty" != receive ]; then
		# A truncated answer and a lost one: the call was made, its answer never arrived.
		# A deleted message's receipt still deletes (SQS answers success): three calls.
		deletes=1
		[ "$faulty" = delete ] && deletes=3
		deploy_through "$faulty" 4 '[{"fault": "truncate"}, {"fault": "reset", "when": "after"}]' "$deletes"
	fi
	persistent "$faulty" 5 "$2" "$3"
	n=$(injected)
	record "faults in $faulty: $n injected, all survived"
	kill "$FAULT_PID" 2>/dev/null
}

case_faults_in_receive() { through receive '[{"fault": "reset", "times": -1}]' 69; }
case_faults_in_register() { through register '[{"fault": "503", "times": -1}]' 69; }
case_faults_in_update() { through update '[{"fault": "throttle", "times": -1}]' 75; }
case_faults_in_wait() {
	through wait '[{"action": "DescribeServices", "fault": "stall", "stall": 40, "times": -1}]' 124
}
case_faults_in_delete() { through delete '[{"fault": "500", "times": -1}]' 0; }
