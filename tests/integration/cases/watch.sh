# --watch: a long-running worker deploys message after message, and stops cleanly on
# SIGTERM without deleting the message it was working on.
# shellcheck shell=sh disable=SC2154 # Q comes from lib.sh


case_watch_and_sigterm() {
	queue "$N"
	for s in a b c; do service default "$N-$s"; done
	before_c=$(svc default "$N-c" taskDefinition) || fail "no taskDefinition"
	for s in a b; do
		taskdef "$N-$s" "$(image 2)" >"td-$s.json"
		send "$Q" "$N-$s" "td-$s.json"
	done
	note "\$ ecs-deployment --watch (in the background)"
	# A simple command run in the background, so that $! is the worker itself.
	env HOME="$IT_SERVER/home-deployer" AWS_CONFIG_FILE="$IT_SERVER/home-deployer/.aws/config" \
		AWS_SHARED_CREDENTIALS_FILE="$IT_SERVER/home-deployer/.aws/credentials" \
		AWS_ENDPOINT_URL="$IT_ENDPOINT" SQS_URL="$Q" ECS_TIMEOUT=120 \
		sh "$IT_ROOT/scripts/ecs-deployment" --watch --wait-seconds 1 >w.out 2>w.err </dev/null &
	pid=$!
	wait_until 60 "two deployments by the watching worker" has_lines w.out 2
	for i in 0 1; do
		expect_doc w result.status succeeded "$i"
	done
	expect_count "$Q" 0 "after two deployments"

	taskdef "$N-c" "$(image slow)" >td-c.json
	send "$Q" "$N-c" td-c.json
	# Once the service moves to the new revision, ecs-wait is watching the rollout; the
	# outcome of the interrupted deployment is unknown, so its message stays.
	stopped_during_rollout "$pid" "$N-c" "$before_c" "$Q"
}
