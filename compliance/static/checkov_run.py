"""Run checkov as a subprocess (its own virtualenv), offline, and read its JSON back — failing closed.

Two runs: ``terraform_plan`` over the converted plan, with our checks from
``policies/checkov/checks`` and the reasoned skips of ``policies/checkov/skips.yaml``;
and ``secrets`` over the repository (no hard-coded credentials). checkov's own
JSON, SARIF and JUnit XML files are kept.

Anything that means "not everything was checked" raises EvaluationError (exit 3):
checkov missing or crashing, an exit code other than 0/1, unparsable output,
parsing errors, a custom check that did not load, or fewer resources scanned
than the plan holds (a plan checkov skips, e.g. without ``terraform_version``,
scans zero resources and exits 0).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from compliance import REPO_ROOT
from compliance.errors import EvaluationError, UsageError
from compliance.static.selection import SELECTION_ENVIRONMENT

CHECKOV_BIN_ENV = "CHECKOV_BIN"
DEFAULT_CHECKOV_BIN = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
CHECKS_DIR = REPO_ROOT / "policies" / "checkov" / "checks"
SKIPS_PATH = REPO_ROOT / "policies" / "checkov" / "skips.yaml"
SUFFIX_ENV = "IOT_ENVIRONMENT_SUFFIX"  # read by policies/checkov/checks/gov_01.py (iot_checks_common)
PLAN_ENV = "IOT_PLAN_FILE"  # read by policies/checkov/checks/plan_index.py: the plan our checks index
TIMEOUT_SECONDS = 900
# Regexes checkov's --skip-path matches against paths: virtualenvs, git, generated output, caches,
# and the vendored bridge metadata (type and property names only, whose long type tokens
# read as high-entropy strings).
SECRETS_SKIP_PATHS = (r"\.venv", r"\.git/", r"(^|/)reports/", r"__pycache__", r"\.pytest_cache", r"\.ruff_cache",
                      r"\.hypothesis", r"\.sandbox", r"node_modules", r"compliance/static/bridge_metadata\.json")
# stderr lines by which checkov admits that one of our checks did not load.
_LOAD_FAILURES = ("Cannot load external check", "is missing required fields", "Failed to parse check id",
                  "Loaded data from JSON is not Dict")
OUTPUT_FILES = {"json": "results_json.json", "sarif": "results_sarif.sarif", "junitxml": "results_junitxml.xml"}


@dataclass
class CheckovReport:
    """The results of one checkov run: every passed and failed check, and checkov's summary."""

    passed: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # format -> file written beside static.json

    @property
    def version(self) -> str:
        return str(self.summary.get("checkov_version", ""))


def checkov_binary() -> Path:
    path = Path(os.environ.get(CHECKOV_BIN_ENV) or DEFAULT_CHECKOV_BIN)
    if not path.is_file() or not os.access(path, os.X_OK):
        raise EvaluationError(f"checkov not found at {path}; run scripts/bootstrap.sh or set {CHECKOV_BIN_ENV}")
    return path


def load_skips(path: Path = SKIPS_PATH) -> dict[str, str]:
    """check id -> the written reason it is skipped."""
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: skips file missing") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not valid YAML ({exc})") from exc
    skips = data.get("skips") or {}
    if not isinstance(skips, dict):
        raise UsageError(f"{path}: 'skips' must map a check id to its reason")
    for check, reason in skips.items():
        if not isinstance(reason, str) or len(reason.strip()) < 10:
            raise UsageError(f"{path}: skip of {check} needs a written reason")
    return {str(k): " ".join(v.split()) for k, v in skips.items()}


def _read_report(raw: Any, check_type: str, where: Path) -> CheckovReport:
    blocks = raw if isinstance(raw, list) else [raw]
    report = CheckovReport()
    for block in blocks:
        if not isinstance(block, dict):
            raise EvaluationError(f"{where}: unexpected checkov output; rerun with LOG_LEVEL=DEBUG in the environment")
        if "results" not in block:  # checkov writes a bare summary when it scanned nothing
            report.summary = block if not report.summary else report.summary
            continue
        if block.get("check_type") != check_type:
            continue
        results = block["results"]
        if results.get("parsing_errors"):
            raise EvaluationError(f"checkov could not parse {', '.join(results['parsing_errors'])}")
        report.passed += results.get("passed_checks", [])
        report.failed += results.get("failed_checks", [])
        report.skipped += results.get("skipped_checks", [])
        report.summary = block.get("summary", {})
    if report.summary.get("parsing_errors"):
        raise EvaluationError(f"checkov reported {report.summary['parsing_errors']} parsing errors in {where}")
    return report


