"""Authentication and IAM authorization with --auth, for SQS (JSON protocol), ECS, STS."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import REPO

POLICY_ACTIONS = {
    "sqs:ReceiveMessage", "sqs:DeleteMessage", "ecs:DescribeServices", "ecs:DescribeTasks",
    "ecs:ListTasks", "ecs:RegisterTaskDefinition", "ecs:UpdateService",
}


def error_of(call) -> tuple[int, str]:
    """(HTTP status, error code) of a failing call; the code is read from moto's XML body when botocore cannot."""
    with pytest.raises(ClientError) as err:
        call()
    response = err.value.response
    code = response["Error"].get("Code", "")
    message = response["Error"].get("Message", "")
    if "<Code>" in message:
        code = message.split("<Code>", 1)[1].split("</Code>", 1)[0]
    return response["ResponseMetadata"]["HTTPStatusCode"], code


@pytest.fixture(scope="module")
def queue_url(localaws) -> str:
    return localaws.client("sqs").create_queue(QueueName="auth-test")["QueueUrl"]


def test_policy_file_is_exactly_the_minimum_policy():
    with open(os.path.join(REPO, "iam-policy.json")) as fh:
        policy = json.load(fh)
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert actions == POLICY_ACTIONS
    assert all(s["Effect"] == "Allow" and s["Resource"] == "*" for s in policy["Statement"])


def test_sqs_clients_speak_the_json_protocol(localaws):
    sqs = localaws.client("sqs", "deployer")
    assert sqs.meta.service_model.protocol == "json"


def test_deployer_may_call_the_seven_actions(localaws, queue_url, make_service):
    svc = make_service()
    localaws.client("sqs").send_message(QueueUrl=queue_url, MessageBody="{}")
    sqs = localaws.client("sqs", "deployer")
    received = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)["Messages"]
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=received[0]["ReceiptHandle"])

    ecs = localaws.client("ecs", "deployer")
    arn = ecs.register_task_definition(family=svc.family, containerDefinitions=[
        {"name": "app", "image": "nginx:9", "memory": 128}])["taskDefinition"]["taskDefinitionArn"]
    service = ecs.update_service(cluster=svc.cluster, service=svc.name, taskDefinition=arn)["service"]
    assert service["deployments"][0]["taskDefinition"] == arn
    assert ecs.describe_services(cluster=svc.cluster, services=[svc.name])["services"][0]["taskDefinition"] == arn
    tasks = ecs.list_tasks(cluster=svc.cluster, serviceName=svc.name)["taskArns"]
    assert ecs.describe_tasks(cluster=svc.cluster, tasks=tasks)["tasks"]


def test_deployer_is_denied_actions_outside_the_policy(localaws, queue_url):
    assert error_of(lambda: localaws.client("ecs", "deployer").list_clusters()) == (403, "AccessDenied")
    sqs = localaws.client("sqs", "deployer")
    assert error_of(lambda: sqs.send_message(QueueUrl=queue_url, MessageBody="x")) == (403, "AccessDenied")


def test_outsider_is_denied_ecs_and_sqs(localaws, queue_url, cluster):
    ecs = localaws.client("ecs", "outsider")
    assert error_of(lambda: ecs.describe_services(cluster=cluster, services=["x"])) == (403, "AccessDenied")
    sqs = localaws.client("sqs", "outsider")
    assert error_of(lambda: sqs.receive_message(QueueUrl=queue_url)) == (403, "AccessDenied")


def test_wrong_secret_is_a_signature_error(localaws, queue_url, cluster):
    bad = "x" * 40
    ecs = localaws.client("ecs", "deployer", secret=bad)
    assert error_of(lambda: ecs.describe_services(cluster=cluster, services=["x"])) == (403, "SignatureDoesNotMatch")
    sqs = localaws.client("sqs", "deployer", secret=bad)
    assert error_of(lambda: sqs.receive_message(QueueUrl=queue_url)) == (403, "SignatureDoesNotMatch")


def test_unknown_access_key_is_an_invalid_token(localaws, queue_url, cluster):
    ecs = localaws.client("ecs", "deployer", key="AKIAAAAAAAAAAAAAAAAA")
    assert error_of(lambda: ecs.describe_services(cluster=cluster, services=["x"])) == (403, "InvalidClientTokenId")
    sqs = localaws.client("sqs", "deployer", key="AKIAAAAAAAAAAAAAAAAA")
    assert error_of(lambda: sqs.receive_message(QueueUrl=queue_url)) == (403, "InvalidClientTokenId")


def test_missing_queue_is_reported_as_such_to_the_deployer(localaws, queue_url):
    sqs = localaws.client("sqs", "deployer")
    status, code = error_of(lambda: sqs.receive_message(QueueUrl=queue_url + "-gone"))
    assert (status, code) == (400, "AWS.SimpleQueueService.NonExistentQueue")


