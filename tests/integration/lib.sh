# Helpers for the integration cases (sourced by case.sh; POSIX sh).
# A case runs in its own directory $T; every command it runs leaves LABEL.out and
# LABEL.err there, and the case log (shown on failure) tells what was run.
# shellcheck shell=sh disable=SC2034 # Q, MID, BEFORE, rc, secs, ms are for the cases

export ECS_DEPLOYMENT_BIN="$IT_BIN"

now_ms() {
	# GNU date has %N; elsewhere whole seconds are still good enough for the bounds used.
	ms=$(date +%s%3N 2>/dev/null)
	case $ms in *N | '') ms=$(($(date +%s) * 1000)) ;; esac
	printf '%s\n' "$ms"
}

note() { printf '%s\n' "$*" >&2; }

fail() {
	printf '%s\n' "$*" >"$T/why"
	note "FAIL: $*"
	exit 1
}

# ---- the local AWS, driven with its admin user ----

# setup ARGS...: sim/setup.py; its stdout (trimmed) is left in $REPLY.
setup() {
	if ! python3 "$IT_ROOT/sim/setup.py" --ready-file "$IT_READY" "$@" >"$T/setup.out" 2>"$T/setup.err"; then
		cat "$T/setup.err" >&2
		fail "setup.py $1 failed: $(tail -n 1 "$T/setup.err")"
	fi
	REPLY=$(cat "$T/setup.out")
}

# The image that selects a rollout scenario of the local AWS (healthy when plain).
image() { printf 'example/web:%s\n' "$1"; }

# taskdef FAMILY IMAGE: a minimal task definition for RegisterTaskDefinition.
taskdef() {
	printf '{"family": "%s", "containerDefinitions": [{"name": "web", "image": "%s", "essential": true, "memory": 128}]}\n' "$1" "$2"
}

queue() { # NAME [--fifo] -> $Q
	setup queue "$@"
	Q=$REPLY
}

cluster() { setup cluster "$1"; }

service() { # CLUSTER NAME [setup.py service options] (image example/web:1, 2 tasks unless given)
	c=$1 s=$2
	shift 2
	setup service --cluster "$c" --name "$s" --image "$(image 1)" --desired 2 "$@"
}

# send QUEUE_URL SERVICE BODY_FILE [setup.py send options] -> $MID
send() {
	q=$1 s=$2 f=$3
	shift 3
	setup send --queue-url "$q" --service "$s" --body-file "$f" "$@"
	MID=$REPLY
}

# send_bare QUEUE_URL BODY_FILE: a message without any attribute (setup.py always adds
# `service`), sent with the admin keys -> $MID
send_bare() {
	MID=$(python3 - "$IT_READY" "$1" "$2" <<'EOF'
import json, sys
import boto3
ready, url, path = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
keys = ready["users"]["admin"]
sqs = boto3.client("sqs", endpoint_url=ready["endpoint"], region_name=ready["region"],
                   aws_access_key_id=keys["accessKeyId"], aws_secret_access_key=keys["secretAccessKey"])
print(sqs.send_message(QueueUrl=url, MessageBody=open(path).read())["MessageId"])
EOF
	) || fail "cannot send a message without attributes"
}

count() { # QUEUE_URL -> messages visible plus in flight
	setup count --queue-url "$1"
	printf '%s\n' "$REPLY"
}

# sim_calls ACTION: how many calls of ACTION the local AWS has answered so far.
sim_calls() {
	python3 - "$IT_ENDPOINT" "$1" <<'EOF'
import json, sys, urllib.request
def total(stats, action):
    if isinstance(stats, dict):
        return sum(v if k.split(".")[-1].split(":")[-1] == action and isinstance(v, int) else total(v, action)
                   for k, v in stats.items())
    return 0
with urllib.request.urlopen(sys.argv[1] + "/_sim/stats") as r:
    print(total(json.load(r), sys.argv[2]))
EOF
}

