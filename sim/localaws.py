#!/usr/bin/env python3
"""One local AWS endpoint (SQS, ECS, IAM, STS) on 127.0.0.1 for tests and demos.

Moto serves the APIs; ECS calls that concern rollouts pass through moto first (for
authentication, IAM authorization and validation) and are then answered from the rollout
simulator in ecssim.py, since moto does not roll out deployments.

Usage:
  python3 sim/localaws.py --port 0 --ready-file PATH [--auth] [--speed FACTOR]
                          [--throttle] [--throttle-scale F] [--throttle-rate OP=SUSTAINED:BURST]
                          [--log-file PATH] [--parent-pid PID]

Once the socket accepts connections, PATH is written atomically with the endpoint, the
region, the account, the role ARN and the access keys of the users deployer, outsider and
admin. GET /_sim/stats counts API calls per action (`calls`) and the changing calls per
service or family (ECS) or queue (SQS DeleteMessage) (`targets`), and how many of ECS's
DescribeServices and DescribeTasks calls named how many resources (`batches`, e.g.
"ecs:DescribeServices 10": 3); POST /_sim/reset-stats clears them.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ecssim import EcsError, EcsSim, TaskDef  # noqa: E402

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
ROLE_NAME = "deploy-role"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/{ROLE_NAME}"
USERS = ("deployer", "outsider", "admin")
ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
SIMULATED_ECS_ACTIONS = {
    "CreateService",
    "UpdateService",
    "DeleteService",
    "DescribeServices",
    "ListTasks",
    "DescribeTasks",
}
# STS calls that AWS accepts unsigned: the token in the request is the credential.
UNSIGNED_ACTIONS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}
TARGET_SERVICES = {"AmazonSQS": "sqs", "AmazonEC2ContainerServiceV20141113": "ecs"}
POLICY_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "iam-policy.json")

log = logging.getLogger("localaws")

# ECS's request throttling, per account and Region: operation -> (sustained per second, burst).
# Source: "Request throttling for the Amazon ECS API",
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
# - RegisterTaskDefinition: 1 per second sustained, burst 20.
# - The read actions DescribeServices (service read), ListTasks and DescribeTasks (cluster
#   resource read): 20 per second sustained. Their burst is taken as 50, the bucket size the
#   page's worked example gives for cluster read actions; check the account's own figures in
#   Service Quotas.
# Operations not listed here (UpdateService among them) are not throttled unless given with
# --throttle-rate. See sim/README.md.
ECS_THROTTLE_RATES: dict[str, tuple[float, float]] = {
    "DescribeServices": (20.0, 50.0),
    "ListTasks": (20.0, 50.0),
    "DescribeTasks": (20.0, 50.0),
    "RegisterTaskDefinition": (1.0, 20.0),
}
THROTTLE_MESSAGE = "Rate exceeded"


class TokenBucket:
    """Holds up to `burst` tokens, refilled continuously at `rate` per second; one call takes one."""

    def __init__(self, rate: float, burst: float, now: float):
        if rate <= 0 or burst < 1:
            raise ValueError("a bucket needs a positive rate and room for at least one token")
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = now

    def take(self, now: float) -> bool:
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Throttle:
    """One token bucket per (region, ECS operation); counts the calls each bucket refused."""

    def __init__(self, enabled: bool = False, scale: float = 1.0,
                 rates: dict[str, tuple[float, float]] | None = None, clock: Any = time.monotonic):
        self.clock = clock
        self.lock = threading.Lock()
        self.throttled: Counter[str] = Counter()
        self.configure(enabled, scale, rates or {})

    def configure(self, enabled: bool, scale: float, overrides: dict[str, tuple[float, float]]) -> None:
        """Documented rates times scale, then the overrides as given (not scaled); buckets start full."""
        if scale <= 0:
            raise ValueError("the throttle scale must be positive")
        rates = {op: (rate * scale, max(1.0, burst * scale)) for op, (rate, burst) in ECS_THROTTLE_RATES.items()}
        for op, (rate, burst) in overrides.items():
            if rate <= 0 or burst < 1:
                raise ValueError(f"{op}: the rate must be positive and the burst at least 1")
            rates[op] = (float(rate), float(burst))
        with self.lock:
            self.enabled = enabled
            self.scale = scale
            self.overrides = dict(overrides)
            self.rates = rates
            self.buckets: dict[tuple[str, str], TokenBucket] = {}

    def allow(self, region: str, action: str) -> bool:
        """Takes a token for the call; False when the operation's bucket is empty."""
        with self.lock:
            if not self.enabled or action not in self.rates:
                return True
            now = self.clock()
            bucket = self.buckets.get((region, action))
            if bucket is None:
                rate, burst = self.rates[action]
                bucket = self.buckets[(region, action)] = TokenBucket(rate, burst, now)
            if bucket.take(now):
                return True
            self.throttled[f"ecs:{action}"] += 1
            return False

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "enabled": self.enabled,
                "scale": self.scale,
                "rates": {op: {"sustained": r, "burst": b} for op, (r, b) in sorted(self.rates.items())},
                "throttled": dict(sorted(self.throttled.items())),
            }

    def clear_counts(self) -> None:
        with self.lock:
            self.throttled.clear()


