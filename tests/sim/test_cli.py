"""localaws.py as a process (ready file, signals, parent watch, no-auth mode) and the setup.py helper."""

from __future__ import annotations

import configparser
import json
import os
import signal
import subprocess
import sys
import time

import boto3
import pytest

from conftest import LOCALAWS, SETUP, start_localaws, stop_localaws, wait_for


@pytest.fixture(scope="module")
def open_aws(tmp_path_factory):
    aws = start_localaws(str(tmp_path_factory.mktemp("open")), "--speed", "50")
    yield aws
    stop_localaws(aws)


def setup(aws, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, SETUP, "--ready-file", aws.ready_file, *args],
                            capture_output=True, text=True, timeout=60)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return not any(line.startswith("State:") and "Z" in line.split()[1] for line in fh)
    except FileNotFoundError:
        return False


def test_ready_file_describes_the_endpoint(open_aws):
    ready = open_aws.ready
    assert ready["endpoint"].startswith("http://127.0.0.1:") and ready["region"] == "us-east-1"
    assert ready["accountId"] == "123456789012"
    assert ready["roleArn"] == "arn:aws:iam::123456789012:role/deploy-role"
    assert set(ready["users"]) == {"deployer", "outsider", "admin"}
    keys = {u["accessKeyId"] for u in ready["users"].values()}
    assert len(keys) == 3 and all(len(k) == 20 and k.startswith("AKIA") for k in keys)
    assert not [f for f in os.listdir(os.path.dirname(open_aws.ready_file)) if f.endswith(".tmp")]


def test_without_auth_anything_is_accepted(open_aws):
    ecs = open_aws.client("ecs", "outsider", secret="y" * 40)
    assert "clusterArns" in ecs.list_clusters()
    sqs = open_aws.client("sqs", "deployer", key="AKIAAAAAAAAAAAAAAAAA")
    assert sqs.create_queue(QueueName="open")["QueueUrl"].endswith("/open")


def test_sigterm_and_sigint_stop_cleanly_and_stdout_stays_empty(tmp_path):
    for sig in (signal.SIGTERM, signal.SIGINT):
        aws = start_localaws(str(tmp_path))
        aws.client("ecs").list_clusters()
        aws.proc.send_signal(sig)
        out, err = aws.proc.communicate(timeout=10)
        assert aws.proc.returncode == 0 and out == b"" and err == b""
        with open(aws.log_file) as fh:
            log = fh.read()
        assert "serving http://127.0.0.1:" in log and "ecs:ListClusters 200" in log


def test_exits_when_the_parent_process_is_gone(tmp_path):
    ready_file = str(tmp_path / "ready.json")
    launcher = (
        "import subprocess, sys, time\n"
        f"p = subprocess.Popen([sys.executable, {LOCALAWS!r}, '--ready-file', {ready_file!r}, '--port', '0',"
        f" '--log-file', {str(tmp_path / 'log')!r}, '--parent-pid', str(__import__('os').getpid())])\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", launcher], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    try:
        wait_for(lambda: os.path.exists(ready_file), timeout=30, what="ready file")
        assert alive(child)
        parent.kill()
        parent.wait()
        wait_for(lambda: not alive(child), timeout=5, interval=0.1, what="localaws to exit")
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)


