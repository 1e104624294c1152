"""Every control case through every layer the catalog claims: same case, same verdict.

One render, one gate over gRPC, one checkov run, one sandbox deploy and one audit
serve every case of ``policies/controls/*_cases.py`` (a session fixture); each case
is then one test that names the layer that disagrees and what it said.
"""

from __future__ import annotations

import importlib

import pytest

from compliance.cases.run import LAYERS, run_cases
from compliance.cases.table import CONTROLS_DIR, load_cases
from compliance.catalog import load_catalog
from controls.cases import case, resource

CATALOG = load_catalog()
CASES = load_cases()


@pytest.fixture(scope="session")
def case_results(sandbox_server, tmp_path_factory):
    results = run_cases(CASES, endpoint=sandbox_server.endpoint, work_dir=tmp_path_factory.mktemp("cases"),
                        catalog=CATALOG)
    return {r.case.name: r for r in results}


@pytest.mark.slow
@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_every_claimed_layer_reaches_the_cases_verdict(case_results, name):
    result = case_results[name]
    wrong = result.disagreements(CATALOG, LAYERS)
    assert not wrong, "\n".join(
        f"{layer}: {result.verdicts.get(layer)} (expected {result.case.expect}): {result.messages.get(layer, '')}"
        for layer in wrong)
    assert result.expected_layers(CATALOG, LAYERS), f"{name}: its control claims no layer"


def _decision_modules() -> list[str]:
    shared = {"__init__", "catalog", "cases", "values", "verdict", "keys", "documents"}
    return sorted(p.stem for p in CONTROLS_DIR.glob("*.py") if not p.stem.endswith("_cases") and p.stem not in shared)


@pytest.mark.parametrize("module", _decision_modules())
def test_each_decision_module_has_cases_of_both_verdicts(module):
    control = importlib.import_module(f"controls.{module}").CONTROL
    verdicts = {c.expect for c in CASES if c.control == control}
    assert {"pass", "fail"} <= verdicts, f"{control}: cases of {sorted(verdicts)} only"


def test_a_case_whose_expectation_is_wrong_is_reported_by_the_layer(tmp_path):
    """The comparison can fail: a world-open group expected to pass disagrees in the pack."""
    wrong = case("net-01-wrong-expectation", "NET-01", "pass", "sg",
                 resource("sg", "aws:ec2/securityGroup:SecurityGroup", name="secgroup-wrong-{id}-{suffix}",
                          description="x", ingress=[{"protocol": "tcp", "fromPort": 22, "toPort": 22,
                                                     "cidrBlocks": ["0.0.0.0/0"]}]))
    [result] = run_cases([wrong], layers=("preview",), work_dir=tmp_path, catalog=CATALOG)
    assert result.verdicts["preview"] == "fail"
    assert result.disagreements(CATALOG, ("preview",)) == ["preview"]
    assert "admits 0.0.0.0/0 on ports 22-22" in result.messages["preview"]
