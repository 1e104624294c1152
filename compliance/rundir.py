"""Where a run's files go: ``reports/<UTC stamp>/``, the newest one pointed to by ``reports/latest``.

Every stage command (``render``, ``gate``, ``scan``, ``audit``, ``report``) writes
into the *open* run unless told otherwise: the newest run, as long as ``report``
has not sealed it (``manifest.json``). So the stages run one after another fill one
run, ``report`` seals it, and the next stage starts a new run. A sealed run is never
written to again. ``compliance run`` makes its run the same way.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from compliance.errors import UsageError

REPORTS = Path("reports")
LATEST = "latest"
MANIFEST = "manifest.json"


def is_sealed(run_dir: Path) -> bool:
    return (Path(run_dir) / MANIFEST).is_file()


def new_run_dir(reports: Path = REPORTS, now: datetime | None = None) -> Path:
    """reports/<UTC timestamp>, unique (a -2, -3… suffix when two runs start in the same second)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    candidate = Path(reports) / stamp
    n = 2
    while candidate.exists():
        candidate = Path(reports) / f"{stamp}-{n}"
        n += 1
    candidate.mkdir(parents=True)
    return candidate


def point_latest(run_dir: Path) -> Path:
    """reports/latest -> <run> (a relative symlink, swapped atomically)."""
    latest = run_dir.parent / LATEST
    if latest.exists() and not latest.is_symlink():
        raise UsageError(f"{latest} exists and is not a symlink; move it away so `latest` can point at the newest run")
    tmp = run_dir.parent / f".{LATEST}-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(run_dir.name, target_is_directory=True)
    os.replace(tmp, latest)
    return latest


def latest_run(reports: Path = REPORTS) -> Path | None:
    link = Path(reports) / LATEST
    return link.resolve() if link.is_dir() else None


def open_run(reports: Path = REPORTS) -> Path | None:
    """The run the stages are filling: the newest, unless already sealed."""
    run = latest_run(reports)
    return run if run is not None and not is_sealed(run) else None


def run_for_writing(reports: Path = REPORTS) -> Path:
    """The open run, or a new one (pointed to by reports/latest) when there is none."""
    run = open_run(reports)
    if run is None:
        run = new_run_dir(reports)
        point_latest(run)
    return run


def holds_runs(directory: Path) -> bool:
    """A directory of runs (``reports/``), as opposed to one run: it has run directories, not findings."""
    directory = Path(directory)
    return directory.is_dir() and not is_sealed(directory) and (
        (directory / LATEST).is_symlink() or any(is_sealed(p) for p in directory.iterdir() if p.is_dir()))


def run_graph(graph_file: Path | None, stack: str | None, reports: Path = REPORTS) -> tuple[object, str]:
    """The graph a stage judges: ``--graph``, else the open run's graph.json, else a render of ``--stack`` (dev).

    Returns (graph, where it came from).
    """
    from compliance.graph import load_graph

    if graph_file is not None:
        return load_graph(graph_file), str(graph_file)
    run = open_run(reports)
    if stack is None and run is not None and (run / "graph.json").is_file():
        return load_graph(run / "graph.json"), str(run / "graph.json")
    from compliance.render.build import render_graph

    stack = stack or "dev"
    return render_graph(stack), f"rendered from stack {stack}"
