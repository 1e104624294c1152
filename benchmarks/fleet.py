"""The large-fleet configuration the benchmarks render: 10 facilities x 50 devices."""

from __future__ import annotations

DEVICE_TYPES = ("temperature", "pressure", "vibration", "production_counter")  # as program/config.py allows


def large_fleet(facilities: int = 10, devices: int = 50) -> list[dict]:
    """``facilities`` plants of ``devices`` devices each, spread over the four device types."""
    per_type, extra = divmod(devices, len(DEVICE_TYPES))
    return [
        {"id": f"plant-{n:02d}",
         "devices": [{"type": kind, "count": per_type + (1 if i < extra else 0)}
                     for i, kind in enumerate(DEVICE_TYPES)]}
        for n in range(1, facilities + 1)
    ]
