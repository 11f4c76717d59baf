"""ECS request throttling of the local AWS: token buckets per operation, and ECS's ThrottlingException."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import boto3
import botocore.retries.standard
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import LOCALAWS, start_localaws, stop_localaws
from localaws import ECS_THROTTLE_RATES, Throttle, TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ----- the buckets, on a fake clock -----


def test_bucket_starts_full_and_allows_its_burst_at_once():
    bucket = TokenBucket(rate=2, burst=5, now=0)
    assert [bucket.take(0) for _ in range(6)] == [True] * 5 + [False]


def test_bucket_refills_at_its_rate_and_never_beyond_its_burst():
    bucket = TokenBucket(rate=2, burst=5, now=0)
    for _ in range(5):
        bucket.take(0)
    assert not bucket.take(0.4)  # 0.8 of a token
    assert bucket.take(0.5)  # 1 token after half a second at 2 per second
    assert not bucket.take(0.5)
    # A long pause refills to the burst, not past it.
    assert [bucket.take(100) for _ in range(6)] == [True] * 5 + [False]


def test_sustained_rate_is_what_passes_over_time():
    clock = FakeClock()
    throttle = Throttle(enabled=True, rates={"DescribeServices": (4, 2)}, clock=clock)
    allowed = 0
    for _ in range(1000):  # 100 calls per second for 10 s
        clock.now += 0.01
        allowed += throttle.allow("us-east-1", "DescribeServices")
    # The burst, then 4 per second.
    assert 40 <= allowed <= 42
    assert throttle.state()["throttled"] == {"ecs:DescribeServices": 1000 - allowed}


def test_each_operation_and_region_has_its_own_bucket():
    clock = FakeClock()
    throttle = Throttle(enabled=True, rates={"DescribeServices": (1, 2), "ListTasks": (1, 3)}, clock=clock)
    assert [throttle.allow("us-east-1", "DescribeServices") for _ in range(3)] == [True, True, False]
    assert [throttle.allow("us-east-1", "ListTasks") for _ in range(4)] == [True, True, True, False]
    assert throttle.allow("eu-west-1", "DescribeServices")
    # Operations without a documented rate are never throttled.
    assert all(throttle.allow("us-east-1", "UpdateService") for _ in range(1000))
    assert throttle.state()["throttled"] == {"ecs:DescribeServices": 1, "ecs:ListTasks": 1}


def test_documented_rates_scale_and_overrides():
    throttle = Throttle(enabled=True, scale=0.1, rates={"UpdateService": (0.5, 2)})
    rates = throttle.state()["rates"]
    assert rates["DescribeServices"] == {"sustained": 2.0, "burst": 5.0}
    assert rates["ListTasks"] == rates["DescribeTasks"] == rates["DescribeServices"]
    # A bucket keeps room for one call however small the scale.
    assert rates["RegisterTaskDefinition"] == {"sustained": pytest.approx(0.1), "burst": 2.0}
    assert rates["UpdateService"] == {"sustained": 0.5, "burst": 2.0}
    assert set(ECS_THROTTLE_RATES) == {"DescribeServices", "ListTasks", "DescribeTasks", "RegisterTaskDefinition"}
    with pytest.raises(ValueError):
        throttle.configure(True, 0, {})
    with pytest.raises(ValueError):
        throttle.configure(True, 1, {"DescribeServices": (1, 0.5)})


def test_disabled_throttle_allows_everything():
    throttle = Throttle(enabled=False, rates={"DescribeServices": (1, 1)})
    assert all(throttle.allow("us-east-1", "DescribeServices") for _ in range(100))
    assert throttle.state()["throttled"] == {}


# ----- the endpoint -----


@pytest.fixture(scope="module")
def throttled_aws(tmp_path_factory):
    aws = start_localaws(str(tmp_path_factory.mktemp("throttled")), "--speed", "50", "--throttle",
                         "--throttle-rate", "DescribeServices=0.5:3", "--throttle-rate", "ListTasks=0.5:2")
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="t")
    arn = ecs.register_task_definition(family="t", containerDefinitions=[
        {"name": "app", "image": "nginx:1", "essential": True, "memory": 128}])["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="t", serviceName="web", taskDefinition=arn, desiredCount=1)
    yield aws
    stop_localaws(aws)


def client(aws, attempts: int = 1):
    """An ECS client of the admin user making exactly `attempts` attempts per call; raw answers recorded."""
    keys = aws.ready["users"]["admin"]
    c = boto3.client("ecs", endpoint_url=aws.endpoint, region_name=aws.ready["region"],
                     aws_access_key_id=keys["accessKeyId"], aws_secret_access_key=keys["secretAccessKey"],
                     config=Config(retries={"total_max_attempts": attempts, "mode": "standard"}))
    c.meta.events.register("before-parse.ecs", aws._record)
    return c


def control(aws, path: str, payload: dict | None = None) -> dict:
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(aws.endpoint + path, data=data, method="GET" if data is None else "POST")
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def empty(aws, op: str = "DescribeServices") -> None:
    """Resets the buckets (full) and the counts, then takes every token of op's bucket."""
    control(aws, "/_sim/throttle", {"enabled": True, "rates": {"DescribeServices": [0.5, 3], "ListTasks": [0.5, 2]}})
    control(aws, "/_sim/reset-stats", {})
    ecs = client(aws)
    call = {"DescribeServices": lambda: ecs.describe_services(cluster="t", services=["web"]),
            "ListTasks": lambda: ecs.list_tasks(cluster="t")}[op]
    with pytest.raises(ClientError):
        for _ in range(10):
            call()


