"""Inputs for report tests: a small graph in the graph.json format and findings files for each layer.

The graph declares what the program would: a Kinesis key with its alias, the
telemetry stream, the raw bucket and a log group whose name carries markup
(to prove the renderers keep it text). Findings are built with the shared
``compliance.findings`` types, exactly as the stages write them.
"""

from __future__ import annotations

import json
from pathlib import Path

from compliance.catalog import load_catalog
from compliance.findings import Finding, FindingsFile, ResourceRef

STACK = "dev"
PROJECT = "iot-sensor-platform"
REGION = "sa-east-1"
ACCOUNT = "123456789012"
MARKUP_NAME = '<script>window.__pwned=1</script><b>logs</b>-dev'
FILES = {"preview": "gate.json", "static": "static.json", "live": "audit.json"}


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_token}::{name}"


KEY = urn("aws:kms/key:Key", "kinesis")
ALIAS = urn("aws:kms/alias:Alias", "kinesis")
STREAM = urn("aws:kinesis/stream:Stream", "telemetry")
BUCKET = urn("aws:s3/bucket:Bucket", "raw")
# One waiver on the raw bucket's ENC-05 finding, with markup in its reason (escaped in every format).
WAIVER = """\
waivers:
  - control: ENC-05
    resource: "*Bucket::raw"
    reason: "Bucket policy change | waits for the Q3 <b>change</b> window."
    owner: ops@example.com
    expires: 2026-05-31
"""
LOG_GROUP = urn("aws:cloudwatch/logGroup:LogGroup", "processor")

# Live identities: what the sandbox (or AWS) calls the same resources.
LIVE_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0b9c1e8a-1111-4222-8333-444455556666"
LIVE_STREAM_ARN = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/kinesis-telemetry-dev"
LIVE_BUCKET_ARN = "arn:aws:s3:::raw-archive-dev"
LIVE_LOG_GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{MARKUP_NAME}:*"


def _resource(urn_: str, inputs: dict, line: int, deps: dict | None = None) -> dict:
    type_token = urn_.split("::")[2]
    deps = deps or {}
    return {
        "urn": urn_, "type": type_token, "name": urn_.rsplit("::", 1)[1], "custom": True, "parent": "",
        "inputs": inputs, "options": {"protect": False, "retainOnDelete": False},
        "dependencies": sorted({u for us in deps.values() for u in us}), "propertyDependencies": deps,
        "source": {"file": "program/components/fixture.py", "line": line},
    }


def graph_data() -> dict:
    return {
        "schemaVersion": 1, "project": PROJECT, "stack": STACK,
        "config": {"aws:region": REGION, f"{PROJECT}:environmentSuffix": "dev"},
        "outputs": {"kinesisKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/kinesis", "streamName": "kinesis-telemetry-dev"},
        "resources": [
            _resource(KEY, {"enableKeyRotation": True, "deletionWindowInDays": 7.0}, 11),
            _resource(ALIAS, {"name": "alias/kinesis-telemetry-dev", "targetKeyId": "key-kinesis"}, 12,
                      {"targetKeyId": [KEY]}),
            _resource(STREAM, {"name": "kinesis-telemetry-dev", "encryptionType": "KMS", "kmsKeyId": "arn"}, 20,
                      {"kmsKeyId": [KEY]}),
            _resource(BUCKET, {"bucket": "raw-archive-dev", "forceDestroy": True}, 30),
            _resource(LOG_GROUP, {"name": MARKUP_NAME, "retentionInDays": 30.0, "tags": {"Owner": MARKUP_NAME}}, 40),
        ],
    }


def write_graph(directory: Path) -> Path:
    path = Path(directory) / "graph.json"
    path.write_text(json.dumps(graph_data(), indent=2))
    return path


def declared(control: str, layer: str, status: str, resource_urn: str, message: str = "", **kw) -> Finding:
    type_token = resource_urn.split("::")[2]
    name = resource_urn.rsplit("::", 1)[1]
    return Finding(control=control, layer=layer, status=status,
                   resource=ResourceRef(id=resource_urn, type=type_token, name=name),
                   message=message or f"{control} {status} on {name}",
                   check=kw.pop("check", f"{control.lower()}-{layer}"), **kw)


