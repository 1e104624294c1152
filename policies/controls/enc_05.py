"""ENC-05: S3 buckets default to SSE-KMS with a customer-managed key, and their policy denies requests without TLS.

The subject is the bucket, with everything that configures it: its inline
``serverSideEncryptionConfiguration`` and ``policy``, the
``BucketServerSideEncryptionConfiguration`` and ``BucketPolicy`` resources that
name it, or what ``GetBucketEncryption`` and ``GetBucketPolicy`` answer. The
configuration resources are also judged alone, so that a violation is shown where
it is written.

Default encryption: every rule of every configuration sets ``aws:kms`` (or
``aws:kms:dsse``) with a customer-managed key (``controls.keys``: absent,
``alias/aws/s3`` in any spelling or a key AWS manages fails). A bucket without
default encryption fails (S3 then uses its own key, SSE-S3).

Plain HTTP: the bucket policy must deny it to the bucket AND its objects, read
the way IAM evaluates it. A statement counts when it is a Deny for every
principal (``"*"`` or ``{"AWS": "*"}``, no ``NotPrincipal``), of every S3 action
(``s3:*``, ``*``; a ``NotAction`` only when it excludes no S3 action), whose only
condition is ``aws:SecureTransport`` false under ``Bool``/``BoolIfExists`` (the
string ``"false"`` or the boolean): any other condition key narrows the denial,
so plain HTTP stays open to whoever it does not match. What the counting
statements deny together must reach the bucket ARN and every object ARN:
``Resource`` patterns are IAM wildcards (``*``, ``?``) and must match all of
them; ``NotResource`` patterns must match none. Every policy declared for the
bucket must carry such a denial (whichever is applied last is the bucket's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from controls.documents import Statement, read_statements
from controls.keys import KeyRef, judge_key
from controls.values import MISSING, UNKNOWN, as_list, describe
from controls.verdict import Judgement, Verdict

CONTROL = "ENC-05"
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
WHICH_KEY = "the ARN of the S3 key"
S3_ARN_PREFIX = "arn:aws:s3:::"
ADD_DENIAL = ("add {\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"s3:*\", \"Resource\": [<bucket ARN>, "
              "<bucket ARN>/*], \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"false\"}}} and no other "
              "condition.")
TLS_KEY = "aws:securetransport"
_DENIAL_ELEMENTS = frozenset({"Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Condition"})


@dataclass(frozen=True)
class EncryptionRule:
    """One default-encryption rule: the path of its default block, its ``sseAlgorithm`` and key.

    ``path`` names the block (``rules[0].applyServerSideEncryptionByDefault``);
    ``algorithm`` is MISSING when the block is absent (the rule sets no default).
    """

    path: str
    algorithm: Any
    key: KeyRef


@dataclass(frozen=True)
class Encryption:
    """One default-encryption configuration: ``where`` names it in messages ("" when judged alone).

    ``rules`` is UNKNOWN when the whole list is known only at apply.
    """

    where: str
    rules: Any


@dataclass(frozen=True)
class Policy:
    """One bucket policy as declared or read: ``where`` names it, ``document`` is JSON text or an object."""

    where: str
    document: Any


@dataclass(frozen=True)
class Bucket:
    """The bucket's physical name (UNKNOWN until apply when computed) and what configures it."""

    name: Any
    encryption: tuple[Encryption, ...]
    policies: tuple[Policy, ...]


def decide(bucket: Bucket) -> Verdict:
    """The verdict on a bucket: default encryption and the TLS denial, from every configuration it has."""
    judgement = Judgement()
    if not bucket.encryption:
        judgement.fail("the bucket has no default encryption, so S3 encrypts objects with its own key (SSE-S3): add "
                       "a BucketServerSideEncryptionConfiguration with sseAlgorithm \"aws:kms\", the S3 key and "
                       "bucketKeyEnabled.", "serverSideEncryptionConfiguration")
    for encryption in bucket.encryption:
        judge_encryption(judgement, encryption)
    if not bucket.policies:
        judgement.fail("the bucket has no bucket policy, so requests without TLS are not denied: add a BucketPolicy "
                       "that denies s3:* when aws:SecureTransport is false.", "policy")
    for policy in bucket.policies:
        judge_policy(judgement, policy, bucket.name)
    return judgement.verdict("SSE-KMS with a customer-managed key by default; requests without TLS are denied to the "
                             "bucket and its objects")


