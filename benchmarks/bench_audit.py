"""Live-audit figures: `compliance audit --all` over a sandbox holding 1, 5 and 20 stacks.

Deploys stacks into one sandbox (a moto server in this process) and, at each
size, runs the audit CLI as its own process against it, as a scheduled audit
runs against an account: wall time (process start included), resources
audited, API calls and API calls per resource, and the findings by status.

    .venv/bin/python benchmarks/bench_audit.py [--sizes 1 5 20] [--concurrency 8]

The organization series (``--org-sizes 1 3 9``) audits an Organization sandbox of N member accounts
(``compliance.sandbox.organization``; one moto server in a child process holding every account) in this
process: Organizations discovery, AssumeRole per account, two regions each. It prints wall time, every AWS
call counted per audited resource (STS and Organizations included), the auditor's peak RSS, the CPU seconds
spent in the auditor (our code) apart from those of the endpoint (the moto server process), and the wall
time of N accounts over that of one.

    .venv/bin/python benchmarks/bench_audit.py --org-sizes 1 3 9 [--workers 4]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
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


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (the moto server's), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def org_series(sizes: list[int], workers: int, concurrency: int, own_region: bool = False) -> None:
    """``own_region``: each account audited in the one region its stack is in (an accounts file's per-account
    ``regions``), instead of both regions in every account."""
    import boto3

    from compliance.audit.aws import RetryPolicy
    from compliance.audit.gaps import load_gaps
    from compliance.audit.organization import OrgRequest, run_organization
    from compliance.audit.runner import CallCounter
    from compliance.audit.targets import load_accounts_file, organization_targets, select
    from compliance.sandbox.organization import MANAGEMENT_ACCOUNT, ORG_REGIONS, org_members
    from compliance.sandbox.server import spawn_server

    os.environ.update(CREDENTIALS)
    print("topology: one moto server process holding every account (2 cores shared with the auditor); "
          f"regions {'each account its own' if own_region else ', '.join(ORG_REGIONS)}; workers {workers}, "
          f"concurrency {concurrency} per account")
    print(f"{'accounts':>8} {'build s':>8} {'audit s':>8} {'resources':>9} {'API calls':>9} {'calls/res':>9} "
          f"{'STS+Org':>7} {'ours CPU s':>10} {'endpoint CPU s':>14} {'peak RSS MB':>11} {'x one':>6}  findings")
    baseline = None
    for size in sorted(sizes):
        with tempfile.TemporaryDirectory() as scratch:
            started = time.perf_counter()
            server = spawn_server(0, extra_args=("--org", str(size), "--org-dir", scratch),
                                  timeout=60.0 + 30.0 * size)
            build = time.perf_counter() - started
            try:
                files = load_accounts_file(Path(scratch) / "accounts.yaml")
                gaps = load_gaps([MOTO_READ_GAPS, *(Path(scratch) / name / "gaps.json"
                                                    for name, _, _ in org_members(size))])
                base = boto3.Session(region_name=ORG_REGIONS[0])
                server_cpu = _cpu_seconds(server.pid)
                cpu, wall = time.process_time(), time.perf_counter()
                counter = CallCounter(base)
                organizations = base.client("organizations", endpoint_url=server.endpoint,
                                            config=RetryPolicy().config())
                discovered = {t.account_id: t for t in organization_targets(organizations, files[0].role_arn
                                                                            .rsplit("/", 1)[1])}
                counter.close()
                regions = {account_id: (region,) for (_, _, region), account_id
                           in zip(org_members(size), (t.account_id for t in files), strict=True)}
                by_id = {t.account_id: dataclasses.replace(t, regions=regions[t.account_id]) if own_region else t
                         for t in files}
                targets = [by_id[t.account_id] for t in select(list(discovered.values()), [], [MANAGEMENT_ACCOUNT])]
                result = run_organization(base, OrgRequest(
                    tuple(targets), ORG_REGIONS, endpoint_url=server.endpoint,
                    retry=RetryPolicy("adaptive", 3), workers=workers, concurrency=concurrency, gaps=gaps,
                    home_region=ORG_REGIONS[0]), prior_calls=counter.calls)
                seconds, ours = time.perf_counter() - wall, time.process_time() - cpu
                endpoint_cpu = _cpu_seconds(server.pid) - server_cpu
            finally:
                server.stop()
        calls = sum(result.api_calls.values())
        sts_org = sum(n for api, n in result.api_calls.items() if api.startswith(("sts:", "organizations:")))
        baseline = baseline or seconds
        statuses = Counter(f.status for f in result.findings)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{size:>8} {build:>8.1f} {seconds:>8.1f} {result.resources:>9} {calls:>9} "
              f"{calls / max(1, result.resources):>9.2f} {sts_org:>7} {ours:>10.1f} {endpoint_cpu:>14.1f} "
              f"{rss:>11.0f} {seconds / baseline:>6.2f}  {dict(sorted(statuses.items()))}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 5, 20], help="stacks in the account")
    parser.add_argument("--concurrency", type=int, default=8, help="audit --concurrency (default 8)")
    parser.add_argument("--org-sizes", type=int, nargs="*", default=[],
                        help="member accounts of the organization series (e.g. 1 3 9); alone with --sizes (none)")
    parser.add_argument("--workers", type=int, default=4, help="organization series: accounts at once (default 4)")
    parser.add_argument("--own-region", action="store_true",
                        help="organization series: audit each account in its stack's region only")
    args = parser.parse_args()
    if args.org_sizes:
        org_series(args.org_sizes, args.workers, args.concurrency, args.own_region)
    if not args.sizes:
        return 0

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
