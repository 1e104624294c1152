"""What the report reads: the findings files of a run directory, and where the code came from."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from compliance import REPO_ROOT
from compliance.errors import EvaluationError
from compliance.findings import FindingsFile

LAYER_FILES = {"preview": "gate.json", "static": "static.json", "live": "audit.json"}


@dataclass(frozen=True)
class LayerInput:
    layer: str
    path: Path
    sha256: str
    findings_file: FindingsFile


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def load_layer_inputs(directory: Path) -> list[LayerInput]:
    """The findings files present in ``directory``, in layer order; none at all is an error (exit 3)."""
    inputs = []
    for layer, name in LAYER_FILES.items():
        path = Path(directory) / name
        if not path.is_file():
            continue
        findings_file = FindingsFile.read(path)
        if findings_file.layer != layer:
            raise EvaluationError(f"{path}: holds {findings_file.layer} findings, but {name} is the {layer} layer's "
                                  "file; write each stage's findings under its own name")
        inputs.append(LayerInput(layer, path, sha256_of(path), findings_file))
    if not inputs:
        names = ", ".join(LAYER_FILES.values())
        raise EvaluationError(f"{directory}: no findings file ({names}); run gate, scan or audit with --out {directory}")
    return inputs


def git_revision(repo: Path = REPO_ROOT) -> dict[str, object]:
    """The commit the harness and program ran from, and whether the work tree had changes."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit or "", "dirty": bool(status)}