def test_unsigned_request_is_rejected(localaws):
    request = urllib.request.Request(
        localaws.endpoint + "/", data=b"{}", method="POST",
        headers={"X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
                 "Content-Type": "application/x-amz-json-1.1"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=5)
    assert err.value.code == 403
    assert json.loads(err.value.read())["__type"] == "MissingAuthenticationTokenException"


@pytest.mark.parametrize("user", ["admin", "deployer"])
def test_role_is_assumable_and_carries_the_minimum_policy(localaws, cluster, user):
    creds = localaws.client("sts", user).assume_role(RoleArn=localaws.ready["roleArn"], RoleSessionName="deploy")[
        "Credentials"]
    ecs = localaws.client("ecs", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token=creds["SessionToken"])
    assert ecs.describe_services(cluster=cluster, services=["ghost"])["failures"][0]["reason"] == "MISSING"
    assert error_of(lambda: ecs.list_clusters()) == (403, "AccessDenied")
    wrong = localaws.client("ecs", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token="bogus")
    assert error_of(lambda: wrong.describe_services(cluster=cluster, services=["x"]))[1] == "InvalidClientTokenId"


def test_web_identity_needs_no_signature(localaws, cluster):
    sts = boto3.client("sts", endpoint_url=localaws.endpoint, region_name="us-east-1",
                       config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))
    result = sts.assume_role_with_web_identity(RoleArn=localaws.ready["roleArn"], RoleSessionName="pod",
                                               WebIdentityToken="header.payload.signature")
    creds = result["Credentials"]
    ecs = localaws.client("ecs", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token=creds["SessionToken"])
    assert ecs.describe_services(cluster=cluster, services=["ghost"])["failures"][0]["reason"] == "MISSING"
    assert error_of(lambda: ecs.list_clusters()) == (403, "AccessDenied")
    unsigned_assume = boto3.client("sts", endpoint_url=localaws.endpoint, region_name="us-east-1",
                                   config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as err:
        unsigned_assume.assume_role(RoleArn=localaws.ready["roleArn"], RoleSessionName="nobody")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert err.value.response["Error"]["Code"] == "MissingAuthenticationToken"


def test_outsider_cannot_assume_the_role(localaws):
    sts = localaws.client("sts", "outsider")
    assert error_of(lambda: sts.assume_role(RoleArn=localaws.ready["roleArn"], RoleSessionName="x1")) == (403, "AccessDenied")


def test_call_counts_per_action(localaws, cluster):
    urllib.request.urlopen(urllib.request.Request(localaws.endpoint + "/_sim/reset-stats", data=b"", method="POST"))
    ecs = localaws.client("ecs")
    for _ in range(3):
        ecs.describe_services(cluster=cluster, services=["ghost"])
    ecs.list_tasks(cluster=cluster)
    stats = json.load(urllib.request.urlopen(localaws.endpoint + "/_sim/stats"))
    # Reads change nothing: no per-resource counts; only the batch sizes of DescribeServices.
    assert stats == {"calls": {"ecs:DescribeServices": 3, "ecs:ListTasks": 1}, "targets": {},
                     "batches": {"ecs:DescribeServices 1": 3}}


def test_describe_calls_are_counted_by_how_many_resources_they_name(localaws, cluster):
    urllib.request.urlopen(urllib.request.Request(localaws.endpoint + "/_sim/reset-stats", data=b"", method="POST"))
    ecs = localaws.client("ecs")
    ecs.describe_services(cluster=cluster, services=[f"ghost-{i}" for i in range(10)])
    ecs.describe_services(cluster=cluster, services=["ghost-a", "ghost-b"])
    ecs.describe_services(cluster=cluster, services=["ghost-c", "ghost-d"])
    ecs.describe_tasks(cluster=cluster, tasks=["0123456789abcdef0123456789abcdef"])
    stats = json.load(urllib.request.urlopen(localaws.endpoint + "/_sim/stats"))
    assert stats["batches"] == {"ecs:DescribeServices 10": 1, "ecs:DescribeServices 2": 2, "ecs:DescribeTasks 1": 1}


def test_changing_calls_are_counted_per_resource(localaws, cluster):
    urllib.request.urlopen(urllib.request.Request(localaws.endpoint + "/_sim/reset-stats", data=b"", method="POST"))
    ecs = localaws.client("ecs")
    sqs = localaws.client("sqs")
    for family in ("count-a", "count-a", "count-b"):
        ecs.register_task_definition(family=family, containerDefinitions=[{"name": "c", "image": "i", "memory": 64}])
    queue = sqs.create_queue(QueueName="count-q")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=queue)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=handle)
    stats = json.load(urllib.request.urlopen(localaws.endpoint + "/_sim/stats"))
    assert stats["targets"] == {"ecs:RegisterTaskDefinition count-a": 2, "ecs:RegisterTaskDefinition count-b": 1,
                                "sqs:DeleteMessage count-q": 1}
