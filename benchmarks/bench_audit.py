"""Live-audit figures: `compliance audit --all` over a sandbox holding 1, 5 and 20 stacks.

Deploys stacks into one sandbox (a moto server in this process) and, at each
size, runs the audit CLI as its own process against it, as a scheduled audit
runs against an account: wall time (process start included), resources
audited, API calls and API calls per resource, and the findings by status.

    .venv/bin/python benchmarks/bench_audit.py [--sizes 1 5 20] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compliance.sandbox import deploy, start_server  # noqa: E402

MOTO_READ_GAPS = ROOT / "compliance" / "audit" / "moto-read-gaps.json"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true"}


def audit_all(endpoint: str, region: str, gaps: list[Path], concurrency: int, out: Path) -> tuple[float, dict, int]:
    command = [sys.executable, "-m", "compliance", "audit", "--all", "--endpoint-url", endpoint, "--region", region,
               "--max-attempts", "2", "--concurrency", str(concurrency), "--out", str(out),
               *[arg for path in gaps for arg in ("--known-gaps", str(path))]]
    started = time.perf_counter()
    finished = subprocess.run(command, cwd=ROOT, env={**CREDENTIALS, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
                              capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    return seconds, json.loads((out / "audit.json").read_text()), finished.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 20], help="stacks in the account")
    parser.add_argument("--concurrency", type=int, default=8, help="audit --concurrency (default 8)")
    args = parser.parse_args()

    with start_server() as server, tempfile.TemporaryDirectory() as scratch:
        gaps: list[Path] = [MOTO_READ_GAPS]
        deployed, region = 0, ""
        print(f"{'stacks':>6} {'deploy s':>9} {'audit s':>8} {'resources':>9} {'API calls':>9} {'calls/res':>9}  "
              "findings")
        for size in sorted(args.sizes):
            started = time.perf_counter()
            while deployed < size:
                stack = deploy("dev", f"bench{deployed}", endpoint=server.endpoint,
                               outputs_path=Path(scratch) / f"bench{deployed}" / "outputs.json")
                gaps.append(stack.gaps_path)
                region = stack.region
                deployed += 1
            deploy_seconds = time.perf_counter() - started
            seconds, audit, code = audit_all(server.endpoint, region, gaps, args.concurrency,
                                             Path(scratch) / f"audit-{size}")
            scope = audit["scope"]
            statuses = Counter(f["status"] for f in audit["findings"])
            print(f"{size:>6} {deploy_seconds:>9.1f} {seconds:>8.1f} {scope['resourcesAudited']:>9} "
                  f"{scope['apiCalls']:>9} {scope['apiCalls'] / max(1, scope['resourcesAudited']):>9.2f}  "
                  f"{dict(sorted(statuses.items()))} exit {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
