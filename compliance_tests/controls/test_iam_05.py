"""IAM-05's decision where no case can reach it: first-preview unknowns, and rotation states only the live API shows.

A case cannot leave a tag or a function unknown, nor disable a rotation AWS keeps
(``RotationEnabled`` false with rules left behind), nor deploy a group without a
token that the pack could report on (a stack policy records no not_applicable).
"""

from __future__ import annotations

from compliance.audit.services.secretsmanager import secret_rotation
from controls import iam_05
from controls.values import MISSING, UNKNOWN


def holder(*sources, group_id="redis-baseline-dev", token=True):
    return iam_05.TokenHolder("ReplicationGroup 'redis'", group_id, token, tuple(sources))


def test_a_group_without_a_token_is_not_iam_05s():
    verdict = iam_05.decide_group(holder(token=False))
    assert verdict.status == "not_applicable" and "no AUTH token" in verdict.reason


def test_an_unknown_tag_or_group_id_is_undecided_never_a_pass():
    assert iam_05.decide_group(holder(iam_05.TokenSource("Secret 'a'", UNKNOWN))).status == "unknown"
    assert iam_05.decide_group(holder(iam_05.TokenSource("Secret 'a'", MISSING), group_id=UNKNOWN)).status == "unknown"


def test_the_tag_names_the_group_whatever_its_case():
    verdict = iam_05.decide_group(holder(iam_05.TokenSource("Secret 'a'", "Redis-Baseline-DEV")))
    assert verdict.status == "not_applicable" and "Secret 'a'" in verdict.reason


def test_a_rotation_function_computed_at_apply_from_no_function_is_undecided():
    rotation = iam_05.Rotation("rotation 'r'", function=UNKNOWN, after_days=30)
    verdict = iam_05.decide_secret(iam_05.AuthSecret("Secret 's'", (rotation,)), 30)
    assert verdict.status == "unknown" and verdict.paths == ("rotation 'r'.rotationLambdaArn",)


def test_rate_in_hours_and_days_and_the_boundary():
    def status(**rules):
        rotation = iam_05.Rotation("rotation 'r'", function="arn:aws:lambda:sa-east-1:1:function:f", **rules)
        return iam_05.decide_secret(iam_05.AuthSecret("Secret 's'", (rotation,)), 30).status

    assert status(schedule="rate(720 hours)") == "pass"
    assert status(schedule="rate(721 hours)") == "fail"
    assert status(after_days=30.0) == "pass" and status(after_days=31) == "fail"
    assert status(schedule=UNKNOWN) == "unknown"


def test_the_live_rotation_facts_from_describe_secret():
    assert secret_rotation({"RotationEnabled": False}) == ()
    [cancelled] = secret_rotation({"RotationEnabled": False, "RotationRules": {"AutomaticallyAfterDays": 30},
                                   "RotationLambdaARN": "arn:aws:lambda:sa-east-1:1:function:f"})
    verdict = iam_05.decide_secret(iam_05.AuthSecret("secret 's'", (cancelled,)), 30)
    assert verdict.status == "fail" and "automatic rotation is off" in verdict.message
    [moto] = secret_rotation({"RotationEnabled": True, "RotationRules": {"AutomaticallyAfterDays": 30}})
    assert "has no rotation function" in iam_05.decide_secret(iam_05.AuthSecret("secret 's'", (moto,)), 30).message
