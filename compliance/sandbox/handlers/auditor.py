"""The compliance auditor's surroundings: EventBridge rules and targets, the queue's policy, the schedule, alarms,
and the evidence bucket's Object Lock configuration.

moto delivers no event to a rule's target and runs no schedule (nothing in the
sandbox emits CloudTrail events, and Lambda needs Docker): the resources exist
with their configuration, and the auditor's tests feed its handler directly.
"""

from __future__ import annotations

from compliance.sandbox.registry import Context, Created, Inputs, compact, handles, num, pascal, tag_list


@handles("aws:cloudwatch/eventRule:EventRule")
def event_rule(ctx: Context, inputs: Inputs) -> Created:
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    state = inputs.get("state") or ({False: "DISABLED", True: "ENABLED"}.get(inputs.get("isEnabled")))
    arn = ctx.client("events").put_rule(**compact(
        Name=name, EventPattern=inputs.get("eventPattern"), ScheduleExpression=inputs.get("scheduleExpression"),
        Description=inputs.get("description"), State=state, RoleArn=inputs.get("roleArn"),
        EventBusName=inputs.get("eventBusName"), Tags=tag_list(inputs.get("tags"))))["RuleArn"]
    return Created(name, {"arn": arn, "name": name})


@handles("aws:cloudwatch/eventTarget:EventTarget")
def event_target(ctx: Context, inputs: Inputs) -> Created:
    rule, target_id = inputs["rule"], inputs.get("targetId") or ctx.autoname()
    target = compact(Id=target_id, Arn=inputs["arn"], Input=inputs.get("input"), InputPath=inputs.get("inputPath"),
                     RoleArn=inputs.get("roleArn"), DeadLetterConfig=pascal(inputs.get("deadLetterConfig")),
                     RetryPolicy=pascal(inputs.get("retryPolicy")), SqsParameters=pascal(inputs.get("sqsTarget")))
    answer = ctx.client("events").put_targets(**compact(Rule=rule, EventBusName=inputs.get("eventBusName"),
                                                        Targets=[target]))
    if answer.get("FailedEntryCount"):
        raise ValueError(f"PutTargets refused {target_id} on {rule}: {answer.get('FailedEntries')}")
    return Created(f"{rule}-{target_id}", {"targetId": target_id})


@handles("aws:sqs/queuePolicy:QueuePolicy")
def queue_policy(ctx: Context, inputs: Inputs) -> Created:
    url = inputs["queueUrl"]
    ctx.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": inputs["policy"]})
    return Created(url, {})


@handles("aws:scheduler/schedule:Schedule")
def schedule(ctx: Context, inputs: Inputs) -> Created:
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    group = inputs.get("groupName") or "default"
    arn = ctx.client("scheduler").create_schedule(**compact(
        Name=name, GroupName=group, ScheduleExpression=inputs["scheduleExpression"],
        ScheduleExpressionTimezone=inputs.get("scheduleExpressionTimezone"), Description=inputs.get("description"),
        FlexibleTimeWindow=pascal(inputs["flexibleTimeWindow"]), Target=pascal(inputs["target"]),
        KmsKeyArn=inputs.get("kmsKeyArn"), State=inputs.get("state"), StartDate=inputs.get("startDate"),
        EndDate=inputs.get("endDate"), ActionAfterCompletion=inputs.get("actionAfterCompletion"),
    ))["ScheduleArn"]
    ctx.gap(arn, "lambda:Invoke", "moto stores schedules but never runs them (and Lambda needs Docker): "
            "the auditor's scheduled audit is run by calling its handler in-process")
    return Created(f"{group}/{name}", {"arn": arn, "name": name, "groupName": group})


@handles("aws:cloudwatch/metricAlarm:MetricAlarm")
def metric_alarm(ctx: Context, inputs: Inputs) -> Created:
    name = inputs.get("name") or ctx.autoname()
    cloudwatch = ctx.client("cloudwatch")
    dimensions = inputs.get("dimensions") or {}
    cloudwatch.put_metric_alarm(**compact(
        AlarmName=name, AlarmDescription=inputs.get("alarmDescription"), Namespace=inputs.get("namespace"),
        MetricName=inputs.get("metricName"), Statistic=inputs.get("statistic"),
        ExtendedStatistic=inputs.get("extendedStatistic"), Period=num(inputs.get("period")),
        EvaluationPeriods=num(inputs["evaluationPeriods"]), DatapointsToAlarm=num(inputs.get("datapointsToAlarm")),
        Threshold=inputs.get("threshold"), ComparisonOperator=inputs["comparisonOperator"],
        TreatMissingData=inputs.get("treatMissingData"), ActionsEnabled=inputs.get("actionsEnabled"),
        AlarmActions=inputs.get("alarmActions"), OKActions=inputs.get("okActions"),
        InsufficientDataActions=inputs.get("insufficientDataActions"), Unit=inputs.get("unit"),
        Dimensions=[{"Name": k, "Value": v} for k, v in sorted(dimensions.items())],
        Tags=tag_list(inputs.get("tags"))))
    arn = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]
    return Created(name, {"arn": arn, "name": name})


@handles("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
def object_lock(ctx: Context, inputs: Inputs) -> Created:
    """The evidence bucket's default retention (the bucket itself was created with Object Lock enabled)."""
    bucket = inputs["bucket"]
    configuration = compact(ObjectLockEnabled=inputs.get("objectLockEnabled") or "Enabled",
                            Rule=pascal(inputs.get("rule")))
    ctx.client("s3").put_object_lock_configuration(**compact(
        Bucket=bucket, ObjectLockConfiguration=configuration, ExpectedBucketOwner=inputs.get("expectedBucketOwner")))
    return Created(bucket, {})
