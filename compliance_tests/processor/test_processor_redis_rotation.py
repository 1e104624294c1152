"""IAM-05 seen from the processor: after the Redis AUTH token rotates, the baseline store reconnects with the new one.

A real redis-server of its own (its password changes mid-test) and the token read
from the moto Secrets Manager through the processor's own wiring
(``app.redis_baselines``: Powertools' cache, 5 minutes). The rotation is done as
the rotation function does it (redis_auth_rotation.steps): the secret's current
version moves to the new token first (finishSecret), then Redis is given it
with SET and the old token stops working; connections opened before are dropped
(as a failover or an idle timeout drops them), so the store must open a new one
while the token it cached is the old one.
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid

import pytest
import redis
from telemetry_processor.app import redis_baselines
from telemetry_processor.baseline import Baseline

from compliance_tests.processor import servers

pytestmark = pytest.mark.slow

KEY = ("press-rotation-01", "temperature_c")


@pytest.fixture
def rotating(aws, handler):
    """A redis-server and its AUTH secret, the store the processor builds for them, and ``rotate()``."""
    try:
        with servers.redis_server() as server:
            secretsmanager = aws["secretsmanager"]
            arn = secretsmanager.create_secret(Name=f"redis-auth-{uuid.uuid4().hex[:8]}",
                                               SecretString=server["password"])["ARN"]
            settings = dataclasses.replace(handler.SETTINGS, redis_host="127.0.0.1", redis_port=server["port"],
                                           redis_tls=False, redis_auth_secret_arn=arn)
            tokens = [server["password"]]

            def rotate() -> str:
                new = secrets.token_urlsafe(24)
                secretsmanager.put_secret_value(SecretId=arn, SecretString=new)  # finishSecret: AWSCURRENT moves
                admin = redis.Redis(host="127.0.0.1", port=server["port"], password=tokens[-1])
                admin.config_set("requirepass", new)  # SET: the old token stops working
                admin.client_kill_filter(_type="normal", skipme=True)  # connections made before are gone
                admin.close()
                tokens.append(new)
                return new

            yield redis_baselines(settings, handler.clients.secretsmanager), server, rotate
    except RuntimeError as error:
        pytest.fail(str(error))


def stored(server, token: str) -> dict[str, str]:
    client = redis.Redis(host="127.0.0.1", port=server["port"], password=token, decode_responses=True)
    try:
        return client.hgetall(f"baseline:{KEY[0]}:{KEY[1]}")
    finally:
        client.close()


def test_a_write_after_the_token_rotated_reconnects_with_the_new_token(rotating):
    store, server, rotate = rotating
    old = server["password"]
    baselines = store.load([KEY])  # connected, and the token cached, before the rotation
    assert baselines == {KEY: Baseline()}
    assert baselines[KEY].update(61.5, 1, 0.1)
    new = rotate()

    store.save(baselines)  # the cached token is the old one: AUTH fails, the token is re-read, the write goes in

    assert stored(server, new) == {"n": "1", "mean": "61.5", "var": "0.0", "seq": "1"}
    with pytest.raises(redis.AuthenticationError):
        stored(server, old)  # the old token is refused: the rotation was real
    assert store.load([KEY])[KEY] == Baseline(1, 61.5, 0.0, 1)  # and the next batch keeps using the new token


def test_a_read_after_the_token_rotated_reconnects_with_the_new_token_within_the_batch(rotating):
    store, server, rotate = rotating
    baselines = store.load([KEY])
    assert baselines[KEY].update(60.0, 7, 0.1)
    store.save(baselines)
    rotate()

    assert store.load([KEY])[KEY] == Baseline(1, 60.0, 0.0, 7)  # not a fallback to the limits for this batch


def test_two_rotations_in_a_row_are_followed(rotating):
    store, server, rotate = rotating
    baselines = store.load([KEY])
    for sequence, value in ((1, 60.0), (2, 61.0)):
        rotate()
        assert baselines[KEY].update(value, sequence, 0.5)
        store.save(baselines)
    assert store.load([KEY])[KEY].last_sequence == 2