def decide_encryption(encryption: Encryption) -> Verdict:
    """The verdict on one encryption configuration resource, judged alone."""
    judgement = Judgement()
    judge_encryption(judgement, encryption)
    return judgement.verdict("every default-encryption rule is SSE-KMS with a customer-managed key")


def decide_policy(policy: Policy, bucket_name: Any) -> Verdict:
    """The verdict on one bucket policy resource, judged alone (``bucket_name``: the bucket it is for)."""
    judgement = Judgement()
    judge_policy(judgement, policy, bucket_name)
    return judgement.verdict("denies requests without TLS to the bucket and its objects")


# -- default encryption ----------------------------------------------------------

def judge_encryption(judgement: Judgement, encryption: Encryption) -> None:
    prefix = f"{encryption.where}: " if encryption.where else ""
    if encryption.rules is UNKNOWN:
        judgement.unknown(encryption.where or "rules")
        return
    if not encryption.rules:
        judgement.fail(f"{prefix}no encryption rule is set: add one with applyServerSideEncryptionByDefault "
                       "sseAlgorithm \"aws:kms\" and kmsMasterKeyId.", encryption.where or "rules")
    for rule in encryption.rules:
        _judge_rule(judgement, prefix, rule)


def _judge_rule(judgement: Judgement, prefix: str, rule: EncryptionRule) -> None:
    setting = f"{rule.path}.sseAlgorithm"
    if rule.algorithm is UNKNOWN:
        judgement.unknown(setting)
    elif rule.algorithm is MISSING:
        judgement.fail(f"{prefix}{rule.path} is not set, so the rule sets no default encryption: set it with "
                       "sseAlgorithm \"aws:kms\" and kmsMasterKeyId.", rule.path)
        return
    elif rule.algorithm not in KMS_ALGORITHMS:
        judgement.fail(f"{prefix}{setting} is {describe(rule.algorithm)}, so objects are not encrypted with a KMS "
                       "key: set sseAlgorithm to \"aws:kms\" with kmsMasterKeyId.", setting)
        return
    key = Judgement()
    judge_key(key, rule.key, f"{rule.path}.kmsMasterKeyId", WHICH_KEY)
    for problem in key.problems:
        judgement.fail(prefix + problem.reason, problem.path)
    for problem in key.undecided:
        judgement.unknown(problem.path, prefix + problem.reason)


# -- the TLS denial --------------------------------------------------------------

@dataclass(frozen=True)
class _Target:
    """What a denial must reach: one ARN (``exact``), or every ARN that extends ``text`` by one character or more."""

    label: str
    text: str
    exact: bool


def judge_policy(judgement: Judgement, policy: Policy, bucket_name: Any) -> None:
    where = policy.where
    if policy.document is MISSING or policy.document is None:
        judgement.fail(f"{where} is not set: add a statement denying s3:* when aws:SecureTransport is false.", where)
        return
    statements = read_statements(judgement, where, policy.document, "write the bucket policy as a JSON document")
    if statements is None:
        return
    denials = [s for s in statements if _is_denial(s) is True]
    maybe = [s for s in statements if _is_denial(s) is None]
    named = isinstance(bucket_name, str) and bucket_name
    if named:
        targets = (_Target(f"the bucket {S3_ARN_PREFIX}{bucket_name}", f"{S3_ARN_PREFIX}{bucket_name}", True),
                   _Target(f"its objects {S3_ARN_PREFIX}{bucket_name}/*", f"{S3_ARN_PREFIX}{bucket_name}/", False))
    else:  # which bucket is known at apply: only a denial of every bucket and object can be judged now
        targets = (_Target("the bucket", S3_ARN_PREFIX, False), _Target("its objects", S3_ARN_PREFIX, False))
    missed: list[str] = []
    undecided = False
    for target in targets:
        reached = [_reaches(s, target) for s in denials]
        if True in reached:
            continue
        if None in reached or any(_reaches(s, target) is not False for s in maybe) or not named and denials:
            undecided = True
        else:
            missed.append(target.label)
    if missed:
        detail = ("no statement denies every principal s3:* with aws:SecureTransport false as its only condition"
                  if not denials else f"{' and '.join(missed)} {'is' if len(missed) == 1 else 'are'} not covered")
        judgement.fail(f"{where} does not deny requests without TLS to the bucket and its objects ({detail}): "
                       f"{ADD_DENIAL}", where)
    elif undecided:
        judgement.unknown(where, f"{where}: what its TLS denial covers is known only at apply (the bucket's name or "
                                 "a statement is computed), so it cannot be verified yet")


