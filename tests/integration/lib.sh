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

# sim_target ACTION NAME: how often ACTION changed NAME (UpdateService: a service,
# RegisterTaskDefinition: a family), whatever the other cases do meanwhile.
sim_target() {
	python3 - "$IT_ENDPOINT" "ecs:$1 $2" <<'EOF'
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

# admin_sqs METHOD JSON_KWARGS: one SQS call with the admin keys (what an operator's
# console would do); prints the response as JSON.
admin_sqs() {
	python3 - "$IT_READY" "$1" "$2" <<'EOF'
import json, sys
import boto3
ready, method, kwargs = json.load(open(sys.argv[1])), sys.argv[2], json.loads(sys.argv[3])
keys = ready["users"]["admin"]
sqs = boto3.client("sqs", endpoint_url=ready["endpoint"], region_name=ready["region"],
                   aws_access_key_id=keys["accessKeyId"], aws_secret_access_key=keys["secretAccessKey"])
out = getattr(sqs, method)(**kwargs)
out.pop("ResponseMetadata", None)
print(json.dumps(out))
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
# the installed copy when the tools come from an installation (ECS_DEPLOYMENT_BIN).
worker() {
	label=$1
	shift
	script="$IT_ROOT/scripts/ecs-deployment"
	if [ -n "${ECS_DEPLOYMENT_BIN:-}" ] && [ -f "$ECS_DEPLOYMENT_BIN/ecs-deployment" ]; then
		script="$ECS_DEPLOYMENT_BIN/ecs-deployment"
	fi
	run "$label" as deployer sh "$script" --wait-seconds 1 "$@"
}

# tool LABEL NAME [ARGS...]: one of the four tools as the deployer.
tool() {
	label=$1 name=$2
	shift 2
	run "$label" as deployer "$IT_BIN/$name" "$@"
}

# Wall times worth reporting go to one file of the run.
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
