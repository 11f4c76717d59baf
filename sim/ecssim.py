"""ECS rollout simulator: deployments and tasks of services, advanced as a discrete-event simulation.

Moto keeps the ECS resources (clusters, task definitions, services) and validates requests;
this module keeps what moto does not model: deployments rolling out, tasks moving through
their lifecycle, service events. Time is wall-clock epoch seconds; every simulated duration
is divided by the speed factor, so timestamps in responses stay real wall-clock times.
"""

from __future__ import annotations

import base64
import heapq
import itertools
import logging
import math
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("localaws.ecs")

# Simulated seconds for each lifecycle step.
PROVISIONING_SECS = 1.0
PENDING_SECS = 2.0
DRAIN_STEP_SECS = 1.0  # DEACTIVATING -> STOPPING -> STOPPED: two steps, 2 s in all
STOP_STEP_SECS = 1.0  # STOPPING -> STOPPED for tasks that stop on their own
HEALTHY_AFTER_SECS = 1.0  # container health check passes this long after RUNNING
UNHEALTHY_AFTER_SECS = 1.0  # container health check fails this long after RUNNING
CRASH_AFTER_SECS = 1.0  # essential container exits this long after RUNNING
STABLE_SECS = 2.0  # new tasks must stay up this long before a rollout counts as completed
SLOW_PENDING_SECS = 10.0**7  # effectively forever
STOPPED_RETENTION_SECS = 3600.0  # ECS keeps stopped tasks describable for about an hour
MAX_STOPPED_PER_DEPLOYMENT = 500  # bounds memory when a deployment fails forever
MAX_EVENTS = 100
DESCRIBE_TASKS_LIMIT = 100
LIST_TASKS_PAGE = 100

ACTIVE_STATES = ("PROVISIONING", "PENDING", "ACTIVATING", "RUNNING")
PENDING_STATES = ("PROVISIONING", "PENDING", "ACTIVATING")


class EcsError(Exception):
    """An ECS service error as the JSON 1.1 protocol returns it."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def scenario_for_image(image: str) -> str:
    """The rollout scenario named by a container image (substring match), `healthy` by default."""
    for name in ("fail-start", "crash-oom", "crash", "unhealthy", "slow"):
        if name in image:
            return name
    return "healthy"


def breaker_threshold(desired: int) -> int:
    """ECS's documented circuit breaker threshold: ceil(half the desired count), within [3, 200]."""
    return max(3, min(200, math.ceil(desired * 0.5)))


def short_name(name_or_arn: str) -> str:
    return name_or_arn.split("/")[-1]


def ts(t: float | None) -> float | None:
    return None if t is None else round(t, 3)


def prune_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@dataclass
class TaskDef:
    """What the simulator needs of a registered task definition."""

    arn: str
    family: str
    containers: list[dict[str, Any]]
    cpu: str | None = None
    memory: str | None = None

    @property
    def image(self) -> str:
        return self.containers[0].get("image", "") if self.containers else ""


@dataclass
class Container:
    name: str
    image: str
    arn: str
    has_health_check: bool
    cpu: str | None
    memory: str | None
    last_status: str = "PENDING"
    exit_code: int | None = None
    reason: str | None = None
    health_status: str = "UNKNOWN"
    runtime_id: str | None = None


@dataclass
class Task:
    seq: int
    arn: str
    task_id: str
    cluster_arn: str
    service: "Service"
    deployment: "Deployment"
    taskdef: TaskDef
    created_at: float
    containers: list[Container]
    last_status: str = "PROVISIONING"
    desired_status: str = "RUNNING"
    health_status: str = "UNKNOWN"
    version: int = 1
    pull_started_at: float | None = None
    pull_stopped_at: float | None = None
    started_at: float | None = None
    healthy_at: float | None = None  # when it started counting as healthy
    stopping_at: float | None = None
    stopped_at: float | None = None
    execution_stopped_at: float | None = None
    connectivity_at: float | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.desired_status == "RUNNING" and self.last_status in ACTIVE_STATES

    @property
    def healthy(self) -> bool:
        return self.active and self.last_status == "RUNNING" and self.healthy_at is not None

    def touch(self) -> None:
        self.version += 1


@dataclass
class Deployment:
    id: str
    status: str
    taskdef: TaskDef
    desired_count: int
    created_at: float
    updated_at: float
    launch_type: str | None
    platform_version: str | None
    network_configuration: dict[str, Any] | None
    scenario: str
    rollout_state: str = "IN_PROGRESS"
    rollout_state_reason: str = ""
    failed_tasks: int = 0
    breaker_failures: int = 0
    launching: bool = True
    is_rollback: bool = False
    had_success: bool = False
    tasks: list[Task] = field(default_factory=list)

    def live_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.last_status != "STOPPED"]

    def active_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.active]


