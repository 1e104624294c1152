"""The rotation function's settings, read once from environment variables at cold start.

The Pulumi program (components/redis_auth_rotation.py) sets them. A missing or
malformed one raises ConfigError naming the variable, so a misconfigured
deployment fails at init, before any step touches the secret or the cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable and what it accepts."""


@dataclass(frozen=True, slots=True)
class Settings:
    replication_group_id: str
    redis_host: str
    redis_port: int
    redis_tls: bool
    client_grace_seconds: int  # how long consumers may keep reading the old token after finishSecret moves it
    service_name: str
    log_level: str


def _text(environ: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = environ.get(name, default)
    if value is None or not value.strip():
        raise ConfigError(f"{name} is not set: the program sets it on the rotation function")
    return value.strip()


def _integer(environ: Mapping[str, str], name: str, low: int, high: int, default: str | None = None) -> int:
    raw = _text(environ, name, default)
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer in {low}..{high}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value} is out of range: allowed {low}..{high}")
    return value


def _boolean(environ: Mapping[str, str], name: str, default: str) -> bool:
    raw = _text(environ, name, default).lower()
    if raw not in ("true", "false"):
        raise ConfigError(f"{name}={raw!r} is invalid: allowed values are true, false")
    return raw == "true"


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Read and check every setting; raise ConfigError naming the first bad variable."""
    level = _text(environ, "LOG_LEVEL", "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL={level!r} is invalid: allowed values are {', '.join(LOG_LEVELS)}")
    return Settings(
        replication_group_id=_text(environ, "REPLICATION_GROUP_ID"),
        redis_host=_text(environ, "REDIS_HOST"),
        redis_port=_integer(environ, "REDIS_PORT", 1, 65535),
        redis_tls=_boolean(environ, "REDIS_TLS", "true"),
        client_grace_seconds=_integer(environ, "CLIENT_GRACE_SECONDS", 0, 600, "300"),
        service_name=_text(environ, "POWERTOOLS_SERVICE_NAME", "redis-auth-rotation"),
        log_level=level,
    )