def test_throttled_call_has_ecs_error_shape(throttled_aws):
    empty(throttled_aws)
    with pytest.raises(ClientError) as info:
        client(throttled_aws).describe_services(cluster="t", services=["web"])
    err = info.value.response
    assert err["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "ThrottlingException"
    assert err["ResponseMetadata"]["RequestId"]
    # Not a modelled ECS error, and botocore's standard retry mode takes it for throttling.
    assert "ThrottlingException" not in {s for s in throttled_aws.client("ecs").meta.service_model.shape_names}
    detector = botocore.retries.standard.ThrottlingErrorDetector(botocore.retries.standard.RetryEventAdapter())
    context = botocore.retries.standard.RetryContext(attempt_number=1, parsed_response=err)
    assert detector.is_throttling_error_from_context(context)
    raw = throttled_aws.raw[-1]
    assert raw[0] == "DescribeServices" and raw[1] == 400
    assert raw[2] == {"__type": "ThrottlingException", "message": "Rate exceeded"}


def test_buckets_are_per_operation_on_the_endpoint(throttled_aws):
    empty(throttled_aws, "ListTasks")
    ecs = client(throttled_aws)
    # DescribeServices still has its burst of 3; DescribeTasks and the rest are not limited here.
    for _ in range(3):
        ecs.describe_services(cluster="t", services=["web"])
    with pytest.raises(ClientError):
        ecs.describe_services(cluster="t", services=["web"])
    for _ in range(60):
        ecs.describe_clusters(clusters=["t"])
    state = control(throttled_aws, "/_sim/throttle")
    assert state["throttled"] == {"ecs:DescribeServices": 1, "ecs:ListTasks": 1}
    # Throttled calls are still calls.
    calls = control(throttled_aws, "/_sim/stats")["calls"]
    assert calls["ecs:DescribeServices"] == 4 and calls["ecs:ListTasks"] == 3


def test_botocore_retries_a_throttled_call_until_the_bucket_refills(throttled_aws):
    empty(throttled_aws)
    patient = client(throttled_aws, attempts=10)
    out = patient.describe_services(cluster="t", services=["web"])
    assert out["services"][0]["serviceName"] == "web"
    assert out["ResponseMetadata"]["RetryAttempts"] >= 1


def test_settings_change_at_run_time(throttled_aws):
    state = control(throttled_aws, "/_sim/throttle", {"enabled": False})
    assert state["enabled"] is False
    ecs = client(throttled_aws)
    for _ in range(20):
        ecs.describe_services(cluster="t", services=["web"])
    state = control(throttled_aws, "/_sim/throttle", {"enabled": True, "scale": 0.5, "rates": {}})
    assert state["enabled"] is True and state["scale"] == 0.5
    assert state["rates"]["DescribeServices"] == {"sustained": 10.0, "burst": 25.0}
    req = urllib.request.Request(throttled_aws.endpoint + "/_sim/throttle", data=b'{"scale": 0}', method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req)
    assert info.value.code == 400


def test_bad_throttle_rate_is_a_usage_error(tmp_path):
    result = subprocess.run([sys.executable, LOCALAWS, "--ready-file", str(tmp_path / "r.json"),
                             "--throttle-rate", "DescribeServices=fast"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "OP=SUSTAINED:BURST" in result.stderr
    assert not (tmp_path / "r.json").exists()


def test_throttled_changes_do_not_count_per_target(throttled_aws):
    control(throttled_aws, "/_sim/throttle", {"enabled": True, "rates": {"RegisterTaskDefinition": [0.1, 1]}})
    control(throttled_aws, "/_sim/reset-stats", {})
    ecs = client(throttled_aws)
    container = [{"name": "app", "image": "nginx:2", "essential": True, "memory": 128}]
    ecs.register_task_definition(family="counted", containerDefinitions=container)
    with pytest.raises(ClientError):
        ecs.register_task_definition(family="counted", containerDefinitions=container)
    stats = control(throttled_aws, "/_sim/stats")
    assert stats["calls"]["ecs:RegisterTaskDefinition"] == 2
    assert stats["targets"] == {"ecs:RegisterTaskDefinition counted": 1}
    revisions = ecs.list_task_definitions(familyPrefix="counted")["taskDefinitionArns"]
    assert len(revisions) == 1
