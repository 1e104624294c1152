"""Sandbox figures: deploying the dev stack into a fresh server, then more suffixes into the same one.

The first deploy pays moto's lazy start-up (each service's backend loads on its
first request) and the program's imports; the following ones show the steady
cost of a stack in a multi-stack account. Also times a server in a child
process (what `sandbox up --detach` starts) until it answers.

    .venv/bin/python benchmarks/bench_sandbox.py [--stacks 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compliance.sandbox import deploy, spawn_server, start_server  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", type=int, default=5, help="further suffixes deployed after the first (default 5)")
    args = parser.parse_args()

    started = time.perf_counter()
    child = spawn_server(0)
    spawned = time.perf_counter() - started
    child.stop()
    print(f"child server answering after {spawned:.1f} s")

    with start_server() as server:
        first = deploy("dev", endpoint=server.endpoint)
        print(f"dev stack into a fresh sandbox: {len(first.resources)} resources in {first.seconds:.1f} s "
              f"({len(first.gaps)} gaps)")
        seconds = []
        for index in range(args.stacks):
            stack = deploy("dev", f"bench{index}", endpoint=server.endpoint)
            seconds.append(stack.seconds)
        if seconds:
            print(f"{args.stacks} more suffixes into the same sandbox: median {statistics.median(seconds):.1f} s, "
                  f"max {max(seconds):.1f} s per stack ({sum(seconds):.1f} s in all, "
                  f"{(args.stacks + 1) * len(first.resources)} resources in the account)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
