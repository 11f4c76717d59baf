# --batch N: the worker takes up to N messages per receive and deploys them together:
# one ecs-wait waits for all their deployments, sharing its polls, and each message is
# deleted or kept by its own outcome. The local AWS counts each DeleteMessage,
# RegisterTaskDefinition and UpdateService, so a case sees what the worker did.
# shellcheck shell=sh disable=SC2154 # rc, Q, MID come from lib.sh

# batch_queue N TAG...: queue $N and one service $N-i per TAG, each sent one message
# deploying image TAG; "bad" sends a body that is not JSON instead.
batch_queue() {
	queue "$N"
	i=0
	for tag in "$@"; do
		i=$((i + 1))
		service default "$N-$i"
		changes_from_here "$N-$i"
		if [ "$tag" = bad ]; then
			printf 'not a task definition\n' >"td$i.json"
		else
			taskdef "$N-$i" "$(image "$tag")" >"td$i.json"
		fi
		send "$Q" "$N-$i" "td$i.json"
	done
	export SQS_URL="$Q"
}

# status_of LABEL SERVICE: the result status of SERVICE's document in LABEL's output.
status_of() {
	python3 -c 'import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("service") == sys.argv[2]:
        print(d["result"]["status"])' "$T/$1.out" "$2"
}

case_batch_outcomes_message_by_message() {
	batch_queue 2 fail-start 2 bad
	worker w --batch 10
	# The most serious of the batch: a message that can never succeed (65).
	expect_rc w 65
	expect_docs w 4
	expect_eq "outcome of $N-1" "$(status_of w "$N-1")" succeeded
	expect_eq "outcome of $N-2" "$(status_of w "$N-2")" failed
	expect_eq "outcome of $N-3" "$(status_of w "$N-3")" succeeded
	expect_eq "outcome of $N-4" "$(status_of w "$N-4")" rejected
	expect_stderr w '^ecs-deployment: batch of 4 messages: 1 failed, 1 rejected, 2 succeeded$'
	# The two successes deleted; the failure and the bad message left for the redrive policy.
	expect_deletes "$Q" 2
	expect_count "$Q" 2 "after the batch"
	expect_changes "$N-1" 1 1
	expect_changes "$N-2" 1 1
	expect_changes "$N-4" 0 0
	# Never a body on stdout: each document carries the summary.
	if grep -q '"memory"' w.out; then fail "the worker's output carries a task definition's body"; fi
}

case_batch_of_ten_shares_the_polls() {
	batch_queue 2 2 2 2 2 2 2 2 2 2
	worker w --batch 10 --verbose
	expect_rc w 0
	expect_docs w 10
	expect_stderr w '^ecs-deployment: batch of 10 messages: 10 succeeded$'
	expect_deletes "$Q" 10
	expect_count "$Q" 0 "after the batch"
	# One ecs-wait for the ten deployments: fewer DescribeServices than deployments.
	calls=$(grep -c '^ecs-wait: ecs DescribeServices: HTTP 200' w.err)
	record "worker --batch 10: ecs-wait made $calls DescribeServices calls for 10 deployments"
	expect_lt "DescribeServices calls of ecs-wait for 10 deployments" "$calls" 10
}

case_batch_rollback_of_the_failed_ones() {
	batch_queue 2 fail-start
	worker w --batch 10 --rollback
	expect_rc w 1
	expect_eq "outcome of $N-1" "$(status_of w "$N-1")" succeeded
	expect_eq "outcome of $N-2" "$(status_of w "$N-2")" rolled_back
	expect_deletes "$Q" 1
	expect_changes "$N-1" 1 1
	expect_changes "$N-2" 1 2
}

case_batch_stopped_during_the_wait() {
	batch_queue slow slow 2
	before=$(svc default "$N-1" taskDefinition)
	bg_worker w SQS_URL="$Q" ECS_TIMEOUT=120 sh "$(worker_script)" --batch 10 --wait-seconds 1
	sigterm_during_rollout $! "$N-1" "$before"
	expect_eq "exit status after SIGTERM" "$rc" 124
	expect_docs w 3
	expect_eq "outcome of $N-1" "$(status_of w "$N-1")" timed_out
	expect_eq "outcome of $N-2" "$(status_of w "$N-2")" timed_out
	# Only a final outcome is deleted: the two slow ones stay, whatever the third became.
	deleted=$(sim_deletes "$Q")
	case $(status_of w "$N-3") in
	succeeded) expect_eq "DeleteMessage calls" "$deleted" 1 ;;
	*) expect_eq "DeleteMessage calls" "$deleted" 0 ;;
	esac
	expect_ge "messages left" "$(count "$Q")" 2
}

case_batch_setting_rejected() {
	given_message 2
	for bad in 0 11 01 x ''; do
		run "b$bad" as deployer sh "$(worker_script)" --wait-seconds 1 --batch "$bad"
		expect_rc "b$bad" 64
		expect_stderr "b$bad" "^ecs-deployment: .*--batch"
	done
	expect_changes "$N" 0 0
	expect_count "$Q" 1 "after bad --batch values"
}