def live(control: str, status: str, arn: str, name: str, type_: str, message: str = "", **kw) -> Finding:
    return Finding(control=control, layer="live", status=status,
                   resource=ResourceRef(id=arn, type=type_, name=name, region=REGION),
                   message=message or f"{control} {status} on {name}",
                   check=kw.pop("check", f"{control.lower()}-live"), **kw)


def baseline_findings() -> dict[str, list[Finding]]:
    """Every layer passes: the compliant program, deployed as declared."""
    preview = [
        declared("ENC-01", "preview", "pass", STREAM, severity="high"),
        declared("KMS-01", "preview", "pass", KEY, severity="high"),
        declared("ENC-05", "preview", "pass", BUCKET, severity="high"),
        declared("RET-04", "preview", "pass", LOG_GROUP),
        declared("KMS-02", "preview", "pass", "urn:pulumi:dev::iot-sensor-platform::pulumi:pulumi:Stack::x",
                 enforcement="advisory"),
    ]
    static = [
        declared("ENC-01", "static", "pass", STREAM, check="CKV_AWS_43", severity="high"),
        declared("RET-04", "static", "pass", LOG_GROUP, check="CKV_AWS_338"),
        declared("UNMAPPED", "static", "fail", BUCKET, message="Ensure S3 bucket has cross-region replication",
                 check="CKV_AWS_144", enforcement="advisory", severity="low"),
    ]
    live_findings = [
        live("ENC-01", "pass", LIVE_STREAM_ARN, "kinesis-telemetry-dev", "AWS::Kinesis::Stream", severity="high",
             evidence={"call": "kinesis:DescribeStreamSummary", "EncryptionType": "KMS"}),
        live("KMS-01", "pass", LIVE_KEY_ARN, LIVE_KEY_ARN.rsplit("/", 1)[1], "AWS::KMS::Key", severity="high",
             evidence={"call": "kms:GetKeyRotationStatus", "KeyRotationEnabled": True}),
        live("ENC-05", "pass", LIVE_BUCKET_ARN, "raw-archive-dev", "AWS::S3::Bucket", severity="high"),
        live("RET-04", "pass", LIVE_LOG_GROUP_ARN, MARKUP_NAME, "AWS::Logs::LogGroup",
             evidence={"call": "logs:DescribeLogGroups", "retentionInDays": 30, "tag": MARKUP_NAME}),
    ]
    return with_coverage({"preview": preview, "static": static, "live": live_findings})


def with_coverage(findings: dict[str, list[Finding]]) -> dict[str, list[Finding]]:
    """What every stage does for the controls it claims but found nothing to judge: one not_applicable saying so.

    Appended after the given findings, so tests can still replace those by index.
    """
    catalog = load_catalog()
    for layer, layer_findings in findings.items():
        judged = {f.control for f in layer_findings}
        for control in catalog.with_layer(layer):
            if control.id not in judged:
                layer_findings.append(Finding(
                    control=control.id, layer=layer, status="not_applicable", resource=ResourceRef.stack(STACK),
                    message="the stack has no resource of the types this control governs",
                    check=f"{control.id.lower()}-{layer}", enforcement=control.enforcement,
                    severity=control.severity))
    return findings


def write_findings(directory: Path, layer: str, findings: list[Finding], *, complete: bool = True,
                   scope: dict | None = None) -> Path:
    scope = scope if scope is not None else {"stack": STACK, "suffix": "dev", "regions": [REGION],
                                             **({"account": ACCOUNT} if layer == "live" else {})}
    path = Path(directory) / FILES[layer]
    FindingsFile(layer=layer, tool_name=f"fixture-{layer}", tool_version="0.0.1", scope=scope,
                 started_at="2025-01-01T00:00:00+00:00", finished_at="2025-01-01T00:00:05+00:00",
                 complete=complete, findings=findings).write(path)
    return path


def write_inputs(directory: Path, findings: dict[str, list[Finding]] | None = None, *, graph: bool = True,
                 deployed_outputs: bool = True) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for layer, layer_findings in (findings or baseline_findings()).items():
        write_findings(directory, layer, layer_findings)
    if graph:
        write_graph(directory)
    if deployed_outputs:
        (directory / "outputs.json").write_text(json.dumps({"kinesisKeyArn": LIVE_KEY_ARN,
                                                            "streamName": "kinesis-telemetry-dev"}))
    return directory
