"""The vendored bridge metadata: complete for the program, and right about maps and nested objects.

The installed pulumi-aws SDK serves as the oracle: its generated Args classes
name the nested object type of every input, and none for map inputs.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from compliance import REPO_ROOT
from compliance.errors import UsageError
from compliance.static.bridge import EXTRA_TYPES, extract_subset, load_bridge_names, singular
from compliance.static.convert import graph_to_plan, is_converted
from compliance.static.sdk_shapes import input_names, nested_types


def _common():
    path = REPO_ROOT / "policies" / "checkov" / "checks" / "iot_checks_common.py"
    spec = importlib.util.spec_from_file_location("iot_checks_common_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_program_type_has_a_terraform_type(program_graph, bridge):
    plan = graph_to_plan(program_graph, bridge)
    assert len(plan.resources) == sum(1 for r in program_graph.resources if is_converted(r))


def test_maps_and_nested_objects_agree_with_the_sdk(program_graph, bridge):
    """Every dict-valued input of the program: an object exactly where the SDK has a nested type."""
    checked = 0
    for token in sorted({r["type"] for r in program_graph.resources if is_converted(r)}):
        shapes = nested_types(token)
        for resource in program_graph.of_type(token):
            pending = [(token, resource["inputs"])]
            while pending:
                parent, inputs = pending.pop()
                for name, value in inputs.items():
                    items = value if isinstance(value, list) else [value]
                    if not any(isinstance(item, dict) for item in items):
                        continue
                    sdk = shapes.get(parent, {}).get(name)
                    ours = bridge.nested_type(parent, name)
                    assert ours == (sdk.token if sdk else None), f"{resource['urn']} input {name}"
                    checked += 1
                    if ours:
                        pending += [(ours, item) for item in items if isinstance(item, dict)]
    assert checked > 50


def test_taggable_types_of_the_checks_match_the_sdk(bridge):
    """GOV-03's list of taggable types = the vendored types whose SDK resource takes tags."""
    taggable = {tf for token, tf in bridge.resources.items() if "tags" in input_names(token)}
    assert taggable == set(_common().TAGGABLE_TYPES) & set(bridge.resources.values())


def test_singular_undoes_the_bridge_plurals():
    assert [singular(n) for n in ("kineses", "republishes", "lambdas", "cloudwatchAlarms", "accessConfigs",
                                  "ingress", "sns", "sqs", "policies")] == [
        "kinesis", "republish", "lambda", "cloudwatchAlarm", "accessConfig", "ingress", "sns", "sqs", "policy"]


def test_extract_subset_keeps_what_the_types_need():
    full = {"renames": {
        "resources": {"aws:kinesis/stream:Stream": "aws_kinesis_stream", "aws:sqs/queue:Queue": "aws_sqs_queue"},
        "renamedProperties": {
            "aws:kinesis/stream:Stream": {"kmsKeyId": "kms_key_id"},
            "aws:kinesis/StreamStreamModeDetails:StreamStreamModeDetails": {"streamMode": "stream_mode"},
            "aws:sqs/queue:Queue": {"kmsMasterKeyId": "kms_master_key_id"},
        }}}
    subset = extract_subset(full, {"aws:kinesis/stream:Stream"}, {"version": "test"})
    assert subset["resources"] == {"aws:kinesis/stream:Stream": "aws_kinesis_stream"}
    assert set(subset["renamedProperties"]) == {"aws:kinesis/stream:Stream",
                                               "aws:kinesis/StreamStreamModeDetails:StreamStreamModeDetails"}
    assert subset["nestedTypes"]["aws:kinesis/stream:Stream"]["streamModeDetails"] == \
        "aws:kinesis/StreamStreamModeDetails:StreamStreamModeDetails"
    with pytest.raises(UsageError, match="aws:iot/thing:Thing"):
        extract_subset(full, {"aws:iot/thing:Thing"}, {})


def test_vendored_metadata_names_its_source_and_the_extra_types(bridge):
    assert bridge.source.get("repository") == "pulumi/pulumi-aws" and bridge.source.get("commit")
    assert set(bridge.resources) >= EXTRA_TYPES


def test_broken_metadata_is_a_usage_error(tmp_path: Path):
    broken = tmp_path / "bridge.json"
    broken.write_text(json.dumps({"resources": {}}))
    with pytest.raises(UsageError, match="refresh"):
        load_bridge_names.__wrapped__(broken)
