# The four tools on their own: standalone from flags, and as a pipe.
# shellcheck shell=sh disable=SC2154,SC2153,SC2016 # rc, Q, MID, BEFORE come from lib.sh; sh -c scripts

case_standalone_tools() {
	service default "$N"
	before=$(svc default "$N" taskDefinition) || fail "no taskDefinition"
	taskdef "$N" "$(image 2)" >td.json

	tool reg ecs-register --file td.json
	expect_rc reg 0
	expect_docs reg 1
	arn=$(q reg.out taskDefinitionArn) || fail "ecs-register: no taskDefinitionArn"
	expect_match "ecs-register taskDefinitionArn" "$arn" ":task-definition/$N:[0-9]+$"

	tool upd ecs-update --cluster default --service "$N" --task-definition "$arn"
	expect_rc upd 0
	expect_doc upd previousTaskDefinitionArn "$before"
	dep=$(q upd.out deploymentId) || fail "ecs-update: no deploymentId"
	expect_service default "$N" "deployments.[id=$dep].taskDefinition" "$arn"

	tool wait ecs-wait --cluster default --service "$N" --task-definition "$arn" --timeout 60
	expect_rc wait 0
	expect_doc wait result.status succeeded
	expect_service default "$N" taskDefinition "$arn"

	# A bare task definition on stdin works as --file does.
	taskdef "$N" "$(image 3)" >td3.json
	IN=td3.json tool reg3 ecs-register
	expect_rc reg3 0
	expect_doc_match reg3 taskDefinitionArn ":task-definition/$N:[0-9]+$"
}

case_pipe_one_message() {
	given_message 2
	# A pipeline's status is that of its last command, ecs-wait.
	run pipe as deployer sh -c '"$1/sqs-receive" --queue-url "$2" --wait-seconds 1 --visibility-timeout 120 |
		"$1/ecs-register" | "$1/ecs-update" | "$1/ecs-wait" --timeout 60' sh "$IT_BIN" "$Q"
	expect_rc pipe 0
	expect_docs pipe 1
	expect_doc pipe message.messageId "$MID"
	expect_doc pipe service "$N"
	expect_doc pipe previousTaskDefinitionArn "$BEFORE"
	expect_doc pipe result.status succeeded
	expect_service default "$N" taskDefinition "$(q pipe.out taskDefinitionArn)"
	# Still in flight until deleted.
	expect_count "$Q" 1 "before sqs-receive --delete"
	IN=pipe.out tool del sqs-receive --delete
	expect_rc del 0
	expect_count "$Q" 0 "after sqs-receive --delete"
}

case_pipe_three_messages() {
	queue "$N"
	for i in 1 2 3; do
		service default "$N-$i"
		taskdef "$N-$i" "$(image 2)" >"td$i.json"
		send "$Q" "$N-$i" "td$i.json"
	done
	run pipe as deployer sh -c '"$1/sqs-receive" --queue-url "$2" --wait-seconds 1 --max-messages 3 --visibility-timeout 300 |
		"$1/ecs-register" | "$1/ecs-update" | "$1/ecs-wait" --timeout 90' sh "$IT_BIN" "$Q"
	expect_rc pipe 0
	expect_docs pipe 3
	seen=""
	for i in 0 1 2; do
		expect_doc pipe result.status succeeded "$i"
		s=$(q pipe.out service "$i")
		seen="$seen $s"
		expect_service default "$s" taskDefinition "$(q pipe.out taskDefinitionArn "$i")"
	done
	# shellcheck disable=SC2086 # one service per word
	expect_eq "services deployed" "$(printf '%s\n' $seen | sort | tr '\n' ' ')" "$N-1 $N-2 $N-3 "
	IN=pipe.out tool del sqs-receive --delete
	expect_rc del 0
	expect_count "$Q" 0 "after sqs-receive --delete"
}

# ecs-wait given twelve documents waits for them together: each poll round asks for ten
# services in one DescribeServices and the other two in a second, so the whole wait costs
# fewer calls than there are deployments (one wait per document costs at least one each).
case_wait_twelve_deployments_at_once() {
	queue "$N"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		service default "$N-$i"
		taskdef "$N-$i" "$(image 2)" >"td$i.json"
		send "$Q" "$N-$i" "td$i.json"
	done
	: >recv.all
	tries=0
	while [ "$(wc -l <recv.all)" -lt 12 ] && [ "$tries" -lt 6 ]; do
		tool recv sqs-receive --queue-url "$Q" --wait-seconds 1 --max-messages 10 --visibility-timeout 300
		cat recv.out >>recv.all
		tries=$((tries + 1))
	done
	IN=recv.all tool reg ecs-register
	IN=reg.out tool upd ecs-update
	expect_docs upd 12
	IN=upd.out tool wait ecs-wait --timeout 120 --verbose
	expect_rc wait 0
	expect_docs wait 12
	for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
		expect_doc wait result.status succeeded "$i"
	done
	calls=$(grep -c '^ecs-wait: ecs DescribeServices: HTTP 200' wait.err)
	record "DescribeServices calls for 12 deployments waited at once: $calls"
	expect_lt "DescribeServices calls of ecs-wait for 12 deployments" "$calls" 12
	# With several deployments in flight, each progress line names its service.
	expect_stderr wait "^ecs-wait: service $N-12: deployment ecs-svc/"
	IN=wait.out tool del sqs-receive --delete
	expect_rc del 0
	expect_count "$Q" 0 "after sqs-receive --delete"
}