def test_bad_speed_is_a_usage_error(tmp_path):
    result = subprocess.run([sys.executable, LOCALAWS, "--ready-file", str(tmp_path / "r"), "--speed", "0"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--speed must be positive" in result.stderr and result.stdout == ""


def test_setup_queue_send_count(open_aws):
    url = setup(open_aws, "queue", "deploys", "--visibility", "45").stdout.strip()
    assert url.startswith(open_aws.endpoint) and url.endswith("/deploys")
    sqs = open_aws.client("sqs")
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
        "VisibilityTimeout": "45"}
    body = json.loads(setup(open_aws, "taskdef", "--family", "web", "--image", "nginx:2").stdout)
    assert body["family"] == "web" and body["containerDefinitions"][0]["image"] == "nginx:2"
    message_id = setup(open_aws, "send", "--queue-url", url, "--service", "web", "--cluster", "prod",
                       "--body", json.dumps(body)).stdout.strip()
    assert setup(open_aws, "count", "--queue-url", url).stdout.strip() == "1"
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert got["MessageId"] == message_id and json.loads(got["Body"]) == body
    assert {k: v["StringValue"] for k, v in got["MessageAttributes"].items()} == {"service": "web", "cluster": "prod"}
    assert setup(open_aws, "count", "--queue-url", url).stdout.strip() == "1"  # in flight still counts


def test_setup_fifo_queue_groups_by_service(open_aws, tmp_path):
    url = setup(open_aws, "queue", "ordered", "--fifo").stdout.strip()
    assert url.endswith("/ordered.fifo")
    body_file = tmp_path / "td.json"
    body_file.write_text('{"family":"web","containerDefinitions":[]}')
    for _ in range(2):
        setup(open_aws, "send", "--queue-url", url, "--service", "web", "--body-file", str(body_file))
    assert setup(open_aws, "count", "--queue-url", url).stdout.strip() == "2"
    got = open_aws.client("sqs").receive_message(QueueUrl=url, AttributeNames=["MessageGroupId"], MaxNumberOfMessages=10)
    assert {m["Attributes"]["MessageGroupId"] for m in got["Messages"]} == {"web"}


def test_setup_cluster_service_describe(open_aws):
    assert setup(open_aws, "cluster", "prod").stdout.strip().endswith(":cluster/prod")
    arn = setup(open_aws, "service", "--cluster", "prod", "--name", "api", "--image", "nginx:1",
                "--desired", "2", "--circuit-breaker", "on", "--rollback", "on").stdout.strip()
    assert arn.endswith(":service/prod/api")
    service = json.loads(setup(open_aws, "describe", "--cluster", "prod", "--service", "api").stdout)
    assert service["deployments"][0]["rolloutState"] == "COMPLETED" and service["runningCount"] == 2
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert isinstance(service["createdAt"], float)
    failed = setup(open_aws, "service", "--cluster", "prod", "--name", "broken", "--image", "x/fail-start",
                   "--circuit-breaker", "on", check=False)
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.strip() == ("setup.py: first deployment of service broken failed: "
                                     "ECS deployment circuit breaker: tasks failed to start.")


def test_setup_aws_dir_works_with_the_sdk(open_aws, tmp_path, monkeypatch):
    out = tmp_path / "dot-aws"
    setup(open_aws, "aws-dir", "--user", "deployer", "--out", str(out))
    creds = configparser.ConfigParser()
    creds.read(out / "credentials")
    assert creds["default"]["aws_access_key_id"] == open_aws.ready["users"]["deployer"]["accessKeyId"]
    config = configparser.ConfigParser()
    config.read(out / "config")
    assert config["default"]["region"] == "us-east-1"
    assert (os.stat(out / "credentials").st_mode & 0o777) == 0o600
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
                 "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(out / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(out / "config"))
    session = boto3.Session()
    assert session.get_credentials().access_key == open_aws.ready["users"]["deployer"]["accessKeyId"]
    assert session.region_name == "us-east-1"
    bad = setup(open_aws, "aws-dir", "--user", "nobody", "--out", str(out), check=False)
    assert bad.returncode == 1 and "unknown user nobody" in bad.stderr


def test_setup_without_ready_file_fails_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "LOCALAWS_READY_FILE"}
    result = subprocess.run([sys.executable, SETUP, "count", "--queue-url", "http://127.0.0.1:1/q"],
                            capture_output=True, text=True, env=env, timeout=30)
    assert result.returncode == 1
    assert result.stderr == "setup.py: no ready file: pass --ready-file or set LOCALAWS_READY_FILE\n"
