"""The rolling per-device baseline: EWMA mean and variance, kept in Redis.

Each (device, metric) has one Redis hash ``baseline:<deviceId>:<metric>`` with
the exponentially weighted moving mean and variance of its readings, the
number of samples folded in, and the last device sequence number applied. A
batch loads every baseline it needs in one pipelined round trip, updates them
in memory while scoring readings, and writes them back in one more.

Retries are safe: a reading updates a baseline only if its sequence number is
above the last one applied, so a re-delivered batch scores its readings again
but never folds them in twice.

Redis is an optimisation, not a dependency: if it cannot be reached (network,
TLS, AUTH, timeout), ``load`` returns None and the batch is scored against the
configured limits only; the caller logs it and carries on.

After a rotation of the AUTH token (IAM-05) the cached token stops working when
a connection opens: both ``load`` and ``save`` then re-read the token from
Secrets Manager (bypassing the cache) and try once more, so the batch that meets
the rotation, reading or writing, reconnects with the new token.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.credentials import CredentialProvider
from redis.retry import Retry

BASELINE_TTL_SECONDS = 7 * 24 * 3600  # a device silent for a week starts a fresh baseline
_FIELDS = ("n", "mean", "var", "seq")

BaselineKey = tuple[str, str]  # (device id, metric)


@dataclass(slots=True)
class Baseline:
    """EWMA state of one device's metric (West/Finch incremental update)."""

    samples: int = 0
    mean: float = 0.0
    variance: float = 0.0
    last_sequence: int = -1

    def copy(self) -> Baseline:
        return Baseline(self.samples, self.mean, self.variance, self.last_sequence)

    def zscore(self, value: float, min_stddev: float) -> float:
        """How many standard deviations ``value`` lies from the mean (the deviation floored at ``min_stddev``)."""
        stddev = math.sqrt(self.variance)
        return abs(value - self.mean) / (stddev if stddev > min_stddev else min_stddev)

    def update(self, value: float, sequence: int, alpha: float) -> bool:
        """Fold a reading in, unless its sequence number was already applied."""
        if sequence <= self.last_sequence:
            return False
        if self.samples == 0:
            self.mean, self.variance = value, 0.0
        else:
            diff = value - self.mean
            increment = alpha * diff
            self.mean += increment
            self.variance = (1.0 - alpha) * (self.variance + diff * increment)
        self.samples += 1
        self.last_sequence = sequence
        return True


def redis_key(key: BaselineKey) -> str:
    device_id, metric = key
    return f"baseline:{device_id}:{metric}"


class SecretAuthToken(CredentialProvider):
    """Gives redis-py the AUTH token from Secrets Manager, fetched when a connection opens."""

    def __init__(self, fetch_token: Callable[[bool], str]):
        self._fetch_token = fetch_token
        self._refresh = False

    def get_credentials(self) -> tuple[str]:
        try:
            token = self._fetch_token(self._refresh)
        except Exception as error:  # any failure to read the secret means: no Redis for this batch
            raise redis.AuthenticationError(
                f"cannot read the Redis AUTH token: {type(error).__name__}"
            ) from error
        self._refresh = False
        return (token,)

    def refresh_next_time(self) -> None:
        """After an AUTH failure (e.g. a rotated token), bypass the cache once."""
        self._refresh = True


def connect(host: str, port: int, tls: bool, token: SecretAuthToken) -> redis.Redis:
    """A client that fails fast: one retry, short timeouts, so a dead Redis costs a batch < 2 s."""
    return redis.Redis(
        host=host,
        port=port,
        ssl=tls,
        credential_provider=token,
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
        retry=Retry(NoBackoff(), retries=1),
        decode_responses=True,
    )


class RedisBaselineStore:
    def __init__(self, client: redis.Redis, token: SecretAuthToken):
        self._client = client
        self._token = token

    def _execute(self, fill: Callable[[Any], None], failure: str) -> list[Any]:
        """One pipelined round trip, again with the token re-read after an AUTH failure. Raises BaselineUnavailable."""
        try:
            try:
                return self._round_trip(fill)
            except redis.AuthenticationError:
                self._token.refresh_next_time()  # e.g. a rotated token: re-read the secret and connect again
                return self._round_trip(fill)
        except redis.AuthenticationError as error:
            self._token.refresh_next_time()
            raise BaselineUnavailable(f"Redis AUTH failed: {error}") from error
        except (redis.RedisError, OSError) as error:
            raise BaselineUnavailable(f"{failure}: {type(error).__name__}: {error}") from error

    def _round_trip(self, fill: Callable[[Any], None]) -> list[Any]:
        pipe = self._client.pipeline(transaction=False)
        fill(pipe)
        return pipe.execute()

    def load(self, keys: Iterable[BaselineKey]) -> dict[BaselineKey, Baseline]:
        """Current baselines (a fresh one where none exists). Raises BaselineUnavailable."""
        keys = list(keys)

        def fill(pipe: Any) -> None:
            for key in keys:
                pipe.hmget(redis_key(key), *_FIELDS)

        rows = self._execute(fill, "Redis unreachable")
        baselines = {}
        for key, (samples, mean, variance, sequence) in zip(keys, rows, strict=True):
            if samples is None:
                baselines[key] = Baseline()
            else:
                baselines[key] = Baseline(int(samples), float(mean), float(variance), int(sequence))
        return baselines

    def save(self, baselines: dict[BaselineKey, Baseline]) -> None:
        """Write updated baselines back. Raises BaselineUnavailable."""
        if not baselines:
            return

        def fill(pipe: Any) -> None:
            for key, state in baselines.items():
                name = redis_key(key)
                pipe.hset(name, mapping={"n": state.samples, "mean": repr(state.mean), "var": repr(state.variance),
                                         "seq": state.last_sequence})
                pipe.expire(name, BASELINE_TTL_SECONDS)

        self._execute(fill, "Redis write failed")


class BaselineUnavailable(Exception):
    """Redis could not be used for this batch; detection falls back to the configured limits."""
