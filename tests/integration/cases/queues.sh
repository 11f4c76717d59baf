# Queues and clusters: FIFO queues, clusters other than `default`, and the per-message
# `cluster` attribute. Order and redelivery are in order.sh.
# shellcheck shell=sh disable=SC2154 # rc, Q, MID come from lib.sh

case_fifo() {
	queue "$N.fifo" --fifo
	export SQS_URL="$Q"
	service default "$N"
	# Each service's deployments form one message group, served in order.
	for tag in 2 3; do
		taskdef "$N" "$(image "$tag")" >"td$tag.json"
		send "$Q" "$N" "td$tag.json" --group-id "$N"
		worker "w$tag"
		expect_rc "w$tag" 0
		expect_doc "w$tag" result.status succeeded
		expect_doc "w$tag" message.messageId "$MID"
		expect_doc "w$tag" taskDefinition.containerDefinitions.0.image "$(image "$tag")"
		expect_count "$Q" 0 "after deploying $tag"
	done
	expect_service default "$N" taskDefinition "$(q w3.out taskDefinitionArn)"
}

case_cluster_env() {
	cluster "$N"
	queue "$N"
	service "$N" "$N"
	taskdef "$N" "$(image 2)" >td.json
	send "$Q" "$N" td.json
	export SQS_URL="$Q" ECS_CLUSTER="$N"
	worker w
	expect_rc w 0
	expect_doc w cluster "$N"
	expect_doc w result.status succeeded
	expect_count "$Q" 0 "after a success"
	expect_service "$N" "$N" taskDefinition "$(q w.out taskDefinitionArn)"
}

case_cluster_attribute() {
	# The same service name in two clusters: the message's attribute picks one.
	cluster "$N-env"
	cluster "$N-msg"
	queue "$N"
	service "$N-env" "$N"
	service "$N-msg" "$N"
	before=$(svc "$N-env" "$N" taskDefinition) || fail "no taskDefinition"
	taskdef "$N" "$(image 2)" >td.json
	send "$Q" "$N" td.json --cluster "$N-msg"
	export SQS_URL="$Q" ECS_CLUSTER="$N-env"
	worker w
	expect_rc w 0
	expect_doc w cluster "$N-msg"
	expect_doc w result.status succeeded
	expect_service "$N-msg" "$N" taskDefinition "$(q w.out taskDefinitionArn)"
	expect_unchanged "$N-env" "$N" "$before"
}