def parse_rate(text: str) -> tuple[str, tuple[float, float]]:
    """OP=SUSTAINED:BURST, e.g. DescribeServices=2:5."""
    op, sep, value = text.partition("=")
    rate, sep2, burst = value.partition(":")
    try:
        if not (op and sep and sep2):
            raise ValueError(text)
        parsed = (float(rate), float(burst))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected OP=SUSTAINED:BURST, got {text!r}") from exc
    if parsed[0] <= 0 or parsed[1] < 1:
        raise argparse.ArgumentTypeError(f"{text}: the rate must be positive and the burst at least 1")
    return op, parsed


def throttled_response(start_response: Any, action: str) -> list[bytes]:
    """ECS's answer to a throttled call: HTTP 400, JSON 1.1 error ThrottlingException, "Rate exceeded"."""
    body = json.dumps({"__type": "ThrottlingException", "message": THROTTLE_MESSAGE}).encode()
    headers = [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("x-amzn-ErrorType", "ThrottlingException"),
        ("x-amzn-RequestId", str(uuid.uuid4())),
    ]
    log.info("ecs:%s throttled", action)
    return respond(start_response, 400, headers, body)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="localaws.py",
        description="Local AWS endpoint (moto) with an ECS rollout simulator, bound to 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    parser.add_argument("--ready-file", required=True, help="JSON file written once the endpoint accepts connections")
    parser.add_argument("--auth", action="store_true", help="check signatures and IAM policies on every request")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per wall-clock second (default 1)")
    parser.add_argument("--throttle", action="store_true",
                        help="throttle ECS calls with a token bucket per operation, at ECS's documented rates")
    parser.add_argument("--throttle-scale", type=float, default=1.0, metavar="F",
                        help="multiply the documented rates and bursts by F (default 1)")
    parser.add_argument("--throttle-rate", type=parse_rate, action="append", default=[], metavar="OP=SUSTAINED:BURST",
                        help="this rate for one ECS operation instead (repeatable)")
    parser.add_argument("--log-file", help="log here instead of stderr")
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    args = parser.parse_args(argv)
    if args.speed <= 0:
        parser.error("--speed must be positive")
    if args.throttle_scale <= 0:
        parser.error("--throttle-scale must be positive")
    return args


