"""The main job's plan: which stage CLIs run, with which flags, into which run directory.

Each stage is a subprocess ``python -m compliance <stage> ...``: the stages
share nothing but files (and the Pulumi mocks they install are process-global),
so the pipeline depends only on their documented flags.

Sandbox (default): render -> gate -> scan -> sandbox up -> audit -> report -> sign -> sandbox down.
(The report seals the run directory while the sandbox still runs, because the
evidence signing key lives in it: ``sign`` signs the sealed manifest with that
key and stores its public key with the run. The logs of sign and sandbox down,
written after the seal, are kept beside the run, not in it.)
Live (``--live``):  render -> gate -> scan -> audit -> report, with the caller's credentials.
"""

from __future__ import annotations

import dataclasses
import socket
from dataclasses import dataclass, field
from pathlib import Path

from compliance import REPO_ROOT

# Reads moto cannot answer (the audit's own list): with the deployment's gaps.json, what they affect is
# not_applicable with the reason, never a pass and never an error of the platform.
MOTO_READ_GAPS = REPO_ROOT / "compliance" / "audit" / "moto-read-gaps.json"
SANDBOX_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}
# Both kinds of run (sandbox and --live) gate, scan and audit: the report expects every layer.
EXPECTED_LAYERS = ("preview", "static", "live")
# The program's evidence signing key (program/components/evidence_signing.py), by its alias.
SIGNING_KEY_ALIAS = "alias/kms-evidence-signing-{suffix}"
# Variables that would point a sandbox audit at a real account or profile.
REAL_ACCOUNT_VARIABLES = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN",
                          "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE",
                          "AWS_SHARED_CREDENTIALS_FILE")


@dataclass(frozen=True)
class Stage:
    name: str
    argv: tuple[str, ...]
    title: str
    needs: tuple[str, ...] = ()  # stages that must have produced their output first
    always: bool = False  # runs even when an earlier stage failed (sandbox down)
    env: dict[str, str] = field(default_factory=dict)
    unset: tuple[str, ...] = ()
    seals_run: bool = False  # writes manifest.json: its own log must live outside the run directory
    after_seal: bool = False  # runs after the seal: its log too lives outside the run directory
    run_dir: str = ""  # shortened out of the progress display


@dataclass(frozen=True)
class Options:
    run_dir: Path
    stack: str
    suffix: str
    regions: tuple[str, ...]
    live: bool
    port: int = 0
    endpoint_url: str | None = None
    outputs: Path | None = None
    profile: str | None = None
    waivers: Path | None = None
    known_gaps: tuple[Path, ...] = ()
    state_dir: Path = Path(".sandbox")
    max_waiver_days: int | None = None
    pdf: bool = False  # the report also prints report.pdf (where headless Chromium is present)
    org_sandbox: int = 0  # > 0: the sandbox as an Organization of this many member accounts, audited into one report
    accounts: Path | None = None  # --live --accounts FILE: every account of the file into one report


