"""Evidence integrity: manifest.json seals a run directory and chains it to the run before.

``DIR/manifest.json`` holds the SHA-256 of every other file of the run, and
the name and SHA-256 of the previous run's manifest (the newest earlier run
beside DIR). Changing any file of any run, or deleting or changing a past run,
breaks a hash that ``verify`` recomputes.

What the chain cannot show by itself is the newest run being deleted or
re-sealed: the run before becomes the newest and still verifies. So every run
also writes its *head* (its name and its manifest's SHA-256) to
``reports/head.json``, a small file meant to be kept elsewhere (a CI artifact, the
evidence bucket), and ``verify --expect-head`` checks that the anchored run is
still on the chain, unchanged. Someone who can rewrite the runs AND every kept
copy of the head can still forge a history; signing the manifests is the answer
to that (``attestation``): a signed run also holds ``SIGNATURE_FILES``, written
after the seal beside the manifest they sign, so never in it; they are the only
files ``verify`` accepts unsealed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from compliance.errors import EvaluationError, UsageError
from compliance.findings import write_json_atomic
from compliance.report.inputs import sha256_of
from compliance.rundir import MANIFEST

MANIFEST_VERSION = 1
HEAD_FILE = "head.json"
ENVELOPE = "manifest.intoto.jsonl"  # the DSSE envelope of the in-toto Statement whose subject is manifest.json
PUBLIC_KEY = "signing-key.pem"  # the public key that signed it, as the signer's KMS key returned it
SIGNATURE_FILES = (ENVELOPE, PUBLIC_KEY)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _run_files(run_dir: Path) -> dict[str, str]:
    """Every regular file of the run (recursively), but its own manifest."""
    top_manifest = run_dir / MANIFEST
    return {
        path.relative_to(run_dir).as_posix(): sha256_of(path)
        for path in sorted(run_dir.rglob("*"))
        if path.is_file() and not path.is_symlink() and path != top_manifest
    }


def sealed_runs(parent: Path) -> list[Path]:
    """The run directories in ``parent`` that carry a manifest, oldest first (run names sort by time)."""
    return sorted(p for p in Path(parent).iterdir() if p.is_dir() and not p.is_symlink() and (p / MANIFEST).is_file())


def previous_entry(run_dir: Path) -> dict[str, str] | None:
    """The run ``run_dir`` chains to (the newest earlier sealed run beside it) and its manifest's SHA-256: its head."""
    run_dir = Path(run_dir).resolve()
    earlier = [p for p in sealed_runs(run_dir.parent) if p.name < run_dir.name] if run_dir.parent.is_dir() else []
    if not earlier:
        return None
    return {"run": earlier[-1].name, "sha256": sha256_of(earlier[-1] / MANIFEST)}


def write_manifest(run_dir: Path, created_at: str) -> dict[str, Any]:
    """Seal ``run_dir``: hash its files and chain to the newest earlier run beside it."""
    run_dir = run_dir.resolve()
    previous = previous_entry(run_dir)
    manifest = {
        "manifestVersion": MANIFEST_VERSION,
        "run": run_dir.name,
        "createdAt": created_at,
        "algorithm": "sha256",
        "files": _run_files(run_dir),
        "previous": previous,
    }
    write_json_atomic(run_dir / MANIFEST, manifest)
    return manifest


