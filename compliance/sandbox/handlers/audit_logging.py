"""CloudWatch log groups (RET-04, ENC-07) and the CloudTrail trail (LOG-01)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from compliance.sandbox.registry import Context, Created, Inputs, compact, handles, num, pascal, tag_list
from controls.ret_04 import ACCEPTED_DAYS

# Advanced event selector operators: the provider's plural inputs -> the API's names.
_SELECTOR_OPERATORS = {"startsWiths": "StartsWith", "endsWiths": "EndsWith", "notStartsWiths": "NotStartsWith",
                       "notEndsWiths": "NotEndsWith"}


def refusal(retention: int) -> ClientError:
    """AWS's answer (its error code) to PutRetentionPolicy with a number of days it does not offer; moto accepts any."""
    return ClientError({"Error": {"Code": "InvalidParameterException", "Message": (
        f"retentionInDays {retention} is not one of {', '.join(map(str, ACCEPTED_DAYS))} (refused by the sandbox as "
        "by AWS)")}, "ResponseMetadata": {"HTTPStatusCode": 400}}, "PutRetentionPolicy")


@handles("aws:cloudwatch/logGroup:LogGroup", not_api=("skipDestroy",))
def log_group(ctx: Context, inputs: Inputs) -> Created:
    """A log group and its retention; ``retentionInDays`` 0 (the provider's "never expire") sets none.

    AWS's PutRetentionPolicy accepts only the days in ``ACCEPTED_DAYS`` and answers
    any other value with InvalidParameterException; moto accepts any number (29,
    45...), so the sandbox refuses such a value as AWS does (``refusal``), before
    creating anything.
    """
    logs = ctx.client("logs")
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    retention = num(inputs.get("retentionInDays", 0))
    if retention and retention not in ACCEPTED_DAYS:
        raise refusal(retention)
    logs.create_log_group(**compact(logGroupName=name, kmsKeyId=inputs.get("kmsKeyId"), tags=inputs.get("tags"),
                                    logGroupClass=inputs.get("logGroupClass")))
    if retention:
        logs.put_retention_policy(logGroupName=name, retentionInDays=retention)
    return Created(name, {"arn": ctx.arn("logs", f"log-group:{name}"), "name": name, "retentionInDays": retention})


@handles("aws:cloudtrail/trail:Trail")
def trail(ctx: Context, inputs: Inputs) -> Created:
    """LOG-01: multi-region, validated, KMS-encrypted, with Insights and data events, logging."""
    cloudtrail = ctx.client("cloudtrail")
    name = inputs["name"]
    created = cloudtrail.create_trail(**compact(
        Name=name, S3BucketName=inputs["s3BucketName"], S3KeyPrefix=inputs.get("s3KeyPrefix"),
        SnsTopicName=inputs.get("snsTopicName"), IncludeGlobalServiceEvents=inputs.get("includeGlobalServiceEvents"),
        IsMultiRegionTrail=inputs.get("isMultiRegionTrail"), EnableLogFileValidation=inputs.get("enableLogFileValidation"),
        CloudWatchLogsLogGroupArn=inputs.get("cloudWatchLogsGroupArn"),
        CloudWatchLogsRoleArn=inputs.get("cloudWatchLogsRoleArn"), KmsKeyId=inputs.get("kmsKeyId"),
        IsOrganizationTrail=inputs.get("isOrganizationTrail"), TagsList=tag_list(inputs.get("tags"))))
    arn = created["TrailARN"]
    selectors, advanced = inputs.get("eventSelectors"), inputs.get("advancedEventSelectors")
    if selectors or advanced:
        cloudtrail.put_event_selectors(**compact(
            TrailName=name, EventSelectors=pascal(selectors), AdvancedEventSelectors=pascal(advanced, _SELECTOR_OPERATORS)))
    insights = inputs.get("insightSelectors")
    if insights:
        cloudtrail.put_insight_selectors(TrailName=name, InsightSelectors=pascal(insights))
    logging = bool(inputs.get("enableLogging", True))
    if logging:
        cloudtrail.start_logging(Name=name)
    return Created(arn, {"arn": arn, "homeRegion": ctx.region, "enableLogging": logging})
