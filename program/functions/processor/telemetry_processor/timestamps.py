"""UTC text forms used in item keys, object keys and attributes."""

from __future__ import annotations

import time


def utc_seconds_text(epoch_seconds: float) -> str:
    """e.g. 2025-06-01T12:03:00Z"""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_seconds))


def utc_micros_text(epoch_us: int) -> str:
    """e.g. 2025-06-01T12:03:07.250000Z (sorts as text in time order)"""
    seconds, micros = divmod(epoch_us, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{micros:06d}Z"
