# Scale, shortened: several --watch workers drain a FIFO queue of backlogged deployments
# while the local AWS throttles ECS calls, through scripts/scale (which starts its own local
# AWS, so the shared one keeps its rates). The full run is `scripts/scale` (docs/running.md).
# shellcheck shell=sh disable=SC2154 # rc, secs come from lib.sh

case_scale_fifo_throttled() {
	# 3 workers, 6 services x 2 messages each. DescribeServices is throttled at 2 a second
	# (burst 4), well below what three workers ask for, so calls are refused; the tools back
	# off and retry (AWS_MAX_ATTEMPTS=10) and every deployment still succeeds.
	run scale python3 "$IT_ROOT/scripts/scale" --bin "$IT_BIN" --queue fifo --workers 3 --services 6 \
		--messages 12 --speed 20 --timeout 30 --deadline 40 --max-attempts 10 \
		--throttle-rate DescribeServices=2:4 --check --expect-throttled --json scale.json
	record "scale (3 workers, 12 messages, DescribeServices throttled): status $rc after ${secs}s"
	expect_rc scale 0
	got=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]
print(r["lost"], r["deployedTwice"], r["finalOnNewest"], r["fates"].get("succeeded", 0), r["deployed"],
      int(r["throttled"].get("DescribeServices", 0) > 0))' scale.json) || fail "unreadable scale.json"
	# lost, deployed twice, services on their newest, succeeded, deployments, throttled at all
	expect_eq "lost, twice, newest, succeeded, deployed, throttled" "$got" "0 0 6 12 12 1"
	expect_match "report" "$(cat "$T/scale.out")" 'calls throttled by ECS \| DescribeServices [0-9]+'
}

case_scale_fifo_batched() {
	# 2 workers with --batch 10, 6 services x 4 messages each on a FIFO queue: a receive may
	# hold several messages of one service, deployed in order (the older superseded), and the
	# batch's ecs-wait shares its polls. Unbatched, a deployment costs at least 3
	# DescribeServices (ecs-register's check, ecs-update's, one poll); batched, fewer.
	run scale python3 "$IT_ROOT/scripts/scale" --bin "$IT_BIN" --queue fifo --workers 2 --batch 10 --services 6 \
		--messages 24 --speed 20 --timeout 30 --deadline 40 --max-attempts 10 --check --json scale.json
	record "scale (2 workers --batch 10, 24 messages): status $rc after ${secs}s"
	expect_rc scale 0
	got=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]
print(r["lost"], r["deployedTwice"], r["finalOnNewest"], r["deployed"], int(r["callsPerDeployment"]["DescribeServices"] < 3))' scale.json) ||
		fail "unreadable scale.json"
	# lost, deployed twice, services on their newest, deployments, fewer than 3 DescribeServices each
	expect_eq "lost, twice, newest, deployed, DescribeServices < 3" "$got" "0 0 6 24 1"
}
