# The worker inside the image's root filesystem, against the local AWS (sourced by
# tests/image/run after tests/integration/lib.sh, one case per subshell).
# The root filesystem is at $IMG_ROOT with /proc mounted and the deployer's .aws
# directory bind-mounted read-only at /root/.aws; the network is the host's, so
# the local AWS on loopback is reached as a container with --network host would.
# shellcheck shell=sh disable=SC2154 # Q, MID, BEFORE, rc come from lib.sh

# image_exec CMD...: replaces the shell with CMD in the image, as `docker run` starts
# the entry point: a clean environment of the image's Env, HOME=/root, the variables a
# user passes with -e, the image's working directory. env, chroot and sh each exec the
# next, so the process is CMD itself.
image_exec() {
	# The image's Env, one VAR=value per line (no value holds a space).
	# shellcheck disable=SC2046,SC2016 # the Env one item a word; $0 and $@ are the inner sh's
	exec env -i $(cat "$IMG_ENV") HOME=/root SQS_URL="${SQS_URL:-}" ECS_CLUSTER="${ECS_CLUSTER:-}" \
		ECS_TIMEOUT="${ECS_TIMEOUT:-}" AWS_ENDPOINT_URL="$IT_ENDPOINT" AWS_EC2_METADATA_DISABLED=true \
		"$IMG_CHROOT" "$IMG_ROOT" /bin/sh -c 'cd "$0" && exec "$@"' "$(cat "$IMG_WORKDIR")" "$@"
}

# in_image CMD...: image_exec in a subshell.
in_image() { (image_exec "$@"); }

# image_worker LABEL [ARGS...]: the image's entry point with ARGS, one-shot unless --watch.
image_worker() {
	label=$1
	shift
	# shellcheck disable=SC2046 # the entry point, one word per line
	run "$label" in_image $(cat "$IMG_ENTRYPOINT") --wait-seconds 1 "$@"
}

case_image_healthy() {
	given_message 2
	image_worker w
	expect_rc w 0
	expect_docs w 1
	expect_doc w result.status succeeded
	expect_doc w message.messageId "$MID"
	expect_doc w service "$N"
	arn=$(q w.out taskDefinitionArn) || fail "no taskDefinitionArn in the document"
	expect_service default "$N" taskDefinition "$arn"
	expect_count "$Q" 0 "after a success"
}

case_image_failed() {
	given_message fail-start --circuit-breaker off
	export ECS_TIMEOUT=120
	image_worker w
	expect_rc w 1
	expect_doc w result.status failed
	expect_doc_match w result.reason 'CannotPullContainerError'
	expect_stderr w '^ecs-deployment: message left in the queue'
	expect_count "$Q" 1 "after a failure"
}

case_image_bad_message() {
	queue "$N"
	service default "$N"
	BEFORE=$(svc default "$N" taskDefinition) || fail "service $N: no taskDefinition"
	printf '{"family": "%s", "containerDefinitions": [\n' "$N" >body.txt
	send "$Q" "$N" body.txt
	export SQS_URL="$Q"
	image_worker w
	expect_rc w 65
	expect_stderr w "^sqs-receive: message $MID: body is not JSON"
	expect_doc w result.status rejected
	expect_stderr w '^ecs-deployment: message left in the queue'
	expect_count "$Q" 1 "after a body that is not JSON"
	expect_service default "$N" taskDefinition "$BEFORE"
}

case_image_watch_sigterm() {
	queue "$N"
	service default "$N-a"
	service default "$N-b"
	before_b=$(svc default "$N-b" taskDefinition) || fail "no taskDefinition"
	taskdef "$N-a" "$(image 2)" >td-a.json
	send "$Q" "$N-a" td-a.json
	export SQS_URL="$Q" ECS_TIMEOUT=120
	note "\$ ecs-deployment --watch in the image (in the background)"
	# The subshell execs into the worker: $! is the worker itself, as the process
	# `docker stop` (through --init) signals.
	# shellcheck disable=SC2046 # the entry point, one word per line
	(image_exec $(cat "$IMG_ENTRYPOINT") --watch --wait-seconds 1) >w.out 2>w.err </dev/null &
	pid=$!
	wait_until 60 "a deployment by the watching worker" has_lines w.out 1
	expect_doc w result.status succeeded 0
	taskdef "$N-b" "$(image slow)" >td-b.json
	send "$Q" "$N-b" td-b.json
	stopped_during_rollout "$pid" "$N-b" "$before_b" "$Q"
}
