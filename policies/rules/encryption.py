"""ENC-05 and ENC-10: S3 default encryption and TLS-only bucket policies, Aurora TLS.

ENC-01..04 and ENC-06..09 are decided by their own modules (``rules/enc_0N.py``).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

from rules import types as t
from rules.documents import DocumentError, statements
from rules.keyrefs import key_problem
from rules.model import Resource, StackView, physical
from rules.registry import Registry, Undecided, Violation
from rules.values import MISSING, UNKNOWN, as_list, describe, lookup

registry = Registry()


def _sse_rule_problems(rules: Any, where: str) -> Iterator[Any]:
    """Default encryption rules: SSE-KMS with a customer-managed key and the S3 bucket key."""
    if rules is UNKNOWN:
        yield Undecided(where)
        return
    defaults = [lookup(rule, "applyServerSideEncryptionByDefault") for rule in as_list(rules)]
    defaults = [d for d in defaults if d is not MISSING]
    if not defaults:
        yield f"{where} has no applyServerSideEncryptionByDefault: add one with sseAlgorithm \"aws:kms\"."
        return
    for index, default in enumerate(defaults):
        algorithm = lookup(default, "sseAlgorithm")
        if algorithm is UNKNOWN:
            yield Undecided(f"{where}.{index}.sseAlgorithm")
        elif algorithm not in ("aws:kms", "aws:kms:dsse"):
            yield (f"{where}: sseAlgorithm is {describe(algorithm)}: set sseAlgorithm to \"aws:kms\" "
                   "with kmsMasterKeyId.")
        problem = key_problem(lookup(default, "kmsMasterKeyId"), "kmsMasterKeyId", "the ARN of the S3 key")
        if problem:
            yield f"{where}: {problem}"


@registry.resource("ENC-05", "s3-default-encryption-sse-kms",
                   "S3 default encryption is SSE-KMS with a customer-managed key.", t.S3_SSES)
def s3_default_encryption_sse_kms(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from _sse_rule_problems(r.lookup("rules"), "rules")


def tls_problem(document: Any, where: str, bucket: Any) -> Iterator[Any]:
    """A bucket policy must deny every request to ``bucket`` and its objects made without TLS."""
    if document is UNKNOWN:
        yield Undecided(where)
        return
    if document is MISSING:
        yield f"{where} is not set: add a statement denying s3:* when aws:SecureTransport is false."
        return
    try:
        denials = [s for s in statements(document) if _denies_plain_http(s)]
    except DocumentError as exc:
        yield f"{where} is {exc}: write it as a JSON policy document."
        return
    if denials and bucket is UNKNOWN:
        yield Undecided("bucket")  # which bucket the statements must cover is known at apply
        return
    targets = _bucket_targets(bucket)
    if not any(_covers(s, targets) for s in denials):
        yield (f"{where} does not deny requests without TLS to the bucket and its objects: add "
               "{\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": [<bucket ARN>, "
               "<bucket ARN>/*], \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"false\"}}} and no other "
               "condition.")


def _denies_plain_http(statement: Any) -> bool:
    """A Deny of every S3 action to everyone whose only condition is aws:SecureTransport false.

    Any other condition key narrows the denial (to one account, one VPC...),
    so plain HTTP stays open to the rest.
    """
    if not statement.denies or "*" not in statement.principals:
        return False
    if not {"s3:*", "*"} & {action.lower() for action in statement.actions}:
        return False
    condition = statement.raw.get("Condition")
    if not isinstance(condition, dict) or not condition:
        return False
    for operator, keys in condition.items():
        if operator not in ("Bool", "BoolIfExists") or not isinstance(keys, dict) or set(keys) != {"aws:SecureTransport"}:
            return False
        if not any(str(v).lower() == "false" for v in as_list(keys["aws:SecureTransport"])):
            return False
    return True


def _bucket_targets(bucket: Any) -> tuple[str, ...]:
    """The ARNs a TLS denial must cover: the bucket and its objects (any bucket when the name is not given)."""
    name = bucket if isinstance(bucket, str) else "*"
    return (f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*")


def _covers(statement: Any, targets: tuple[str, ...]) -> bool:
    """Whether the statement's Resource (or NotResource) reaches every target; an unknown entry counts."""
    excluded = as_list(statement.raw.get("NotResource"))
    if excluded:
        return not any(_matches(target, pattern) for target in targets for pattern in excluded)
    return all(any(_matches(target, pattern) for pattern in statement.resources) for target in targets)


def _matches(target: str, pattern: Any) -> bool:
    """IAM resource matching: ``*`` and ``?`` wildcards; an unknown (computed) entry is taken as matching."""
    if pattern is UNKNOWN:
        return True
    return isinstance(pattern, str) and fnmatch.fnmatchcase(target, pattern.replace("[", "[[]"))


@registry.resource("ENC-05", "s3-bucket-policy-denies-plain-http",
                   "S3 bucket policies deny every request made without TLS.", [t.S3_BUCKET_POLICY])
