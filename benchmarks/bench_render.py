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

from fleet import large_fleet  # noqa: E402  (benchmarks/, the script's own folder)

from compliance.render import render_graph  # noqa: E402

RUNS = 3
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
