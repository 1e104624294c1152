"""graph.json validation fails closed on malformed graphs."""

import copy
import json

import pytest

from compliance.errors import EvaluationError
from compliance.graph import load_graph, validate_graph

KEY_URN = "urn:pulumi:dev::iot-sensor-platform::aws:kms/key:Key::kinesis"
STREAM_URN = "urn:pulumi:dev::iot-sensor-platform::aws:kinesis/stream:Stream::telemetry"


def resource(urn, type_, name, deps=()):
    return {"urn": urn, "type": type_, "name": name, "custom": True, "parent": "", "inputs": {},
            "options": {"protect": False, "retainOnDelete": False}, "dependencies": list(deps),
            "propertyDependencies": {"kmsKeyId": list(deps)} if deps else {}, "source": None}


GRAPH = {
    "schemaVersion": 1, "project": "iot-sensor-platform", "stack": "dev", "config": {}, "outputs": {},
    "resources": [resource(KEY_URN, "aws:kms/key:Key", "kinesis"),
                  resource(STREAM_URN, "aws:kinesis/stream:Stream", "telemetry", [KEY_URN])],
}


def test_a_well_formed_graph_validates():
    graph = validate_graph(copy.deepcopy(GRAPH))
    assert [r["name"] for r in graph.of_type("aws:kinesis/stream:Stream")] == ["telemetry"]
    assert set(graph.by_urn()) == {KEY_URN, STREAM_URN}


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda g: g["resources"].append(copy.deepcopy(g["resources"][0])), "duplicate URN"),
        (lambda g: g["resources"][1]["dependencies"].append("urn:pulumi:dev::x::aws:s3/bucket:Bucket::gone"),
         "depends on unknown"),
        (lambda g: g["resources"][0].pop("options"), "options"),
        (lambda g: g["resources"][0].update(type="Kinesis Stream"), "type"),
        (lambda g: g.update(schemaVersion=2), "schemaVersion"),
    ],
)
def test_a_malformed_graph_is_an_evaluation_error(mutate, expected):
    graph = copy.deepcopy(GRAPH)
    mutate(graph)
    with pytest.raises(EvaluationError, match="malformed resource graph"):
        validate_graph(graph)


def test_loading_a_missing_or_broken_graph_names_the_fix(tmp_path):
    with pytest.raises(EvaluationError, match="compliance render"):
        load_graph(tmp_path / "graph.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(EvaluationError, match="not valid JSON"):
        load_graph(broken)
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps(GRAPH))
    assert load_graph(ok).stack == "dev"