# sim_target [SERVICE:]ACTION NAME: how often ACTION changed NAME (ecs:UpdateService: a
# service, ecs:RegisterTaskDefinition: a family, sqs:DeleteMessage: a queue's name),
# whatever the other cases do meanwhile; SERVICE defaults to ecs.
sim_target() {
	case $1 in *:*) action=$1 ;; *) action="ecs:$1" ;; esac
	python3 - "$IT_ENDPOINT" "$action $2" <<'EOF'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/_sim/stats") as r:
    print(json.load(r)["targets"].get(sys.argv[2], 0))
EOF
}

# changes_from_here NAME: the counts expect_changes NAME compares against.
changes_from_here() {
	printf '%s %s\n' "$(sim_target RegisterTaskDefinition "$1")" "$(sim_target UpdateService "$1")" >"$T/changes.$1"
}

# expect_changes NAME REGISTERED UPDATED: revisions registered in the family NAME and
# UpdateService calls on the service NAME since changes_from_here NAME.
expect_changes() {
	read -r reg0 upd0 <"$T/changes.$1" || fail "expect_changes $1 without changes_from_here $1"
	expect_eq "RegisterTaskDefinition of family $1" "$(($(sim_target RegisterTaskDefinition "$1") - reg0))" "$2"
	expect_eq "UpdateService of service $1" "$(($(sim_target UpdateService "$1") - upd0))" "$3"
}

# admin_sqs METHOD JSON_KWARGS, admin_ecs METHOD JSON_KWARGS: one call with the admin keys
# (what an operator's console would do); prints the response as JSON.
admin_sqs() { admin_call sqs "$@"; }
admin_ecs() { admin_call ecs "$@"; }
admin_call() {
	python3 - "$IT_READY" "$1" "$2" "$3" <<'EOF'
import json, sys
import boto3
ready, service, method, kwargs = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
keys = ready["users"]["admin"]
client = boto3.client(service, endpoint_url=ready["endpoint"], region_name=ready["region"],
                      aws_access_key_id=keys["accessKeyId"], aws_secret_access_key=keys["secretAccessKey"])
out = getattr(client, method)(**kwargs)
out.pop("ResponseMetadata", None)
print(json.dumps(out, default=str))
EOF
}

# describe CLUSTER SERVICE: the service as DescribeServices shows it, in $T/describe.json.
describe() {
	setup describe --cluster "$1" --service "$2"
	printf '%s\n' "$REPLY" >"$T/describe.json"
}

# svc CLUSTER SERVICE PATH: one field of the described service.
svc() {
	describe "$1" "$2"
	q "$T/describe.json" "$3"
}

# ---- running the tools ----

# as USER CMD...: runs CMD with USER's mounted-style .aws directory and the local endpoint.
as() {
	u=$1
	shift
	env HOME="$IT_SERVER/home-$u" \
		AWS_CONFIG_FILE="$IT_SERVER/home-$u/.aws/config" \
		AWS_SHARED_CREDENTIALS_FILE="$IT_SERVER/home-$u/.aws/credentials" \
		AWS_ENDPOINT_URL="$IT_ENDPOINT" "$@"
}

# run LABEL CMD...: runs CMD (stdin from $IN, else nothing), leaving LABEL.out and
# LABEL.err; sets $rc and $secs (wall time, one decimal) and $ms.
run() {
	label=$1
	shift
	note "\$ $*"
	t0=$(now_ms)
	"$@" <"${IN:-/dev/null}" >"$T/$label.out" 2>"$T/$label.err"
	rc=$?
	IN=""
	t1=$(now_ms)
	ms=$((t1 - t0))
	secs=$(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms / 1000 }')
	note "-> status $rc in ${secs}s"
	sed 's/^/   err: /' "$T/$label.err" >&2
	sed 's/^/   out: /' "$T/$label.out" >&2
}

