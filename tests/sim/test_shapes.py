"""Every simulated ECS response must fit botocore's ecs output shapes: no unknown keys, right types, enum values."""

from __future__ import annotations

import time
from typing import Any

import botocore.loaders
import pytest
from botocore.exceptions import ClientError

from conftest import wait_for

MODEL = botocore.loaders.Loader().load_service_model("ecs", "service-2")
SHAPES = MODEL["shapes"]
CHECKED = ("CreateService", "UpdateService", "DescribeServices", "ListTasks", "DescribeTasks")


def shape_errors(shape_name: str, value: Any, path: str = "$") -> list[str]:
    """Walks value along the named shape of the model; returns one line per mismatch."""
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected object for {shape_name}, got {type(value).__name__}"]
        errors = []
        for key, item in value.items():
            member = shape.get("members", {}).get(key)
            if member is None:
                errors.append(f"{path}.{key}: not a member of {shape_name}")
            else:
                errors += shape_errors(member["shape"], item, f"{path}.{key}")
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected list for {shape_name}"]
        return [e for i, item in enumerate(value) for e in shape_errors(shape["member"]["shape"], item, f"{path}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected map for {shape_name}"]
        errors = []
        for key, item in value.items():
            errors += shape_errors(shape["key"]["shape"], key, f"{path}<key>")
            errors += shape_errors(shape["value"]["shape"], item, f"{path}.{key}")
        return errors
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected string for {shape_name}, got {value!r}"]
        if "enum" in shape and value not in shape["enum"]:
            return [f"{path}: {value!r} is not one of {shape_name} {shape['enum']}"]
        return []
    if kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected {kind}, got {value!r}"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected boolean, got {value!r}"]
    if kind in ("timestamp", "double", "float"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected number for {kind}, got {value!r}"]
    return [f"{path}: unhandled shape type {kind}"]


def output_errors(operation: str, body: dict[str, Any]) -> list[str]:
    return shape_errors(MODEL["operations"][operation]["output"]["shape"], body)


def test_walker_rejects_what_the_model_does_not_allow():
    good = {"services": [{"serviceName": "a", "deployments": [{"rolloutState": "COMPLETED", "createdAt": 1.5}]}],
            "failures": []}
    assert output_errors("DescribeServices", good) == []
    assert output_errors("DescribeServices", {"services": [{"bogus": 1}]}) == ["$.services[0].bogus: not a member of Service"]
    assert output_errors("DescribeServices", {"services": [{"deployments": [{"rolloutState": "DONE"}]}]})
    assert output_errors("DescribeServices", {"services": [{"desiredCount": "1"}]})
    assert output_errors("DescribeServices", {"services": [{"desiredCount": True}]})
    assert output_errors("DescribeServices", {"services": [{"createdAt": "2024-01-01"}]})
    assert output_errors("DescribeTasks", {"tasks": [{"version": 1.5}]})
    assert output_errors("DescribeTasks", {"tasks": [{"enableExecuteCommand": "false"}]})
    assert output_errors("ListTasks", {"taskArns": "arn"})


def test_every_simulated_response_fits_the_model(localaws, make_service):
    scenarios = [
        make_service(desired=2),
        make_service(breaker=True, rollback=True),
        make_service(breaker=True),
        make_service(),
        make_service(),
        make_service(desired=2, launchType="FARGATE"),
        make_service(),
    ]
    images = ["web:2", "x/fail-start", "x/crash", "x/unhealthy", "x/slow", "web:2", "web:health"]
    for svc, image in zip(scenarios, images):
        if image == "web:health":
            arn = svc.register(image, health_check=True)
            svc.ecs.update_service(cluster=svc.cluster, service=svc.name, taskDefinition=arn)
        else:
            svc.update(image)
    deadline = time.monotonic() + 1.5  # thirty simulated seconds: every scenario reaches its end state
    while time.monotonic() < deadline:
        for svc in scenarios:
            svc.describe()
            svc.tasks("RUNNING")
            svc.tasks("STOPPED")
        time.sleep(0.05)
    healthy = scenarios[-1].tasks()
    assert healthy and all(t["healthStatus"] == "HEALTHY" for t in healthy)

    seen = {op for op, _, _ in localaws.raw}
    assert set(CHECKED) <= seen, f"not exercised: {set(CHECKED) - seen}"
    errors = []
    checked = 0
    for operation, status, body in localaws.raw:
        if operation in CHECKED and status == 200:
            checked += 1
            errors += [f"{operation} {e}" for e in output_errors(operation, body)]
    assert checked > 50
    assert errors == [], "\n".join(errors[:20])
    statuses = {t["lastStatus"] for _, _, body in localaws.raw for t in body.get("tasks", [])}
    assert {"PENDING", "RUNNING", "STOPPED"} <= statuses


def test_simulator_errors_are_modelled_exceptions(localaws, make_service):
    svc = make_service()
    arn = svc.tasks()[0]["taskArn"]
    calls = [
        lambda: svc.ecs.list_tasks(cluster=svc.cluster, nextToken="garbage"),
        lambda: svc.ecs.list_tasks(cluster=svc.cluster, serviceName="ghost"),
        lambda: svc.ecs.describe_tasks(cluster=svc.cluster, tasks=[arn] * 101),
    ]
    start = len(localaws.raw)
    for call in calls:
        with pytest.raises(ClientError):
            call()
    errors = [(op, body) for op, status, body in localaws.raw[start:] if status != 200]
    assert len(errors) == len(calls)
    for operation, body in errors:
        code = body["__type"]
        assert {"shape": code} in [dict(e) for e in MODEL["operations"][operation]["errors"]], (operation, code)
        assert isinstance(body["message"], str) and body["message"]
