"""CloudWatch log groups (RET-04, ENC-07) and the CloudTrail trail (LOG-01)."""

from __future__ import annotations

from compliance.sandbox.registry import Context, Created, Inputs, compact, handles, num, pascal, tag_list


@handles("aws:cloudwatch/logGroup:LogGroup", not_api=("skipDestroy",))
def log_group(ctx: Context, inputs: Inputs) -> Created:
    logs = ctx.client("logs")
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    logs.create_log_group(**compact(logGroupName=name, kmsKeyId=inputs.get("kmsKeyId"), tags=inputs.get("tags"),
                                    logGroupClass=inputs.get("logGroupClass")))
    retention = num(inputs.get("retentionInDays", 0))
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
            TrailName=name, EventSelectors=pascal(selectors), AdvancedEventSelectors=pascal(advanced)))
    insights = inputs.get("insightSelectors")
    if insights:
        cloudtrail.put_insight_selectors(TrailName=name, InsightSelectors=pascal(insights))
    logging = bool(inputs.get("enableLogging", True))
    if logging:
        cloudtrail.start_logging(Name=name)
    return Created(arn, {"arn": arn, "homeRegion": ctx.region, "enableLogging": logging})
