#!/usr/bin/env python3
"""Prepares resources on the local AWS endpoint (sim/localaws.py) with the admin keys of its ready file.

Examples:
  python3 sim/setup.py --ready-file R queue deploys [--fifo] [--visibility 30]   # prints the queue URL
  python3 sim/setup.py --ready-file R cluster prod                               # prints the cluster ARN
  python3 sim/setup.py --ready-file R service --cluster prod --name web --image nginx:1
  python3 sim/setup.py --ready-file R taskdef --family web --image img:2 > td.json
  python3 sim/setup.py --ready-file R send --queue-url URL --service web --body-file td.json
  python3 sim/setup.py --ready-file R count --queue-url URL
  python3 sim/setup.py --ready-file R describe --cluster prod --service web
  python3 sim/setup.py --ready-file R aws-dir --user deployer --out DIR

The image picks the rollout scenario: an image containing fail-start, crash, crash-oom, unhealthy
or slow behaves so; any other image deploys healthily. The ready file may also be given in
LOCALAWS_READY_FILE.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
import uuid
from typing import Any

SERVICE_WAIT_SECS = 60.0


class SetupError(Exception):
    """A failure worth one line on stderr."""


def load_ready(path: str | None) -> dict[str, Any]:
    path = path or os.environ.get("LOCALAWS_READY_FILE")
    if not path:
        raise SetupError("no ready file: pass --ready-file or set LOCALAWS_READY_FILE")
    try:
        with open(path) as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise SetupError(f"cannot read ready file {path}: {exc}") from exc


def client(ready: dict[str, Any], service: str, user: str = "admin") -> Any:
    import boto3

    keys = ready["users"][user]
    return boto3.client(
        service,
        endpoint_url=ready["endpoint"],
        region_name=ready["region"],
        aws_access_key_id=keys["accessKeyId"],
        aws_secret_access_key=keys["secretAccessKey"],
    )


def plain(value: Any) -> Any:
    """Datetimes as epoch seconds, as they travel on the wire."""
    if isinstance(value, datetime.datetime):
        return round(value.timestamp(), 3)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def task_definition(family: str, image: str, container: str = "app", health_check: bool = False) -> dict[str, Any]:
    definition: dict[str, Any] = {"name": container, "image": image, "essential": True, "memory": 128}
    if health_check:
        definition["healthCheck"] = {"command": ["CMD-SHELL", "true"], "interval": 5, "retries": 2}
    return {"family": family, "containerDefinitions": [definition]}


def cmd_queue(ready: dict[str, Any], args: argparse.Namespace) -> str:
    name = args.name
    attributes: dict[str, str] = {}
    if args.fifo:
        if not name.endswith(".fifo"):
            name += ".fifo"
        attributes["FifoQueue"] = "true"
    if args.visibility is not None:
        attributes["VisibilityTimeout"] = str(args.visibility)
    return client(ready, "sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]


def cmd_cluster(ready: dict[str, Any], args: argparse.Namespace) -> str:
    return client(ready, "ecs").create_cluster(clusterName=args.name)["cluster"]["clusterArn"]


def cmd_taskdef(ready: dict[str, Any] | None, args: argparse.Namespace) -> str:
    return json.dumps(task_definition(args.family, args.image, health_check=args.health_check))


def cmd_service(ready: dict[str, Any], args: argparse.Namespace) -> str:
    ecs = client(ready, "ecs")
    family = args.family or args.name
    td = ecs.register_task_definition(**task_definition(family, args.image, health_check=args.health_check))
    config = {
        "deploymentCircuitBreaker": {"enable": args.circuit_breaker == "on", "rollback": args.rollback == "on"},
        "maximumPercent": args.max_percent,
        "minimumHealthyPercent": args.min_percent,
    }
    service = ecs.create_service(
        cluster=args.cluster,
        serviceName=args.name,
        taskDefinition=td["taskDefinition"]["taskDefinitionArn"],
        desiredCount=args.desired,
        deploymentConfiguration=config,
    )["service"]
    if args.no_wait:
        return service["serviceArn"]
    deadline = time.monotonic() + SERVICE_WAIT_SECS
    while True:
        current = ecs.describe_services(cluster=args.cluster, services=[args.name])["services"][0]
        state = current["deployments"][0]["rolloutState"] if current["deployments"] else "COMPLETED"
        if state == "COMPLETED":
            return service["serviceArn"]
        if state == "FAILED":
            raise SetupError(f"first deployment of service {args.name} failed: {current['deployments'][0]['rolloutStateReason']}")
        if time.monotonic() > deadline:
            raise SetupError(f"first deployment of service {args.name} not completed after {SERVICE_WAIT_SECS:.0f} s")
        time.sleep(0.05)


def cmd_send(ready: dict[str, Any], args: argparse.Namespace) -> str:
    if args.body_file is not None:
        with open(args.body_file) as fh:
            body = fh.read()
    else:
        body = args.body
    attributes = {"service": {"DataType": "String", "StringValue": args.service}}
    if args.cluster:
        attributes["cluster"] = {"DataType": "String", "StringValue": args.cluster}
    request: dict[str, Any] = {"QueueUrl": args.queue_url, "MessageBody": body, "MessageAttributes": attributes}
    if args.queue_url.endswith(".fifo"):
        request["MessageGroupId"] = args.group_id or args.service
        request["MessageDeduplicationId"] = uuid.uuid4().hex
    elif args.group_id:
        raise SetupError("--group-id needs a FIFO queue (its URL ends in .fifo)")
    return client(ready, "sqs").send_message(**request)["MessageId"]


def cmd_count(ready: dict[str, Any], args: argparse.Namespace) -> str:
    attrs = client(ready, "sqs").get_queue_attributes(
        QueueUrl=args.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return str(int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"]))


def cmd_describe(ready: dict[str, Any], args: argparse.Namespace) -> str:
    result = client(ready, "ecs").describe_services(cluster=args.cluster, services=[args.service])
    if not result["services"]:
        raise SetupError(f"service {args.service} not found in cluster {args.cluster}")
    return json.dumps(plain(result["services"][0]))


def cmd_aws_dir(ready: dict[str, Any], args: argparse.Namespace) -> str:
    keys = ready["users"].get(args.user)
    if keys is None:
        raise SetupError(f"unknown user {args.user}: the ready file has {', '.join(sorted(ready['users']))}")
    os.makedirs(args.out, exist_ok=True)
    credentials = os.path.join(args.out, "credentials")
    with open(credentials, "w") as fh:
        fh.write(f"[default]\naws_access_key_id = {keys['accessKeyId']}\naws_secret_access_key = {keys['secretAccessKey']}\n")
    os.chmod(credentials, 0o600)
    with open(os.path.join(args.out, "config"), "w") as fh:
        fh.write(f"[default]\nregion = {ready['region']}\n")
    return args.out


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="setup.py",
        description="Create queues, clusters and services on the local AWS endpoint, send deploy messages, inspect them.",
        epilog="Images containing fail-start, crash, crash-oom, unhealthy or slow choose that rollout scenario.",
    )
    p.add_argument("--ready-file", help="ready file written by localaws.py (default: $LOCALAWS_READY_FILE)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    q = sub.add_parser("queue", help="create an SQS queue; prints its URL")
    q.add_argument("name")
    q.add_argument("--fifo", action="store_true", help="FIFO queue (.fifo is appended to the name if missing)")
    q.add_argument("--visibility", type=int, help="default visibility timeout in seconds")
    q.set_defaults(func=cmd_queue)

    c = sub.add_parser("cluster", help="create an ECS cluster; prints its ARN")
    c.add_argument("name")
    c.set_defaults(func=cmd_cluster)

    s = sub.add_parser("service", help="register a task definition, create a service, wait for its first rollout; prints the service ARN")
    s.add_argument("--cluster", required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--image", required=True)
    s.add_argument("--desired", type=int, default=1, help="desired count (default 1)")
    s.add_argument("--circuit-breaker", choices=("on", "off"), default="off")
    s.add_argument("--rollback", choices=("on", "off"), default="off")
    s.add_argument("--family", help="task definition family (default: the service name)")
    s.add_argument("--min-percent", type=int, default=100, help="minimumHealthyPercent (default 100)")
    s.add_argument("--max-percent", type=int, default=200, help="maximumPercent (default 200)")
    s.add_argument("--health-check", action="store_true", help="give the container a health check")
    s.add_argument("--no-wait", action="store_true", help="return without waiting for the first rollout")
    s.set_defaults(func=cmd_service)

    t = sub.add_parser("taskdef", help="print a minimal task definition JSON (no AWS call)")
    t.add_argument("--family", required=True)
    t.add_argument("--image", required=True)
    t.add_argument("--health-check", action="store_true", help="give the container a health check")
    t.set_defaults(func=cmd_taskdef)

    m = sub.add_parser("send", help="send a deploy message (attribute service, optional cluster); prints the MessageId")
    m.add_argument("--queue-url", required=True)
    m.add_argument("--service", required=True)
    m.add_argument("--cluster")
    m.add_argument("--group-id", help="MessageGroupId for FIFO queues (default: the service)")
    body = m.add_mutually_exclusive_group(required=True)
    body.add_argument("--body-file")
    body.add_argument("--body")
    m.set_defaults(func=cmd_send)

    n = sub.add_parser("count", help="print the number of messages visible plus in flight")
    n.add_argument("--queue-url", required=True)
    n.set_defaults(func=cmd_count)

    d = sub.add_parser("describe", help="print the service as DescribeServices returns it (one JSON line)")
    d.add_argument("--cluster", required=True)
    d.add_argument("--service", required=True)
    d.set_defaults(func=cmd_describe)

    a = sub.add_parser("aws-dir", help="write an .aws directory (credentials, config) for a user")
    a.add_argument("--user", required=True, help="deployer, outsider or admin")
    a.add_argument("--out", required=True)
    a.set_defaults(func=cmd_aws_dir)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        ready = None if args.command == "taskdef" else load_ready(args.ready_file)
        print(args.func(ready, args))
    except SetupError as exc:
        print(f"setup.py: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # boto errors and the like: one line, not a traceback
        print(f"setup.py: {args.command} failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