def s3_bucket_policy_denies_plain_http(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from tls_problem(r.lookup("policy"), "policy", physical(r, "bucket"))


@registry.stack("ENC-05", "s3-bucket-encrypted-and-tls-only",
                "Every S3 bucket has SSE-KMS default encryption and a bucket policy that denies plain HTTP.",
                t.S3_BUCKETS)
def s3_bucket_encrypted_and_tls_only(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for bucket in stack.of_type(*t.S3_BUCKETS):
        name = physical(bucket, "bucket")
        inline_sse = bucket.lookup("serverSideEncryptionConfiguration")
        sse = stack.linked(bucket, name, "bucket", *t.S3_SSES)
        if inline_sse is not MISSING:
            rules = lookup(inline_sse, "rules") if inline_sse is not UNKNOWN else UNKNOWN
            for problem in _sse_rule_problems(rules, "serverSideEncryptionConfiguration.rules"):
                yield problem if isinstance(problem, Undecided) else Violation(
                    f"bucket '{bucket.name}': {problem}", bucket.urn)
        elif not sse:
            yield Violation(f"bucket '{bucket.name}' has no default encryption: add a "
                            "BucketServerSideEncryptionConfiguration with sseAlgorithm \"aws:kms\", the S3 key "
                            "and bucketKeyEnabled.", bucket.urn)
        for config_resource in sse:
            for problem in _sse_rule_problems(config_resource.lookup("rules"), "rules"):
                if not isinstance(problem, Undecided):  # judged on that resource by s3-default-encryption-sse-kms
                    yield Violation(f"bucket '{bucket.name}': {config_resource.label()}: {problem}", bucket.urn)
        inline_policy = bucket.lookup("policy")
        policies = stack.linked(bucket, name, "bucket", t.S3_BUCKET_POLICY)
        if inline_policy is not MISSING:
            for problem in tls_problem(inline_policy, "policy", name):
                yield problem if isinstance(problem, Undecided) else Violation(
                    f"bucket '{bucket.name}': {problem}", bucket.urn)
        elif not policies:
            yield Violation(f"bucket '{bucket.name}' has no bucket policy: add a BucketPolicy that denies s3:* "
                            "when aws:SecureTransport is false.", bucket.urn)
        elif not any(_tls_ok_or_unknown(p, name) for p in policies):
            yield Violation(f"bucket '{bucket.name}': no bucket policy denies requests without TLS: add a "
                            "statement denying s3:* when aws:SecureTransport is false.", bucket.urn)


def _tls_ok_or_unknown(policy: Resource, bucket: Any) -> bool:
    """Known and compliant, or unknown (then judged on the policy resource itself)."""
    problems = list(tls_problem(policy.lookup("policy"), "policy", bucket))
    return not problems or all(isinstance(p, Undecided) for p in problems)


_TLS_PARAMETERS = {"aurora-postgresql": ("rds.force_ssl", "1"), "postgres": ("rds.force_ssl", "1"),
                   "aurora-mysql": ("require_secure_transport", "1"), "mysql": ("require_secure_transport", "1")}


@registry.stack("ENC-10", "aurora-force-ssl",
                "Aurora clusters use a cluster parameter group that enforces TLS (rds.force_ssl=1).",
                [t.RDS_CLUSTER])
def aurora_force_ssl(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for cluster in stack.of_type(t.RDS_CLUSTER):
        engine = cluster.lookup("engine")
        if engine is UNKNOWN:
            yield Undecided("engine")
            continue
        parameter, wanted = _TLS_PARAMETERS.get(str(engine), ("rds.force_ssl", "1"))
        group_name = cluster.lookup("dbClusterParameterGroupName")
        if group_name is MISSING:
            yield Violation(f"cluster '{cluster.name}' uses the default parameter group, where {parameter} is off: "
                            f"attach a ClusterParameterGroup with {parameter} = {wanted}.", cluster.urn)
            continue
        groups = (stack.sources(cluster, "dbClusterParameterGroupName", t.RDS_CLUSTER_PARAMETER_GROUP)
                  or stack.named("name", group_name, t.RDS_CLUSTER_PARAMETER_GROUP))
        if not groups:
            yield Violation(f"cluster '{cluster.name}': parameter group {describe(group_name)} is not declared in "
                            f"this stack, so {parameter} cannot be verified: declare the ClusterParameterGroup "
                            f"with {parameter} = {wanted} in the program.", cluster.urn)
            continue
        parameters = groups[0].lookup("parameters")
        if parameters is UNKNOWN:
            yield Undecided("parameters")
            continue
        if any(p is UNKNOWN or lookup(p, "name") is UNKNOWN for p in as_list(parameters)):
            yield Undecided("parameters.name")
            continue
        values = {str(lookup(p, "name")): lookup(p, "value") for p in as_list(parameters)}
        value = values.get(parameter, MISSING)
        if value is UNKNOWN:
            yield Undecided("parameters.value")
        elif describe(value).strip("'").lower() not in ({wanted, "on"} if "secure" in parameter else {wanted}):
            found = f"leaves {parameter} unset" if value is MISSING else f"sets {parameter} to {describe(value)}"
            yield Violation(f"cluster '{cluster.name}': parameter group '{groups[0].name}' {found}: "
                            f"set {parameter} = {wanted}.", cluster.urn)
