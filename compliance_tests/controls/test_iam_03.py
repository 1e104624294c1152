"""IAM-03 branches no case can express: certificates whose state is unknown until apply, principals out of sight."""

from __future__ import annotations

from controls import iam_03
from controls.values import UNKNOWN


def test_a_certificate_that_may_be_usable_leaves_the_thing_undecided():
    thing = iam_03.Thing("sensor", (iam_03.Certificate("old", False, 1), iam_03.Certificate("new", UNKNOWN, 1)))
    assert iam_03.decide(thing).status == "unknown"


def test_an_inactive_certificate_with_unknown_policies_cannot_make_it_pass():
    thing = iam_03.Thing("sensor", (iam_03.Certificate("old", "REVOKED", UNKNOWN),))
    verdict = iam_03.decide(thing)
    assert verdict.status == "fail" and "is not active ('REVOKED')" in verdict.message


def test_principals_the_layer_cannot_see_are_not_verified():
    verdict = iam_03.decide(iam_03.Thing("sensor", (), unresolved=1))
    assert verdict.status == "fail" and "cannot be verified" in verdict.message