def _environment() -> dict[str, str]:
    """This process's environment without the variables checkov would read as check selection."""
    return {k: v for k, v in os.environ.items() if k not in SELECTION_ENVIRONMENT}


def run_checkov(args: list[str], out_dir: Path, label: str, check_type: str,
                env: dict[str, str] | None = None) -> CheckovReport:
    """Run checkov with ``args``; keep its JSON, SARIF and JUnit as ``checkov-<label>.*`` in ``out_dir``."""
    binary = checkov_binary()
    work = out_dir / f".checkov-{label}"
    shutil.rmtree(work, ignore_errors=True)
    command = [str(binary), "--skip-download", "--compact", *args,
               *(arg for fmt in OUTPUT_FILES for arg in ("-o", fmt)), "--output-file-path", str(work)]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                                   env={**_environment(), **(env or {})}, cwd=REPO_ROOT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise EvaluationError(f"checkov ({label}) did not finish within {TIMEOUT_SECONDS}s") from exc
    except OSError as exc:
        raise EvaluationError(f"checkov could not be started ({exc}); run scripts/bootstrap.sh or set {CHECKOV_BIN_ENV}") from exc
    try:
        if completed.returncode not in (0, 1):
            last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
            raise EvaluationError(f"checkov ({label}) exited {completed.returncode}: {last}")
        failures = [line for line in completed.stderr.splitlines() if any(m in line for m in _LOAD_FAILURES)]
        if failures:
            raise EvaluationError(f"checkov ({label}): a custom check did not load: {failures[0].strip()}")
        json_file = work / OUTPUT_FILES["json"]
        try:
            raw = json.loads(json_file.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise EvaluationError(f"checkov ({label}) wrote no readable JSON ({exc})") from exc
        report = _read_report(raw, check_type, json_file)
        for fmt, name in OUTPUT_FILES.items():
            suffix = Path(name).suffix
            target = out_dir / f"checkov-{label}{suffix}"
            if (work / name).exists():
                os.replace(work / name, target)
                report.files[fmt] = target.name
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def scan_plan(plan_file: Path, expected_resources: int, out_dir: Path, skips: dict[str, str], suffix: str,
              extra_args: list[str], checks_dir: Path = CHECKS_DIR) -> CheckovReport:
    """Scan the plan; every one of its ``expected_resources`` must have been scanned."""
    args = ["-f", str(plan_file), "--framework", "terraform_plan", "--external-checks-dir", str(checks_dir)]
    if skips:
        args += ["--skip-check", ",".join(sorted(skips))]
    report = run_checkov([*args, *extra_args], out_dir, "plan", "terraform_plan",
                         env={SUFFIX_ENV: suffix, PLAN_ENV: str(Path(plan_file).resolve())})
    scanned = int(report.summary.get("resource_count", 0))
    if scanned != expected_resources:
        raise EvaluationError(f"checkov scanned {scanned} of the plan's {expected_resources} resources "
                              f"({plan_file.name}); see {out_dir / 'checkov-plan.json'}")
    return report


def scan_secrets(root: Path, out_dir: Path) -> CheckovReport:
    skip_paths = [*SECRETS_SKIP_PATHS]
    with contextlib.suppress(ValueError):  # the output directory, when it lies inside the repository
        skip_paths.append(re.escape(str(out_dir.resolve().relative_to(root.resolve()))))
    # Without --enable-secret-scan-all-files checkov reads only IaC and config files, not Python.
    args = ["-d", str(root), "--framework", "secrets", "--enable-secret-scan-all-files",
            *(a for p in skip_paths for a in ("--skip-path", p))]
    return run_checkov(args, out_dir, "secrets", "secrets")