def bootstrap_iam(policy_text: str) -> dict[str, dict[str, str]]:
    """Creates the users, their keys and the deploy role directly in moto's IAM backend."""
    from moto.iam.models import iam_backends

    iam = iam_backends[ACCOUNT_ID]["aws"]
    users = {}
    for name in USERS:
        iam.create_user(REGION, name)
        key = iam.create_access_key(name)
        users[name] = {"accessKeyId": key.access_key_id, "secretAccessKey": key.secret_access_key}
    iam.put_user_policy("deployer", "ecs-deployment", policy_text)
    # Moto requires an identity policy for sts:AssumeRole on top of the role's trust policy.
    iam.put_user_policy(
        "deployer",
        "assume-deploy-role",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE_ARN}],
            }
        ),
    )
    iam.put_user_policy(
        "admin",
        "full-access",
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    )
    # Moto matches trust principals literally, so the users are named beside the account root.
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "AWS": [
                        f"arn:aws:iam::{ACCOUNT_ID}:root",
                        f"arn:aws:iam::{ACCOUNT_ID}:user/admin",
                        f"arn:aws:iam::{ACCOUNT_ID}:user/deployer",
                    ]
                },
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(ROLE_NAME, json.dumps(trust), "/", None, "role assumed by the deployment tools", [], None)
    iam.put_role_policy(ROLE_NAME, "ecs-deployment", policy_text)
    return users


def taskdef_lookup(region: str):
    from moto.ecs.models import ecs_backends

    def lookup(ref: str) -> TaskDef:
        td = ecs_backends[ACCOUNT_ID][region].describe_task_definition(ref)
        return TaskDef(
            arn=td.arn,
            family=td.family,
            containers=[dict(c) for c in td.container_definitions],
            cpu=td.cpu,
            memory=td.memory,
        )

    return lookup


