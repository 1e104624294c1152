"""LOG-01's coverage readings a case cannot express: selectors over every store of the account, unknown values.

A case would need a selector for every bucket or table of the run, which covers
the other cases' stores too; a first preview's unknown selector values exist only
in the pack. The readings of CloudTrail's API answers (``log_01.API``) are the
audit's, those of Pulumi inputs (``log_01.PULUMI``) the pack's.
"""

from __future__ import annotations

import pytest

from controls import log_01
from controls.values import UNKNOWN

S3, TABLE = log_01.S3_OBJECT, log_01.DYNAMODB_TABLE
BUCKET = log_01.Store("b", S3, "raw", "bucket 'raw'")
ITS_TABLE = log_01.Store("t", TABLE, "t", "table 't'")
TABLE_ARN = "arn:aws:dynamodb:r:1:table/t"


def trail(selectors: log_01.Selectors) -> log_01.Trail:
    return log_01.Trail("audit", True, True, True, ("ApiCallRateInsight", "ApiErrorRateInsight"), selectors)


def api(answer: dict) -> log_01.Selectors:
    return log_01.read_selectors(answer.get("EventSelectors"), answer.get("AdvancedEventSelectors"), log_01.API)


def covered(selectors: log_01.Selectors, store: log_01.Store) -> str:
    return log_01.decide_store(store, [trail(selectors)]).status


BASIC = {"EventSelectors": [{"ReadWriteType": "All", "DataResources": [
    {"Type": S3, "Values": ["arn:aws:s3:::raw/"]}, {"Type": TABLE, "Values": [TABLE_ARN]}]}]}
ADVANCED = [{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": [S3]},
            {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::raw/"]}]


@pytest.mark.parametrize(("answer", "store", "status"), [
    (BASIC, BUCKET, "pass"),
    (BASIC, log_01.Store("o", S3, "other", "bucket 'other'"), "fail"),
    (BASIC, ITS_TABLE, "pass"),
    ({"EventSelectors": [{**BASIC["EventSelectors"][0], "ReadWriteType": "WriteOnly"}]}, ITS_TABLE, "fail"),
    ({"EventSelectors": [{"DataResources": [{"Type": S3, "Values": ["arn:aws:s3"]}]}]}, BUCKET, "pass"),
    ({"EventSelectors": [{"DataResources": [{"Type": S3, "Values": ["arn:aws:s3:::"]}]}]}, BUCKET, "pass"),
    ({"EventSelectors": [{"DataResources": [{"Type": TABLE, "Values": ["arn:aws:dynamodb"]}]}]}, ITS_TABLE, "pass"),
    ({"EventSelectors": [{"DataResources": [{"Type": S3, "Values": ["arn:aws-cn:s3:::raw/"]}]}]}, BUCKET, "pass"),
    ({"AdvancedEventSelectors": [{"FieldSelectors": ADVANCED}]}, BUCKET, "pass"),
    ({"AdvancedEventSelectors": [{"FieldSelectors": ADVANCED}]}, ITS_TABLE, "fail"),
    ({"AdvancedEventSelectors": [{"FieldSelectors": ADVANCED[:2]}]}, BUCKET, "pass"),  # every bucket
    ({"AdvancedEventSelectors": [{"FieldSelectors": [*ADVANCED[:2], {
        "Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::other/"]}]}]}, BUCKET, "pass"),  # all but another
    ({"AdvancedEventSelectors": [{"FieldSelectors": [*ADVANCED[:2], {
        "Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::raw/logs/"]}]}]}, BUCKET, "fail"),  # part of it out
    ({"AdvancedEventSelectors": [{"FieldSelectors": [*ADVANCED[:2], {
        "Field": "resources.ARN", "Equals": ["arn:aws:s3:::raw/"]}]}]}, BUCKET, "fail"),  # Equals: one object
    ({"AdvancedEventSelectors": [{"FieldSelectors": [*ADVANCED, {"Field": "readOnly", "Equals": ["true"]}]}]},
     BUCKET, "fail"),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [*ADVANCED, {"Field": "eventName", "Equals": ["PutObject"]}]}]},
     BUCKET, "fail"),
    ({"AdvancedEventSelectors": [{"FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "resources.type", "Equals": [S3]}]}]},
     BUCKET, "fail"),
])
def test_coverage_read_from_the_api_answer(answer, store, status):
    assert covered(api(answer), store) == status


def test_a_trails_own_log_bucket_is_no_data_store():
    log_bucket = log_01.Store("l", S3, "logs", "bucket 'logs'", log_bucket=True)
    assert covered(api({}), log_bucket) == "not_applicable"


def test_while_values_are_unknown_a_selector_computed_from_the_store_covers_it():
    unknown = log_01.read_selectors(UNKNOWN, [], log_01.PULUMI, basic_refers_to=["b"])
    assert covered(unknown, BUCKET) == "pass"
    assert covered(unknown, ITS_TABLE) == "unknown"


def test_a_reference_from_an_excluding_advanced_selector_proves_nothing():
    fields = [{"field": "eventCategory", "equals": ["Data"]}, {"field": "resources.type", "equals": [S3]},
              {"field": "resources.ARN", "notStartsWiths": UNKNOWN}]
    selectors = log_01.read_selectors([], [{"fieldSelectors": fields}], log_01.PULUMI, advanced_refers_to=["b"])
    assert covered(selectors, BUCKET) == "unknown"
    including = log_01.read_selectors([], [{"fieldSelectors": [*fields[:2], {"field": "resources.ARN",
                                                                              "startsWiths": UNKNOWN}]}],
                                      log_01.PULUMI, advanced_refers_to=["b"])
    assert covered(including, BUCKET) == "pass"


def test_known_values_decide_even_when_the_selector_is_computed_from_the_store():
    """The prefix-only case: computed from the bucket's ARN, yet only one prefix of it."""
    selectors = log_01.read_selectors([{"dataResources": [{"type": S3, "values": ["arn:aws:s3:::raw/only/"]}]}], [],
                                      log_01.PULUMI, basic_refers_to=["b"])
    assert covered(selectors, BUCKET) == "fail"


def test_one_trail_covering_is_enough_and_an_undecided_one_does_not_hide_a_definite_miss():
    unknown = trail(log_01.read_selectors(UNKNOWN, [], log_01.PULUMI))
    assert log_01.decide_store(BUCKET, [unknown, trail(api(BASIC))]).status == "pass"
    assert log_01.decide_store(BUCKET, [unknown, trail(api({}))]).status == "unknown"
    assert log_01.decide_store(BUCKET, []).status == "fail"


def test_the_trails_data_kinds_read_from_advanced_selectors():
    both = api({"AdvancedEventSelectors": [{"FieldSelectors": ADVANCED}, {"FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": [TABLE]}]}]})
    assert log_01.decide_trail(trail(both)).status == "pass"
    assert "the DynamoDB tables" in log_01.decide_trail(trail(api({"AdvancedEventSelectors": [
        {"FieldSelectors": ADVANCED}]}))).message
