"""Turn one offline run of the program into graph.json."""

from __future__ import annotations

import runpy
from collections.abc import Callable

from compliance.engine import PROGRAM_DIR, ProgramRun, run_program
from compliance.graph import SCHEMA_VERSION, Graph, validate_graph
from compliance.render.synthetic import SyntheticMocks


def graph_from_run(run: ProgramRun) -> Graph:
    resources = [
        {
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "custom": r.custom,
            "parent": r.parent,
            "inputs": r.inputs,
            "options": r.options,
            "dependencies": r.dependencies,
            "propertyDependencies": r.property_dependencies,
            "source": r.source,
        }
        for r in run.registrations
    ]
    data = {
        "schemaVersion": SCHEMA_VERSION,
        "project": run.project,
        "stack": run.stack,
        "config": dict(sorted(run.config.items())),
        "outputs": run.outputs,
        "resources": resources,
    }
    return validate_graph(data, f"render of stack {run.stack}")


def _auditor_role_main() -> None:
    """program/auditor_role: the auditor's role for member accounts (its own entry point, same modules)."""
    runpy.run_path(str(PROGRAM_DIR / "auditor_role" / "__main__.py"), run_name="__main__")


PROGRAMS: dict[str, Callable[[], None] | None] = {"platform": None, "auditor-role": _auditor_role_main}


def render_graph(stack: str = "dev", config_overrides: dict | None = None,
                 main: Callable[[], None] | None = None) -> Graph:
    """Run the program (or ``main``, see ``PROGRAMS``) for ``stack`` under synthetic mocks and return its graph."""
    from compliance.engine import stack_config

    region = stack_config(stack, config_overrides).get("aws:region", "")
    run = run_program(stack, SyntheticMocks(region), config_overrides=config_overrides, preview=True, main=main)
    return graph_from_run(run)