def request_identity(environ: dict[str, Any], body: bytes) -> tuple[str, str, str]:
    """(service, action, region) of an AWS request, from the SigV4 scope, the target header or the form."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    service, region = "", REGION
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 5:
            region, service = scope[2], scope[3]
    action = ""
    if target:
        prefix, _, action = target.partition(".")
        service = service or TARGET_SERVICES.get(prefix, prefix.lower())
    else:
        fields = parse_qs(environ.get("QUERY_STRING", ""))
        if not fields.get("Action") and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            fields = parse_qs(body.decode("utf-8", "replace"))
        action = (fields.get("Action") or [""])[0]
        if not service and action in UNSIGNED_ACTIONS:
            service = "sts"
    return service or "unknown", action or "unknown", region


def call_app(app: Any, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    captured: dict[str, Any] = {}
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
        captured["status"], captured["headers"] = status, headers
        return chunks.append

    result = app(environ, start_response)
    try:
        for chunk in result:
            chunks.append(chunk)
    finally:
        if hasattr(result, "close"):
            result.close()
    return int(captured["status"].split()[0]), list(captured["headers"]), b"".join(chunks)


REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error"}


def respond(start_response: Any, status: int, headers: list[tuple[str, str]], body: bytes) -> list[bytes]:
    kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
    kept.append(("Content-Length", str(len(body))))
    start_response(f"{status} {REASONS.get(status, 'Unknown')}", kept)
    return [body]


class LocalAWS:
    """WSGI app: counts calls, routes rollout-related ECS calls through the simulator, the rest to moto."""

    def __init__(self, moto_app: Any, speed: float, auth: bool, internal_keys: dict[str, str] | None = None,
                 throttle: Throttle | None = None):
        self.moto_app = moto_app
        self.throttle = throttle or Throttle()
        self.internal_keys = internal_keys
        self.speed = speed
        self.auth = auth
        self.sims: dict[str, EcsSim] = {}
        self.sims_lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        # Calls that change a resource, per resource ("ecs:UpdateService web"), so a test can
        # tell how often its own service was updated while other tests share the server.
        self.targets: Counter[str] = Counter()
        # Calls per number of resources they name ("ecs:DescribeServices 10"): shows batching.
        self.batches: Counter[str] = Counter()
        self.calls_lock = threading.Lock()

    def sim(self, region: str) -> EcsSim:
        with self.sims_lock:
            if region not in self.sims:
                self.sims[region] = EcsSim(region, ACCOUNT_ID, taskdef_lookup(region), speed=self.speed)
            return self.sims[region]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_sim/"):
            return self.control(environ, start_response, path)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            body = environ["wsgi.input"].read(length)
        elif environ.get("wsgi.input_terminated"):  # chunked upload, already de-chunked by the server
            body = environ["wsgi.input"].read()
        else:
            body = b""
        environ["wsgi.input"] = io.BytesIO(body)
        if path.startswith("/moto-api"):
            return self.moto_app(environ, start_response)
        service, action, region = request_identity(environ, body)
        target = change_target(service, action, body)
        size = batch_size(service, action, body)
        with self.calls_lock:
            self.calls[f"{service}:{action}"] += 1
            if size is not None:
                self.batches[f"{service}:{action} {size}"] += 1
        if self.auth and not environ.get("HTTP_AUTHORIZATION") and "X-Amz-Algorithm" not in environ.get("QUERY_STRING", ""):
            if action not in UNSIGNED_ACTIONS or self.internal_keys is None:
                return self.missing_auth(start_response, environ)
            # Moto's authorization cannot take an unsigned call, so it is signed here on the caller's behalf.
            sign_request(environ, body, self.internal_keys, "sts", region)
        if service == "ecs" and not self.throttle.allow(region, action):
            return throttled_response(start_response, action)
        if target:
            # A throttled call changed nothing: only the calls that got through count per target.
            with self.calls_lock:
                self.targets[f"{service}:{action} {target}"] += 1
        if service == "ecs" and action in SIMULATED_ECS_ACTIONS:
            status, headers, out = self.simulated_ecs(environ, body, action, region)
        else:
            status, headers, out = call_app(self.moto_app, environ)
        log.info("%s:%s %s", service, action, status)
        return respond(start_response, status, headers, out)

    def simulated_ecs(self, environ: dict[str, Any], body: bytes, action: str, region: str):
        status, headers, out = call_app(self.moto_app, environ)
        if status != 200:
            return status, headers, out
        try:
            req = json.loads(body or b"{}")
            base = json.loads(out or b"{}")
            sim = self.sim(region)
            if action == "CreateService":
                result = sim.create_service(req, base.get("service", {}))
            elif action == "UpdateService":
                result = sim.update_service(req, base.get("service", {}))
            elif action == "DeleteService":
                result = sim.delete_service(req, base.get("service", {}))
            elif action == "DescribeServices":
                result = sim.describe_services(req, base)
            elif action == "ListTasks":
                result = sim.list_tasks(req)
            else:
                result = sim.describe_tasks(req)
        except EcsError as err:
            log.info("ecs:%s %s: %s", action, err.code, err.message)
            error = {"__type": err.code, "message": err.message}
            return err.status, json_headers(headers, err.code), json.dumps(error).encode()
        return 200, json_headers(headers), json.dumps(result, separators=(",", ":")).encode()

    def reconfigure_throttle(self, environ: dict[str, Any]) -> str | None:
        """POST /_sim/throttle {"enabled": bool, "scale": F, "rates": {"Op": [sustained, burst]}}; None when done."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            req = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
            if not isinstance(req, dict):
                raise ValueError("expected a JSON object")
            enabled = bool(req.get("enabled", self.throttle.enabled))
            scale = float(req.get("scale", self.throttle.scale))
            rates = {op: (float(v[0]), float(v[1])) for op, v in (req.get("rates") or {}).items()}
            self.throttle.configure(enabled, scale, rates)
        except (ValueError, TypeError, IndexError, KeyError) as exc:
            return f"bad throttle settings: {exc}"
        log.info("throttle: %s", json.dumps(self.throttle.state()["rates"]))
        return None

    def missing_auth(self, start_response: Any, environ: dict[str, Any]) -> list[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET"):
            body = json.dumps({"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"})
            headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "MissingAuthenticationTokenException")]
        else:
            body = (
                '<?xml version="1.0" encoding="utf-8"?>\n<ErrorResponse><Error><Type>Sender</Type>'
                "<Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message>"
                "</Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
            )
            headers = [("Content-Type", "text/xml")]
        return respond(start_response, 403, headers, body.encode())

    def control(self, environ: dict[str, Any], start_response: Any, path: str) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/_sim/stats" and method == "GET":
            with self.calls_lock:
                payload = {"calls": dict(sorted(self.calls.items())), "targets": dict(sorted(self.targets.items())),
                           "batches": dict(sorted(self.batches.items()))}
        elif path == "/_sim/reset-stats" and method == "POST":
            with self.calls_lock:
                self.calls.clear()
                self.targets.clear()
                self.batches.clear()
            self.throttle.clear_counts()
            payload = {"calls": {}, "targets": {}, "batches": {}}
        elif path == "/_sim/throttle" and method == "GET":
            payload = self.throttle.state()
        elif path == "/_sim/throttle" and method == "POST":
            error = self.reconfigure_throttle(environ)
            if error:
                body = json.dumps({"message": error}).encode()
                return respond(start_response, 400, [("Content-Type", "application/json")], body)
            payload = self.throttle.state()
        else:
            return respond(start_response, 404, [("Content-Type", "application/json")], b'{"message":"not found"}')
        return respond(start_response, 200, [("Content-Type", "application/json")], json.dumps(payload).encode())