# worker LABEL [ARGS...]: scripts/ecs-deployment as the deployer, one-shot unless --watch;
# the installed copy when the tools come from an installation (ECS_DEPLOYMENT_BIN), or
# $IT_WORKER (see worker_script).
worker() {
	label=$1
	shift
	run "$label" as deployer sh "$(worker_script)" --wait-seconds 1 "$@"
}

# tool LABEL NAME [ARGS...]: one of the four tools as the deployer.
tool() {
	label=$1 name=$2
	shift 2
	run "$label" as deployer "$IT_BIN/$name" "$@"
}

# Wall times worth reporting go to one file of the run.
# shellcheck disable=SC2153 # IT_WORK comes from tests/integration/run
record() { printf '%s %s\n' "$CASE" "$*" >>"$IT_WORK/timings"; }

# ---- assertions ----

# q FILE PATH [INDEX]: a field of the INDEXth JSON document of FILE (see docq.py).
q() { python3 "$IT_ROOT/tests/integration/docq.py" "$@"; }

expect_rc() { # LABEL WANT
	[ "$rc" = "$2" ] || fail "$1: exit status $rc, want $2 ($(tail -n 1 "$T/$1.err"))"
}

expect_eq() { # WHAT GOT WANT
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

expect_match() { # WHAT GOT EXTENDED_REGEX
	printf '%s\n' "$2" | grep -Eq -- "$3" || fail "$1: '$2' does not match /$3/"
}

expect_doc() { # LABEL PATH WANT [INDEX]: a field of LABEL's stdout document
	got=$(q "$T/$1.out" "$2" "${4:-0}") || fail "$1: no field $2 in stdout"
	expect_eq "$1 $2" "$got" "$3"
}

expect_doc_match() { # LABEL PATH REGEX [INDEX]
	got=$(q "$T/$1.out" "$2" "${4:-0}") || fail "$1: no field $2 in stdout"
	expect_match "$1 $2" "$got" "$3"
}

expect_docs() { # LABEL N: stdout holds exactly N documents
	got=$(q "$T/$1.out" '#docs')
	expect_eq "$1 documents on stdout" "$got" "$2"
}

expect_stderr() { # LABEL REGEX: some stderr line matches
	grep -Eq -- "$2" "$T/$1.err" || fail "$1: no stderr line matches /$2/"
}

expect_no_stderr() { # LABEL REGEX: no stderr line matches
	if grep -Eq -- "$2" "$T/$1.err"; then fail "$1: stderr matches /$2/: $(grep -E -m1 -- "$2" "$T/$1.err")"; fi
}

expect_count() { # QUEUE_URL WANT WHAT
	got=$(count "$1") || exit 1
	expect_eq "messages in the queue $3" "$got" "$2"
}

expect_service() { # CLUSTER SERVICE PATH WANT
	got=$(svc "$1" "$2" "$3") || fail "service $2: no field $3 in describe"
	expect_eq "service $2 $3" "$got" "$4"
}

expect_service_match() { # CLUSTER SERVICE PATH REGEX
	got=$(svc "$1" "$2" "$3") || fail "service $2: no field $3 in describe"
	expect_match "service $2 $3" "$got" "$4"
}

expect_lt() { # WHAT GOT LIMIT (integers)
	[ "$2" -lt "$3" ] || fail "$1: $2 is not below $3"
}

expect_ge() { # WHAT GOT LIMIT (integers)
	[ "$2" -ge "$3" ] || fail "$1: $2 is below $3"
}

# sigterm_and_wait PID: SIGTERM, then the process must exit within 10 s; its status in $rc.
sigterm_and_wait() {
	kill -TERM "$1"
	i=0
	while kill -0 "$1" 2>/dev/null; do
		if [ "$i" -ge 40 ]; then
			kill -KILL "$1" 2>/dev/null
			fail "process $1 did not stop within 10s of SIGTERM"
		fi
		sleep 0.25
		i=$((i + 1))
	done
	wait "$1"
	rc=$?
}

# has_lines FILE N: FILE exists and holds at least N lines.
has_lines() { [ -f "$1" ] && [ "$(wc -l <"$1" | tr -d ' ')" -ge "$2" ]; }

# on_revision CLUSTER SERVICE ARN: the service no longer runs ARN.
on_revision() { [ "$(svc "$1" "$2" taskDefinition)" != "$3" ]; }

# sigterm_during_rollout PID SERVICE BEFORE: once SERVICE (in `default`) has left BEFORE,
# the worker PID (output in w.out, w.err) is waiting for the rollout: SIGTERM, then it
# must exit within 10 s; its status in $rc.
sigterm_during_rollout() {
	wait_until 30 "deployment of $2 started" on_revision default "$2" "$3"
	sleep 1
	sigterm_and_wait "$1"
	sed 's/^/   err: /' w.err >&2
	sed 's/^/   out: /' w.out >&2
}

# stopped_during_rollout PID SERVICE BEFORE QUEUE: the watching worker PID, stopped by
# SIGTERM while waiting for SERVICE's rollout, ends cleanly, exit 0, and the message of
# the unknown outcome stays.
stopped_during_rollout() {
	sigterm_during_rollout "$1" "$2" "$3"
	expect_eq "exit status after SIGTERM" "$rc" 0
	expect_stderr w '^ecs-deployment: stopped'
	expect_count "$4" 1 "after SIGTERM during a deployment"
}

# ---- common shapes of a case ----

# given_message IMAGE_TAG [setup.py service options]: queue $N, service $N in the
# `default` cluster with two tasks on example/web:1, and one message deploying the
# image tag to it. Sets Q, MID, BEFORE (the service's task definition) and SQS_URL.
given_message() {
	tag=$1
	shift
	queue "$N"
	service default "$N" "$@"
	taskdef "$N" "$(image "$tag")" >td.json
	changes_from_here "$N"
	send "$Q" "$N" td.json
	export SQS_URL="$Q"
	BEFORE=$(svc default "$N" taskDefinition) || fail "service $N: no taskDefinition"
}

# wait_until SECONDS WHAT CMD...: polls CMD twice a second until it succeeds.
wait_until() {
	limit=$(($(now_ms) + $1 * 1000)) within=$1 what=$2
	shift 2
	until "$@"; do
		[ "$(now_ms)" -lt "$limit" ] || fail "$what: not within ${within}s"
		sleep 0.5
	done
}

# drained CLUSTER SERVICE N: one deployment left, running N tasks.
drained() {
	describe "$1" "$2"
	[ "$(q "$T/describe.json" deployments.#)" = 1 ] && [ "$(q "$T/describe.json" runningCount)" = "$3" ]
}

# rollout_is CLUSTER SERVICE STATE: the PRIMARY deployment's rolloutState is STATE.
rollout_is() {
	describe "$1" "$2"
	[ "$(q "$T/describe.json" 'deployments.[status=PRIMARY].rolloutState')" = "$3" ]
}

# unchanged CLUSTER SERVICE ARN: still on ARN with a single deployment.
expect_unchanged() {
	describe "$1" "$2"
	expect_eq "service $2 taskDefinition" "$(q "$T/describe.json" taskDefinition)" "$3"
	expect_eq "service $2 deployments" "$(q "$T/describe.json" deployments.#)" 1
}

# ---- watching the worker itself ----

# sim_deletes QUEUE_URL: DeleteMessage calls the local AWS has answered for the queue.
sim_deletes() { sim_target sqs:DeleteMessage "${1##*/}"; }

# expect_deletes QUEUE_URL N: DeleteMessage calls for the queue since the case began
# (every case has queues of its own).
expect_deletes() {
	expect_eq "DeleteMessage calls on ${1##*/}" "$(sim_deletes "$1")" "$2"
}

# in_flight QUEUE_URL: messages received and not yet visible again.
in_flight() {
	admin_sqs get_queue_attributes "{\"QueueUrl\": \"$1\", \"AttributeNames\": [\"ApproximateNumberOfMessagesNotVisible\"]}" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["Attributes"]["ApproximateNumberOfMessagesNotVisible"])'
}

