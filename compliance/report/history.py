"""History: reports/index.html lists every run beside the current one, with a pass-rate trend per layer.

The chart is inline SVG whose coordinates are computed here, so the page needs
no script and no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compliance.findings import LAYERS

CHART = {"width": 760, "height": 240, "left": 48, "right": 16, "top": 16, "bottom": 36}
SERIES = ("overall", *LAYERS)
COLORS = {"overall": "#1d2330", "preview": "#1f5fbf", "static": "#8e24aa", "live": "#1a7f37"}


def collect_runs(parent: Path) -> list[dict[str, Any]]:
    """One entry per run directory in ``parent`` that holds a readable report.json, oldest first."""
    runs = []
    for run_dir in sorted(p for p in Path(parent).iterdir() if p.is_dir() and not p.is_symlink()):
        try:
            report = json.loads((run_dir / "report.json").read_text())
            summary = report["summary"]
            runs.append({
                "run": run_dir.name,
                "generatedAt": report["generatedAt"],
                "scope": report["scope"],
                "exitCode": report["exitCode"],
                "controls": summary["controls"],
                "drift": summary["drift"],
                "rates": {"overall": summary["passRate"],
                          **{layer: summary["byLayer"][layer]["passRate"] for layer in LAYERS}},
                "sealed": (run_dir / "manifest.json").is_file(),
            })
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a run directory (or a foreign file): the history lists report runs only
    return sorted(runs, key=lambda r: (r["generatedAt"], r["run"]))


def _chart(runs: list[dict[str, Any]]) -> dict[str, Any]:
    plot_w = CHART["width"] - CHART["left"] - CHART["right"]
    plot_h = CHART["height"] - CHART["top"] - CHART["bottom"]
    step = plot_w / max(1, len(runs) - 1)

    def x(i: int) -> float:
        return round(CHART["left"] + (i * step if len(runs) > 1 else plot_w / 2), 1)

    def y(rate: float) -> float:
        return round(CHART["top"] + (1 - rate) * plot_h, 1)

    series = []
    for name in SERIES:
        points = [(x(i), y(run["rates"][name]), run["run"], run["rates"][name])
                  for i, run in enumerate(runs) if run["rates"][name] is not None]
        series.append({"name": name, "color": COLORS[name], "points": points,
                       "polyline": " ".join(f"{px},{py}" for px, py, _, _ in points)})
    grid = [{"y": y(v / 100), "label": f"{v}%"} for v in (0, 25, 50, 75, 100)]
    labels = [{"x": x(i), "text": run["generatedAt"][:10]} for i, run in enumerate(runs)]
    every = max(1, len(labels) // 8)  # at most ~8 date labels on the axis
    return {**CHART, "series": series, "grid": grid, "labels": labels[::every],
            "plotBottom": CHART["height"] - CHART["bottom"]}


def history(parent: Path) -> dict[str, Any]:
    runs = collect_runs(parent)
    return {"runs": list(reversed(runs)), "chart": _chart(runs), "count": len(runs)}