# One SQS call at a time changes or reads the queues (see make_sqs_atomic).
SQS_LOCK = threading.RLock()


def make_sqs_atomic() -> None:
    """Makes each call of moto's SQS backend atomic, as SQS's are. The server answers requests on
    several threads, and moto's receive is not safe across them: two workers receiving at once
    could both take messages of one FIFO group (and so deploy one service's messages out of
    order), or fail with "Set changed size during iteration". A long poll waits outside the lock,
    looking again every 50 ms, so it never holds up the other calls."""
    from moto.sqs.models import SQSBackend

    if getattr(SQSBackend, "_atomic", False):
        return

    def locked(method: Any) -> Any:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            with SQS_LOCK:
                return method(self, *args, **kwargs)
        return call

    receive = SQSBackend.receive_message

    def receive_message(self: Any, queue_name: str, count: int, wait_seconds_timeout: int, visibility_timeout: int,
                        message_attribute_names: list[str] | None = None) -> Any:
        deadline = time.monotonic() + (wait_seconds_timeout or 0)
        while True:
            with SQS_LOCK:
                got = receive(self, queue_name, count, 0, visibility_timeout, message_attribute_names)
            if got or time.monotonic() >= deadline:
                return got
            time.sleep(0.05)

    for name in ("send_message", "send_message_batch", "delete_message", "delete_message_batch",
                 "change_message_visibility", "change_message_visibility_batch", "purge_queue"):
        setattr(SQSBackend, name, locked(getattr(SQSBackend, name)))
    SQSBackend.receive_message = receive_message
    SQSBackend._atomic = True


def ecs_member(service: str, action: str, body: bytes, keys: dict[str, str]) -> Any:
    """The member of an ECS request's JSON body that `keys` names for its action; None when the
    action is not in `keys` or the body cannot be read."""
    key = keys.get(action)
    if service != "ecs" or key is None:
        return None
    try:
        return json.loads(body or b"{}").get(key)
    except (ValueError, AttributeError):
        return None


def batch_size(service: str, action: str, body: bytes) -> int | None:
    """How many services a DescribeServices names, or tasks a DescribeTasks."""
    value = ecs_member(service, action, body, {"DescribeServices": "services", "DescribeTasks": "tasks"})
    return len(value) if isinstance(value, list) else None


def change_target(service: str, action: str, body: bytes) -> str | None:
    """The resource a changing call names: the service of UpdateService, the family of
    RegisterTaskDefinition, the queue (its name) of SQS's DeleteMessage."""
    if service == "sqs" and action == "DeleteMessage":
        try:
            url = json.loads(body or b"{}").get("QueueUrl")
        except (ValueError, AttributeError):
            url = (parse_qs(body.decode("utf-8", "replace")).get("QueueUrl") or [None])[0]
        return url.rstrip("/").rsplit("/", 1)[-1] if isinstance(url, str) else None
    value = ecs_member(service, action, body, {"UpdateService": "service", "RegisterTaskDefinition": "family"})
    if not isinstance(value, str):
        return None
    # A service may be named by ARN; count it by its name.
    return value.rsplit("/", 1)[-1]


