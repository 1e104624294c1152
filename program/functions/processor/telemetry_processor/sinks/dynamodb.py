"""DynamoDB batch reads that retry what the service leaves unprocessed, then say what is left.

botocore already retries throttled calls (standard retry mode); this adds the
retry DynamoDB asks for in UnprocessedKeys, with backoff, and reports anything
still not read so that its records can be retried by Lambda.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

from telemetry_processor.sinks import TRANSIENT_ERRORS, describe

GET_CHUNK = 100  # BatchGetItem limit
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4)  # seconds before each retry of unprocessed keys

KeyId = tuple[str, ...]


def number(value: Decimal | int) -> dict:
    """A DynamoDB number attribute in plain notation (never exponent form such as 0E-6)."""
    return {"N": str(value) if isinstance(value, int) else format(value, "f")}


def key_id(item: dict, key_names: tuple[str, ...]) -> KeyId:
    """The hashable identity of an item or key whose key attributes are strings."""
    return tuple(item[name]["S"] for name in key_names)


def batch_get(
    client,
    table: str,
    key_names: tuple[str, ...],
    keys: list[dict],
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[dict[KeyId, dict], dict[KeyId, str]]:
    """Strongly consistent reads of ``keys``: (items found, key -> error for keys not read)."""
    found: dict[KeyId, dict] = {}
    unread: dict[KeyId, str] = {}
    for start in range(0, len(keys), GET_CHUNK):
        pending = keys[start : start + GET_CHUNK]
        for delay in (0.0, *RETRY_DELAYS):
            if delay:
                sleep(delay)
            try:
                response = client.batch_get_item(
                    RequestItems={table: {"Keys": pending, "ConsistentRead": True}}
                )
            except TRANSIENT_ERRORS as error:
                unread.update((key_id(key, key_names), describe(error)) for key in pending)
                pending = []
                break
            for item in response.get("Responses", {}).get(table, []):
                found[key_id(item, key_names)] = item
            pending = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
            if not pending:
                break
        unread.update((key_id(key, key_names), "UnprocessedKeys") for key in pending)
    return found, unread