def free_loopback_port() -> int:
    """A port nothing listens on at this moment (the sandbox binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _org_sandbox_stages(options: Options, region_args: tuple[str, ...]) -> list[Stage]:
    """``run --org-sandbox N``: an Organization of N members in one sandbox, every member audited into audit.json."""
    from compliance.sandbox.organization import ACCOUNTS_FILE, ORG_REGIONS, org_members

    org_dir = options.run_dir / "org"
    endpoint = f"http://127.0.0.1:{options.port}"
    sandbox_env = {**SANDBOX_CREDENTIALS, "AWS_DEFAULT_REGION": ORG_REGIONS[0]}
    gaps = [arg for name, _, _ in org_members(options.org_sandbox)
            for arg in ("--known-gaps", str(org_dir / name / "gaps.json"))]
    return [
        Stage("sandbox-up", ("sandbox", "up", "--port", str(options.port), "--detach", "--org-members",
                             str(options.org_sandbox), "--org-dir", str(org_dir), "--state-dir", str(options.state_dir)),
              f"start the organization sandbox ({options.org_sandbox} member accounts)", env=sandbox_env,
              unset=REAL_ACCOUNT_VARIABLES),
        Stage("audit", ("audit", "--endpoint-url", endpoint, "--accounts", str(org_dir / ACCOUNTS_FILE),
                        "--regions", ",".join(ORG_REGIONS), *gaps, "--known-gaps", str(MOTO_READ_GAPS),
                        "--max-attempts", "3", "--out", str(options.run_dir)),
              "audit every member account (live layer)", needs=("sandbox-up",), env=sandbox_env,
              unset=REAL_ACCOUNT_VARIABLES),
    ]


def plan(options: Options) -> list[Stage]:
    run = options.run_dir
    graph = run / "graph.json"
    sandbox_env = {**SANDBOX_CREDENTIALS, "AWS_DEFAULT_REGION": options.regions[0]}
    stages = [
        Stage("render", ("render", "--stack", options.stack, "--config", f"environmentSuffix={options.suffix}",
                         "--out", str(graph)), "render the program's resource graph"),
        Stage("gate", ("gate", "--graph", str(graph), "--out", str(run)), "policy pack gate (preview layer)",
              needs=("render",)),
        Stage("scan", ("scan", "--graph", str(graph), "--out", str(run)), "checkov static scan (static layer)",
              needs=("render",)),
    ]
    region_args = tuple(arg for region in options.regions for arg in ("--region", region))
    if options.live:
        audit = ["audit", *region_args, "--suffix", options.suffix, "--out", str(run)]
        if options.accounts:
            audit += ["--accounts", str(options.accounts)]
        if options.endpoint_url:
            audit += ["--endpoint-url", options.endpoint_url]
        if options.outputs:
            audit += ["--outputs", str(options.outputs)]
        if options.profile:
            audit += ["--profile", options.profile]
        for gaps in options.known_gaps:
            audit += ["--known-gaps", str(gaps)]
        stages.append(Stage("audit", tuple(audit), "live audit of the account (live layer)"))
    elif options.org_sandbox:
        stages += _org_sandbox_stages(options, region_args)
    else:
        outputs = run / "outputs.json"
        endpoint = f"http://127.0.0.1:{options.port}"
        stages += [
            Stage("sandbox-up", ("sandbox", "up", "--port", str(options.port), "--stack", options.stack,
                                 "--suffix", options.suffix, "--region", options.regions[0], "--detach",
                                 "--outputs", str(outputs), "--state-dir", str(options.state_dir)),
                  "start the sandbox account and deploy the program", env=sandbox_env,
                  unset=REAL_ACCOUNT_VARIABLES),
            Stage("audit", ("audit", "--endpoint-url", endpoint, *region_args, "--suffix", options.suffix,
                            "--outputs", str(outputs), "--known-gaps", str(run / "gaps.json"),
                            "--known-gaps", str(MOTO_READ_GAPS), "--max-attempts", "2", "--out", str(run)),
                  "audit the sandbox account (live layer)", needs=("sandbox-up",), env=sandbox_env,
                  unset=REAL_ACCOUNT_VARIABLES),
        ]
    kind = "live account" if options.live else "sandbox"
    report = ["report", "--in", str(run), "--quiet", "--expect", ",".join(EXPECTED_LAYERS),
              "--expected-by", f"compliance run ({kind}): render, gate, scan, audit"]
    if options.waivers:
        report += ["--waivers", str(options.waivers)]
    if options.max_waiver_days is not None:
        report += ["--max-waiver-days", str(options.max_waiver_days)]
    if options.live and options.outputs:
        report += ["--outputs", str(options.outputs)]
    if options.pdf:
        report.append("--pdf")
    # The report seals the run directory (manifest.json), so every earlier stage's files exist by then.
    stages.append(Stage("report", tuple(report), "join the layers into the report", seals_run=True))
    if not options.live and not options.org_sandbox:
        # An organization sandbox's evidence keys live in its member accounts: its run is sealed, not signed.
        stages.append(
            Stage("sign", ("report", "sign", str(run), "--sign-key", SIGNING_KEY_ALIAS.format(suffix=options.suffix),
                           "--kms-endpoint-url", f"http://127.0.0.1:{options.port}", "--kms-region",
                           options.regions[0]),
                  "sign the sealed manifest with the sandbox's evidence key", needs=("sandbox-up",),
                  env=sandbox_env, unset=REAL_ACCOUNT_VARIABLES, after_seal=True))
    if not options.live:
        stages.append(Stage("sandbox-down", ("sandbox", "down", "--port", str(options.port), "--state-dir",
                                             str(options.state_dir)),
                            "stop the sandbox", needs=("sandbox-up",), always=True, after_seal=True))
    return [dataclasses.replace(stage, run_dir=str(run)) for stage in stages]