def _read(path: Path) -> dict[str, Any]:
    """A manifest, checked for the shape ``verify`` relies on: one line naming what is wrong otherwise."""
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvaluationError(f"{path}: unreadable manifest ({type(exc).__name__}: {exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict) or "previous" not in data:
        raise EvaluationError(f"{path}: not a run manifest (no files/previous)")
    if not all(isinstance(k, str) and isinstance(v, str) and _SHA256.match(v) for k, v in data["files"].items()):
        raise EvaluationError(f"{path}: malformed manifest (files must map names to SHA-256 digests)")
    previous = data["previous"]
    if previous is not None and not (isinstance(previous, dict) and isinstance(previous.get("run"), str)
                                     and isinstance(previous.get("sha256"), str) and _SHA256.match(previous["sha256"])):
        raise EvaluationError(f"{path}: malformed manifest (previous must be null or {{run, sha256}})")
    return data


def verify_run(run_dir: Path) -> list[str]:
    """Problems with one run's own files: changed, deleted or added since it was sealed.

    The signature files are not the manifest's to check (they sign it): ``attestation`` verifies them.
    """
    manifest = _read(run_dir / MANIFEST)
    problems = []
    actual = {name: digest for name, digest in _run_files(run_dir).items()
              if name not in SIGNATURE_FILES or name in manifest["files"]}
    for name, digest in sorted(manifest["files"].items()):
        if name not in actual:
            problems.append(f"{run_dir.name}/{name}: deleted")
        elif actual[name] != digest:
            problems.append(f"{run_dir.name}/{name}: changed (sha256 {actual[name][:12]}…, sealed {digest[:12]}…)")
    for name in sorted(set(actual) - set(manifest["files"])):
        problems.append(f"{run_dir.name}/{name}: added after the run was sealed")
    return problems


def verify_chain(run_dir: Path) -> tuple[list[str], list[str]]:
    """Verify ``run_dir`` and every earlier run its chain reaches. Returns (runs checked, problems)."""
    run_dir = run_dir.resolve()
    if not (run_dir / MANIFEST).is_file():
        raise EvaluationError(f"{run_dir}: no {MANIFEST}; run `python -m compliance report` to seal a run first")
    checked: list[str] = []
    problems: list[str] = []
    current = run_dir
    seen = set()
    while True:
        checked.append(current.name)
        seen.add(current.name)
        problems += verify_run(current)
        previous = _read(current / MANIFEST)["previous"]
        if previous is None:
            break
        prev_dir = current.parent / previous["run"]
        if previous["run"] in seen or "/" in previous["run"]:
            problems.append(f"{current.name}: manifest chains to {previous['run']!r}, which is not an earlier run")
            break
        if not (prev_dir / MANIFEST).is_file():
            problems.append(f"{previous['run']}: past run deleted (chained from {current.name})")
            break
        digest = sha256_of(prev_dir / MANIFEST)
        if digest != previous["sha256"]:
            problems.append(f"{previous['run']}/{MANIFEST}: changed since {current.name} chained to it")
        current = prev_dir
    return checked, problems


def verify(path: Path) -> tuple[list[str], list[str]]:
    """Verify a run directory, or a directory of runs (every run must be reached by the newest's chain)."""
    path = Path(path)
    if not path.is_dir():
        raise EvaluationError(f"{path}: no such directory; pass a run directory (reports/<run>) or reports/")
    if (path / MANIFEST).is_file():
        return verify_chain(path)
    runs = sealed_runs(path)
    if not runs:
        raise EvaluationError(f"{path}: holds no sealed run ({MANIFEST}); pass a run directory")
    checked, problems = verify_chain(runs[-1])
    for run in runs:
        if run.name not in checked:
            problems.append(f"{run.name}: not on the chain of the newest run {runs[-1].name}")
    return checked, problems


def write_head(run_dir: Path) -> dict[str, str]:
    """The run's head (its name and its manifest's SHA-256), written beside the runs as head.json."""
    run_dir = Path(run_dir).resolve()
    head = {"run": run_dir.name, "manifestSha256": sha256_of(run_dir / MANIFEST)}
    write_json_atomic(run_dir.parent / HEAD_FILE, head)
    return head


def read_head(value: str) -> dict[str, str]:
    """A kept head: a head.json file, or a manifest's SHA-256 given as text."""
    if _SHA256.match(value.strip().lower()):
        return {"manifestSha256": value.strip().lower()}
    path = Path(value)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"--expect-head {value}: neither a SHA-256 nor a head file that exists") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"--expect-head {value}: not a head file ({type(exc).__name__}: {exc})") from None
    if not (isinstance(data, dict) and isinstance(data.get("manifestSha256"), str)
            and _SHA256.match(data["manifestSha256"]) and isinstance(data.get("run", ""), str)):
        raise UsageError(f"--expect-head {value}: not a head file (expected run and manifestSha256)")
    return {k: data[k] for k in ("run", "manifestSha256") if k in data}


def check_head(directory: Path, head: dict[str, str]) -> list[str]:
    """Problems unless the run the head names is on the newest run's chain with that very manifest."""
    directory = Path(directory)
    runs_dir = directory.parent if (directory / MANIFEST).is_file() else directory
    runs = sealed_runs(runs_dir)
    if not runs:
        return [f"{runs_dir}: holds no sealed run, so the head {head['manifestSha256'][:12]}… cannot be found"]
    chain, _ = verify_chain(runs[-1])
    digests = {name: sha256_of(runs_dir / name / MANIFEST) for name in chain}
    wanted = head["manifestSha256"]
    name = head.get("run")
    if name is not None:
        if name not in digests:
            return [f"{name}: the anchored run is gone from the chain of {runs[-1].name} (deleted, or the chain "
                    "was rebuilt without it)"]
        if digests[name] != wanted:
            return [f"{name}/{MANIFEST}: re-sealed or changed since its head was kept "
                    f"(sha256 {digests[name][:12]}…, kept {wanted[:12]}…)"]
        return []
    if wanted not in digests.values():
        return [f"no run on the chain of {runs[-1].name} has the kept head {wanted[:12]}… (its run was deleted or "
                "re-sealed)"]
    return []