@dataclass
class Service:
    name: str
    arn: str
    cluster_name: str
    cluster_arn: str
    region: str
    created_at: float
    launch_type: str | None
    scheduling_strategy: str
    desired_count: int
    deployment_configuration: dict[str, Any]
    deployment_controller: dict[str, Any]
    task_definition: str | None
    platform_version: str | None
    network_configuration: dict[str, Any] | None
    status: str = "ACTIVE"
    deployments: list[Deployment] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    last_completed: TaskDef | None = None
    steady: bool = False

    @property
    def simulated(self) -> bool:
        return self.deployment_controller.get("type", "ECS") == "ECS"

    @property
    def primary(self) -> Deployment | None:
        return self.deployments[0] if self.deployments else None


class EcsSim:
    """Keeps deployments and tasks of ECS services and advances them lazily to the current time."""

    def __init__(
        self,
        region: str,
        account_id: str,
        lookup_taskdef: Callable[[str], TaskDef],
        speed: float = 1.0,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ):
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.region = region
        self.account_id = account_id
        self.lookup_taskdef = lookup_taskdef
        self.speed = speed
        self.clock = clock
        self.rng = rng or random.Random()
        self.lock = threading.RLock()
        self.services: dict[tuple[str, str], Service] = {}
        self.tasks: dict[str, Task] = {}
        self._queue: list[tuple[float, int, Callable[[float], None]]] = []
        self._seq = itertools.count(1)
        self._task_seq = itertools.count(1)

    # ----- time -----

    def _later(self, t: float, sim_secs: float, fn: Callable[[float], None]) -> None:
        heapq.heappush(self._queue, (t + sim_secs / self.speed, next(self._seq), fn))

    def advance(self, now: float | None = None) -> float:
        """Runs every transition due up to now, in time order; returns now."""
        with self.lock:
            now = self.clock() if now is None else now
            while self._queue and self._queue[0][0] <= now:
                due, _, fn = heapq.heappop(self._queue)
                fn(due)
            self._prune(now)
            return now

    def next_due(self) -> float | None:
        with self.lock:
            return self._queue[0][0] if self._queue else None

    # ----- identifiers -----

    def _deployment_id(self) -> str:
        return "ecs-svc/" + str(self.rng.randrange(10**18, 10**19))

    def _hex_id(self) -> str:
        return uuid.UUID(int=self.rng.getrandbits(128)).hex

    # ----- API entry points (callers hold no lock; moto has already validated the request) -----

    def create_service(self, req: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            now = self.advance()
            cluster_name = short_name(req.get("cluster") or "default")
            name = req["serviceName"]
            existing = self.services.get((cluster_name, name))
            if existing is not None and existing.status == "ACTIVE":
                raise EcsError("InvalidParameterException", "Creation of service was not idempotent.")
            strategy = req.get("schedulingStrategy") or "REPLICA"
            controller = dict(req.get("deploymentController") or {"type": "ECS"})
            desired = req.get("desiredCount")
            if desired is None:
                desired = 1 if strategy == "DAEMON" else 0
            taskdef = self.lookup_taskdef(req["taskDefinition"]) if req.get("taskDefinition") else None
            launch_type = req.get("launchType") or base.get("launchType") or "EC2"
            if req.get("capacityProviderStrategy"):
                launch_type = None
            svc = Service(
                name=name,
                arn=base.get("serviceArn")
                or f"arn:aws:ecs:{self.region}:{self.account_id}:service/{cluster_name}/{name}",
                cluster_name=cluster_name,
                cluster_arn=base.get("clusterArn")
                or f"arn:aws:ecs:{self.region}:{self.account_id}:cluster/{cluster_name}",
                region=self.region,
                created_at=now,
                launch_type=launch_type,
                scheduling_strategy=strategy,
                desired_count=int(desired),
                deployment_configuration=self._deployment_configuration(strategy, req.get("deploymentConfiguration")),
                deployment_controller=controller,
                task_definition=taskdef.arn if taskdef else None,
                platform_version=req.get("platformVersion") or ("LATEST" if launch_type == "FARGATE" else None),
                network_configuration=req.get("networkConfiguration"),
            )
            self.services[(cluster_name, name)] = svc
            if svc.simulated and taskdef is not None:
                self._new_deployment(svc, taskdef, now)
            return {"service": self.render_service(svc, base)}

    def update_service(self, req: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            now = self.advance()
            svc = self._service(req.get("cluster"), req["service"])
            if svc is None:
                raise EcsError("ServiceNotFoundException", "Service not found.")
            if svc.status != "ACTIVE":
                raise EcsError("ServiceNotActiveException", "Service was not ACTIVE.")
            taskdef = self.lookup_taskdef(req["taskDefinition"]) if req.get("taskDefinition") else None
            if not svc.simulated and taskdef is not None and taskdef.arn != svc.task_definition:
                kind = svc.deployment_controller.get("type")
                hint = (
                    "Use AWS CodeDeploy to trigger a new deployment."
                    if kind == "CODE_DEPLOY"
                    else "Please use Task Set API to create a new task set."
                )
                raise EcsError(
                    "InvalidParameterException",
                    f"Unable to update task definition on services with a {kind} deployment controller. {hint}",
                )
            if req.get("deploymentConfiguration"):
                merged = dict(svc.deployment_configuration)
                for key, value in req["deploymentConfiguration"].items():
                    merged[key] = value
                svc.deployment_configuration = self._deployment_configuration(svc.scheduling_strategy, merged)
            if req.get("networkConfiguration") is not None:
                svc.network_configuration = req["networkConfiguration"]
            if req.get("platformVersion"):
                svc.platform_version = req["platformVersion"]
            desired_changed = req.get("desiredCount") is not None and int(req["desiredCount"]) != svc.desired_count
            if req.get("desiredCount") is not None:
                svc.desired_count = int(req["desiredCount"])
            primary = svc.primary
            new_revision = taskdef is not None and (primary is None or taskdef.arn != primary.taskdef.arn)
            if svc.simulated and (new_revision or req.get("forceNewDeployment")):
                target = taskdef or (primary.taskdef if primary else None)
                if target is not None:
                    self._new_deployment(svc, target, now)
            elif svc.simulated and primary is not None and desired_changed:
                # A desired-count change alone scales the PRIMARY deployment, as ECS does.
                primary.desired_count = svc.desired_count
                primary.updated_at = now
                svc.steady = False
                self._later(now, 0, lambda t, s=svc: self._reconcile(s, t))
            elif not svc.simulated and taskdef is not None:
                svc.task_definition = taskdef.arn
            return {"service": self.render_service(svc, base)}

    def delete_service(self, req: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            now = self.advance()
            svc = self._service(req.get("cluster"), req["service"])
            if svc is None:
                return {"service": base}
            self._retire_service(svc, now)
            rendered = self.render_service(svc, base)
            return {"service": rendered}

    def describe_services(self, req: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.advance()
            cluster = req.get("cluster")
            services = []
            for moto_service in base.get("services", []):
                svc = self._service(cluster, moto_service.get("serviceName", ""))
                services.append(self.render_service(svc, moto_service) if svc else moto_service)
            return {"services": services, "failures": base.get("failures", [])}

    def list_tasks(self, req: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.advance()
            cluster_name = short_name(req.get("cluster") or "default")
            max_results = req.get("maxResults")
            if max_results is None:
                max_results = LIST_TASKS_PAGE
            if not isinstance(max_results, int) or not 1 <= max_results <= 100:
                raise EcsError("InvalidParameterException", "maxResults must be between 1 and 100.")
            after = self._decode_token(req.get("nextToken"))
            service_name = req.get("serviceName")
            if service_name and self._service(cluster_name, service_name) is None:
                raise EcsError("ServiceNotFoundException", "Service not found.")
            desired = req.get("desiredStatus") or "RUNNING"
            started_by = req.get("startedBy")
            family = req.get("family")
            launch_type = req.get("launchType")
            matches = []
            for task in self.tasks.values():
                if task.service.cluster_name != cluster_name or task.seq <= after:
                    continue
                if service_name and task.service.name != short_name(service_name):
                    continue
                if task.desired_status != desired:
                    continue
                if started_by and task.deployment.id != started_by:
                    continue
                if family and task.taskdef.family != family:
                    continue
                if launch_type and task.service.launch_type != launch_type:
                    continue
                matches.append(task)
            matches.sort(key=lambda t: t.seq)
            page = matches[:max_results]
            result: dict[str, Any] = {"taskArns": [t.arn for t in page]}
            if len(matches) > max_results:
                result["nextToken"] = self._encode_token(page[-1].seq)
            return result

    def describe_tasks(self, req: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.advance()
            wanted = req.get("tasks") or []
            if len(wanted) > DESCRIBE_TASKS_LIMIT:
                raise EcsError("ClientException", f"Tasks cannot be more than {DESCRIBE_TASKS_LIMIT}.")
            cluster_name = short_name(req.get("cluster") or "default")
            by_id = {t.task_id: t for t in self.tasks.values() if t.service.cluster_name == cluster_name}
            include_tags = "TAGS" in (req.get("include") or [])
            tasks, failures = [], []
            for ref in wanted:
                task = by_id.get(short_name(ref))
                if task is None:
                    arn = ref if ref.startswith("arn:") else (
                        f"arn:aws:ecs:{self.region}:{self.account_id}:task/{cluster_name}/{ref}"
                    )
                    failures.append({"arn": arn, "reason": "MISSING"})
                else:
                    tasks.append(self.render_task(task, include_tags))
            return {"tasks": tasks, "failures": failures}

    # ----- rendering -----

    def render_service(self, svc: Service, base: dict[str, Any]) -> dict[str, Any]:
        out = dict(base)
        running = sum(1 for t in self._service_tasks(svc) if t.last_status == "RUNNING")
        pending = sum(1 for t in self._service_tasks(svc) if t.last_status in PENDING_STATES)
        out.update(
            {
                "serviceArn": svc.arn,
                "serviceName": svc.name,
                "clusterArn": svc.cluster_arn,
                "status": svc.status,
                "desiredCount": svc.desired_count,
                "runningCount": running,
                "pendingCount": pending,
                "taskDefinition": svc.primary.taskdef.arn if svc.primary else svc.task_definition,
                "deploymentConfiguration": svc.deployment_configuration,
                "deployments": [self.render_deployment(d) for d in svc.deployments],
                "events": list(svc.events),
                "createdAt": ts(svc.created_at),
                "schedulingStrategy": svc.scheduling_strategy,
                "deploymentController": svc.deployment_controller,
            }
        )
        if svc.launch_type:
            out["launchType"] = svc.launch_type
        if svc.platform_version:
            out["platformVersion"] = svc.platform_version
            out["platformFamily"] = "Linux"
        if not svc.simulated:
            out.setdefault("taskSets", [])
        if svc.network_configuration:
            out["networkConfiguration"] = svc.network_configuration
        return prune_none(out)

    def render_deployment(self, d: Deployment) -> dict[str, Any]:
        tasks = d.tasks
        return prune_none(
            {
                "id": d.id,
                "status": d.status,
                "taskDefinition": d.taskdef.arn,
                "desiredCount": d.desired_count,
                "pendingCount": sum(1 for t in tasks if t.last_status in PENDING_STATES),
                "runningCount": sum(1 for t in tasks if t.last_status == "RUNNING"),
                "failedTasks": d.failed_tasks,
                "createdAt": ts(d.created_at),
                "updatedAt": ts(d.updated_at),
                "launchType": d.launch_type,
                "platformVersion": d.platform_version,
                "platformFamily": "Linux" if d.platform_version else None,
                "networkConfiguration": d.network_configuration,
                "rolloutState": d.rollout_state,
                "rolloutStateReason": d.rollout_state_reason,
            }
        )

    def render_task(self, t: Task, include_tags: bool = False) -> dict[str, Any]:
        containers = [
            prune_none(
                {
                    "containerArn": c.arn,
                    "taskArn": t.arn,
                    "name": c.name,
                    "image": c.image,
                    "runtimeId": c.runtime_id,
                    "lastStatus": c.last_status,
                    "exitCode": c.exit_code,
                    "reason": c.reason,
                    "networkBindings": [],
                    "networkInterfaces": [],
                    "healthStatus": c.health_status,
                    "cpu": c.cpu,
                    "memory": c.memory,
                }
            )
            for c in t.containers
        ]
        fargate = t.service.launch_type == "FARGATE"
        out = prune_none(
            {
                "attachments": [],
                "availabilityZone": f"{self.region}a",
                "clusterArn": t.cluster_arn,
                "connectivity": "CONNECTED" if t.connectivity_at is not None else None,
                "connectivityAt": ts(t.connectivity_at),
                "containers": containers,
                "cpu": t.taskdef.cpu,
                "createdAt": ts(t.created_at),
                "desiredStatus": t.desired_status,
                "enableExecuteCommand": False,
                "executionStoppedAt": ts(t.execution_stopped_at),
                "group": f"service:{t.service.name}",
                "healthStatus": t.health_status,
                "lastStatus": t.last_status,
                "launchType": t.service.launch_type,
                "memory": t.taskdef.memory,
                "overrides": {"containerOverrides": [{"name": c.name} for c in t.containers]},
                "platformVersion": "1.4.0" if fargate else None,
                "platformFamily": "Linux" if fargate else None,
                "pullStartedAt": ts(t.pull_started_at),
                "pullStoppedAt": ts(t.pull_stopped_at),
                "startedAt": ts(t.started_at),
                "startedBy": t.deployment.id,
                "stopCode": t.stop_code,
                "stoppedAt": ts(t.stopped_at),
                "stoppedReason": t.stopped_reason,
                "stoppingAt": ts(t.stopping_at),
                "taskArn": t.arn,
                "taskDefinitionArn": t.taskdef.arn,
                "version": t.version,
            }
        )
        if include_tags:
            out["tags"] = []
        return out

    # ----- model changes -----

    def _service(self, cluster: str | None, name_or_arn: str) -> Service | None:
        return self.services.get((short_name(cluster or "default"), short_name(name_or_arn)))

    def _service_tasks(self, svc: Service) -> list[Task]:
        return [t for d in svc.deployments for t in d.tasks]

    @staticmethod
    def _deployment_configuration(strategy: str, given: dict[str, Any] | None) -> dict[str, Any]:
        daemon = strategy == "DAEMON"
        config: dict[str, Any] = {
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 100 if daemon else 200,
            "minimumHealthyPercent": 0 if daemon else 100,
        }
        for key, value in (given or {}).items():
            if value is not None:
                config[key] = value
        breaker = config.get("deploymentCircuitBreaker") or {}
        config["deploymentCircuitBreaker"] = {
            "enable": bool(breaker.get("enable", False)),
            "rollback": bool(breaker.get("rollback", False)),
        }
        return config

    def _event(self, svc: Service, t: float, message: str) -> None:
        svc.events.insert(0, {"id": str(uuid.UUID(int=self.rng.getrandbits(128))), "createdAt": ts(t), "message": message})
        del svc.events[MAX_EVENTS:]
        log.info("%s", message)

    def _new_deployment(self, svc: Service, taskdef: TaskDef, t: float, rollback: bool = False) -> Deployment:
        dep_id = self._deployment_id()
        dep = Deployment(
            id=dep_id,
            status="PRIMARY",
            taskdef=taskdef,
            desired_count=svc.desired_count,
            created_at=t,
            updated_at=t,
            launch_type=svc.launch_type,
            platform_version=svc.platform_version,
            network_configuration=svc.network_configuration,
            scenario=scenario_for_image(taskdef.image),
            rollout_state_reason=f"ECS deployment {dep_id} in progress.",
            is_rollback=rollback,
        )
        for old in svc.deployments:
            if old.status == "PRIMARY":
                old.status = "ACTIVE"
                old.updated_at = t
        svc.deployments.insert(0, dep)
        svc.task_definition = taskdef.arn
        svc.steady = False
        log.info("service %s: deployment %s of %s (%s)", svc.name, dep_id, taskdef.arn, dep.scenario)
        # ECS answers the call before its scheduler acts, so the first tasks start just after it.
        self._later(t, 0, lambda when, s=svc: self._reconcile(s, when))
        return dep

    def _retire_service(self, svc: Service, t: float) -> None:
        svc.status = "INACTIVE" if svc.status == "ACTIVE" else svc.status
        svc.desired_count = 0
        for dep in svc.deployments:
            dep.launching = False
            for task in dep.tasks:
                if task.desired_status == "RUNNING":
                    self._stop_task(task, t, "ServiceSchedulerInitiated", "Service deleted")
        svc.deployments = []

    def _launch(self, svc: Service, dep: Deployment, t: float) -> Task:
        task_id = self._hex_id()
        containers = []
        for cd in dep.taskdef.containers or [{"name": "app", "image": dep.taskdef.image}]:
            containers.append(
                Container(
                    name=cd.get("name", "app"),
                    image=cd.get("image", ""),
                    arn=f"arn:aws:ecs:{self.region}:{self.account_id}:container/{svc.cluster_name}/{task_id}/{uuid.UUID(int=self.rng.getrandbits(128))}",
                    has_health_check=bool(cd.get("healthCheck")),
                    cpu=str(cd["cpu"]) if cd.get("cpu") is not None else None,
                    memory=str(cd["memory"]) if cd.get("memory") is not None else None,
                )
            )
        task = Task(
            seq=next(self._task_seq),
            arn=f"arn:aws:ecs:{self.region}:{self.account_id}:task/{svc.cluster_name}/{task_id}",
            task_id=task_id,
            cluster_arn=svc.cluster_arn,
            service=svc,
            deployment=dep,
            taskdef=dep.taskdef,
            created_at=t,
            containers=containers,
        )
        dep.tasks.append(task)
        self.tasks[task.arn] = task
        self._later(t, PROVISIONING_SECS, lambda when: self._to_pending(task, when))
        return task

    def _to_pending(self, task: Task, t: float) -> None:
        if task.desired_status != "RUNNING" or task.last_status != "PROVISIONING":
            return
        task.last_status = "PENDING"
        task.pull_started_at = t
        task.connectivity_at = t
        task.touch()
        scenario = task.deployment.scenario
        if scenario == "slow":
            self._later(t, SLOW_PENDING_SECS, lambda when: self._to_running(task, when))
        elif scenario == "fail-start":
            self._later(t, PENDING_SECS, lambda when: self._fail_start(task, when))
        else:
            self._later(t, PENDING_SECS, lambda when: self._to_running(task, when))

    def _to_running(self, task: Task, t: float) -> None:
        if task.desired_status != "RUNNING" or task.last_status != "PENDING":
            return
        task.last_status = "RUNNING"
        task.pull_stopped_at = t
        task.started_at = t
        for c in task.containers:
            c.last_status = "RUNNING"
            c.runtime_id = f"{task.task_id}-{self.rng.randrange(10**9, 10**10)}"
        task.touch()
        dep = task.deployment
        scenario = dep.scenario
        if scenario == "unhealthy":
            self._later(t, UNHEALTHY_AFTER_SECS, lambda when: self._fail_health(task, when))
        elif any(c.has_health_check for c in task.containers):
            self._later(t, HEALTHY_AFTER_SECS, lambda when: self._become_healthy(task, when))
        else:
            self._mark_healthy(task, t)
        if scenario in ("crash", "crash-oom"):
            self._later(t, CRASH_AFTER_SECS, lambda when: self._crash(task, when))
        self._reconcile(task.service, t)

    def _become_healthy(self, task: Task, t: float) -> None:
        if not task.active or task.last_status != "RUNNING":
            return
        for c in task.containers:
            if c.has_health_check:
                c.health_status = "HEALTHY"
        task.health_status = "HEALTHY"
        task.touch()
        self._mark_healthy(task, t)
        self._reconcile(task.service, t)

    def _mark_healthy(self, task: Task, t: float) -> None:
        task.healthy_at = t
        dep = task.deployment
        if not dep.had_success:
            # ECS stops counting failed tasks once a deployment has a task running.
            dep.had_success = True
            dep.failed_tasks = 0
        self._later(t, STABLE_SECS, lambda when, s=task.service: self._reconcile(s, when))

    def _fail_start(self, task: Task, t: float) -> None:
        if task.desired_status != "RUNNING" or task.last_status != "PENDING":
            return
        image = task.containers[0].image if task.containers else ""
        reason = (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
            f"failed to resolve ref {image}: not found"
        )
        task.last_status = "STOPPED"
        task.desired_status = "STOPPED"
        task.pull_stopped_at = t
        task.stopping_at = t
        task.execution_stopped_at = t
        task.stopped_at = t
        task.stop_code = "TaskFailedToStart"
        task.stopped_reason = reason
        for c in task.containers:
            c.last_status = "STOPPED"
            c.reason = reason
        task.touch()
        self._count_failure(task, t, counts_as_failed_task=True)
        self._reconcile(task.service, t)

    def _crash(self, task: Task, t: float) -> None:
        if not task.active or task.last_status != "RUNNING":
            return
        oom = task.deployment.scenario == "crash-oom"
        task.desired_status = "STOPPED"
        task.last_status = "STOPPING"
        task.stopping_at = t
        task.execution_stopped_at = t
        task.stop_code = "EssentialContainerExited"
        task.stopped_reason = "Essential container in task exited"
        task.healthy_at = None
        for i, c in enumerate(task.containers):
            c.last_status = "STOPPED"
            c.exit_code = (137 if oom else 1) if i == 0 else 143
            if oom and i == 0:
                c.reason = "OutOfMemoryError: Container killed due to memory usage"
        task.touch()
        self._later(t, STOP_STEP_SECS, lambda when: self._finish_stop(task, when))
        # A crash after RUNNING is not a failure to start: failedTasks stays, the breaker counts it.
        self._count_failure(task, t, counts_as_failed_task=False)
        self._reconcile(task.service, t)

    def _fail_health(self, task: Task, t: float) -> None:
        if not task.active or task.last_status != "RUNNING":
            return
        for c in task.containers:
            c.health_status = "UNHEALTHY"
        task.health_status = "UNHEALTHY"
        task.touch()
        svc = task.service
        self._event(svc, t, f"(service {svc.name}) (task {task.task_id}) failed container health checks.")
        self._stop_task(task, t, "ServiceSchedulerInitiated", "Task failed container health checks", exit_code=143)
        self._count_failure(task, t, counts_as_failed_task=True)
        self._reconcile(svc, t)

    def _stop_task(self, task: Task, t: float, code: str, reason: str, exit_code: int | None = None) -> None:
        """The scheduler stops a task: it drains through DEACTIVATING and STOPPING when it was running."""
        was_running = task.last_status == "RUNNING"
        task.desired_status = "STOPPED"
        task.stop_code = code
        task.stopped_reason = reason
        task.healthy_at = None
        if was_running:
            task.last_status = "DEACTIVATING"
            self._later(t, DRAIN_STEP_SECS, lambda when: self._drain_stopping(task, when, exit_code))
        else:
            task.last_status = "STOPPING"
            task.stopping_at = t
            self._later(t, STOP_STEP_SECS, lambda when: self._finish_stop(task, when))
        task.touch()

    def _drain_stopping(self, task: Task, t: float, exit_code: int | None) -> None:
        task.last_status = "STOPPING"
        task.stopping_at = t
        task.execution_stopped_at = t
        for c in task.containers:
            if c.last_status == "RUNNING":
                c.last_status = "STOPPED"
                c.exit_code = 0 if exit_code is None else exit_code
        task.touch()
        self._later(t, DRAIN_STEP_SECS, lambda when: self._finish_stop(task, when))

    def _finish_stop(self, task: Task, t: float) -> None:
        task.last_status = "STOPPED"
        task.stopped_at = t
        if task.execution_stopped_at is None:
            task.execution_stopped_at = t
        for c in task.containers:
            c.last_status = "STOPPED"
        task.touch()
        self._reconcile(task.service, t)

    def _count_failure(self, task: Task, t: float, counts_as_failed_task: bool) -> None:
        dep = task.deployment
        if counts_as_failed_task and not dep.had_success:
            dep.failed_tasks += 1
        dep.breaker_failures += 1
        dep.updated_at = t
        svc = task.service
        breaker = svc.deployment_configuration.get("deploymentCircuitBreaker") or {}
        if (
            breaker.get("enable")
            and dep.status == "PRIMARY"
            and dep.rollout_state == "IN_PROGRESS"
            and dep.breaker_failures >= breaker_threshold(dep.desired_count)
        ):
            self._trip_breaker(svc, dep, t, bool(breaker.get("rollback")))

    def _trip_breaker(self, svc: Service, dep: Deployment, t: float, rollback: bool) -> None:
        dep.rollout_state = "FAILED"
        dep.rollout_state_reason = "ECS deployment circuit breaker: tasks failed to start."
        dep.launching = False
        dep.updated_at = t
        self._event(svc, t, f"(service {svc.name}) (deployment {dep.id}) deployment failed: tasks failed to start.")
        target = svc.last_completed
        if rollback and target is not None and not dep.is_rollback:
            new = self._new_deployment(svc, target, t, rollback=True)
            self._event(svc, t, f"(service {svc.name}) rolling back to deployment {new.id}.")

    def _reconcile(self, svc: Service, t: float) -> None:
        """One pass of the service scheduler: stop what may stop, start what may start, settle the rollout."""
        if svc.status != "ACTIVE" or not svc.deployments:
            return
        primary = svc.deployments[0]
        olds = svc.deployments[1:]
        n = primary.desired_count
        config = svc.deployment_configuration
        max_total = math.floor(n * int(config.get("maximumPercent", 200)) / 100)
        min_healthy = math.ceil(n * int(config.get("minimumHealthyPercent", 100)) / 100)
        reason = f"Scaling activity initiated by (deployment {primary.id})"
        stopped: list[Task] = []
        frozen = primary.rollout_state == "FAILED" and primary.status == "PRIMARY"

        if not frozen:
            # Old tasks that are not yet running keep no one healthy: stop them first.
            for dep in olds:
                for task in dep.active_tasks():
                    if task.last_status != "RUNNING":
                        self._stop_task(task, t, "ServiceSchedulerInitiated", reason)
                        stopped.append(task)
            # Primary tasks beyond the desired count (scale-in), pending ones first.
            extra = len(primary.active_tasks()) - n
            if extra > 0:
                victims = sorted(primary.active_tasks(), key=lambda k: (k.last_status == "RUNNING", -k.seq))
                for task in victims[:extra]:
                    self._stop_task(task, t, "ServiceSchedulerInitiated", reason)
                    stopped.append(task)
            # Old running tasks, as far as the minimum healthy percent allows.
            healthy = sum(1 for d in svc.deployments for k in d.tasks if k.healthy)
            stoppable = healthy - min_healthy
            for dep in reversed(olds):
                for task in dep.active_tasks():
                    if task.healthy:
                        if stoppable <= 0:
                            continue
                        stoppable -= 1
                    self._stop_task(task, t, "ServiceSchedulerInitiated", reason)
                    stopped.append(task)

        started: list[Task] = []
        if primary.launching and not frozen:
            active_total = sum(len(d.active_tasks()) for d in svc.deployments)
            want = n - len(primary.active_tasks())
            room = max_total - active_total
            if want > 0 and room <= 0 and not stopped and not any(
                k.last_status in PENDING_STATES for k in primary.tasks
            ):
                room = 1  # min 100% with max 100% would never move; ECS-like progress by one task
            for _ in range(max(0, min(want, room))):
                started.append(self._launch(svc, primary, t))

        if started:
            ids = " ".join(f"(task {k.task_id})" for k in started)
            self._event(svc, t, f"(service {svc.name}) has started {len(started)} tasks: {ids}.")
            svc.steady = False
        running_stopped = [k for k in stopped if k.last_status == "DEACTIVATING"]
        if running_stopped:
            ids = " ".join(f"(task {k.task_id})" for k in running_stopped)
            self._event(svc, t, f"(service {svc.name}) has stopped {len(running_stopped)} running tasks: {ids}.")
        if started or stopped:
            svc.steady = False
            primary.updated_at = t

        # Old deployments leave once their last task has stopped; a failed one stays in sight
        # until the rollback that replaced it is done.
        for dep in olds:
            if not dep.live_tasks() and not (dep.rollout_state == "FAILED" and primary.rollout_state == "IN_PROGRESS"):
                self._drop_deployment(svc, dep)

        self._settle(svc, t)

    def _drop_deployment(self, svc: Service, dep: Deployment) -> None:
        dep.status = "INACTIVE"
        svc.deployments.remove(dep)
        log.info("service %s: deployment %s drained", svc.name, dep.id)

    def _settle(self, svc: Service, t: float) -> None:
        primary = svc.deployments[0]
        if primary.rollout_state == "FAILED" or any(d.live_tasks() for d in svc.deployments[1:]):
            return
        tasks = primary.live_tasks()
        if any(k.last_status != "RUNNING" or not k.healthy for k in tasks) or len(tasks) != primary.desired_count:
            return
        # Epoch floats carry ~1e-7 s of rounding; the tolerance only absorbs that.
        if any(k.healthy_at is not None and t - k.healthy_at < STABLE_SECS / self.speed - 1e-4 for k in tasks):
            return
        if primary.rollout_state == "IN_PROGRESS":
            primary.rollout_state = "COMPLETED"
            primary.rollout_state_reason = f"ECS deployment {primary.id} completed."
            primary.updated_at = t
            svc.last_completed = primary.taskdef
            self._event(svc, t, f"(service {svc.name}) (deployment {primary.id}) deployment completed.")
            for dep in svc.deployments[1:]:
                self._drop_deployment(svc, dep)
        if not svc.steady:
            svc.steady = True
            self._event(svc, t, f"(service {svc.name}) has reached a steady state.")

    def _prune(self, now: float) -> None:
        horizon = now - STOPPED_RETENTION_SECS / self.speed
        gone = [a for a, k in self.tasks.items() if k.stopped_at is not None and k.stopped_at < horizon]
        for svc in self.services.values():
            for dep in svc.deployments:
                stopped = [k for k in dep.tasks if k.last_status == "STOPPED"]
                if len(stopped) > MAX_STOPPED_PER_DEPLOYMENT:
                    gone.extend(k.arn for k in stopped[: len(stopped) - MAX_STOPPED_PER_DEPLOYMENT])
        if not gone:
            return
        doomed = set(gone)
        for arn in doomed:
            task = self.tasks.pop(arn, None)
            if task is not None and task in task.deployment.tasks:
                task.deployment.tasks.remove(task)

    @staticmethod
    def _encode_token(seq: int) -> str:
        return base64.urlsafe_b64encode(f"localaws-tasks:{seq}".encode()).decode()

    @staticmethod
    def _decode_token(token: str | None) -> int:
        if not token:
            return 0
        try:
            text = base64.urlsafe_b64decode(token.encode()).decode()
            prefix, seq = text.split(":", 1)
            if prefix != "localaws-tasks":
                raise ValueError(prefix)
            return int(seq)
        except (ValueError, UnicodeDecodeError) as exc:
            raise EcsError("InvalidParameterException", "Invalid nextToken.") from exc
