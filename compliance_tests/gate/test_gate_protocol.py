"""What the gate sends (the engine's messages) and how it reconciles --policy-pack-config, as the CLI does."""

from __future__ import annotations

import json

import pytest
from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from compliance.errors import UsageError
from compliance.gate.config import configure_request, reconcile
from compliance.gate.protocol import MessageBuilder, first_preview_inputs
from compliance_tests.gate.harness import CONFIG, UNKNOWN, finding, graph, resource, run
from compliance_tests.policies.platform import platform_graph

KEY = resource("aws:kms/key:Key", "kinesis", {"enableKeyRotation": True})
STREAM = resource("aws:kinesis/stream:Stream", "telemetry",
                  {"name": "kinesis-telemetry-dev", "kmsKeyId": "arn:aws:kms:sa-east-1:1:key/k", "encryptionType": "KMS"},
                  deps={"kmsKeyId": [KEY]}, protect=True)


def test_first_preview_makes_exactly_the_inputs_computed_from_other_resources_unknown():
    inputs = first_preview_inputs(STREAM)
    assert inputs["kmsKeyId"] == UNKNOWN
    assert inputs["name"] == "kinesis-telemetry-dev" and inputs["encryptionType"] == "KMS"
    assert STREAM["inputs"]["kmsKeyId"] != UNKNOWN  # the graph itself is untouched


def test_analyze_request_carries_inputs_options_and_the_default_provider():
    g = graph(KEY, STREAM, config={**CONFIG, "aws:defaultTags": json.dumps({"tags": {"Owner": "x"}})})
    request = MessageBuilder(g).analyze_request(STREAM)
    assert (request.type, request.urn, request.name) == (STREAM["type"], STREAM["urn"], "telemetry")
    assert json_format.MessageToDict(request.properties)["kmsKeyId"] == "arn:aws:kms:sa-east-1:1:key/k"
    assert request.options.protect is True
    assert request.provider.type == "pulumi:providers:aws"
    assert request.provider.name.startswith("default_7_")
    props = json_format.MessageToDict(request.provider.properties)
    assert props["region"] == "sa-east-1" and props["defaultTags"] == {"tags": {"Owner": "x"}}


def test_an_explicit_provider_in_the_graph_is_sent_instead_of_the_default():
    provider = resource("pulumi:providers:aws", "apac", {"region": "ap-southeast-1"})
    stream = resource("aws:kinesis/stream:Stream", "telemetry", {"name": "kinesis-telemetry-dev"})
    stream["options"]["provider"] = f"{provider['urn']}::provider-id"
    request = MessageBuilder(graph(provider, stream)).analyze_request(stream)
    assert request.provider.urn == provider["urn"]
    assert json_format.MessageToDict(request.provider.properties) == {"region": "ap-southeast-1"}
    assert not MessageBuilder(graph(provider)).analyze_request(provider).HasField("provider")


def test_analyze_stack_request_carries_the_dependency_edges():
    request = MessageBuilder(graph(KEY, STREAM), first_preview=True).analyze_stack_request()
    sent = {r.name: r for r in request.resources}
    assert list(sent["telemetry"].propertyDependencies["kmsKeyId"].urns) == [KEY["urn"]]
    assert list(sent["telemetry"].dependencies) == [KEY["urn"]]
    assert json_format.MessageToDict(sent["telemetry"].properties)["kmsKeyId"] == UNKNOWN


def _info() -> analyzer_pb2.AnalyzerInfo:
    info = analyzer_pb2.AnalyzerInfo(name="pack")
    retention = info.policies.add(name="ret-01-aurora-backup-retention", enforcementLevel=analyzer_pb2.MANDATORY)
    retention.configSchema.properties.update({"minDays": {"type": "integer", "minimum": 0, "default": 30}})
    info.policies.add(name="gov-03-required-tags", enforcementLevel=analyzer_pb2.ADVISORY)
    return info


def test_reconcile_starts_from_the_pack_and_applies_all_then_each_policy():
    settings = reconcile(_info(), {"all": "advisory", "ret-01-aurora-backup-retention": {"minDays": 35}})
    assert settings["ret-01-aurora-backup-retention"].level == "advisory"
    assert settings["ret-01-aurora-backup-retention"].properties == {"minDays": 35}
    assert settings["gov-03-required-tags"].level == "advisory"
    defaults = reconcile(_info(), {})
    assert defaults["ret-01-aurora-backup-retention"].level == "mandatory"
    assert defaults["ret-01-aurora-backup-retention"].properties == {"minDays": 30}
    request = configure_request(defaults)
    assert request.policyConfig["ret-01-aurora-backup-retention"].enforcementLevel == analyzer_pb2.MANDATORY
    assert request.policyConfig["gov-03-required-tags"].enforcementLevel == analyzer_pb2.ADVISORY


@pytest.mark.parametrize(("config", "message"), [
    ({"ret-01-no-such-policy": "advisory"}, "no policy named 'ret-01-no-such-policy'"),
    ({"gov-03-required-tags": "blocking"}, "'blocking' is not one of"),
    ({"ret-01-aurora-backup-retention": {"minDays": "thirty"}}, "minDays: 'thirty' is not of type 'integer'"),
    ({"ret-01-aurora-backup-retention": {"minDays": -1}}, "minDays: -1 is less than the minimum of 0"),
    ({"all": 3}, "expected an enforcement level or an object"),
])
def test_a_bad_pack_config_is_a_usage_error_naming_policy_and_key(config, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        reconcile(_info(), config)


def test_config_file_changes_levels_and_thresholds_in_the_real_pack(tmp_path):
    resources = platform_graph()
    cluster = next(r for r in resources.resources if r["type"] == "aws:rds/cluster:Cluster")
    stricter = run(resources, tmp_path=tmp_path, config={"ret-01-aurora-backup-retention": {"minDays": 35}})
    assert finding(stricter, "RET-01", cluster).status == "fail"
    assert stricter.exit_code() == 1 and stricter.scope["exceptions"] == []  # stricter than the catalog: no exception
    remediate = run(resources, tmp_path=tmp_path, config={"all": "remediate"})
    assert finding(remediate, "RET-01", cluster).enforcement == "mandatory"  # validated as mandatory by the SDK
    advisory_control = run(resources, tmp_path=tmp_path, config={"gov-03-required-tags": "advisory"})
    assert advisory_control.scope["exceptions"] == []  # GOV-03 is advisory in the catalog already
    defaults = run(resources)  # a later run without the file is back to the catalog's levels
    assert finding(defaults, "RET-01", cluster).status == "pass"
    assert finding(defaults, "RET-01", cluster).enforcement == "mandatory"


def test_an_allow_listed_cidr_passes_in_the_pack_but_is_an_exception_of_the_gate(tmp_path):
    g = platform_graph()
    group = next(r for r in g.resources if r["name"] == "processor" and r["type"] == "aws:ec2/securityGroup:SecurityGroup")
    group["inputs"]["ingress"] = [{"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": ["0.0.0.0/0"]}]
    assert finding(run(g), "NET-01", group).status == "fail"
    allowed = run(g, tmp_path=tmp_path, config={"net-01-no-world-open-ingress": {"allowedCidrs": ["0.0.0.0/0"]}})
    net01 = finding(allowed, "NET-01", group)
    assert net01.evidence["policies"] == {"net-01-no-world-open-ingress": "pass under a weakened setting"}
    assert net01.status == "error" and "allowedCidrs: adds 0.0.0.0/0 to the catalog's allow-list" in net01.message