# make_visible QUEUE_URL RECEIPT: the message comes back at once (an operator resets its
# visibility), as it would after its visibility timeout.
make_visible() {
	admin_sqs change_message_visibility "{\"QueueUrl\": \"$1\", \"ReceiptHandle\": \"$2\", \"VisibilityTimeout\": 0}" >/dev/null ||
		fail "cannot reset the message's visibility"
}

# worker_script: the worker under test ($IT_WORKER overrides it, to check that a case
# fails against a broken worker).
worker_script() {
	if [ -n "${IT_WORKER:-}" ]; then
		printf '%s\n' "$IT_WORKER"
	elif [ -n "${ECS_DEPLOYMENT_BIN:-}" ] && [ -f "$ECS_DEPLOYMENT_BIN/ecs-deployment" ]; then
		printf '%s\n' "$ECS_DEPLOYMENT_BIN/ecs-deployment"
	else
		printf '%s\n' "$IT_ROOT/scripts/ecs-deployment"
	fi
}

# bg_worker LABEL [ENV=VALUE...] -- [ARGS...]: the worker as the deployer in the background
# (a simple command, so $! is the worker itself); stdout and stderr in LABEL.out, LABEL.err.
bg_worker() {
	label=$1
	shift
	set -- env HOME="$IT_SERVER/home-deployer" AWS_CONFIG_FILE="$IT_SERVER/home-deployer/.aws/config" \
		AWS_SHARED_CREDENTIALS_FILE="$IT_SERVER/home-deployer/.aws/credentials" \
		AWS_ENDPOINT_URL="$IT_ENDPOINT" "$@"
	note "\$ ecs-deployment (in the background) $label"
	"$@" >"$T/$label.out" 2>"$T/$label.err" </dev/null &
}

