"""IAM-05: the rotation function's four steps, against the documented AWS API and a real Redis.

moto cannot run a rotation (a rotation function ARN makes it invoke Lambda
through Docker, and its ModifyReplicationGroup drops AuthToken), so every AWS
call is checked with botocore's Stubber against the service models (request
parameters and response shapes), in the order the steps make them. The AUTH
side is real: a redis-server whose default user needs the current token, and
whose tokens change as ElastiCache's ROTATE and SET change them
(``rotation_support.ElastiCacheTokens``).

Every step is also run a second time on the state the first left behind
(Secrets Manager retries a step after a failure or timeout): it must do nothing
more, and never a second ModifyReplicationGroup or PutSecretValue.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import boto3
import pytest
from botocore.stub import ANY, Stubber

from compliance_tests.program.rotation_support import ElastiCacheTokens, redis_server, rotation_modules

m = rotation_modules()
ARN = "arn:aws:secretsmanager:sa-east-1:123456789012:secret:secret-redis-auth-dev-AbCdEf"
NAME = "secret-redis-auth-dev"
GROUP = "redis-baseline-dev"
OLD_VERSION = "a1111111-1111-4111-8111-111111111111"
NEW_VERSION = "b2222222-2222-4222-8222-222222222222"
ROTATION_TOKEN = "c3333333-3333-4333-8333-333333333333"
OLD_TOKEN = m.tokens.generate_token()  # made at run time: no token literal for secret scanners to report
NOW = datetime.datetime(2026, 12, 3, tzinfo=datetime.UTC)


def event(step: str) -> dict[str, str]:
    return {"Step": step, "SecretId": ARN, "ClientRequestToken": NEW_VERSION, "RotationToken": ROTATION_TOKEN}


@dataclass
class Clock:
    """Sleeps recorded, not slept; ``left`` is what the Lambda context would report."""

    left: float = 900.0
    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.left -= seconds


@dataclass
class Harness:
    rotation: object
    secrets: Stubber
    cache: Stubber
    clock: Clock
    tokens: ElastiCacheTokens
    probe: object
    put_strings: list[str]
    calls: set[str]  # every AWS operation the function made, as an IAM action

    def run(self, step: str) -> None:
        self.rotation.run(event(step), lambda: self.clock.left)
        self.secrets.assert_no_pending_responses()
        self.cache.assert_no_pending_responses()

    # Secrets Manager, as the documented API answers
    def describe(self, stages: dict[str, list[str]], enabled: bool = True) -> None:
        self.secrets.add_response("describe_secret", {
            "ARN": ARN, "Name": NAME, "RotationEnabled": enabled, "VersionIdsToStages": stages,
            "RotationRules": {"AutomaticallyAfterDays": 30}}, {"SecretId": ARN})

    def value(self, stage: str, version: str, token: str, *, by_version: bool = True) -> None:
        expected = {"SecretId": ARN, "VersionStage": stage, **({"VersionId": version} if by_version else {})}
        self.secrets.add_response("get_secret_value", {
            "ARN": ARN, "Name": NAME, "VersionId": version, "SecretString": token, "VersionStages": [stage],
            "CreatedDate": NOW}, expected)

    def no_value(self, stage: str, version: str) -> None:
        self.secrets.add_client_error("get_secret_value", "ResourceNotFoundException", http_status_code=400,
                                      expected_params={"SecretId": ARN, "VersionStage": stage, "VersionId": version})

    def move(self, stage: str, *, to: str | None = None, away: str | None = None) -> None:
        expected = {"SecretId": ARN, "VersionStage": stage, **({"MoveToVersionId": to} if to else {}),
                    **({"RemoveFromVersionId": away} if away else {})}
        self.secrets.add_response("update_secret_version_stage", {"ARN": ARN, "Name": NAME}, expected)

    # ElastiCache
    def group(self, status: str = "available", pending: str | None = None) -> None:
        group = {"ReplicationGroupId": GROUP, "Status": status, "AuthTokenEnabled": True,
                 "TransitEncryptionEnabled": True}
        if pending:
            group["PendingModifiedValues"] = {"AuthTokenStatus": pending}
        self.cache.add_response("describe_replication_groups", {"ReplicationGroups": [group]},
                                {"ReplicationGroupId": GROUP})

    def modify(self, token: str, strategy: str) -> None:
        self.cache.add_response("modify_replication_group", {"ReplicationGroup": {
            "ReplicationGroupId": GROUP, "Status": "modifying",
            "PendingModifiedValues": {"AuthTokenStatus": "ROTATING" if strategy == "ROTATE" else "SETTING"}}},
            {"ReplicationGroupId": GROUP, "AuthToken": token, "AuthTokenUpdateStrategy": strategy,
             "ApplyImmediately": True})


@pytest.fixture
def harness(caplog) -> Iterator[Harness]:
    caplog.set_level(logging.INFO, logger="rotation-test")
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="sa-east-1")
    secrets, cache = session.client("secretsmanager"), session.client("elasticache")
    put_strings: list[str] = []
    calls: set[str] = set()
    secrets.meta.events.register("before-parameter-build.secretsmanager.PutSecretValue",
                                 lambda params, **_: put_strings.append(params["SecretString"]))
    for client in (secrets, cache):
        client.meta.events.register("provide-client-params.*.*", lambda model, **_: calls.add(
            f"{model.service_model.signing_name}:{model.name}"))
    with redis_server(OLD_TOKEN) as server, Stubber(secrets) as secrets_stub, Stubber(cache) as cache_stub:
        tokens = ElastiCacheTokens(server)
        cache.meta.events.register("before-parameter-build.elasticache.ModifyReplicationGroup", tokens.apply)
        clock = Clock()
        probe = m.redis_auth.RedisAuthProbe(server.host, server.port, tls=False)
        rotation = m.steps.Rotation(
            secrets=secrets, group=m.replication_group.ReplicationGroup(cache, GROUP, sleep=clock.sleep),
            probe=probe, logger=logging.getLogger("rotation-test"), client_grace_seconds=300, sleep=clock.sleep)
        yield Harness(rotation, secrets_stub, cache_stub, clock, tokens, probe, put_strings, calls)


PENDING = {OLD_VERSION: ["AWSCURRENT"], NEW_VERSION: ["AWSPENDING"]}


def step_create(h: Harness) -> str:
    h.describe(PENDING)
    h.value("AWSCURRENT", OLD_VERSION, OLD_TOKEN, by_version=False)
    h.no_value("AWSPENDING", NEW_VERSION)
    h.secrets.add_response("put_secret_value", {"ARN": ARN, "Name": NAME, "VersionId": NEW_VERSION,
                                                "VersionStages": ["AWSPENDING"]},
                           {"SecretId": ARN, "ClientRequestToken": NEW_VERSION, "SecretString": ANY,
                            "VersionStages": ["AWSPENDING"], "RotationToken": ROTATION_TOKEN})
    h.run("createSecret")
    [new] = h.put_strings
    return new


def step_set(h: Harness, new: str) -> None:
    h.describe(PENDING)
    h.value("AWSPENDING", NEW_VERSION, new)
    h.group()
    h.modify(new, "ROTATE")
    h.group("modifying", "ROTATING")
    h.group()
    h.run("setSecret")


def step_test(h: Harness, new: str) -> None:
    h.describe(PENDING)
    h.value("AWSPENDING", NEW_VERSION, new)
    h.group()
    h.run("testSecret")


def step_finish(h: Harness, new: str) -> None:
    h.describe(PENDING)
    h.move("AWSCURRENT", to=NEW_VERSION, away=OLD_VERSION)
    h.value("AWSCURRENT", NEW_VERSION, new)
    h.value("AWSPREVIOUS", OLD_VERSION, OLD_TOKEN, by_version=False)
    h.group()
    h.modify(new, "SET")
    h.group("modifying", "SETTING")
    h.group()
    h.move("AWSPENDING", away=NEW_VERSION)
    h.run("finishSecret")


def test_a_rotation_adds_the_new_token_then_leaves_only_it(harness: Harness, caplog):
    probe = harness.probe
    new = step_create(harness)
    m.tokens.check_token(new)
    assert new != OLD_TOKEN and probe.accepts(OLD_TOKEN) and not probe.accepts(new)
    step_set(harness, new)
    assert harness.tokens.changes == ["ROTATE"]
    assert probe.accepts(OLD_TOKEN) and probe.accepts(new), "ROTATE keeps both tokens valid"
    step_test(harness, new)
    step_finish(harness, new)
    assert harness.tokens.changes == ["ROTATE", "SET"]
    assert probe.accepts(new) and not probe.accepts(OLD_TOKEN), "SET leaves only the new token"
    # Consumers had the grace period between the move of AWSCURRENT and the SET; polls wait 15 s.
    assert harness.clock.slept == [15, 300, 15]
    logged = " ".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert "finishSecret: the previous token is refused and the new one accepted" in logged
    assert new not in logged and OLD_TOKEN not in logged
    # The role grants exactly REQUIRED_IAM_ACTIONS (test_redis_auth_rotation_program.py): it is what a rotation calls.
    assert harness.calls == m.steps.REQUIRED_IAM_ACTIONS


def test_each_step_run_again_does_nothing_more(harness: Harness):
    new = step_create(harness)
    # createSecret again: the pending version exists, nothing is put.
    harness.describe(PENDING)
    harness.value("AWSCURRENT", OLD_VERSION, OLD_TOKEN, by_version=False)
    harness.value("AWSPENDING", NEW_VERSION, new)
    harness.run("createSecret")
    assert harness.put_strings == [new]
    step_set(harness, new)
    # setSecret again: Redis accepts the pending token already, no second ROTATE.
    harness.describe(PENDING)
    harness.value("AWSPENDING", NEW_VERSION, new)
    harness.group()
    harness.run("setSecret")
    step_test(harness, new)
    step_test(harness, new)
    step_finish(harness, new)
    # finishSecret again: the version is AWSCURRENT and no longer AWSPENDING: finished.
    harness.describe({OLD_VERSION: ["AWSPREVIOUS"], NEW_VERSION: ["AWSCURRENT"]})
    harness.run("finishSecret")
    # Any step of a finished rotation: nothing to do.
    for step in ("createSecret", "setSecret", "testSecret"):
        harness.describe({OLD_VERSION: ["AWSPREVIOUS"], NEW_VERSION: ["AWSCURRENT", "AWSPENDING"]})
        harness.run(step)
    assert harness.tokens.changes == ["ROTATE", "SET"]


def test_finish_resumes_after_a_timeout_between_its_moves(harness: Harness):
    """AWSCURRENT moved, then the function stopped: the retry skips the move and the grace, and sets."""
    new = step_create(harness)
    step_set(harness, new)
    moved = {OLD_VERSION: ["AWSPREVIOUS"], NEW_VERSION: ["AWSCURRENT", "AWSPENDING"]}
    harness.describe(moved)
    harness.value("AWSCURRENT", NEW_VERSION, new)
    harness.value("AWSPREVIOUS", OLD_VERSION, OLD_TOKEN, by_version=False)
    harness.group()
    harness.modify(new, "SET")
    harness.group()
    harness.move("AWSPENDING", away=NEW_VERSION)
    harness.clock.slept.clear()
    harness.run("finishSecret")
    assert harness.clock.slept == [] and not harness.probe.accepts(OLD_TOKEN)
    # And once more after the SET, before AWSPENDING was removed: no second SET.
    harness.describe(moved)
    harness.value("AWSCURRENT", NEW_VERSION, new)
    harness.value("AWSPREVIOUS", OLD_VERSION, OLD_TOKEN, by_version=False)
    harness.group()
    harness.move("AWSPENDING", away=NEW_VERSION)
    harness.run("finishSecret")
    assert harness.tokens.changes == ["ROTATE", "SET"]


def test_set_waits_for_an_earlier_change_and_gives_up_in_time(harness: Harness):
    new = step_create(harness)
    harness.describe(PENDING)
    harness.value("AWSPENDING", NEW_VERSION, new)
    harness.group("modifying", "ROTATING")
    harness.clock.left = 20.0  # one poll fits (15 s), the next does not
    harness.group("modifying", "ROTATING")
    with pytest.raises(m.replication_group.StillModifying, match=GROUP):
        harness.run("setSecret")
    assert harness.tokens.changes == [] and harness.clock.slept == [15]


def test_the_grace_never_eats_the_time_the_set_needs(harness: Harness):
    new = step_create(harness)
    step_set(harness, new)
    harness.clock.left = 200.0
    harness.clock.slept.clear()
    step_finish(harness, new)
    assert harness.clock.slept[0] == 200.0 - m.steps.SECONDS_KEPT_FOR_SET


def test_test_secret_fails_when_redis_refuses_the_pending_token(harness: Harness):
    new = step_create(harness)  # never set on the replication group
    harness.describe(PENDING)
    harness.value("AWSPENDING", NEW_VERSION, new)
    harness.group()
    with pytest.raises(m.steps.RotationError, match="refuses the AWSPENDING token") as failed:
        harness.run("testSecret")
    assert new not in str(failed.value)


def test_a_pending_token_elasticache_would_refuse_is_never_sent(harness: Harness):
    bad = "token-with-an-at@sign-1234567890"
    harness.describe(PENDING)
    harness.value("AWSPENDING", NEW_VERSION, bad)
    with pytest.raises(m.tokens.TokenRuleError) as refused:
        harness.run("setSecret")
    assert bad not in str(refused.value) and harness.tokens.changes == []


@pytest.mark.parametrize(("stages", "enabled", "message"), [
    (PENDING, False, "not enabled for rotation"),
    ({OLD_VERSION: ["AWSCURRENT"]}, True, f"has no version {NEW_VERSION}"),
    ({OLD_VERSION: ["AWSCURRENT"], NEW_VERSION: ["AWSPREVIOUS"]}, True, "is not AWSPENDING"),
])
def test_a_secret_not_set_up_for_this_rotation_is_refused(harness: Harness, stages, enabled, message):
    harness.describe(stages, enabled=enabled)
    with pytest.raises(m.steps.RotationError, match=message):
        harness.run("createSecret")


@pytest.mark.parametrize("broken", [{}, {"Step": "rotateSecret"}])
def test_an_event_not_from_secrets_manager_is_refused(harness: Harness, broken):
    with pytest.raises(m.steps.RotationError, match="event lacks|unknown rotation step"):
        harness.rotation.run({**event("createSecret"), **broken} if broken else {}, lambda: 900.0)
