"""ENC-01..09 decisions on what a case cannot express: values a first preview leaves unknown.

A case's inputs are known in every layer (the case program renders with values);
a first ``pulumi preview`` leaves outputs of other resources unknown. An unknown
that could change the verdict gives ``unknown`` (never a pass); one that cannot
(a customer-managed key named by an output of the stack) does not.
"""

from __future__ import annotations

from controls import enc_01, enc_03, enc_04, enc_06, enc_09
from controls.keys import AWS, CUSTOMER, KeyRef
from controls.values import MISSING, UNKNOWN

OURS = KeyRef(UNKNOWN, CUSTOMER)  # computed from a key of the stack: known to be customer-managed
THEIRS = KeyRef("alias/aws/lambda", AWS)


def test_a_key_computed_from_the_stack_passes_before_its_arn_is_known():
    assert enc_01.decide(enc_01.Stream("KMS", OURS)).status == "pass"


def test_a_key_computed_from_something_else_is_undecided_not_passed():
    verdict = enc_01.decide(enc_01.Stream("KMS", KeyRef(UNKNOWN)))
    assert (verdict.status, verdict.paths) == ("unknown", ("kmsKeyId",))


def test_an_unknown_setting_is_undecided_but_a_definite_violation_still_fails():
    assert enc_01.decide(enc_01.Stream(UNKNOWN, OURS)).status == "unknown"
    verdict = enc_01.decide(enc_01.Stream(UNKNOWN, KeyRef(MISSING)))
    assert verdict.status == "fail" and verdict.undecided and "set kmsKeyId" in verdict.message


def test_function_variables_unknown_matter_only_when_the_key_is_not_customer_managed():
    assert enc_09.decide(enc_09.Function(UNKNOWN, OURS)).status == "pass"
    verdict = enc_09.decide(enc_09.Function(UNKNOWN, THEIRS))
    assert (verdict.status, verdict.paths) == ("unknown", ("environment.variables",))
    assert enc_09.decide(enc_09.Function(3, THEIRS)).status == "fail"  # the live API's count of variables
    assert enc_09.decide(enc_09.Function(0, THEIRS)).status == "pass"


def test_unknown_engine_group_and_transit_mode_of_redis():
    assert enc_03.decide(enc_03.CacheCluster(UNKNOWN, MISSING)).status == "unknown"
    group = enc_03.ReplicationGroup("redis", True, OURS, True, UNKNOWN, UNKNOWN, ())
    verdict = enc_03.decide(group)
    assert (verdict.status, verdict.paths) == ("unknown", ("transitEncryptionMode",))  # a token unknown is set
    unknown_group = enc_03.CacheCluster("redis", UNKNOWN, None)  # computed from something not a group here
    assert enc_03.decide(unknown_group).status == "fail"


def test_unknown_encryption_settings_of_tables_and_managed_secrets():
    assert enc_06.decide(enc_06.Table(UNKNOWN, MISSING, OURS)).status == "unknown"
    assert enc_06.decide(enc_06.Table(True, UNKNOWN, OURS)).status == "unknown"
    assert enc_04.decide(enc_04.ManagedMasterSecret(UNKNOWN, THEIRS)).status == "unknown"
