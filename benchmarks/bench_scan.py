"""Static-scan wall time: the dev stack and a large fleet (10 facilities x 50 devices).

For each case: render (not part of the scan), conversion to the Terraform plan,
and the checkov plan scan with our checks (``compliance scan`` minus the secrets
scan); then the secrets scan of the repository once (it does not depend on the
stack). checkov runs as a subprocess, as in ``compliance scan``. Prints figures;
asserts nothing. Run: .venv/bin/python benchmarks/bench_scan.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fleet import large_fleet  # noqa: E402  (benchmarks/, the script's own folder)

from compliance.render import render_graph  # noqa: E402
from compliance.static import checkov_run  # noqa: E402
from compliance.static.bridge import load_bridge_names  # noqa: E402
from compliance.static.convert import graph_to_plan  # noqa: E402
from compliance.static.scan import ScanOptions, run_scan  # noqa: E402


def measure(label: str, overrides: dict | None, work: Path) -> None:
    start = time.perf_counter()
    graph = render_graph("dev", overrides)
    rendered = time.perf_counter() - start

    start = time.perf_counter()
    plan = graph_to_plan(graph, load_bridge_names())
    converted = time.perf_counter() - start

    start = time.perf_counter()
    result = run_scan(graph, ScanOptions(work / label.replace(" ", "-"), secrets=False), label)
    scanned = time.perf_counter() - start
    failed = sum(1 for f in result.findings if f.status == "fail")
    print(f"{label:<28} {len(plan.resources):5d} resources  render {rendered:6.2f} s  convert {converted:5.2f} s  "
          f"scan (convert + checkov + mapping) {scanned:6.2f} s  {len(result.findings)} findings, {failed} failed, "
          f"exit {result.exit_code()}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        work = Path(tmp)
        measure("dev stack", None, work)
        measure("10 facilities x 50 devices", {"facilities": large_fleet()}, work)
        start = time.perf_counter()
        report = checkov_run.scan_secrets(ROOT, work / "secrets")
        print(f"{'secrets scan (repository)':<28} {time.perf_counter() - start:6.2f} s  "
              f"{len(report.failed)} findings")


if __name__ == "__main__":
    main()