def _is_denial(statement: Statement) -> bool | None:
    """Whether the statement denies every principal every S3 action for aws:SecureTransport false alone.

    None: an element it depends on is unknown until apply.
    """
    if statement.unknown & _DENIAL_ELEMENTS:
        return None
    if not statement.denies or statement.not_principals or not _everyone(statement.raw.get("Principal")):
        return False
    return _every_s3_action(statement) and _only_plain_http(statement.raw.get("Condition"))


def _everyone(principal: Any) -> bool:
    """``"*"`` or ``{"AWS": "*"}`` (IAM reads them alike in a resource policy); a service or account is not everyone."""
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in as_list(principal.get("AWS"))


def _every_s3_action(statement: Statement) -> bool:
    everything = _Target("s3 actions", "s3:", False)
    if statement.not_actions:
        return not any(_overlaps(a.lower(), everything) for a in statement.not_actions)
    return any(_covers(a.lower(), everything) for a in statement.actions)


def _only_plain_http(condition: Any) -> bool:
    """The condition is aws:SecureTransport false under Bool or BoolIfExists, and nothing else."""
    if not isinstance(condition, dict) or not condition:
        return False
    for operator, keys in condition.items():
        if operator not in ("Bool", "BoolIfExists") or not isinstance(keys, dict) or len(keys) != 1:
            return False
        key, values = next(iter(keys.items()))
        if str(key).lower() != TLS_KEY or not any(_false(v) for v in as_list(values)):
            return False
    return True


def _false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _reaches(statement: Statement, target: _Target) -> bool | None:
    """Whether the statement's Resource (or NotResource) reaches all of ``target``; None when unknown parts decide."""
    if statement.unknown & {"Resource", "NotResource"}:
        known = [p for p in (*statement.resources, *statement.not_resources) if p is not UNKNOWN]
        if statement.not_resources and any(isinstance(p, str) and _overlaps(p, target) for p in known):
            return False
        if statement.resources and any(isinstance(p, str) and _covers(p, target) for p in known):
            return True
        return None
    if statement.not_resources or "NotResource" in statement.raw:
        return not any(isinstance(p, str) and _overlaps(p, target) for p in statement.not_resources)
    return any(isinstance(p, str) and _covers(p, target) for p in statement.resources)


# -- IAM wildcard patterns against an ARN or a family of ARNs ----------------------

def _positions(pattern: str, text: str) -> set[int]:
    """Where in ``pattern`` a match can stand after reading ``text`` (``*`` any run, ``?`` one character)."""
    states = _closure({0}, pattern)
    for char in text:
        following = set()
        for at in states:
            if at < len(pattern):
                if pattern[at] == "*":
                    following.add(at)
                elif pattern[at] in ("?", char):
                    following.add(at + 1)
        states = _closure(following, pattern)
        if not states:
            break
    return states


def _closure(states: Iterable[int], pattern: str) -> set[int]:
    found = set(states)
    pending = list(found)
    while pending:
        at = pending.pop()
        if at < len(pattern) and pattern[at] == "*" and at + 1 not in found:
            found.add(at + 1)
            pending.append(at + 1)
    return found


def _matches_every_extension(rest: str) -> bool:
    """Whether a pattern's remainder matches every string of one character or more."""
    return "*" in rest and set(rest) <= {"*", "?"} and rest.count("?") <= 1


def _covers(pattern: str, target: _Target) -> bool:
    states = _positions(pattern, target.text)
    if target.exact:
        return len(pattern) in states
    return any(_matches_every_extension(pattern[at:]) for at in states)


def _overlaps(pattern: str, target: _Target) -> bool:
    states = _positions(pattern, target.text)
    if target.exact:
        return len(pattern) in states
    return any(at < len(pattern) for at in states)

