"""KMS-03's decision on first-preview unknowns and on the catalog's bounds (the case table covers the rest)."""

from __future__ import annotations

from controls import kms_03
from controls.values import MISSING, UNKNOWN


def test_an_unknown_window_is_undecided_and_an_absent_one_is_aws_s_thirty_days():
    assert kms_03.decide_window(UNKNOWN, 7, 30).status == "unknown"
    assert kms_03.decide_window(MISSING, 7, 30).status == "pass"
    narrower = kms_03.decide_window(MISSING, 7, 14)
    assert narrower.status == "fail" and "AWS waits 30 days" in narrower.message


def test_the_live_layer_judges_the_policy_alone_and_says_so():
    verdict = kms_03.decide([kms_03.KeyPolicy("GetKeyPolicy default", MISSING)], kms_03.NOT_OBSERVABLE, 7, 30)
    assert verdict.status == "pass" and "not visible in the account" in verdict.reason


def test_unknown_principals_of_an_allow_are_undecided():
    document = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": UNKNOWN}, "Action": "kms:*", "Resource": "*"}]}
    assert kms_03.decide_policies([kms_03.KeyPolicy("policy", document)]).status == "unknown"
    deny = {"Statement": [{"Effect": "Deny", "Principal": {"AWS": UNKNOWN}, "Action": "kms:*", "Resource": "*"}]}
    assert kms_03.decide_policies([kms_03.KeyPolicy("policy", deny)]).status == "pass"
