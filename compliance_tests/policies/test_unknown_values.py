"""First previews: unknown values never crash a policy, never pass an absent setting, never count as a pass.

Unknowns are sent exactly as the engine sends them (the string sentinel in the
Struct), through the real pack, so the SDK's own proxy and its "can't run
policy during preview" path are part of what is tested.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance_tests.gate.harness import UNKNOWN, finding, run
from compliance_tests.policies.platform import platform, platform_graph

UNDECIDED = "not decided during preview"


def _with(changes: dict[str, dict[str, Any]], drop: dict[str, tuple[str, ...]] | None = None):
    resources = platform()
    for key, inputs in changes.items():
        resources[key]["inputs"].update(inputs)
    for key, names in (drop or {}).items():
        for name in names:  # an absent input is computed from nothing: its dependencies go with it
            resources[key]["inputs"].pop(name)
            resources[key]["propertyDependencies"].pop(name, None)
    return resources, run(platform_graph(resources))


def test_present_but_unknown_key_references_are_compliant():
    resources, result = _with({
        "stream": {"kmsKeyId": UNKNOWN},
        "cluster": {"kmsKeyId": UNKNOWN, "masterUserSecretKmsKeyId": UNKNOWN},
        "table": {"serverSideEncryption": {"enabled": True, "kmsKeyArn": UNKNOWN}},
        "sse-raw-archive": {"rules": [{"applyServerSideEncryptionByDefault": {
            "sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN}}]},
        "log-processor": {"kmsKeyId": UNKNOWN},
    })
    for control, key in (("ENC-01", "stream"), ("ENC-02", "cluster"), ("ENC-04", "cluster"), ("ENC-06", "table"),
                         ("ENC-05", "sse-raw-archive"), ("ENC-05", "bucket-raw-archive"), ("ENC-07", "log-processor")):
        assert finding(result, control, resources[key]).status == "pass", (control, key)
    assert result.exit_code() == 0


def test_an_absent_key_fails_even_when_other_inputs_are_unknown():
    resources, result = _with({"stream": {"name": UNKNOWN, "encryptionType": UNKNOWN}}, drop={"stream": ("kmsKeyId",)})
    caught = finding(result, "ENC-01", resources["stream"])
    assert caught.status == "fail"
    assert "set kmsKeyId" in caught.message
    assert result.exit_code() == 1


def test_an_unknown_deciding_value_is_not_applicable_with_the_sdk_reason_never_a_pass():
    resources, result = _with({"cluster": {"backupRetentionPeriod": UNKNOWN},
                               "key-kinesis": {"enableKeyRotation": UNKNOWN},
                               "function": {"runtime": UNKNOWN}})
    for control, key, path in (("RET-01", "cluster", "backupRetentionPeriod"),
                               ("KMS-01", "key-kinesis", "enableKeyRotation"), ("LAM-01", "function", "runtime")):
        undecided = finding(result, control, resources[key])
        assert undecided.status == "not_applicable"
        assert UNDECIDED in undecided.message and f".{path} can't be known during preview" in undecided.message
    assert result.exit_code() == 0


def test_a_stack_policy_that_meets_an_unknown_decides_nothing_in_its_scope():
    resources, result = _with({"rds-params": {"parameters": UNKNOWN}})
    undecided = finding(result, "ENC-10", resources["cluster"])
    assert undecided.status == "not_applicable"
    assert UNDECIDED in undecided.message


def test_definite_violations_are_reported_before_an_unknown_stops_the_policy():
    resources, result = _with({"redis": {"atRestEncryptionEnabled": UNKNOWN}}, drop={"redis": ("authToken",)})
    caught = finding(result, "ENC-03", resources["redis"])
    assert caught.status == "fail"
    assert "set authToken" in caught.message


def test_first_preview_of_the_compliant_platform_passes_with_undecided_controls_explained():
    result = run(platform_graph(), first_preview=True)
    assert result.exit_code() == 0
    assert not [f for f in result.findings if f.status in ("fail", "error")]
    undecided = [f for f in result.findings if f.status == "not_applicable"]
    assert undecided, "a first preview leaves inputs such as bucket policies unknown"
    assert all(UNDECIDED in f.message for f in undecided)


def _policy_object(*statements: Any) -> dict[str, Any]:
    """A policy document given as an object (pulumi-aws 7 PolicyDocumentArgs): its parts can be unknown."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_unknown_parts_of_policy_documents_given_as_objects_are_undecided_never_a_pass():
    resources, result = _with({
        "role-policy": {"policy": _policy_object({"Effect": "Allow", "Action": UNKNOWN, "Resource": "*"})},
        "role": {"inlinePolicies": [{"name": "s3", "policy": _policy_object(
            {"Effect": UNKNOWN, "Action": "s3:*", "Resource": "*"})}]},
        "iot-policy": {"policy": _policy_object({"Effect": "Allow", "Action": "iot:Connect", "Resource": UNKNOWN})},
        "key-logs": {"policy": _policy_object({"Effect": "Allow", "Principal": {"AWS": UNKNOWN}, "Action": "kms:*",
                                               "Resource": "*"})},
        "key-s3": {"policy": _policy_object({"Effect": "Allow", "NotPrincipal": {"AWS": UNKNOWN},
                                             "Action": "kms:*", "Resource": "*", "Condition": UNKNOWN})},
        "key-dynamodb": {"policy": _policy_object(UNKNOWN)},
    })
    for control, key, path in (("IAM-01", "role-policy", "policy.Statement.0.Action"),
                               ("IAM-01", "role", "policy.Statement.0.Effect"),
                               ("IAM-02", "iot-policy", "policy.Statement.0.Resource"),
                               ("KMS-03", "key-logs", "policy.Statement.0.Principal"),
                               ("KMS-03", "key-s3", "policy.Statement.0.Condition"),
                               ("KMS-03", "key-dynamodb", "policy.Statement.0")):
        undecided = finding(result, control, resources[key])
        assert undecided.status == "not_applicable", (control, key, undecided)
        assert UNDECIDED in undecided.message and f".{path} can't be known during preview" in undecided.message
    assert result.exit_code() == 0


