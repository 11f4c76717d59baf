"""The rollout engine in process, on a manual clock: exact timings and scheduler invariants."""

from __future__ import annotations

import math
import random

import pytest

from ecssim import (
    STOPPED_RETENTION_SECS,
    EcsError,
    EcsSim,
    TaskDef,
    breaker_threshold,
    scenario_for_image,
)


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_sim(speed: float = 1.0) -> tuple[EcsSim, Clock, dict[str, TaskDef]]:
    clock = Clock()
    defs: dict[str, TaskDef] = {}

    def lookup(ref: str) -> TaskDef:
        if ref not in defs:
            raise EcsError("ClientException", "Unable to describe task definition.")
        return defs[ref]

    return EcsSim("us-east-1", "123456789012", lookup, speed=speed, clock=clock, rng=random.Random(7)), clock, defs


def register(defs: dict[str, TaskDef], name: str, image: str, health: bool = False) -> str:
    container = {"name": "app", "image": image, **({"healthCheck": {"command": ["true"]}} if health else {})}
    arn = f"arn:aws:ecs:us-east-1:123456789012:task-definition/{name}"
    defs[name] = defs[arn] = TaskDef(arn=arn, family=name.split(":")[0], containers=[container])
    return name


def describe(sim: EcsSim, name: str = "web") -> dict:
    return sim.describe_services({"cluster": "c"}, {"services": [{"serviceName": name}], "failures": []})["services"][0]


def run_until(sim: EcsSim, clock: Clock, predicate, step: float, limit: float, check=None) -> float:
    start = clock.now
    while not predicate():
        clock.now += step
        sim.advance()
        if check:
            check()
        assert clock.now - start < limit, "condition not reached"
    return clock.now - start


def create(sim: EcsSim, td: str, desired: int, **config) -> None:
    req = {"cluster": "c", "serviceName": "web", "taskDefinition": td, "desiredCount": desired}
    if config:
        req["deploymentConfiguration"] = config
    sim.create_service(req, {})


def test_scenarios_by_image_substring():
    assert scenario_for_image("nginx:1") == "healthy"
    assert scenario_for_image("r.io/team/fail-start:7") == "fail-start"
    assert scenario_for_image("app:crash-oom") == "crash-oom"
    assert scenario_for_image("app:crash") == "crash"
    assert scenario_for_image("unhealthy") == "unhealthy"
    assert scenario_for_image("slow-build:1") == "slow"


def test_breaker_threshold_is_the_documented_formula():
    assert [breaker_threshold(n) for n in (0, 1, 6, 7, 10, 399, 400, 1000)] == [3, 3, 3, 4, 5, 200, 200, 200]


@pytest.mark.parametrize("speed", [1.0, 10.0])
def test_healthy_rollout_timing_scales_with_speed(speed):
    sim, clock, defs = make_sim(speed)
    create(sim, register(defs, "web:1", "nginx:1"), 1)
    t0 = clock.now
    sim.advance()
    task = next(iter(sim.tasks.values()))
    assert task.created_at == t0 and task.last_status == "PROVISIONING"
    clock.now = t0 + 1.0 / speed
    sim.advance()
    assert task.last_status == "PENDING" and task.pull_started_at == pytest.approx(t0 + 1 / speed)
    clock.now = t0 + 3.0 / speed
    sim.advance()
    assert task.last_status == "RUNNING" and task.started_at == pytest.approx(t0 + 3 / speed)
    elapsed = run_until(sim, clock, lambda: describe(sim)["deployments"][0]["rolloutState"] == "COMPLETED",
                        0.01 / speed, 10 / speed)
    assert 3 / speed <= (clock.now - t0) <= 5.1 / speed and elapsed > 0


def test_old_tasks_drain_through_deactivating_and_stopping():
    sim, clock, defs = make_sim()
    create(sim, register(defs, "web:1", "nginx:1"), 1)
    run_until(sim, clock, lambda: describe(sim)["deployments"][0]["rolloutState"] == "COMPLETED", 0.1, 10)
    old = next(iter(sim.tasks.values()))
    sim.update_service({"cluster": "c", "service": "web", "taskDefinition": register(defs, "web:2", "nginx:2")}, {})
    seen = []
    run_until(sim, clock, lambda: old.last_status == "STOPPED", 0.1, 10,
              check=lambda: seen.append(old.last_status) if not seen or seen[-1] != old.last_status else None)
    assert seen == ["RUNNING", "DEACTIVATING", "STOPPING", "STOPPED"]
    assert old.stopped_at - old.started_at >= 2.0


@pytest.mark.parametrize("minimum,maximum", [(100, 200), (50, 100), (50, 150), (0, 100), (100, 125)])
def test_rolling_update_respects_minimum_healthy_and_maximum_percent(minimum, maximum):
    sim, clock, defs = make_sim()
    desired = 4
    create(sim, register(defs, "web:1", "nginx:1"), desired, minimumHealthyPercent=minimum, maximumPercent=maximum)
    run_until(sim, clock, lambda: describe(sim)["deployments"][0]["rolloutState"] == "COMPLETED", 0.1, 20)
    sim.update_service({"cluster": "c", "service": "web", "taskDefinition": register(defs, "web:2", "nginx:2")}, {})
    svc = sim.services[("c", "web")]
    floor_healthy = math.ceil(desired * minimum / 100)
    ceiling = max(math.floor(desired * maximum / 100), desired + 1)

    def invariants():
        tasks = [t for d in svc.deployments for t in d.tasks]
        assert sum(1 for t in tasks if t.active) <= ceiling
        assert sum(1 for t in tasks if t.healthy) >= floor_healthy

    run_until(sim, clock, lambda: len(describe(sim)["deployments"]) == 1
              and describe(sim)["deployments"][0]["rolloutState"] == "COMPLETED", 0.05, 60, check=invariants)
    assert describe(sim)["runningCount"] == desired


