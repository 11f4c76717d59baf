# Order and redelivery (docs/messages.md): a backlog deploys every message in turn and
# ends on the newest; a redelivered message is never deployed twice; a --watch worker
# judges stale a message a standard queue delivers after a newer one it deployed.
# Counts of RegisterTaskDefinition and UpdateService are the local AWS's own, per
# family and service, so they tell what the worker did, not only what the queue holds.
# A redelivery during a rollout that outlives a poll is in realtime.sh.
# shellcheck shell=sh disable=SC2154 # rc, Q, MID come from lib.sh

# backlog N [--fifo]: N messages queued for one service before any worker runs, then
# one one-shot worker run per message.
backlog() {
	n=$1
	shift
	name=$N
	[ "${1:-}" = --fifo ] && name="$N.fifo"
	queue "$name" "$@"
	export SQS_URL="$Q"
	service default "$N"
	changes_from_here "$N"
	i=1
	while [ "$i" -le "$n" ]; do
		taskdef "$N" "$(image "$((i + 1))")" >"td$i.json"
		send "$Q" "$N" "td$i.json"
		printf '%s\n' "$MID" >>sent
		i=$((i + 1))
	done
	i=1
	while [ "$i" -le "$n" ]; do
		worker "w$i"
		note "worker run $i: status $rc"
		expect_rc "w$i" 0
		expect_doc "w$i" result.status succeeded
		# Queue order: the i-th run deploys the i-th message sent.
		expect_doc "w$i" message.messageId "$(sed -n "${i}p" sent)"
		expect_doc "w$i" taskDefinition.containerDefinitions.0.image "$(image "$((i + 1))")"
		i=$((i + 1))
	done
	expect_count "$Q" 0 "after $n runs"
	# The newest definition sent is the one deployed, and each was deployed exactly once.
	expect_service default "$N" taskDefinition "$(q "w$n.out" taskDefinitionArn)"
	expect_changes "$N" "$n" "$n"
}

case_backlog_of_two_standard() { backlog 2; }
case_backlog_of_five_standard() { backlog 5; }
case_backlog_of_two_fifo() { backlog 2 --fifo; }
case_backlog_of_five_fifo() { backlog 5 --fifo; }

# watcher LABEL: a --watch worker in the background as the deployer; its pid in $!.
watcher() {
	env HOME="$IT_SERVER/home-deployer" AWS_CONFIG_FILE="$IT_SERVER/home-deployer/.aws/config" \
		AWS_SHARED_CREDENTIALS_FILE="$IT_SERVER/home-deployer/.aws/credentials" \
		AWS_ENDPOINT_URL="$IT_ENDPOINT" SQS_URL="$Q" ECS_TIMEOUT=120 \
		sh "$IT_ROOT/scripts/ecs-deployment" --watch --wait-seconds 1 >"$1.out" 2>"$1.err" </dev/null &
}

# stop_watchers PID...: SIGTERM, then each must exit 0 within 10 s.
stop_watchers() {
	for pid in "$@"; do
		sigterm_and_wait "$pid"
		expect_eq "exit status of worker $pid after SIGTERM" "$rc" 0
	done
}

queue_empty() { [ "$(count "$Q")" = 0 ]; }

