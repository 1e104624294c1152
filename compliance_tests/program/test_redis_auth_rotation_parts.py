"""IAM-05: the rotation function's parts: token rules, settings, the TLS AUTH probe, the Lambda entry point.

The probe runs against a real redis-server over TLS (a certificate from a
throwaway CA, trusted through ``SSL_CERT_FILE`` as the default trust store,
which is how the function trusts ElastiCache's public certificates).
"""

from __future__ import annotations

import importlib.util
import json
import string
from dataclasses import dataclass

import pytest

from compliance_tests.program.rotation_support import FUNCTION_DIR, free_port, redis_server, rotation_modules

m = rotation_modules()
TOKEN = m.tokens.generate_token()  # made at run time: no token literal for secret scanners to report


# --- tokens: ElastiCache's rules from both of its documents -------------------------------------------

@pytest.mark.parametrize("token", ["a" * 16, "b" * 128, "Abc-123!&#$^<>xyz"])
def test_tokens_elasticache_accepts_pass(token):
    m.tokens.check_token(token)


@pytest.mark.parametrize(("token", "rule"), [
    ("a" * 15, "15 characters"), ("a" * 129, "129 characters"),
    ("has a space in it 123", "refuses"), ('has"quote1234567', "refuses"), ("has/slash12345678", "refuses"),
    ("has@at1234567890123", "refuses"), ("has%percent123456", "refuses"), ("has_underscore12345", "refuses"),
    ("tab\tinside123456789", "refuses"), ("naïve-unicode-12345", "refuses"),
])
def test_tokens_elasticache_refuses_are_refused_without_echoing_them(token, rule):
    with pytest.raises(m.tokens.TokenRuleError, match=rule) as refused:
        m.tokens.check_token(token)
    assert token not in str(refused.value)


def test_generated_tokens_are_long_mixed_and_allowed():
    tokens = {m.tokens.generate_token() for _ in range(300)}
    assert len(tokens) == 300
    for token in tokens:
        m.tokens.check_token(token)
        assert len(token) == 64 and set(token) <= set(string.ascii_letters + string.digits)
        assert any(c.isupper() for c in token) and any(c.islower() for c in token) and any(c.isdigit() for c in token)


# --- settings: read once at cold start, a bad one names the variable -----------------------------------

ENVIRONMENT = {"REPLICATION_GROUP_ID": "redis-baseline-dev", "REDIS_HOST": "master.redis.example", "REDIS_PORT": "6379"}


def test_settings_defaults_are_tls_and_a_five_minute_grace():
    settings = m.settings.load_settings(ENVIRONMENT)
    assert (settings.redis_tls, settings.client_grace_seconds, settings.log_level) == (True, 300, "INFO")


@pytest.mark.parametrize(("override", "named"), [
    ({"REPLICATION_GROUP_ID": ""}, "REPLICATION_GROUP_ID is not set"),
    ({"REDIS_PORT": "0"}, "REDIS_PORT=0 is out of range"),
    ({"REDIS_PORT": "six"}, "REDIS_PORT='six' is not an integer"),
    ({"REDIS_TLS": "yes"}, "REDIS_TLS='yes' is invalid"),
    ({"CLIENT_GRACE_SECONDS": "601"}, "CLIENT_GRACE_SECONDS=601 is out of range"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL='LOUD' is invalid"),
])
def test_a_bad_setting_fails_at_cold_start_naming_it(override, named):
    with pytest.raises(m.settings.ConfigError, match=named):
        m.settings.load_settings({**ENVIRONMENT, **override})


# --- the AUTH probe over TLS, against a real redis-server --------------------------------------------

@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory):
    with redis_server(TOKEN, tls_dir=tmp_path_factory.mktemp("tls")) as server:
        yield server


def test_the_probe_authenticates_over_verified_tls(tls_redis, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_redis.ca_file))
    probe = m.redis_auth.RedisAuthProbe(tls_redis.host, tls_redis.port, tls=True)
    assert probe.accepts(TOKEN) is True
    assert probe.accepts(TOKEN[::-1]) is False


def test_an_untrusted_certificate_is_an_error_not_a_refusal(tls_redis, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    probe = m.redis_auth.RedisAuthProbe(tls_redis.host, tls_redis.port, tls=True)
    with pytest.raises(m.redis_auth.RedisUnreachable, match="SSLError|ConnectionError") as failed:
        probe.accepts(TOKEN)
    assert TOKEN not in str(failed.value)


def test_no_server_is_an_error_not_a_refusal():
    probe = m.redis_auth.RedisAuthProbe("127.0.0.1", free_port(), tls=False)  # nothing listens there
    with pytest.raises(m.redis_auth.RedisUnreachable):
        probe.accepts(TOKEN)


# --- the Lambda entry point -------------------------------------------------------------------------------

@dataclass
class LambdaContext:
    function_name: str = "lambda-redis-auth-rotation-dev"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:sa-east-1:123456789012:function:lambda-redis-auth-rotation-dev"
    aws_request_id: str = "d4444444-4444-4444-8444-444444444444"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 842_000


def load_handler(monkeypatch, environment):
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "sa-east-1")
    spec = importlib.util.spec_from_file_location("redis_auth_rotation_handler_under_test", FUNCTION_DIR / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Recorder:
    def __init__(self, failure: Exception | None = None):
        self.failure, self.calls = failure, []

    def run(self, event, seconds_left):
        self.calls.append((event, seconds_left()))
        if self.failure:
            raise self.failure


def test_the_handler_runs_the_step_with_the_time_lambda_gives_it(monkeypatch):
    handler = load_handler(monkeypatch, ENVIRONMENT)
    recorder = Recorder()
    monkeypatch.setattr(handler, "rotation", recorder)
    event = {"Step": "setSecret", "SecretId": "arn:aws:secretsmanager:sa-east-1:123456789012:secret:s",
             "ClientRequestToken": "v1"}
    assert handler.lambda_handler(event, LambdaContext()) is None
    assert recorder.calls == [(event, 842.0)]


def test_a_failed_step_is_logged_as_json_and_raised(monkeypatch, caplog):
    handler = load_handler(monkeypatch, ENVIRONMENT)
    monkeypatch.setattr(handler, "rotation", Recorder(m.steps.RotationError("Redis refuses the AWSPENDING token")))
    with pytest.raises(m.steps.RotationError):
        handler.lambda_handler({"Step": "testSecret", "SecretId": "arn:aws:secretsmanager:x", "ClientRequestToken": "v1"},
                               LambdaContext())
    [logged] = [r for r in caplog.records if r.getMessage() == "rotation step failed"]
    record = json.loads(handler.logger.registered_formatter.format(logged))  # as Powertools writes it
    assert record["level"] == "ERROR" and record["step"] == "testSecret" and record["exception_name"] == "RotationError"
    assert record["function_name"] == "lambda-redis-auth-rotation-dev"  # Powertools' Lambda context fields


def test_the_handler_refuses_to_start_without_its_settings(monkeypatch):
    monkeypatch.delenv("REPLICATION_GROUP_ID", raising=False)
    with pytest.raises(m.settings.ConfigError, match="REPLICATION_GROUP_ID"):
        load_handler(monkeypatch, {k: v for k, v in ENVIRONMENT.items() if k != "REPLICATION_GROUP_ID"})