def sign_request(environ: dict[str, Any], body: bytes, keys: dict[str, str], service: str, region: str) -> None:
    """Adds a SigV4 Authorization header (and X-Amz-Date) to the WSGI environ, signed with keys."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    host = environ.get("HTTP_HOST", "127.0.0.1")
    query = environ.get("QUERY_STRING", "")
    url = f"http://{host}{environ.get('PATH_INFO', '/')}" + (f"?{query}" if query else "")
    headers = {"Host": host}
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    request = AWSRequest(method=environ.get("REQUEST_METHOD", "POST"), url=url, data=body, headers=headers)
    SigV4Auth(Credentials(keys["accessKeyId"], keys["secretAccessKey"]), service, region).add_auth(request)
    environ["HTTP_AUTHORIZATION"] = request.headers["Authorization"]
    environ["HTTP_X_AMZ_DATE"] = request.headers["X-Amz-Date"]


def json_headers(moto_headers: list[tuple[str, str]], error_type: str | None = None) -> list[tuple[str, str]]:
    headers = [(k, v) for k, v in moto_headers if k.lower() in ("x-amzn-requestid", "date", "server")]
    headers.append(("Content-Type", "application/x-amz-json-1.1"))
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    return headers


def write_ready_file(path: str, payload: dict[str, Any]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    with open(tmp, "w") as fh:
        json.dump(payload, fh, indent=2)
        fh.write("\n")
    os.replace(tmp, path)


def wait_until_accepting(port: int, deadline: float) -> None:
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def watch_parent(pid: int, stop: Any) -> None:
    original_ppid = os.getppid()
    while True:
        time.sleep(0.5)
        try:
            os.kill(pid, 0)
            gone = pid == original_ppid and os.getppid() != original_ppid
        except ProcessLookupError:
            gone = True
        except PermissionError:
            gone = False
        if gone:
            log.info("parent process %d is gone; stopping", pid)
            stop()
            return


def setup_logging(log_file: str | None) -> Any:
    stream = open(log_file, "a", buffering=1) if log_file else sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("localaws").setLevel(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return stream


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Until the server runs, a stop request simply ends the process cleanly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    stream = setup_logging(args.log_file)
    # Stdout belongs to whoever started us: moto's stray prints go to the log instead.
    sys.stdout = stream

    from moto import settings
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    make_sqs_atomic()
    with open(POLICY_FILE) as fh:
        policy_text = fh.read()
    users = bootstrap_iam(policy_text)
    if args.auth:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0

    throttle = Throttle(enabled=args.throttle, scale=args.throttle_scale, rates=dict(args.throttle_rate))
    app = LocalAWS(DomainDispatcherApplication(create_backend_app), speed=args.speed, auth=args.auth,
                   internal_keys=users["admin"], throttle=throttle)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    port = server.server_port
    stopping = threading.Event()

    def stop(*_: Any) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.parent_pid:
        threading.Thread(target=watch_parent, args=(args.parent_pid, stop), daemon=True).start()

    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    serving.start()
    wait_until_accepting(port, time.monotonic() + 10)
    endpoint = f"http://127.0.0.1:{port}"
    write_ready_file(
        args.ready_file,
        {
            "endpoint": endpoint,
            "region": REGION,
            "accountId": ACCOUNT_ID,
            "roleArn": ROLE_ARN,
            "users": users,
        },
    )
    log.info("serving %s (auth %s, speed %g, throttle %s)", endpoint, "on" if args.auth else "off", args.speed,
             f"x{args.throttle_scale:g}" if args.throttle else "off")
    while serving.is_alive():
        serving.join(0.2)
    server.server_close()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    code = main()
    logging.shutdown()
    # Keep-alive connections of clients may still hold handler threads; nothing is left to clean up.
    os._exit(code)
