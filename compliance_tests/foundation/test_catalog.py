"""The control catalog: schema, fixed IDs, framework reference formats, fail-closed loading."""

import re

import pytest
import yaml

from compliance.catalog import CATALOG_PATH, FRAMEWORKS, CatalogError, load_catalog
from compliance.errors import UsageError

FIXED_IDS = {
    *(f"ENC-{n:02d}" for n in range(1, 11)),
    "KMS-01", "KMS-02", "KMS-03",
    *(f"RET-{n:02d}" for n in range(1, 6)),
    "NET-01", "NET-02", "NET-03", "NET-04",
    "IAM-01", "IAM-02", "IAM-03", "IAM-04", "IAM-05",
    "LOG-01", "LOG-02", "LOG-03", "GOV-01", "GOV-02", "GOV-03", "DES-01", "DES-02", "LAM-01",
}
ADVISORY = {"KMS-02", "NET-03", "LOG-02", "GOV-03"}

REFERENCE_FORMATS = {
    "nist_800_53": re.compile(r"^[A-Z]{2}-\d{1,2}(\(\d{1,2}\))?$"),
    "iec_62443_3_3": re.compile(r"^SR \d\.\d{1,2}$"),
    "cis_aws": re.compile(r"^3\.0\.0 \d(\.\d{1,2}){1,2}$"),
    "iso_27001_2022": re.compile(r"^A\.[5-8]\.\d{1,2}$"),
}


def test_catalog_holds_exactly_the_fixed_control_ids():
    assert set(load_catalog().controls) == FIXED_IDS


def test_enforcement_defaults_match_the_issue():
    catalog = load_catalog()
    assert {c.id for c in catalog.controls.values() if c.enforcement == "advisory"} == ADVISORY


def test_every_control_names_at_least_two_frameworks_in_their_published_format():
    for control in load_catalog().controls.values():
        assert len(control.frameworks) >= 2, control.id
        for framework, refs in control.frameworks.items():
            assert framework in FRAMEWORKS
            for ref in refs:
                assert REFERENCE_FORMATS[framework].match(ref), (control.id, framework, ref)


def _control(data, control_id):
    return next(c for c in data["controls"] if c["id"] == control_id)


def test_every_parameter_names_the_direction_that_weakens_it():
    catalog = load_catalog()
    for control in catalog.controls.values():
        assert set(control.weakens) == set(control.parameters), control.id
    assert catalog["RET-01"].weakening("minDays", 7) == "7 is below the catalog's 30"
    assert catalog["RET-01"].weakening("minDays", 35) is None
    assert catalog["IAM-04"].weakening("maxRotationDays", 90) == "90 is above the catalog's 30"
    assert catalog["LOG-02"].weakening("maxRetryAttempts", 3) is None
    assert catalog["GOV-02"].weakening("approvedRegions", ["sa-east-1", "us-east-1"]) == \
        "adds us-east-1 to the catalog's allow-list"
    assert catalog["GOV-02"].weakening("approvedRegions", ["sa-east-1"]) is None  # fewer regions: stricter
    assert catalog["NET-03"].weakening("requiredServices", ["s3"]).startswith("removes dynamodb, kinesis-streams")


def _write(tmp_path, data):
    path = tmp_path / "controls.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture
def raw_catalog():
    return yaml.safe_load(CATALOG_PATH.read_text())


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["controls"][0].pop("remediation"), "remediation"),
        (lambda d: d["controls"][0].update(layers=["preview", "runtime"]), "layers"),
        (lambda d: d["controls"][0].update(severity="urgent"), "severity"),
        (lambda d: d["controls"][0].update(id="ENC-1"), "id"),
        (lambda d: d["controls"][1].update(id=d["controls"][0]["id"]), "defined twice"),
        (lambda d: d["controls"][0]["frameworks"].update(soc2=["CC6.1"]), "frameworks"),
        (lambda d: [c.update(checkov=["CKV_AWS_1"]) for c in d["controls"][:2]], "claimed by both"),
        (lambda d: _control(d, "RET-01").pop("weakens"), r"RET-01\): weakens must name exactly the parameters "
                                                         r"\(minDays\).*add weakens: \{minDays: <lower"),
        (lambda d: _control(d, "RET-01").update(weakens={"minDays": "down"}), "weakens.minDays is 'down'"),
        (lambda d: _control(d, "NET-01").update(weakens={"allowedCidrs": "lower"}), "applies to numbers"),
        (lambda d: _control(d, "ENC-01").update(weakens={"minDays": "lower"}), r"ENC-01\): weakens must name"),
    ],
)
def test_a_malformed_catalog_is_a_usage_error_naming_the_problem(tmp_path, raw_catalog, mutate, expected):
    mutate(raw_catalog)
    with pytest.raises(UsageError, match=expected):
        load_catalog(_write(tmp_path, raw_catalog))


def test_a_missing_or_unparsable_catalog_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="not found"):
        load_catalog(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("controls: [\n")
    with pytest.raises(UsageError, match="not valid YAML"):
        load_catalog(broken)


def test_an_unknown_control_id_is_refused():
    with pytest.raises(CatalogError, match="XYZ-99"):
        load_catalog()["XYZ-99"]