# stop_worker PID WANT: waits up to 20 s for the worker to end (SIGKILL and fail after
# that), then expects its exit status WANT; sets $rc.
wait_worker() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ "$i" -lt 80 ]; do sleep 0.25; i=$((i + 1)); done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		fail "worker $1 still running after 20s"
	fi
	wait "$1"
	rc=$?
	[ "$rc" = "$2" ] || fail "worker $1: exit status $rc, want $2"
}

# signal_bin POINT: a directory of the four tools, wrapped so that the worker (their
# parent) gets SIGTERM at POINT: after-STEP (the step has ended: the signal arrives
# between two steps) or during-STEP (the step has just started: the worker passes the
# signal on to it), STEP being receive, register, update, wait or delete. Only the first
# run at POINT signals; the runs that check the settings at start (no input) never do.
# Prints the directory, for ECS_DEPLOYMENT_BIN.
signal_bin() {
	mkdir -p "$T/sigbin" "$T/sigstate"
	for t in sqs-receive ecs-register ecs-update ecs-wait; do
		cat >"$T/sigbin/$t" <<WRAP
#!/bin/sh
real="$IT_BIN/$t" point="$1" state="$T/sigstate"
WRAP
		cat >>"$T/sigbin/$t" <<'WRAP'
case ${0##*/} in
sqs-receive) step=receive; for a in "$@"; do [ "$a" = --delete ] && step=delete; done ;;
*) step=${0##*/ecs-} ;;
esac
# The settings check at start runs each tool once with no input.
if [ "$step" != receive ] && [ ! -s /dev/stdin ]; then exec "$real" "$@"; fi
# Each argument the worker passed, in brackets: args.STEP shows how they were split.
for a in "$@"; do printf '[%s]' "$a"; done >>"$state/args.$step"
echo >>"$state/args.$step"
case $point in
after-"$step")
	"$real" "$@"
	rc=$?
	trap '' TERM
	mkdir "$state/fired" 2>/dev/null && kill -TERM "$PPID"
	exit "$rc"
	;;