def test_what_an_unknown_part_cannot_change_is_still_a_violation():
    """NotResource, NotAction and NotPrincipal grant everything they do not name, whatever they name."""
    resources, result = _with({
        "role-policy": {"policy": _policy_object({"Effect": "Allow", "Action": "*", "NotResource": UNKNOWN})},
        "iot-policy": {"policy": _policy_object({"Effect": "Allow", "NotAction": UNKNOWN, "Resource": UNKNOWN})},
        "key-logs": {"policy": _policy_object(
            {"Effect": "Allow", "Principal": {"AWS": UNKNOWN}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"})},
    })
    for control, key, fix in (("IAM-01", "role-policy", "every resource but NotResource"),
                              ("IAM-02", "iot-policy", "list the actions a device needs"),
                              ("KMS-03", "key-logs", "name the account root")):
        caught = finding(result, control, resources[key])
        assert caught.status == "fail", (control, key, caught)
        assert fix in caught.message
    assert result.exit_code() == 1


def test_unknown_managed_policy_arns_are_compliant_when_present():
    resources, result = _with({"role": {"managedPolicyArns": [UNKNOWN]}, "role-vpc-access": {"policyArn": UNKNOWN}})
    for key in ("role", "role-vpc-access"):
        assert finding(result, "IAM-01", resources[key]).status == "pass", key
    assert result.exit_code() == 0


def _leaf_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict) and value:
        return [p for k, v in value.items() for p in _leaf_paths(v, (*prefix, k))]
    if isinstance(value, list) and value:
        return [p for i, v in enumerate(value) for p in _leaf_paths(v, (*prefix, i))]
    return [prefix]


def _all_leaves() -> list[tuple[str, tuple[Any, ...]]]:
    return [(key, path) for key, res in platform().items() for path in _leaf_paths(res["inputs"]) if path]


LEAVES = _all_leaves()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LEAVES), min_size=1, max_size=25, unique=True))
def test_unknowns_anywhere_never_crash_a_policy(chosen):
    resources = platform()
    for key, path in chosen:
        node = resources[key]["inputs"]
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = UNKNOWN
    result = run(platform_graph(resources))
    assert not [f for f in result.findings if f.status == "error"]
    assert not [f for f in result.findings if f.status == "fail" and f.enforcement == "mandatory"], \
        "replacing known compliant values by unknown ones cannot create a mandatory violation"


def _everything_unknown(leaves: bool) -> list:
    resources = platform()
    for res in resources.values():
        if leaves:
            for path in _leaf_paths(res["inputs"]):
                if not path:
                    continue
                node = res["inputs"]
                for part in path[:-1]:
                    node = node[part]
                node[path[-1]] = UNKNOWN
        else:
            res["inputs"] = {name: UNKNOWN for name in res["inputs"]}
    return run(platform_graph(resources)).findings


def test_every_input_unknown_crashes_nothing_and_passes_nothing_it_could_not_see():
    for leaves in (False, True):
        findings = _everything_unknown(leaves)
        assert not [f for f in findings if f.status == "error"]
        assert not [f for f in findings if f.status == "fail" and f.enforcement == "mandatory"]
        undecided = {f.control for f in findings if f.status == "not_applicable"}
        # Controls decided by input values are all undecided; structure-only ones (DES-01 protect) still pass.
        assert {"ENC-01", "ENC-02", "KMS-01", "RET-01", "RET-04", "IAM-01", "GOV-01", "DES-02", "LAM-01"} <= undecided
