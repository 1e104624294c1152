"""KMS-01's decision where no case can go: first-preview unknowns, key stores and imported material."""

from __future__ import annotations

from controls import kms_01
from controls.values import MISSING, UNKNOWN


def test_unknowns_are_undecided_never_passed():
    assert kms_01.decide(kms_01.Key(UNKNOWN, True)).status == "unknown"
    assert kms_01.decide(kms_01.Key(MISSING, UNKNOWN)).status == "unknown"


def test_keys_aws_cannot_rotate_are_not_applicable():
    assert kms_01.decide(kms_01.Key(MISSING, False, custom_key_store="cks-1234")).status == "not_applicable"
    assert kms_01.decide(kms_01.Key(MISSING, False, origin="EXTERNAL")).status == "not_applicable"
    assert kms_01.decide(kms_01.Key(MISSING, False, origin="AWS_KMS")).status == "fail"
