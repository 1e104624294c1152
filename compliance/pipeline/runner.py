"""Run the stages as subprocesses, one after another, with a live progress line per stage.

Each stage's output (stdout and stderr, interleaved) goes to
``<run>/logs/<stage>.log``; the progress display shows its latest line. A
stage whose prerequisite did not succeed is skipped and counts as exit 3 (its
layer was not evaluated); ``always`` stages (sandbox down) run whenever their
prerequisite was started, so an interrupted or failed run never leaves a
sandbox behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from compliance import REPO_ROOT
from compliance.errors import EXIT_ERROR, EXIT_OK
from compliance.pipeline.stages import Stage

DETAIL_WIDTH = 60


@dataclass
class StageResult:
    stage: Stage
    status: str  # "ok", "failed", "skipped"
    exit_code: int
    seconds: float
    detail: str
    log: Path | None


def _environment(stage: Stage) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in stage.unset}
    env.update(stage.env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    env.setdefault("PYTHONUNBUFFERED", "1")
    env["COLUMNS"] = "120"  # rich wraps narrower in a pipe; logs read better wide
    return env


def _short(line: str, run_dir: str) -> str:
    """One line for the display: the run directory's path dropped, cut to the display width."""
    line = line.replace(run_dir + "/", "").replace(run_dir, ".")
    return line if len(line) <= DETAIL_WIDTH else line[:DETAIL_WIDTH - 1] + "…"


def _run_one(stage: Stage, log_path: Path, progress: Progress, task: int) -> tuple[int, str]:
    """Run one stage, streaming its output to its log and its last line to the progress display."""
    last = ""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(f"$ python -m compliance {' '.join(stage.argv)}\n")
        log.flush()
        child = subprocess.Popen(
            [sys.executable, "-m", "compliance", *stage.argv], cwd=REPO_ROOT, env=_environment(stage),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
            encoding="utf-8", errors="replace",
        )
        try:
            assert child.stdout is not None
            for line in child.stdout:
                log.write(line)
                if line.strip():
                    last = _short(line.strip(), stage.run_dir)
                    progress.update(task, detail=f"[dim]{escape(last)}")
            code = child.wait()
        except BaseException:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
            raise
    return (code if code >= 0 else EXIT_ERROR), last


def run_stages(stages: list[Stage], log_path: Callable[[Stage], Path], console: Console | None = None
               ) -> list[StageResult]:
    console = console or Console(stderr=True)
    results: dict[str, StageResult] = {}
    columns = (SpinnerColumn(finished_text="•"), TextColumn("{task.fields[stage]:<13}"), TimeElapsedColumn(),
               TextColumn("{task.fields[detail]}"))
    with Progress(*columns, console=console, transient=False) as progress:
        tasks = {s.name: progress.add_task(s.title, total=1, stage=s.name, detail="waiting", start=False)
                 for s in stages}
        try:
            for stage in stages:
                _run_stage(stage, results, progress, tasks[stage.name], log_path(stage))
        except BaseException:
            for stage in stages:  # interrupted: still stop what was started (the sandbox)
                if stage.always and stage.name not in results and all(n in results for n in stage.needs):
                    _run_stage(stage, results, progress, tasks[stage.name], log_path(stage))
            raise
    return [results[s.name] for s in stages if s.name in results]


def _run_stage(stage: Stage, results: dict[str, StageResult], progress: Progress, task: int, log: Path) -> None:
    if stage.always:  # runs when what it cleans up was started, whatever its outcome
        missing = [n for n in stage.needs if n not in results or results[n].status == "skipped"]
    else:
        missing = [n for n in stage.needs if n not in results or results[n].exit_code != EXIT_OK]
    if missing:
        reason = f"skipped: {', '.join(missing)} did not succeed"
        results[stage.name] = StageResult(stage, "skipped", EXIT_ERROR, 0.0, reason, None)
        progress.update(task, detail=f"[yellow]{reason}", completed=1)
        return
    progress.start_task(task)
    progress.update(task, detail="running")
    started = time.monotonic()
    code, last = _run_one(stage, log, progress, task)
    status = "ok" if code == EXIT_OK else "failed"
    results[stage.name] = StageResult(stage, status, code, time.monotonic() - started, last, log)
    colour = "green" if code == EXIT_OK else ("red" if code in (1, 3) else "magenta")
    progress.update(task, completed=1, detail=f"[{colour}]exit {code}[/] [dim]{escape(last)}")
    progress.stop_task(task)
