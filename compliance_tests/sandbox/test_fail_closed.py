"""Nothing is silently skipped: unhandled types, unapplied inputs and unknown invokes are errors naming them."""

from __future__ import annotations

import pytest
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from compliance.errors import EvaluationError
from compliance.sandbox import SandboxStack, deploy
from compliance.sandbox.clients import SandboxClients
from compliance.sandbox.deploy import _refuse_secrets_in
from compliance.sandbox.mocks import SandboxMocks, as_secret
from compliance.sandbox.registry import HANDLERS, Created, Deployment, Handler


@pytest.fixture
def mocks(deployed_dev: SandboxStack) -> SandboxMocks:
    clients = SandboxClients(deployed_dev.endpoint, deployed_dev.region)
    return SandboxMocks(Deployment(clients, deployed_dev.account_id), deployed_dev.region)


def test_an_unhandled_resource_type_fails_naming_it(mocks: SandboxMocks):
    with pytest.raises(EvaluationError, match=r"no handler for resource type aws:sns/topic:Topic \('alerts'\)"):
        mocks.new_resource(MockResourceArgs("aws:sns/topic:Topic", "alerts", {"name": "alerts"}, custom=True))


def test_a_deploy_with_an_unhandled_type_fails_naming_it(deployed_dev: SandboxStack,
                                                         monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delitem(HANDLERS, "aws:kinesis/stream:Stream")
    with pytest.raises(EvaluationError, match=r"aws:kinesis/stream:Stream \('telemetry'\)"):
        deploy("dev", "unhandled", endpoint=deployed_dev.endpoint)


def test_component_resources_pass_through(mocks: SandboxMocks):
    assert mocks.new_resource(MockResourceArgs("iot-sensor-platform:keys:Keys", "keys", {}, custom=False)) == ("", {})


def test_an_input_no_handler_applies_is_an_error_naming_it(mocks: SandboxMocks, monkeypatch: pytest.MonkeyPatch):
    def reads_only_name(ctx, inputs):
        return Created(inputs["name"])

    monkeypatch.setitem(HANDLERS, "test:index/thing:Thing",
                        Handler("test:index/thing:Thing", reads_only_name, frozenset(), frozenset()))
    args = MockResourceArgs("test:index/thing:Thing", "t", {"name": "t", "encrypted": True}, custom=True)
    with pytest.raises(EvaluationError, match="'t' sets encrypted, which its handler does not apply"):
        mocks.new_resource(args)


def test_an_unknown_invoke_fails_naming_it(mocks: SandboxMocks):
    with pytest.raises(EvaluationError, match="does not answer invoke aws:ec2/getAmi:getAmi"):
        mocks.call(MockCallArgs("aws:ec2/getAmi:getAmi", {}, ""))


def test_an_api_error_names_the_resource_and_never_its_secret(mocks: SandboxMocks):
    secret = "correct-horse-battery-staple"
    args = MockResourceArgs("aws:secretsmanager/secretVersion:SecretVersion", "v",
                            {"secretId": "no-such-secret", "secretString": as_secret({"password": secret})}, custom=True)
    with pytest.raises(EvaluationError) as raised:
        mocks.new_resource(args)
    message = str(raised.value)
    assert "aws:secretsmanager/secretVersion:SecretVersion 'v'" in message
    assert secret not in message and "[secret]" in message


def test_secret_inputs_come_back_secret_and_are_remembered(mocks: SandboxMocks, deployed_dev: SandboxStack):
    secret_arn = deployed_dev.outputs["redisAuthSecretArn"]
    _, state = mocks.new_resource(MockResourceArgs(
        "aws:secretsmanager/secretVersion:SecretVersion", "v",
        {"secretId": secret_arn, "secretString": as_secret("rotated-token-value-1234")}, custom=True))
    assert state["secretString"] == as_secret("rotated-token-value-1234")
    assert mocks.deployment.redact("x rotated-token-value-1234 y") == "x [secret] y"


def test_outputs_holding_a_secret_value_are_refused(mocks: SandboxMocks):
    mocks.deployment.remember_secret("s3cr3t-auth-token")
    with pytest.raises(EvaluationError, match="stack outputs redisToken carry a secret value"):
        _refuse_secrets_in({"redisToken": "s3cr3t-auth-token", "streamName": "kinesis-telemetry-dev"},
                           mocks.deployment)
