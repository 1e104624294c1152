"""The pack against the catalog: one policy per preview control at least, metadata from controls.yaml.

Read from the running pack (GetAnalyzerInfo), i.e. what `pulumi preview` and
Pulumi Cloud see, not from the Python objects.
"""

from __future__ import annotations

import ast
import inspect
import re
import shutil
from importlib import import_module
from pathlib import Path

import pytest
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2

from compliance import REPO_ROOT
from compliance.gate.pack import PackProcess
from compliance_tests.gate.harness import POOL, catalog
from compliance_tests.policies.platform import platform_graph
from rules import all_rules
from rules.gov_01 import PHYSICAL_NAMES
from rules.gov_03 import TAGGABLE

PACK = REPO_ROOT / "policies"
LEVELS = {analyzer_pb2.MANDATORY: "mandatory", analyzer_pb2.ADVISORY: "advisory"}
SEVERITIES = {analyzer_pb2.POLICY_SEVERITY_LOW: "low", analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
              analyzer_pb2.POLICY_SEVERITY_HIGH: "high", analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical"}


@pytest.fixture(scope="module")
def info() -> analyzer_pb2.AnalyzerInfo:
    return POOL.for_graph(platform_graph()).stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)


def _control(policy_name: str) -> str:
    return policy_name[:6].upper()


def test_every_preview_control_has_a_policy_and_every_policy_a_preview_control(info):
    controls = catalog()
    with_preview = {c.id for c in controls.with_layer("preview")}
    implemented = {_control(p.name) for p in info.policies}
    assert with_preview - implemented == set(), "controls claiming the preview layer without a policy"
    assert implemented - with_preview == set(), "policies for controls the catalog does not check at preview"
    for policy in info.policies:
        assert re.fullmatch(r"[a-z]{3}-[0-9]{2}-[a-z0-9-]+", policy.name)


def test_levels_severity_remediation_and_tags_come_from_the_catalog(info):
    controls = catalog()
    for policy in info.policies:
        control = controls[_control(policy.name)]
        assert LEVELS[policy.enforcementLevel] == control.enforcement, policy.name
        assert SEVERITIES[policy.severity] == control.severity, policy.name
        assert policy.remediation_steps == control.remediation, policy.name
        assert policy.description.endswith("."), policy.name
        assert f"control:{control.id}" in policy.tags
        assert any(tag.startswith("scope:") for tag in policy.tags), policy.name
        if "scope:retired" in policy.tags:  # kept for config files naming it; it judges nothing
            assert policy.description.startswith("Retired:") and len([t for t in policy.tags if "scope:" in t]) == 1
        for key, refs in control.frameworks.items():
            assert {f"{key}:{ref}" for ref in refs} <= set(policy.tags), policy.name
        if control.frameworks:
            assert policy.framework.reference, policy.name


def test_config_schemas_default_to_the_catalog_parameters_and_use_them_all(info):
    controls = catalog()
    used: dict[str, set[str]] = {c.id: set() for c in controls.with_layer("preview")}
    for policy in info.policies:
        control = controls[_control(policy.name)]
        schema = json_format.MessageToDict(policy.configSchema.properties)
        for name, spec in schema.items():
            assert spec["default"] == control.parameters[name], (policy.name, name)
            used[control.id].add(name)
    for control_id, names in used.items():
        assert names == set(controls[control_id].parameters), f"{control_id}: unused catalog parameters"


def test_scope_tags_are_the_types_the_checks_see():
    for rule in all_rules():
        assert rule.scope, rule.name
        for scope in rule.scope:
            assert scope in ("*", "custom", "stack", "retired") or re.fullmatch(r"aws:[a-zA-Z0-9]+/[a-zA-Z0-9]+:[A-Za-z0-9]+", scope)


def _args_class(type_token: str):
    _, module, name = type_token.split(":")
    module = module.split("/")[0]
    return getattr(import_module(f"pulumi_aws.{'lambda_' if module == 'lambda' else module}"), f"{name}Args")


def test_taggable_types_accept_tags_in_the_aws_sdk():
    for type_token in TAGGABLE:
        assert "tags" in inspect.signature(_args_class(type_token)).parameters, type_token


def test_physical_name_inputs_exist_in_the_aws_sdk():
    for type_token, prop in PHYSICAL_NAMES.items():
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", prop).lower()
        assert snake in inspect.signature(_args_class(type_token)).parameters, (type_token, prop)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    return names


def test_the_pack_imports_nothing_from_the_harness_and_pins_what_it_needs():
    modules = [PACK / "__main__.py", *(PACK / "rules").glob("*.py"), *(PACK / "controls").glob("*.py")]
    for module in modules:
        assert "compliance" not in _imports(module), module
    third_party = {name for m in modules for name in _imports(m)} - {"rules", "controls", "__future__"}
    pinned = {line.split("==")[0].strip().lower().replace("-", "_")
              for line in (PACK / "requirements.txt").read_text().splitlines() if "==" in line}
    repo = (REPO_ROOT / "requirements.txt").read_text()
    for line in (PACK / "requirements.txt").read_text().splitlines():
        if "==" in line:
            assert line.strip() in repo, f"{line} differs from the repository's pin"
    assert {"pulumi", "pulumi_policy", "yaml"} >= third_party - _stdlib()
    assert {"pulumi", "pulumi_policy", "pyyaml"} <= pinned


def test_decision_modules_need_the_standard_library_only():
    """They load in checkov's own virtualenv and in the pack: only the catalog reader needs PyYAML."""
    for module in (PACK / "controls").glob("*.py"):
        allowed = {"controls", "__future__"} | ({"yaml"} if module.name == "catalog.py" else set())
        assert _imports(module) - _stdlib() <= allowed, module


def _stdlib() -> set[str]:
    import sys

    return set(sys.stdlib_module_names)


def test_the_pack_folder_runs_alone(tmp_path):
    """What `pulumi policy publish policies/` uploads: the folder, without the repository around it."""
    alone = tmp_path / "policies"
    shutil.copytree(PACK, alone, ignore=shutil.ignore_patterns("__pycache__", "checkov", "venv"))
    g = platform_graph()
    with PackProcess(project=g.project, stack=g.stack, config=g.config, pack_dir=alone) as pack:
        served = pack.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    assert {p.name for p in served.policies} == {rule.name for rule in all_rules()}
    assert pack.version == "1.0.0"
    assert not pack.alive()
