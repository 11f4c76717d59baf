# Credentials and reachability: a user without the policy, no credentials at all, an
# endpoint nobody listens on, and no secret in the output even with --verbose.
# shellcheck shell=sh disable=SC2154 # rc, secs, Q, BEFORE come from lib.sh

case_outsider_denied() {
	given_message 2
	run w as outsider sh "$IT_ROOT/scripts/ecs-deployment" --wait-seconds 1
	expect_rc w 77
	expect_stderr w '^sqs-receive: .*(AccessDenied|not authorized)'
	expect_count "$Q" 1 "after access denied"
	# ECS refuses the outsider too, and the service stays as it was.
	run u as outsider "$IT_BIN/ecs-update" --cluster default --service "$N" --task-definition "$BEFORE"
	expect_rc u 77
	expect_stderr u '^ecs-update: .*(AccessDenied|not authorized)'
	expect_unchanged default "$N" "$BEFORE"
}

case_no_credentials() {
	given_message 2
	mkdir empty-home
	# No AWS_* credential variable, an empty home, no instance metadata; a region, so
	# that credentials are what is missing.
	run w env -i PATH="$PATH" HOME="$T/empty-home" AWS_EC2_METADATA_DISABLED=true \
		AWS_REGION=us-east-1 AWS_ENDPOINT_URL="$IT_ENDPOINT" ECS_DEPLOYMENT_BIN="$IT_BIN" \
		SQS_URL="$Q" sh "$IT_ROOT/scripts/ecs-deployment" --wait-seconds 1
	expect_rc w 78
	expect_stderr w '^sqs-receive: .*credentials'
	# The message names each provider that was tried.
	for provider in '[Ee]nvironment|AWS_ACCESS_KEY_ID' '[Ww]eb identity|AWS_WEB_IDENTITY_TOKEN_FILE' \
		'[Ss]hared|[Pp]rofile|\.aws/credentials' '[Cc]ontainer|AWS_CONTAINER_CREDENTIALS' \
		'[Ii]nstance metadata|IMDS|EC2'; do
		expect_stderr w "$provider"
	done
	expect_count "$Q" 1 "without credentials"
	expect_unchanged default "$N" "$BEFORE"
	# Without a region either (the local queue URL names none), that is said first.
	run r env -i PATH="$PATH" HOME="$T/empty-home" AWS_EC2_METADATA_DISABLED=true \
		AWS_ENDPOINT_URL="$IT_ENDPOINT" "$IT_BIN/sqs-receive" --queue-url "$Q" --wait-seconds 1
	expect_rc r 78
	expect_stderr r '^sqs-receive: no region'
}

case_unreachable() {
	given_message 2
	# Port 1 on loopback: nothing listens there, so the connection is refused at once.
	run w as deployer env AWS_ENDPOINT_URL=http://127.0.0.1:1 \
		sh "$IT_ROOT/scripts/ecs-deployment" --wait-seconds 1
	record "unreachable endpoint: status $rc after ${secs}s"
	expect_rc w 69
	expect_stderr w '^sqs-receive: '
	expect_count "$Q" 1 "when AWS is unreachable"
	expect_unchanged default "$N" "$BEFORE"
}

case_no_secret_printed() {
	given_message 2
	# The deployer's keys as the source profile of the deploy role: the tools assume the
	# role through STS, so they hold a secret key and a session token they must not show.
	mkdir -p home/.aws
	cp "$IT_SERVER/home-deployer/.aws/credentials" home/.aws/credentials
	ready() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$IT_READY" "$1"; }
	region=$(ready region) role=$(ready roleArn)
	cat >home/.aws/config <<EOF
[default]
region = $region

[profile deploy]
role_arn = $role
source_profile = default
region = $region
EOF
	secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["users"]["deployer"]["secretAccessKey"])' "$IT_READY")
	[ -n "$secret" ] || fail "no deployer secret in the ready file"
	assumed_before=$(sim_calls AssumeRole)
	run w env HOME="$T/home" AWS_CONFIG_FILE="$T/home/.aws/config" AWS_PROFILE=deploy \
		AWS_SHARED_CREDENTIALS_FILE="$T/home/.aws/credentials" AWS_ENDPOINT_URL="$IT_ENDPOINT" \
		sh "$IT_ROOT/scripts/ecs-deployment" --wait-seconds 1 --verbose
	expect_rc w 0
	expect_doc w result.status succeeded
	[ "$(sim_calls AssumeRole)" -gt "$assumed_before" ] || fail "the tools did not assume $role"
	[ "$(wc -l <w.err)" -ge 10 ] || fail "--verbose printed less than 10 lines"
	for f in w.err w.out; do
		if grep -qF -- "$secret" "$f"; then fail "$f shows the secret access key"; fi
		# Every session token of the local AWS (moto) starts so.
		if grep -qF -- FQoGZXIvYXdzEBYaD "$f"; then fail "$f shows a session token"; fi
		if grep -Eq -- 'Signature=[0-9a-f]{16}' "$f"; then fail "$f shows a request signature"; fi
	done
}
