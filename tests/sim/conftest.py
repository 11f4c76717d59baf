"""Starts sim/localaws.py as a subprocess and gives tests boto3 clients for its users."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.config import Config

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOCALAWS = os.path.join(REPO, "sim", "localaws.py")
SETUP = os.path.join(REPO, "sim", "setup.py")
SPEED = 20.0

sys.path.insert(0, os.path.join(REPO, "sim"))


@dataclass
class LocalAWS:
    """A running localaws.py: its process, ready file and boto3 clients for its users."""

    proc: subprocess.Popen
    ready_file: str
    log_file: str
    ready: dict[str, Any]
    raw: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return self.ready["endpoint"]

    def client(self, service: str, user: str = "admin", secret: str | None = None, key: str | None = None,
               token: str | None = None) -> Any:
        keys = self.ready["users"][user]
        c = boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=self.ready["region"],
            aws_access_key_id=key or keys["accessKeyId"],
            aws_secret_access_key=secret or keys["secretAccessKey"],
            aws_session_token=token,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )
        if service == "ecs":
            c.meta.events.register("before-parse.ecs", self._record)
        return c

    def _record(self, operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
        body = response_dict.get("body") or b""
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            parsed = {"unparsed": body.decode("utf-8", "replace")}
        self.raw.append((operation_model.name, response_dict["status_code"], parsed))


def start_localaws(tmp_dir: str, *extra: str, parent_pid: int | None = None) -> LocalAWS:
    ready_file = os.path.join(tmp_dir, f"ready-{uuid.uuid4().hex[:8]}.json")
    log_file = ready_file.replace(".json", ".log")
    args = [sys.executable, LOCALAWS, "--port", "0", "--ready-file", ready_file, "--log-file", log_file, *extra]
    args += ["--parent-pid", str(parent_pid if parent_pid is not None else os.getpid())]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not os.path.exists(ready_file):
        if proc.poll() is not None:
            raise RuntimeError(f"localaws exited with {proc.returncode}: {proc.stderr.read().decode()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("localaws wrote no ready file within 30 s")
        time.sleep(0.05)
    with open(ready_file) as fh:
        ready = json.load(fh)
    return LocalAWS(proc=proc, ready_file=ready_file, log_file=log_file, ready=ready)


def stop_localaws(aws: LocalAWS) -> tuple[int, bytes, bytes]:
    if aws.proc.poll() is None:
        aws.proc.send_signal(signal.SIGTERM)
    out, err = aws.proc.communicate(timeout=10)
    return aws.proc.returncode, out, err


@pytest.fixture(scope="session")
def localaws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAWS]:
    aws = start_localaws(str(tmp_path_factory.mktemp("localaws")), "--auth", "--speed", str(SPEED))
    yield aws
    code, out, _ = stop_localaws(aws)
    assert code == 0, f"localaws exited with {code}"
    assert out == b"", "localaws wrote to stdout"


def wait_for(predicate: Callable[[], Any], timeout: float = 15.0, interval: float = 0.03, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


@dataclass
class Deployed:
    """A service created on the local endpoint, with helpers to roll it."""

    ecs: Any
    cluster: str
    name: str
    family: str

    def register(self, image: str, health_check: bool = False) -> str:
        container: dict[str, Any] = {"name": "app", "image": image, "essential": True, "memory": 128}
        if health_check:
            container["healthCheck"] = {"command": ["CMD-SHELL", "true"], "interval": 5, "retries": 2}
        return self.ecs.register_task_definition(family=self.family, containerDefinitions=[container])[
            "taskDefinition"]["taskDefinitionArn"]

    def describe(self) -> dict[str, Any]:
        return self.ecs.describe_services(cluster=self.cluster, services=[self.name])["services"][0]

    def update(self, image: str, **kwargs: Any) -> tuple[str, str]:
        """Rolls to a new revision; returns (task definition ARN, new deployment id)."""
        arn = self.register(image)
        service = self.ecs.update_service(cluster=self.cluster, service=self.name, taskDefinition=arn, **kwargs)["service"]
        primary = service["deployments"][0]
        assert primary["status"] == "PRIMARY" and primary["taskDefinition"] == arn
        return arn, primary["id"]

    def deployment(self, dep_id: str) -> dict[str, Any] | None:
        return next((d for d in self.describe()["deployments"] if d["id"] == dep_id), None)

    def tasks(self, desired: str = "RUNNING", **filters: Any) -> list[dict[str, Any]]:
        arns = self.ecs.list_tasks(cluster=self.cluster, serviceName=self.name, desiredStatus=desired, **filters)["taskArns"]
        return self.ecs.describe_tasks(cluster=self.cluster, tasks=arns)["tasks"] if arns else []

    def wait_completed(self, dep_id: str | None = None, timeout: float = 15.0) -> dict[str, Any]:
        def done() -> dict[str, Any] | None:
            svc = self.describe()
            primary = svc["deployments"][0]
            if dep_id is not None and primary["id"] != dep_id:
                return None
            return svc if primary["rolloutState"] == "COMPLETED" else None

        return wait_for(done, timeout=timeout, what=f"rollout of {self.name}")

    def wait_stable(self, timeout: float = 15.0) -> dict[str, Any]:
        def stable() -> dict[str, Any] | None:
            svc = self.describe()
            ok = (len(svc["deployments"]) == 1 and svc["deployments"][0]["rolloutState"] == "COMPLETED"
                  and svc["runningCount"] == svc["desiredCount"])
            return svc if ok else None

        return wait_for(stable, timeout=timeout, what=f"{self.name} to be stable")


@pytest.fixture(scope="session")
def cluster(localaws: LocalAWS) -> str:
    localaws.client("ecs").create_cluster(clusterName="sim")
    return "sim"


@pytest.fixture
def make_service(localaws: LocalAWS, cluster: str) -> Callable[..., Deployed]:
    def make(image: str = "nginx:1", desired: int = 1, breaker: bool = False, rollback: bool = False,
             wait: bool = True, **kwargs: Any) -> Deployed:
        ecs = localaws.client("ecs")
        name = f"svc-{uuid.uuid4().hex[:10]}"
        svc = Deployed(ecs=ecs, cluster=cluster, name=name, family=name)
        arn = svc.register(image)
        config = kwargs.pop("deploymentConfiguration", {})
        config.setdefault("deploymentCircuitBreaker", {"enable": breaker, "rollback": rollback})
        ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=arn, desiredCount=desired,
                           deploymentConfiguration=config, **kwargs)
        if wait:
            svc.wait_stable()
        return svc

    return make
