"""Gate figures: the gate process beside checkov on the dev stack, and policy throughput at scale.

First, side by side on the dev stack's graph: the whole ``python -m compliance gate``
process (start-up, imports, the pack process, every Analyze call) against checkov
invoked exactly as the static scan invokes it (same plan, same external checks,
same skips and environment), wall time, median of ``--repeat`` runs each.

Both go through the real pack process over gRPC, as `python -m compliance gate` does.
The synthetic graph is the dev stack copied until it holds 10,000 resources (URNs
made unique per copy, dependency edges kept inside each copy), so every policy,
stack policies included, has realistic work to do. The last copy is cut short, so
a few of its resources lose what they refer to (e.g. its bucket loses the trail
that logs it) and fail honestly: the synthetic run is expected to exit 1.

    .venv/bin/python benchmarks/bench_gate.py [--resources 10000]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compliance.catalog import load_catalog  # noqa: E402
from compliance.findings import write_json_atomic  # noqa: E402
from compliance.gate.pack import PackProcess  # noqa: E402
from compliance.gate.run import evaluate  # noqa: E402
from compliance.graph import Graph, validate_graph  # noqa: E402
from compliance.render.build import render_graph  # noqa: E402
from compliance.static import checkov_run  # noqa: E402
from compliance.static.bridge import load_bridge_names  # noqa: E402
from compliance.static.convert import graph_to_plan  # noqa: E402


def synthetic(base: Graph, size: int) -> Graph:
    resources = []
    copies = 0
    while len(resources) < size:
        tag = f"c{copies}"
        rename = {r["urn"]: f"{r['urn']}-{tag}" for r in base.resources}
        for original in base.resources:
            r = copy.deepcopy(original)
            r["urn"], r["name"] = rename[r["urn"]], f"{r['name']}-{tag}"
            r["parent"] = rename.get(r["parent"], r["parent"])
            r["dependencies"] = [rename[u] for u in r["dependencies"]]
            r["propertyDependencies"] = {p: [rename[u] for u in urns] for p, urns in r["propertyDependencies"].items()}
            resources.append(r)
        copies += 1
    kept = resources[:size]
    urns = {r["urn"] for r in kept}
    for r in kept:  # the last copy is cut short: drop edges to what was cut
        r["parent"] = r["parent"] if r["parent"] in urns else ""
        r["dependencies"] = [u for u in r["dependencies"] if u in urns]
        r["propertyDependencies"] = {p: [u for u in us if u in urns] for p, us in r["propertyDependencies"].items()}
    return validate_graph({**base.data, "resources": kept}, "synthetic graph")


def timed(label: str, graph: Graph, pack: PackProcess, **kwargs) -> float:
    catalog = load_catalog()
    started = time.perf_counter()
    result = evaluate(graph, pack, catalog=catalog, **kwargs)
    elapsed = time.perf_counter() - started
    statuses = Counter(f.status for f in result.findings)
    print(f"{label}: {len(graph.resources)} resources, {result.scope['policies']} policies, "
          f"{elapsed:.2f} s -> {len(graph.resources) / elapsed:,.0f} resources/s "
          f"(findings: {dict(sorted(statuses.items()))}, exit {result.exit_code()})")
    return elapsed


def wall(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def gate_beside_checkov(dev: Graph, repeat: int) -> None:
    """The gate process and checkov's plan scan on the same stack, median wall time of ``repeat`` runs."""
    with tempfile.TemporaryDirectory(prefix="bench-gate-") as tmp:
        work = Path(tmp)
        graph_file = work / "graph.json"
        dev.write(graph_file)
        plan = graph_to_plan(dev, load_bridge_names())
        plan_file = work / "static-plan.json"
        write_json_atomic(plan_file, plan.document)
        skips = checkov_run.load_skips()
        suffix = dev.config_value("environmentSuffix") or ""

        def gate() -> None:
            done = subprocess.run([sys.executable, "-m", "compliance", "gate", "--graph", str(graph_file),
                                   "--out", str(work / "gate")], cwd=ROOT, capture_output=True, check=False)
            if done.returncode not in (0, 1):
                raise SystemExit(f"gate exited {done.returncode}: {done.stderr.decode()[-500:]}")

        def checkov() -> None:
            checkov_run.scan_plan(plan_file, len(plan.resources), work / "checkov", skips, suffix, [])

        gate()  # warm the file cache for both before measuring
        checkov()
        gate_times = [wall(gate) for _ in range(repeat)]
        checkov_times = [wall(checkov) for _ in range(repeat)]
    g, c = statistics.median(gate_times), statistics.median(checkov_times)
    print(f"dev stack, {len(plan.resources)} resources, median of {repeat}: gate process {g:.2f} s "
          f"(min {min(gate_times):.2f}) | checkov as the scan runs it {c:.2f} s (min {min(checkov_times):.2f}) "
          f"| checkov / gate = {c / g:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each side in the side-by-side comparison")
    args = parser.parse_args()

    started = time.perf_counter()
    dev = render_graph("dev")
    print(f"render dev stack (not part of the gate): {time.perf_counter() - started:.2f} s")
    gate_beside_checkov(dev, args.repeat)

    started = time.perf_counter()
    with PackProcess(project=dev.project, stack=dev.stack, config=dev.config) as pack:
        print(f"pack start (spawn, port, channel ready): {time.perf_counter() - started:.2f} s")
        timed("gate, dev stack", dev, pack)
        timed("gate, dev stack, --first-preview", dev, pack, first_preview=True)
        big = synthetic(dev, args.resources)
        timed("gate, synthetic graph", big, pack)
    print(f"total including pack start and stop: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
