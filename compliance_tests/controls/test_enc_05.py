"""ENC-05's decision where no case can go: values unknown in a first preview, and IAM wildcard reading.

The case table (policies/controls/enc_05_cases.py) covers every deployable shape
through all three layers; these branches need facts a deployed resource never has.
"""

from __future__ import annotations

import json

import pytest

from controls import enc_05
from controls.keys import CUSTOMER, KeyRef
from controls.values import MISSING, UNKNOWN

NAME = "b1"
BOTH = [f"arn:aws:s3:::{NAME}", f"arn:aws:s3:::{NAME}/*"]
TLS = {"Bool": {"aws:SecureTransport": "false"}}


def denial(**changes):
    return {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": BOTH, "Condition": TLS, **changes}


def policy(*statements):
    return enc_05.Policy("policy", json.dumps({"Statement": list(statements)}))


def test_a_bucket_name_known_only_at_apply_leaves_a_literal_denial_undecided_never_passed():
    assert enc_05.decide_policy(policy(denial()), UNKNOWN).status == "unknown"


def test_a_denial_of_every_bucket_passes_whatever_the_name_turns_out_to_be():
    assert enc_05.decide_policy(policy(denial(Resource="*")), UNKNOWN).status == "pass"
    assert enc_05.decide_policy(policy(denial(Resource="arn:aws:s3:::*")), UNKNOWN).status == "pass"


def test_no_denial_fails_even_before_the_name_is_known():
    verdict = enc_05.decide_policy(policy(denial(Effect="Allow")), UNKNOWN)
    assert verdict.status == "fail" and "aws:SecureTransport false" in verdict.message


def test_unknown_statement_parts_are_undecided_unless_what_is_known_decides():
    unknown_resource = denial(Resource=[f"arn:aws:s3:::{NAME}", UNKNOWN])
    assert enc_05.decide_policy(enc_05.Policy("policy", {"Statement": [unknown_resource]}), NAME).status == "unknown"
    known_cover = denial(Resource=[*BOTH, UNKNOWN])
    assert enc_05.decide_policy(enc_05.Policy("policy", {"Statement": [known_cover]}), NAME).status == "pass"
    unknown_condition = denial(Condition=UNKNOWN)
    assert enc_05.decide_policy(enc_05.Policy("policy", {"Statement": [unknown_condition]}), NAME).status == "unknown"
    assert enc_05.decide_policy(enc_05.Policy("policy", UNKNOWN), NAME).status == "unknown"


@pytest.mark.parametrize(("resources", "covered"), [
    ([f"arn:aws:s3:::{NAME}*"], True),
    (["arn:aws:s3:::b?"], False),  # the bucket (exactly two characters), but no object
    ([f"arn:aws:s3:::{NAME}", f"arn:aws:s3:::{NAME}/?*"], True),  # object keys are never empty
    ([f"arn:aws:s3:::{NAME}", f"arn:aws:s3:::{NAME}/??*"], False),  # one-character keys escape
    ([f"arn:aws:s3:::{NAME}", f"arn:aws:s3:::{NAME}/*/*"], False),  # keys without a slash escape
    (["arn:aws:s3:::B1", "arn:aws:s3:::B1/*"], False),  # ARNs match case-sensitively
])
def test_resource_patterns_are_read_as_iam_wildcards(resources, covered):
    status = enc_05.decide_policy(policy(denial(Resource=resources)), NAME).status
    assert status == ("pass" if covered else "fail"), resources


@pytest.mark.parametrize(("excluded", "covered"), [
    (["arn:aws:s3:::other", "arn:aws:s3:::other/*"], True),
    ([f"arn:aws:s3:::{NAME}/x"], False),  # one object left open is an object left open
    ([f"arn:aws:s3:::{NAME}"], False),
    (["arn:aws:s3:::b*"], False),
])
def test_not_resource_must_exclude_nothing_of_the_bucket(excluded, covered):
    statement = {k: v for k, v in denial().items() if k != "Resource"} | {"NotResource": excluded}
    assert enc_05.decide_policy(policy(statement), NAME).status == ("pass" if covered else "fail"), excluded


@pytest.mark.parametrize(("changes", "counts"), [
    ({"Action": "*"}, True),
    ({"Action": "S3:*"}, True),
    ({"Action": None, "NotAction": "iam:*"}, True),  # denies every action but IAM's: every S3 action
    ({"Action": None, "NotAction": "s3:GetObject"}, False),
    ({"Principal": {"AWS": ["arn:aws:iam::123456789012:root", "*"]}}, True),
    ({"Principal": {"Service": "*"}}, False),
    ({"Condition": {"Bool": {"AWS:SecureTransport": ["false"]}}}, True),  # condition keys are case-insensitive
    ({"Condition": {"StringEquals": {"aws:SecureTransport": "false"}}}, False),
    ({"Condition": {}}, False),
])
def test_what_counts_as_a_denial_of_plain_http(changes, counts):
    statement = {k: v for k, v in denial(**changes).items() if v is not None}
    assert enc_05.decide_policy(policy(statement), NAME).status == ("pass" if counts else "fail"), changes


def test_encryption_rules_known_only_at_apply_are_undecided():
    assert enc_05.decide_encryption(enc_05.Encryption("", UNKNOWN)).status == "unknown"
    rule = enc_05.EncryptionRule("rules[0].applyServerSideEncryptionByDefault", UNKNOWN, KeyRef(UNKNOWN, CUSTOMER))
    assert enc_05.decide_encryption(enc_05.Encryption("", (rule,))).status == "unknown"


def test_an_unknown_algorithm_with_an_aws_managed_key_fails_on_the_key():
    rule = enc_05.EncryptionRule("rules[0].applyServerSideEncryptionByDefault", UNKNOWN, KeyRef("alias/aws/s3"))
    verdict = enc_05.decide_encryption(enc_05.Encryption("", (rule,)))
    assert verdict.status == "fail" and "an AWS-managed key" in verdict.message


def test_an_empty_rule_list_sets_no_default_encryption():
    verdict = enc_05.decide_encryption(enc_05.Encryption("", ()))
    assert verdict.status == "fail" and "no encryption rule" in verdict.message
    missing = enc_05.EncryptionRule("rules[0].applyServerSideEncryptionByDefault", MISSING, KeyRef(MISSING))
    assert enc_05.decide_encryption(enc_05.Encryption("", (missing,))).status == "fail"
