# SIGTERM at every point of the worker: between each two steps (after-STEP) and inside
# each step (during-STEP). The tools are wrapped (signal_bin, lib.sh) so that the signal
# reaches the worker at exactly that point. For each point: the worker's exit status, its
# own stderr lines, its final document, and the DeleteMessage, RegisterTaskDefinition and
# UpdateService calls the local AWS counted; then a restarted worker finishes the
# deployment or re-attaches to it, and the message's fate is right. 10 signal points.
# shellcheck shell=sh disable=SC2154 # rc, Q, MID, BEFORE come from lib.sh

# interrupted_at POINT: one signal point, one-shot workers.
interrupted_at() {
	point=$1
	given_message 2
	export ECS_TIMEOUT=60
	if [ "$point" = during-receive ]; then
		# Signalled in its long poll, before the message is sent: nothing is received.
		admin_sqs receive_message "{\"QueueUrl\": \"$Q\", \"VisibilityTimeout\": 120}" >held.json || fail "cannot hold the message"
		held=$(python3 -c 'import json, sys; print(json.load(open("held.json"))["Messages"][0]["ReceiptHandle"])') ||
			fail "no message held"
	fi
	sig_dir=$(signal_bin "$point")
	bg_worker w1 ECS_DEPLOYMENT_BIN="$sig_dir" SQS_URL="$Q" sh "$(worker_script)" --wait-seconds 3
	pid=$!
	case $point in
	after-wait | after-delete | during-delete) want=0 ;;
	*) want=124 ;;
	esac
	wait_worker "$pid" "$want"
	sed 's/^/   w1 err: /' w1.err >&2
	sed 's/^/   w1 out: /' w1.out >&2
	fired || fail "the signal was never sent at $point"
	expect_no_stderr w1 'Illegal number|not found|^[^:]*: [0-9]+: '
	case $want in
	124)
		expect_no_stderr w1 '^sqs-receive: message .* deleted'
		expect_deletes "$Q" 0
		expect_count "$Q" 1 "after SIGTERM at $point"
		if [ "$point" != during-receive ]; then
			expect_stderr w1 '^ecs-deployment: message left in the queue: the outcome is unknown'
			expect_docs w1 1
			expect_doc w1 result.status timed_out
			expect_doc w1 message.messageId "$MID"
			# Its record is a summary, whatever step was cut short: never the body (it may hold secrets).
			expect_doc w1 taskDefinition.containerDefinitions.0.image "$(image 2)"
			if grep -q '"memory"' w1.out; then fail "SIGTERM at $point: the worker's output carries the task definition's body"; fi
			case $point in
			after-*) expect_doc_match w1 result.reason "^interrupted by SIGTERM after ${point#after-}|^interrupted by SIGTERM after (sqs-receive|ecs-[a-z]+), before" ;;
			during-wait) expect_doc_match w1 result.reason "interrupted" ;;
			*) expect_doc_match w1 result.reason "^interrupted by SIGTERM after [a-z-]+, before ecs-${point#during-} finished" ;;
			esac
		else
			expect_docs w1 0
			expect_stderr w1 '^ecs-deployment: interrupted by SIGTERM while receiving'
		fi
		;;
	0)
		# The outcome was final before the signal: the delete is not cut off by it.
		expect_doc w1 result.status succeeded
		expect_deletes "$Q" 1
		expect_count "$Q" 0 "after SIGTERM at $point"
		;;
	esac
	case $point in
	after-receive | during-receive | during-register) expect_changes "$N" 0 0 ;;
	after-register) expect_changes "$N" 1 0 ;;
	during-update) ;;
	*) expect_changes "$N" 1 1 ;;
	esac

	# The restart: the message comes back (at once here) and a plain worker handles it.
	if [ "$point" = during-receive ]; then
		make_visible "$Q" "$held"
	elif [ "$(count "$Q")" = 1 ]; then
		make_visible "$Q" "$(q w1.out message.receiptHandle)"
	fi
	worker w2
	expect_rc w2 0
	if [ "$want" = 0 ]; then
		# The first worker deleted the message: nothing comes back.
		expect_docs w2 0
	else
		expect_docs w2 1
		expect_doc w2 message.messageId "$MID"
		expect_doc w2 result.status succeeded
		case $point in
		# The deployment had started: re-attached, not deployed again.
		after-update | during-wait) expect_doc w2 reattached true ;;
		esac
	fi
	expect_count "$Q" 0 "after the restart"
	expect_deletes "$Q" 1
	# Deployed once: a second registration only when the first never reached UpdateService.
	reg=$(($(sim_target RegisterTaskDefinition "$N") - $(cut -d' ' -f1 "changes.$N")))
	upd=$(($(sim_target UpdateService "$N") - $(cut -d' ' -f2 "changes.$N")))
	expect_eq "UpdateService calls for $N at $point" "$upd" 1
	expect_match "RegisterTaskDefinition calls for $N at $point" "$reg" '^[12]$'
	expect_service_match default "$N" taskDefinition ":task-definition/$N:[0-9]+$"
	expect_service default "$N" taskDefinition "$(q w2.out taskDefinitionArn 2>/dev/null || q w1.out taskDefinitionArn)"
	record "SIGTERM at $point: first worker $want, restart 0, register $reg, update $upd, delete $(sim_deletes "$Q")"
}

case_sigterm_after_receive() { interrupted_at after-receive; }
case_sigterm_after_register() { interrupted_at after-register; }
case_sigterm_after_update() { interrupted_at after-update; }
case_sigterm_after_wait() { interrupted_at after-wait; }
case_sigterm_after_delete() { interrupted_at after-delete; }
case_sigterm_during_receive() { interrupted_at during-receive; }
case_sigterm_during_register() { interrupted_at during-register; }
case_sigterm_during_update() { interrupted_at during-update; }
case_sigterm_during_wait() { interrupted_at during-wait; }
case_sigterm_during_delete() { interrupted_at during-delete; }