case_parallel_workers_fifo() {
	# Three workers, three services with four deployments each, every service a message group.
	queue "$N.fifo" --fifo
	for g in a b c; do service default "$N-$g" && changes_from_here "$N-$g"; done
	for i in 1 2 3 4; do
		for g in a b c; do
			taskdef "$N-$g" "$(image "$((i + 1))")" >"td-$g$i.json"
			send "$Q" "$N-$g" "td-$g$i.json" --group-id "$N-$g"
		done
	done
	pids=""
	for w in 1 2 3; do
		watcher "w$w"
		pids="$pids $!"
	done
	wait_until 100 "12 deployments by three workers" queue_empty
	# shellcheck disable=SC2086 # one pid per word
	stop_watchers $pids
	cat w1.out w2.out w3.out >all.out
	for w in 1 2 3; do sed "s/^/   w$w err: /" "w$w.err" >&2; done
	expect_docs all 12
	expect_eq "succeeded deployments" "$(grep -c '"status":"succeeded"' all.out)" 12
	for g in a b c; do
		# Every service ends on its newest definition, each deployed exactly once, in the order sent.
		got=$(python3 -c '
import json, sys
docs = [json.loads(l) for l in open("all.out") if json.loads(l)["service"] == sys.argv[1]]
docs.sort(key=lambda d: d["message"]["sentTimestamp"])
print(" ".join(d["taskDefinition"]["containerDefinitions"][0]["image"].split(":")[1] for d in docs))
revisions = [int(d["taskDefinitionArn"].rsplit(":", 1)[1]) for d in docs]
print("registered in sending order" if revisions == sorted(set(revisions)) else "registered out of order: %s" % revisions)
print(docs[-1]["taskDefinitionArn"])' "$N-$g")
		expect_eq "images of $N-$g deployed, in sending order" "$(printf '%s\n' "$got" | sed -n 1p)" "2 3 4 5"
		expect_eq "deployments of $N-$g" "$(printf '%s\n' "$got" | sed -n 2p)" "registered in sending order"
		expect_service default "$N-$g" taskDefinition "$(printf '%s\n' "$got" | tail -n 1)"
		expect_changes "$N-$g" 4 4
	done
}

case_redelivery_after_success_before_delete() {
	# The steps run by hand, as the worker runs them, but the message is never deleted (the
	# worker was stopped between ecs-wait and the delete). It comes back after its
	# visibility timeout and is reported, not deployed again.
	given_message 2
	IN=/dev/null tool receive sqs-receive --visibility-timeout 3 --wait-seconds 1
	expect_rc receive 0
	IN="$T/receive.out" tool register ecs-register
	IN="$T/register.out" tool update ecs-update
	IN="$T/update.out" tool wait ecs-wait --timeout 60
	expect_rc wait 0
	expect_doc wait result.status succeeded
	first=$(q wait.out deploymentId)
	expect_changes "$N" 1 1
	sleep 3

	worker again
	expect_rc again 0
	expect_doc again message.messageId "$MID"
	expect_doc again reattached true
	expect_doc again deploymentId "$first"
	expect_doc again taskDefinitionArn "$(q wait.out taskDefinitionArn)"
	expect_doc again result.status succeeded
	expect_count "$Q" 0 "after the redelivered message was reported"
	expect_changes "$N" 1 1
}

case_reordered_standard_queue() {
	# A standard queue delivers the older message A after the newer B (here: A was sent with
	# a delay). The --watch worker deployed B, remembers it, and judges A stale: B stays.
	queue "$N"
	service default "$N"
	changes_from_here "$N"
	taskdef "$N" "$(image 2)" >a.json
	taskdef "$N" "$(image 3)" >b.json
	# The worker is polling before either is sent, so B is taken as soon as it is sent,
	# well before A's delay ends, even on a busy machine.
	watcher w
	pid=$!
	admin_sqs send_message "$(python3 -c '
import json, sys
print(json.dumps({"QueueUrl": sys.argv[1], "MessageBody": open("a.json").read(), "DelaySeconds": 15,
                  "MessageAttributes": {"service": {"DataType": "String", "StringValue": sys.argv[2]}}}))' "$Q" "$N")" >a.sent ||
		fail "cannot send the delayed message"
	send "$Q" "$N" b.json
	wait_until 60 "two messages handled" has_docs w.out 2
	wait_until 10 "the queue emptied" queue_empty
	stop_watchers "$pid"
	sed 's/^/   err: /' w.err >&2
	sed 's/^/   out: /' w.out >&2
	expect_doc w taskDefinition.containerDefinitions.0.image "$(image 3)" 0
	expect_doc w result.status succeeded 0
	expect_doc w taskDefinition.containerDefinitions.0.image "$(image 2)" 1
	expect_doc w result.status stale 1
	expect_doc_match w result.reason "^message sent at .* is older than the message sent at .* that this worker deployed as deployment .*, still the PRIMARY deployment of service $N\$" 1
	expect_service default "$N" taskDefinition "$(q w.out taskDefinitionArn 0)"
	# A was judged before anything was registered for it.
	expect_changes "$N" 1 1
}

has_docs() { [ -s "$1" ] && [ "$(q "$1" '#docs')" -ge "$2" ]; }