during-"$step")
	exec 3<&0
	"$real" "$@" <&3 3<&- &
	p=$!
	trap 'kill -TERM "$p" 2>/dev/null' TERM
	# A receive is signalled in its long poll, the others as they start.
	[ "$step" = receive ] && sleep 1
	mkdir "$state/fired" 2>/dev/null && kill -TERM "$PPID"
	while :; do
		wait "$p"
		rc=$?
		kill -0 "$p" 2>/dev/null || break
	done
	exit "$rc"
	;;
esac
exec "$real" "$@"
WRAP
		chmod +x "$T/sigbin/$t"
	done
	printf '%s\n' "$T/sigbin"
}

# fired: the signal of signal_bin was sent.
fired() { [ -d "$T/sigstate/fired" ]; }

# ---- fault injection (tests/fault/proxy.py) ----

# fault_proxy: starts this case's fault proxy in front of the local AWS; its endpoint in
# $FAULT_ENDPOINT. Rules are written with faults RULES_JSON; no rules: no faults.
fault_proxy() {
	echo '[]' >"$T/rules.json"
	python3 "$IT_ROOT/tests/fault/proxy.py" --upstream "$IT_ENDPOINT" --rules "$T/rules.json" \
		--ready-file "$T/proxy.json" --stats-file "$T/proxy-stats.json" --parent-pid $$ >"$T/proxy.log" 2>&1 &
	FAULT_PID=$!
	wait_until 20 "the fault proxy is ready" test -s "$T/proxy.json"
	FAULT_ENDPOINT=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$T/proxy.json")
}

# faults RULES_JSON: the proxy's rules from now on (their counters start again).
faults() {
	printf '%s\n' "$1" >"$T/rules.json.new"
	mv "$T/rules.json.new" "$T/rules.json"
	# The proxy notices a change by the file's modification time.
	sleep 0.05
}

# injected: faults the proxy injected so far.
injected() {
	python3 -c 'import json, sys; print(sum(json.load(open(sys.argv[1]))["injected"].values()))' "$T/proxy-stats.json"
}

# fault_bin STEP: a directory of the four tools, wrapped so that STEP (receive, register,
# update, wait or delete) talks to the local AWS through the fault proxy and the other
# steps directly. Prints the directory, for ECS_DEPLOYMENT_BIN.
fault_bin() {
	mkdir -p "$T/faultbin"
	for t in sqs-receive ecs-register ecs-update ecs-wait; do
		cat >"$T/faultbin/$t" <<WRAP
#!/bin/sh
real="$IT_BIN/$t" faulty="$1" proxy="$FAULT_ENDPOINT"
WRAP
		cat >>"$T/faultbin/$t" <<'WRAP'
case ${0##*/} in
sqs-receive) step=receive; for a in "$@"; do [ "$a" = --delete ] && step=delete; done ;;
*) step=${0##*/ecs-} ;;
esac
[ "$step" = "$faulty" ] && export AWS_ENDPOINT_URL="$proxy"
exec "$real" "$@"
WRAP
		chmod +x "$T/faultbin/$t"
	done
	printf '%s\n' "$T/faultbin"
}

# known_failing WHY FUNCTION: FUNCTION (assertions, run in a subshell) is expected to fail
# until the change WHY lands; the case passes while it fails, and fails once it passes,
# so that the marker is removed and the assertions count again.
known_failing() {
	why=$1
	shift
	if ("$@"); then
		fail "known failing, now passing ($why): remove known_failing from this case"
	fi
	note "known failing, as expected until $why: $(cat "$T/why" 2>/dev/null)"
	rm -f "$T/why"
	record "known failing until $why"
}
