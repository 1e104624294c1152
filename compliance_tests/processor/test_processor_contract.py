"""The contract between the function's code and the Pulumi program that deploys it.

One side: the AWS calls the handler really makes (recorded from its boto3
clients while it processes a batch) are the IAM actions the code declares
(app.REQUIRED_IAM_ACTIONS). Other side: the rendered program (graph.json, via
``python -m compliance render``) declares the function as the code expects —
handler, runtime, Powertools layer, an environment that load_settings accepts,
partial batch responses — grants every declared action, and gives the private
subnets a route to every service the function calls.
"""

from __future__ import annotations

import importlib.metadata
import json
import random
import subprocess
import sys
import time

import pytest
from telemetry_processor.app import NOT_API_CALLS, REQUIRED_IAM_ACTIONS
from telemetry_processor.config import load_settings

from compliance_tests.processor.events import Shard, fleet, invoke
from compliance_tests.processor.servers import PROCESSOR_DIR, ROOT

IAM_ACTION_OF_OPERATION = {"sqs:SendMessageBatch": "sqs:SendMessage"}
SERVICES_CALLED = ("dynamodb", "s3", "sqs", "secretsmanager")
# Public layer versions of the Powertools releases, as AWS's SSM parameters
# /aws/service/powertools/python/x86_64/python3.11/<release> name them.
POWERTOOLS_LAYER_OF_RELEASE = {"3.23.0": 27}
TESTED_POWERTOOLS = importlib.metadata.version("aws-lambda-powertools")


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("render") / "graph.json"
    result = subprocess.run(
        [sys.executable, "-m", "compliance", "render", "--stack", "dev", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(out.read_text())


def _only(graph: dict, type_token: str, name: str | None = None) -> dict:
    matches = [r for r in graph["resources"] if r["type"] == type_token and name in (None, r["name"])]
    assert len(matches) == 1, f"expected one {type_token}, found {len(matches)}"
    return matches[0]


def _function(graph: dict) -> dict:
    return _only(graph, "aws:lambda/function:Function", "processor")


@pytest.mark.slow
def test_the_calls_the_handler_makes_are_the_declared_iam_actions(handler, dlq, facility, database, monkeypatch):
    fresh = handler.build_processor(
        handler.SETTINGS, handler.clients, handler.logger, handler.metrics,
        database_password=lambda: database.passwords["telemetry_writer"],
    )
    monkeypatch.setattr(
        handler, "processor", fresh
    )  # a cold start: the Redis token is read from Secrets Manager
    called: set[str] = set()
    recorders = []
    for client in (
        handler.clients.dynamodb,
        handler.clients.s3,
        handler.clients.sqs,
        handler.clients.secretsmanager,
    ):
        prefix = client.meta.service_model.endpoint_prefix

        def record(model, _prefix=prefix, **_kwargs):
            called.add(f"{_prefix}:{model.name}")

        client.meta.events.register("before-call", record)
        recorders.append((client, record))
    messages = fleet(3, facility, random.Random(21), devices=2)
    messages[0]["metrics"]["temperature_c"] = 150.0  # an anomaly
    try:
        response = invoke(handler, Shard().records([*messages, b"not json"], arrival=time.time()))
    finally:
        for client, record in recorders:
            client.meta.events.unregister("before-call", record)
    assert response == {"batchItemFailures": []}
    actions = {IAM_ACTION_OF_OPERATION.get(call, call) for call in called}
    assert actions <= REQUIRED_IAM_ACTIONS, f"undeclared calls: {actions - REQUIRED_IAM_ACTIONS}"
    assert REQUIRED_IAM_ACTIONS - actions == NOT_API_CALLS


@pytest.mark.slow
def test_the_program_declares_the_function_as_the_code_expects(graph):
    function = _function(graph)["inputs"]
    assert function["handler"] == "handler.lambda_handler"
    assert function["runtime"] == "python3.11"
    assert function["architectures"] == ["x86_64"]  # the wheels build.sh bundles (manylinux2014_x86_64)
    assert function["code"] == {"archive": "program/functions/processor"}
    powertools = [layer for layer in function["layers"] if ":layer:AWSLambdaPowertoolsPythonV3-python311-" in layer]
    assert powertools == [powertools[0]] and powertools[0].endswith(f":{POWERTOOLS_LAYER_OF_RELEASE[TESTED_POWERTOOLS]}")
    settings = load_settings(function["environment"]["variables"])  # raises ConfigError naming what is wrong
    assert settings.redis_tls  # ElastiCache with transit encryption


def test_the_bundled_dependencies_are_the_versions_the_tests_run():
    """build.sh vendors requirements.txt; the tests and benchmarks import the repository's pins."""
    bundled = PROCESSOR_DIR / "requirements.txt"
    pins = [line for line in bundled.read_text().splitlines() if line and not line.startswith("#")]
    assert pins and all("==" in pin for pin in pins), pins
    repository = {
        line.split("#")[0].strip()
        for name in ("requirements.txt", "requirements-dev.txt")
        for line in (ROOT / name).read_text().splitlines()
    }
    assert [pin for pin in pins if pin not in repository] == []
    assert "bundle_wheels" in (PROCESSOR_DIR / "build.sh").read_text()  # the wheels of the shared bundle step
    assert "--platform manylinux2014_x86_64" in (PROCESSOR_DIR.parent / "bundle.sh").read_text()


def test_running_the_function_leaves_no_bytecode_in_its_package(handler):
    """The program archives the directory whole: a __pycache__ there would change the code's hash."""
    assert sorted(PROCESSOR_DIR.rglob("__pycache__")) == [], "delete them: the deployed archive would carry them"


@pytest.mark.slow
def test_the_stream_is_read_one_batch_per_shard_with_partial_batch_responses(graph):
    mapping = _only(graph, "aws:lambda/eventSourceMapping:EventSourceMapping", "processor-telemetry")["inputs"]
    assert "ReportBatchItemFailures" in mapping["functionResponseTypes"]
    # The archive and dead-letter ledgers assume one batch per shard at a time.
    assert mapping.get("parallelizationFactor", 1) == 1


@pytest.mark.slow
def test_the_role_grants_every_call_the_function_makes(graph):
    function = _function(graph)
    (role_urn,) = function["propertyDependencies"]["role"]
    granted = set()
    for policy in graph["resources"]:
        if policy["type"] == "aws:iam/rolePolicy:RolePolicy" and role_urn in policy[
            "propertyDependencies"
        ].get("role", []):
            for statement in json.loads(policy["inputs"]["policy"])["Statement"]:
                if statement["Effect"] == "Allow":
                    actions = statement["Action"]
                    granted.update([actions] if isinstance(actions, str) else actions)
    missing = REQUIRED_IAM_ACTIONS - granted
    assert not missing, f"the processor role does not allow {sorted(missing)}"


@pytest.mark.slow
def test_the_private_subnets_reach_every_service_the_function_calls(graph):
    endpoints = [
        r["inputs"]["serviceName"]
        for r in graph["resources"]
        if r["type"] == "aws:ec2/vpcEndpoint:VpcEndpoint"
    ]
    missing = [
        service for service in SERVICES_CALLED if not any(name.endswith(f".{service}") for name in endpoints)
    ]
    assert not missing, f"no VPC endpoint for {missing}: the function runs in private subnets without NAT"
