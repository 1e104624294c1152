"""Render wall time and resource count: the dev stack, and a large fleet (10 facilities x 50 devices).

Prints the median of three in-process renders for each case (imports warmed up
by a first, untimed render). Run: .venv/bin/python benchmarks/bench_render.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compliance.render import render_graph  # noqa: E402

RUNS = 3
DEVICE_TYPES = ("temperature", "pressure", "vibration", "production_counter")


def large_fleet(facilities: int = 10, devices: int = 50) -> list[dict]:
    """``facilities`` plants of ``devices`` devices each, spread over the four device types."""
    per_type, extra = divmod(devices, len(DEVICE_TYPES))
    return [
        {"id": f"plant-{n:02d}",
         "devices": [{"type": kind, "count": per_type + (1 if i < extra else 0)}
                     for i, kind in enumerate(DEVICE_TYPES)]}
        for n in range(1, facilities + 1)
    ]


def measure(label: str, overrides: dict | None) -> None:
    times, count = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        graph = render_graph("dev", overrides)
        times.append(time.perf_counter() - start)
        count = len(graph.custom_resources())
    things = len(graph.of_type("aws:iot/thing:Thing"))
    print(f"{label:<28} {statistics.median(times):7.2f} s median of {RUNS}  "
          f"{count:5d} resources ({things} things)  runs: {', '.join(f'{t:.2f}' for t in times)}")


def main() -> None:
    render_graph("dev")  # warm-up: imports and provider modules
    measure("dev stack", None)
    measure("10 facilities x 50 devices", {"facilities": large_fleet()})


if __name__ == "__main__":
    main()
