"""The auditor's bundle holds what the repository code it vendors imports: a new import in compliance/audit or
compliance/report (the OCSF models, say) must be pinned in program/functions/auditor/requirements.txt, or the
deployed function fails its scheduled run on the import."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions, version
from pathlib import Path

from compliance import REPO_ROOT

FUNCTION_DIR = REPO_ROOT / "program" / "functions" / "auditor"
sys.path.insert(0, str(REPO_ROOT / "program"))
from function_bundle import pinned_requirements  # noqa: E402

# What the Lambda runtime and the public Powertools layer provide (build.sh's header says so).
PROVIDED = {"boto3", "botocore", "aws_lambda_powertools", "aws_xray_sdk"}


ROOTS = {"compliance": REPO_ROOT, "controls": REPO_ROOT / "policies", "compliance_auditor": FUNCTION_DIR}


def _module_file(module: str) -> Path | None:
    """The repository file of a local module (the layout build.sh copies), else None (third party)."""
    root = ROOTS.get(module.split(".")[0])
    if root is None:
        return None
    base = root.joinpath(*module.split("."))
    return next((f for f in (base.with_suffix(".py"), base / "__init__.py") if f.is_file()), None)


def _module_level_imports(file: Path, package: str) -> set[str]:
    """What importing ``file`` imports: statements at module level (in ifs and trys too), not in functions."""
    names = set()
    pending = list(ast.parse(file.read_text(), str(file)).body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}  # a submodule imported by name
        else:
            pending += [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)]
    return names


def _import_closure_third_party() -> set[str]:
    """Third-party top-level modules the handler's import reaches through the repository's own modules."""
    third_party, seen, pending = set(), set(), ["handler"]
    while pending:
        module = pending.pop()
        file = FUNCTION_DIR / "handler.py" if module == "handler" else _module_file(module)
        if file is None or module in seen:
            continue
        seen.add(module)
        package = module if file.name == "__init__.py" else module.rpartition(".")[0]
        for name in _module_level_imports(file, package):
            top = name.split(".")[0]
            if top in ROOTS:
                pending += [".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)]
            elif top not in sys.stdlib_module_names and top != "__future__":
                third_party.add(top)
    assert "compliance.report.writer" in seen and "compliance.audit.runner" in seen, sorted(seen)
    return third_party


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_third_party_import_of_the_vendored_code_is_pinned_in_the_bundle():
    modules = _import_closure_third_party()
    assert {"py_ocsf_models", "yaml", "jinja2"} <= modules  # the walk reaches the report and catalog code
    pins = {_norm(name) for name in pinned_requirements(FUNCTION_DIR)}
    distributions = packages_distributions()
    unpinned = {m for m in modules - PROVIDED if not {_norm(d) for d in distributions.get(m, [m])} & pins}
    assert unpinned == set(), f"add to {FUNCTION_DIR / 'requirements.txt'}: {sorted(unpinned)}"


def test_the_bundles_pins_are_the_versions_the_tests_ran():
    for name, pinned in pinned_requirements(FUNCTION_DIR).items():
        assert version(name) == pinned, name
