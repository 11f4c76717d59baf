"""Rollout scenarios end to end against a running localaws.py (auth on, speed 20)."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from conftest import wait_for


def messages(svc: dict) -> list[str]:
    return [e["message"] for e in svc["events"]]


def test_healthy_update_completes_and_drains_old_tasks(make_service):
    svc = make_service(desired=2)
    old = svc.describe()
    old_tasks = svc.tasks()
    assert len(old_tasks) == 2 and all(t["lastStatus"] == "RUNNING" for t in old_tasks)
    started = time.time()
    arn, dep_id = svc.update("nginx:2")

    updated = svc.describe()
    assert [d["status"] for d in updated["deployments"]] == ["PRIMARY", "ACTIVE"]
    assert updated["deployments"][1]["id"] == old["deployments"][0]["id"]

    done = svc.wait_stable()
    primary = done["deployments"][0]
    assert primary["id"] == dep_id
    assert primary["rolloutStateReason"] == f"ECS deployment {dep_id} completed."
    assert done["taskDefinition"] == arn and done["runningCount"] == 2 and done["pendingCount"] == 0
    # Simulated 1 s + 2 s to start and 2 s to drain at speed 20: well under two wall seconds.
    assert time.time() - started < 2.0

    events = messages(done)
    assert f"(service {svc.name}) (deployment {dep_id}) deployment completed." in events
    assert events[0] == f"(service {svc.name}) has reached a steady state."
    assert any(m.startswith(f"(service {svc.name}) has started 2 tasks: (task ") for m in events)
    assert any(m.startswith(f"(service {svc.name}) has stopped 1 running tasks: (task ") for m in events)
    stamps = [e["createdAt"].timestamp() for e in done["events"]]
    assert stamps == sorted(stamps, reverse=True)
    assert all(abs(s - time.time()) < 30 for s in stamps)

    def old_stopped():
        tasks = svc.tasks("STOPPED")
        return {t["taskArn"]: t for t in tasks} if len(tasks) == 2 and all(
            t["lastStatus"] == "STOPPED" for t in tasks) else None

    stopped = wait_for(old_stopped, what="old tasks stopped")
    assert set(stopped) == {t["taskArn"] for t in old_tasks}
    for task in stopped.values():
        assert task["stopCode"] == "ServiceSchedulerInitiated"
        assert task["stoppedReason"] == f"Scaling activity initiated by (deployment {dep_id})"
        assert task["stoppedAt"] >= task["startedAt"]
    running = svc.tasks()
    assert {t["startedBy"] for t in running} == {dep_id}
    assert all(t["taskDefinitionArn"] == arn and t["group"] == f"service:{svc.name}" for t in running)


def test_fail_start_with_breaker_and_rollback_returns_to_previous_revision(make_service):
    svc = make_service(breaker=True, rollback=True)
    previous = svc.describe()["taskDefinition"]
    arn, dep_id = svc.update("registry.local/app:fail-start")

    failed_seen = []

    def rolled_back():
        current = svc.describe()
        ours = next((d for d in current["deployments"] if d["id"] == dep_id), None)
        if ours is not None and ours["rolloutState"] == "FAILED":
            failed_seen.append(ours)
        primary = current["deployments"][0]
        return current if primary["id"] != dep_id and primary["rolloutState"] == "COMPLETED" else None

    done = wait_for(rolled_back, what="rollback")
    assert done["deployments"][0]["taskDefinition"] == previous
    assert done["taskDefinition"] == previous
    assert failed_seen, "the failed deployment was never observed"
    assert failed_seen[0]["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert failed_seen[0]["failedTasks"] >= 3 and failed_seen[0]["status"] == "ACTIVE"
    events = messages(done)
    assert f"(service {svc.name}) (deployment {dep_id}) deployment failed: tasks failed to start." in events
    assert f"(service {svc.name}) rolling back to deployment {done['deployments'][0]['id']}." in events

    failures = [t for t in svc.tasks("STOPPED", startedBy=dep_id) if t["stopCode"] == "TaskFailedToStart"]
    assert len(failures) >= 3
    for task in failures:
        assert task["stoppedReason"] == (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
            "failed to resolve ref registry.local/app:fail-start: not found")
        assert task["containers"][0]["reason"] == task["stoppedReason"]
        assert "startedAt" not in task and task["lastStatus"] == "STOPPED"


def test_fail_start_with_breaker_without_rollback_stays_failed(make_service):
    svc = make_service(breaker=True, rollback=False)
    old_id = svc.describe()["deployments"][0]["id"]
    _, dep_id = svc.update("x/fail-start:1")
    wait_for(lambda: svc.deployment(dep_id)["rolloutState"] == "FAILED", what="breaker")
    time.sleep(0.3)  # six simulated seconds: no rollback, no new launches
    current = svc.describe()
    assert [(d["id"], d["status"]) for d in current["deployments"]] == [(dep_id, "PRIMARY"), (old_id, "ACTIVE")]
    assert current["deployments"][0]["rolloutState"] == "FAILED"
    assert current["deployments"][1]["runningCount"] == 1
    assert svc.tasks(startedBy=dep_id) == []


def test_fail_start_without_breaker_keeps_retrying(make_service):
    svc = make_service()
    _, dep_id = svc.update("x/fail-start:1")
    ours = wait_for(lambda: (d := svc.deployment(dep_id)) and d["failedTasks"] >= 4 and d, what="failures")
    assert ours["rolloutState"] == "IN_PROGRESS" and ours["status"] == "PRIMARY"
    assert len(svc.describe()["deployments"]) == 2


def test_crash_counts_for_the_breaker_but_not_failed_tasks(make_service):
    svc = make_service(breaker=True, rollback=True)
    previous = svc.describe()["taskDefinition"]
    _, dep_id = svc.update("example/crash:3")
    failed_counts = set()

    def rolled_back():
        current = svc.describe()
        ours = next((d for d in current["deployments"] if d["id"] == dep_id), None)
        if ours is not None:
            failed_counts.add(ours["failedTasks"])
        primary = current["deployments"][0]
        return current if primary["id"] != dep_id and primary["rolloutState"] == "COMPLETED" else None

    done = wait_for(rolled_back, what="crash rollback")
    assert done["taskDefinition"] == previous
    assert failed_counts == {0}
    crashed = [t for t in svc.tasks("STOPPED", startedBy=dep_id) if t["stopCode"] == "EssentialContainerExited"]
    assert len(crashed) >= 3
    for task in crashed:
        assert task["stoppedReason"] == "Essential container in task exited"
        assert task["containers"][0]["exitCode"] == 1
        assert task["startedAt"] <= task["stoppedAt"]


def test_crash_without_breaker_is_replaced_forever(make_service):
    svc = make_service()
    _, dep_id = svc.update("example/crash-oom:3")
    crashed = wait_for(lambda: (ts := [t for t in svc.tasks("STOPPED", startedBy=dep_id)
                                      if t["lastStatus"] == "STOPPED"]) and len(ts) >= 3 and ts, what="crashes")
    assert {t["containers"][0]["exitCode"] for t in crashed} == {137}
    assert svc.deployment(dep_id)["rolloutState"] == "IN_PROGRESS"


def test_unhealthy_tasks_are_stopped_and_replaced(make_service):
    svc = make_service()
    _, dep_id = svc.update("example/unhealthy:1")
    stopped = wait_for(lambda: (ts := [t for t in svc.tasks("STOPPED", startedBy=dep_id)]) and len(ts) >= 2 and ts,
                       what="unhealthy stops")
    for task in stopped:
        assert task["stoppedReason"] == "Task failed container health checks"
        assert task["stopCode"] == "ServiceSchedulerInitiated"
        assert task["healthStatus"] == "UNHEALTHY" and task["containers"][0]["healthStatus"] == "UNHEALTHY"
    current = svc.describe()
    assert current["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert current["deployments"][0]["failedTasks"] >= 2
    # Replacements never become healthy, so the old revision keeps serving.
    assert current["deployments"][1]["runningCount"] == 1
    assert any(m.endswith("failed container health checks.") for m in messages(current))


def test_slow_tasks_stay_pending(make_service):
    svc = make_service(desired=2)
    _, dep_id = svc.update("example/slow:1")
    time.sleep(1.0)  # twenty simulated seconds
    current = svc.describe()
    primary = current["deployments"][0]
    assert primary["id"] == dep_id and primary["rolloutState"] == "IN_PROGRESS"
    assert primary["pendingCount"] == 2 and primary["runningCount"] == 0
    assert {t["lastStatus"] for t in svc.tasks(startedBy=dep_id)} == {"PENDING"}
    assert current["deployments"][1]["runningCount"] == 2


def test_desired_count_zero(make_service):
    empty = make_service(desired=0)
    assert empty.describe()["runningCount"] == 0 and empty.tasks() == []

    svc = make_service(desired=2)
    _, dep_id = svc.update("nginx:3", desiredCount=0)
    done = svc.wait_stable()
    assert done["deployments"][0]["id"] == dep_id and done["desiredCount"] == 0
    wait_for(lambda: svc.tasks() == [], what="old tasks stopped")


def test_desired_count_change_scales_the_primary_deployment(make_service):
    svc = make_service(desired=1)
    dep_id = svc.describe()["deployments"][0]["id"]
    svc.ecs.update_service(cluster=svc.cluster, service=svc.name, desiredCount=3)
    done = wait_for(lambda: (s := svc.describe())["runningCount"] == 3 and s, what="scale out")
    assert [d["id"] for d in done["deployments"]] == [dep_id]
    assert done["deployments"][0]["desiredCount"] == 3


def test_minimum_healthy_percent_zero_stops_old_tasks_first(make_service):
    svc = make_service(desired=2, deploymentConfiguration={"minimumHealthyPercent": 0, "maximumPercent": 100})
    old = svc.tasks()
    _, dep_id = svc.update("nginx:4")
    svc.wait_stable()
    new = svc.tasks()
    assert {t["startedBy"] for t in new} == {dep_id}
    stopped = {t["taskArn"]: t for t in svc.tasks("STOPPED")}
    assert max(stopped[t["taskArn"]]["stoppedAt"] for t in old) <= min(t["startedAt"] for t in new)


def test_default_percentages_start_new_tasks_before_stopping_old(make_service):
    svc = make_service(desired=2)
    old = svc.tasks()
    svc.update("nginx:5")
    svc.wait_stable()
    new = svc.tasks()
    stopped = {t["taskArn"]: t for t in svc.tasks("STOPPED")}
    assert min(stopped[t["taskArn"]]["stoppingAt"] for t in old) >= max(t["startedAt"] for t in new)


def test_daemon_service_defaults_and_rolls(localaws, cluster):
    ecs = localaws.client("ecs")
    arn = ecs.register_task_definition(family="daemon", containerDefinitions=[{"name": "a", "image": "agent:1", "memory": 64}])[
        "taskDefinition"]["taskDefinitionArn"]
    service = ecs.create_service(cluster=cluster, serviceName="agent", taskDefinition=arn, schedulingStrategy="DAEMON")["service"]
    assert service["schedulingStrategy"] == "DAEMON"
    assert service["deploymentConfiguration"]["maximumPercent"] == 100
    assert service["deploymentConfiguration"]["minimumHealthyPercent"] == 0
    wait_for(lambda: ecs.describe_services(cluster=cluster, services=["agent"])["services"][0]["deployments"][0][
        "rolloutState"] == "COMPLETED", what="daemon rollout")


def test_code_deploy_controller_is_not_simulated(localaws, cluster):
    ecs = localaws.client("ecs")
    arn = ecs.register_task_definition(family="bluegreen", containerDefinitions=[{"name": "a", "image": "web:1", "memory": 64}])[
        "taskDefinition"]["taskDefinitionArn"]
    service = ecs.create_service(cluster=cluster, serviceName="bluegreen", taskDefinition=arn, desiredCount=1,
                                 deploymentController={"type": "CODE_DEPLOY"})["service"]
    assert service["deployments"] == [] and service["deploymentController"] == {"type": "CODE_DEPLOY"}
    new = ecs.register_task_definition(family="bluegreen", containerDefinitions=[{"name": "a", "image": "web:2", "memory": 64}])[
        "taskDefinition"]["taskDefinitionArn"]
    with pytest.raises(ClientError) as err:
        ecs.update_service(cluster=cluster, service="bluegreen", taskDefinition=new)
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "CODE_DEPLOY" in err.value.response["Error"]["Message"]


def test_list_tasks_paginates_and_filters(make_service):
    svc = make_service(desired=5)
    ecs = svc.ecs
    pages, token = [], None
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = ecs.list_tasks(cluster=svc.cluster, serviceName=svc.name, maxResults=2, **kwargs)
        pages.append(page["taskArns"])
        token = page.get("nextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [2, 2, 1]
    flat = [a for p in pages for a in p]
    assert len(set(flat)) == 5
    assert set(flat) == set(ecs.list_tasks(cluster=svc.cluster, serviceName=svc.name)["taskArns"])
    assert set(flat) == set(ecs.list_tasks(cluster=svc.cluster, family=svc.family)["taskArns"])
    paginator = ecs.get_paginator("list_tasks")
    assert sum(len(p["taskArns"]) for p in paginator.paginate(
        cluster=svc.cluster, serviceName=svc.name, PaginationConfig={"PageSize": 3})) == 5
    assert ecs.list_tasks(cluster=svc.cluster, serviceName=svc.name, desiredStatus="STOPPED")["taskArns"] == []
    for bad in ({"nextToken": "garbage"}, {"maxResults": 101}):
        with pytest.raises(ClientError) as err:
            ecs.list_tasks(cluster=svc.cluster, serviceName=svc.name, **bad)
        assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as err:
        ecs.list_tasks(cluster=svc.cluster, serviceName="no-such-service")
    assert err.value.response["Error"]["Code"] == "ServiceNotFoundException"


def test_describe_tasks_limits_and_missing(make_service):
    svc = make_service()
    arn = svc.tasks()[0]["taskArn"]
    missing = arn.rsplit("/", 1)[0] + "/" + "0" * 32
    result = svc.ecs.describe_tasks(cluster=svc.cluster, tasks=[arn, missing])
    assert [t["taskArn"] for t in result["tasks"]] == [arn]
    assert result["failures"] == [{"arn": missing, "reason": "MISSING"}]
    by_id = svc.ecs.describe_tasks(cluster=svc.cluster, tasks=[arn.rsplit("/", 1)[1]])["tasks"]
    assert [t["taskArn"] for t in by_id] == [arn]
    with pytest.raises(ClientError) as err:
        svc.ecs.describe_tasks(cluster=svc.cluster, tasks=[arn] * 101)
    assert err.value.response["Error"]["Code"] == "ClientException"


def test_describe_services_reports_missing_and_unknown_cluster(make_service):
    svc = make_service()
    result = svc.ecs.describe_services(cluster=svc.cluster, services=[svc.name, "ghost"])
    assert [s["serviceName"] for s in result["services"]] == [svc.name]
    assert result["failures"][0]["reason"] == "MISSING" and result["failures"][0]["arn"].endswith("/ghost")
    with pytest.raises(ClientError) as err:
        svc.ecs.describe_services(cluster="no-such-cluster", services=[svc.name])
    assert err.value.response["Error"]["Code"] == "ClusterNotFoundException"