def test_fail_start_breaker_trips_at_threshold_and_rolls_back():
    sim, clock, defs = make_sim()
    create(sim, register(defs, "web:1", "nginx:1"), 8, deploymentCircuitBreaker={"enable": True, "rollback": True})
    run_until(sim, clock, lambda: describe(sim)["deployments"][0]["rolloutState"] == "COMPLETED", 0.1, 20)
    result = sim.update_service({"cluster": "c", "service": "web",
                                 "taskDefinition": register(defs, "web:2", "bad/fail-start")}, {})
    failing = result["service"]["deployments"][0]["id"]
    counts = []

    def failed() -> bool:
        dep = next(d for d in describe(sim)["deployments"] if d["id"] == failing)
        counts.append(dep["failedTasks"])
        return dep["rolloutState"] == "FAILED"

    run_until(sim, clock, failed, 0.1, 30)
    assert counts[-1] >= breaker_threshold(8) == 4
    assert max(counts[:-1]) < 4
    deployments = describe(sim)["deployments"]
    assert deployments[0]["taskDefinition"].endswith("web:1") and deployments[0]["status"] == "PRIMARY"
    assert deployments[1]["id"] == failing and deployments[1]["status"] == "ACTIVE"


def test_rollback_needs_a_completed_revision():
    sim, clock, defs = make_sim()
    create(sim, register(defs, "web:1", "bad/fail-start"), 1, deploymentCircuitBreaker={"enable": True, "rollback": True})
    run_until(sim, clock, lambda: describe(sim)["deployments"][0]["rolloutState"] == "FAILED", 0.1, 30)
    clock.now += 30
    sim.advance()
    assert [d["status"] for d in describe(sim)["deployments"]] == ["PRIMARY"]
    assert describe(sim)["deployments"][0]["rolloutState"] == "FAILED"


def test_stopped_tasks_are_forgotten_after_an_hour():
    sim, clock, defs = make_sim(speed=100)
    create(sim, register(defs, "web:1", "nginx:1"), 1)
    run_until(sim, clock, lambda: describe(sim)["deployments"][0]["rolloutState"] == "COMPLETED", 0.01, 1)
    sim.update_service({"cluster": "c", "service": "web", "taskDefinition": register(defs, "web:2", "nginx:2")}, {})
    run_until(sim, clock, lambda: len(sim.list_tasks({"cluster": "c", "desiredStatus": "STOPPED"})["taskArns"]) == 1
              and len(describe(sim)["deployments"]) == 1, 0.01, 1)
    stopped = sim.list_tasks({"cluster": "c", "desiredStatus": "STOPPED"})["taskArns"][0]
    clock.now += (STOPPED_RETENTION_SECS - 60) / 100
    assert sim.describe_tasks({"cluster": "c", "tasks": [stopped]})["tasks"]
    clock.now += 120 / 100
    assert sim.describe_tasks({"cluster": "c", "tasks": [stopped]})["failures"][0]["reason"] == "MISSING"


def test_same_revision_without_force_starts_no_deployment():
    sim, clock, defs = make_sim()
    create(sim, register(defs, "web:1", "nginx:1"), 1)
    first = describe(sim)["deployments"][0]["id"]
    sim.update_service({"cluster": "c", "service": "web", "taskDefinition": "web:1"}, {})
    assert [d["id"] for d in describe(sim)["deployments"]] == [first]
    forced = sim.update_service({"cluster": "c", "service": "web", "forceNewDeployment": True}, {})
    assert [d["status"] for d in forced["service"]["deployments"]] == ["PRIMARY", "ACTIVE"]
    assert forced["service"]["deployments"][0]["taskDefinition"] == forced["service"]["deployments"][1]["taskDefinition"]


def test_deployment_ids_look_like_ecs():
    sim, _, defs = make_sim()
    create(sim, register(defs, "web:1", "nginx:1"), 1)
    dep_id = describe(sim)["deployments"][0]["id"]
    assert dep_id.startswith("ecs-svc/") and len(dep_id.split("/")[1]) == 19 and dep_id.split("/")[1].isdigit()


def test_external_controller_without_task_definition_is_left_alone():
    sim, clock, defs = make_sim()
    result = sim.create_service({"cluster": "c", "serviceName": "web", "desiredCount": 2,
                                 "deploymentController": {"type": "EXTERNAL"}}, {})["service"]
    assert "taskDefinition" not in result and result["deployments"] == [] and result["taskSets"] == []
    clock.now += 60
    sim.advance()
    assert sim.tasks == {} and describe(sim)["runningCount"] == 0
    register(defs, "web:1", "nginx:1")
    with pytest.raises(EcsError) as err:
        sim.update_service({"cluster": "c", "service": "web", "taskDefinition": "web:1"}, {})
    assert err.value.code == "InvalidParameterException" and "EXTERNAL deployment controller" in err.value.message


def test_service_names_are_unique_while_active():
    sim, clock, defs = make_sim()
    create(sim, register(defs, "web:1", "nginx:1"), 1)
    with pytest.raises(EcsError) as err:
        create(sim, "web:1", 1)
    assert err.value.code == "InvalidParameterException"
    run_until(sim, clock, lambda: describe(sim)["runningCount"] == 1, 0.1, 10)
    sim.delete_service({"cluster": "c", "service": "web"}, {})
    assert describe(sim)["status"] == "INACTIVE" and describe(sim)["deployments"] == []
    assert sim.list_tasks({"cluster": "c"})["taskArns"] == []
    create(sim, "web:1", 2)
    assert describe(sim)["status"] == "ACTIVE" and describe(sim)["desiredCount"] == 2
