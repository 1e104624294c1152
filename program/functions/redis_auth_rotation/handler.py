"""Lambda entry point of the Redis AUTH rotation function (handler ``handler.lambda_handler``), IAM-05.

Secrets Manager invokes it for each rotation step of the Redis AUTH secret.
Cold start reads and checks every setting (a missing or invalid one raises
ConfigError naming the variable) and builds the clients once. Logs are
structured JSON (Powertools Logger), as the processor's; they name the secret,
the version and the step, never a token.
"""

import os
import time

import boto3
from aws_lambda_powertools import Logger
from botocore.config import Config
from redis_auth_rotation.redis_auth import RedisAuthProbe
from redis_auth_rotation.replication_group import ReplicationGroup
from redis_auth_rotation.settings import load_settings
from redis_auth_rotation.steps import Rotation

SETTINGS = load_settings(os.environ)
logger = Logger(service=SETTINGS.service_name, level=SETTINGS.log_level)
_BOTO_CONFIG = Config(retries={"mode": "standard"}, connect_timeout=3, read_timeout=10)
_session = boto3.session.Session()
rotation = Rotation(
    secrets=_session.client("secretsmanager", config=_BOTO_CONFIG),
    group=ReplicationGroup(_session.client("elasticache", config=_BOTO_CONFIG), SETTINGS.replication_group_id,
                           sleep=time.sleep),
    probe=RedisAuthProbe(SETTINGS.redis_host, SETTINGS.redis_port, SETTINGS.redis_tls),
    logger=logger,
    client_grace_seconds=SETTINGS.client_grace_seconds,
    sleep=time.sleep,
)


@logger.inject_lambda_context
def lambda_handler(event: dict, context) -> None:
    try:
        rotation.run(event, lambda: context.get_remaining_time_in_millis() / 1000)
    except Exception:
        logger.exception("rotation step failed", extra={"step": event.get("Step"),
                                                        "secretArn": event.get("SecretId")})
        raise
