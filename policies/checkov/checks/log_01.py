"""CKV_IOT_11 (LOG-01): the trail's configuration, and data events on every data store (``controls.log_01``).

A trail is judged on its own settings; a bucket (other than a trail's log bucket)
or a table on the selectors of every trail in the plan, with the stores each
selector attribute references. checkov covers multi-region (CKV_AWS_67), log file
validation (CKV_AWS_36) and logging (CKV_AWS_251), not Insights nor which stores
the data events cover.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from plan_index import PlanIndex
from planned import fact

from controls import log_01
from controls.verdict import Verdict

TRAIL, BUCKET, TABLE = "aws_cloudtrail", "aws_s3_bucket", "aws_dynamodb_table"


def trail_facts(plan: PlanIndex, address: str) -> log_01.Trail:
    selectors = log_01.read_selectors(
        fact(plan, address, "event_selector"), fact(plan, address, "advanced_event_selector"), log_01.TERRAFORM,
        plan.references(address, "event_selector"), plan.references(address, "advanced_event_selector"))
    return log_01.Trail(address.split(".", 1)[1], fact(plan, address, "is_multi_region_trail"),
                        fact(plan, address, "enable_log_file_validation"), fact(plan, address, "enable_logging"),
                        log_01.read_insights(fact(plan, address, "insight_selector"), log_01.TERRAFORM), selectors)


def _log_buckets(plan: PlanIndex) -> set[str]:
    found = {b for t in plan.of_type(TRAIL) for b in plan.references(t, "s3_bucket_name", (BUCKET,))}
    names = {fact(plan, t, "s3_bucket_name") for t in plan.of_type(TRAIL)}
    return found | {b for b in plan.of_type(BUCKET) if fact(plan, b, "bucket") in names}


class TrailAndDataEvents(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="LOG-01: CloudTrail is multi-region, validated, with Insights and data events on every data store",
            id="CKV_IOT_11", categories=[CheckCategories.LOGGING], supported_resources=(TRAIL, BUCKET, TABLE),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        kind = plan.type_of(address)
        if kind == TRAIL:
            return log_01.decide_trail(trail_facts(plan, address))
        store = log_01.Store(address, log_01.S3_OBJECT if kind == BUCKET else log_01.DYNAMODB_TABLE,
                             fact(plan, address, "bucket" if kind == BUCKET else "name"), address,
                             log_bucket=address in _log_buckets(plan))
        return log_01.decide_store(store, [trail_facts(plan, t) for t in plan.of_type(TRAIL)])


check = TrailAndDataEvents()
