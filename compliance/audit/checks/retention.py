"""RET-01..RET-05: backups, point-in-time recovery, versioning and lifecycles, log retention."""

from __future__ import annotations

from typing import Any

from compliance.audit.checks.common import pick, verdict
from compliance.audit.checks.encryption import bucket_read
from compliance.audit.inventory import BUCKET, CLUSTER, LOG_GROUP, TABLE, TRAIL, Resource
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.scope import short_name

NO_LIFECYCLE = "NoSuchLifecycleConfiguration"


def is_raw_archive(bucket_name: str) -> bool:
    """The raw telemetry archive: the bucket whose purpose says ``raw`` (``s3-raw-archive-<account>-dev``)."""
    return "raw" in short_name(bucket_name).split("-")


@live_check("RET-01", "ret-01-aurora-backup-retention", resource_type=CLUSTER)
def aurora_backups(ctx: CheckContext):
    minimum = int(ctx.parameters.get("minDays", 30))

    def evaluate(cluster: Resource) -> Outcome:
        days = cluster.data.get("BackupRetentionPeriod") or 0
        evidence = {"rds:DescribeDBClusters": pick(cluster.data, "BackupRetentionPeriod")}
        problems = [] if days >= minimum else [f"backups kept {days} days: set backupRetentionPeriod to {minimum}+"]
        return verdict(cluster, problems, f"backups kept {days} days (>= {minimum})", evidence)

    return ctx.each(ctx.inventory.clusters(ctx.region), evaluate)


@live_check("RET-02", "ret-02-dynamodb-pitr", resource_type=TABLE)
def dynamodb_pitr(ctx: CheckContext):
    def evaluate(table: Resource) -> Outcome:
        answer = ctx.call("dynamodb", "DescribeContinuousBackups", TableName=table.name)
        pitr = (answer.get("ContinuousBackupsDescription") or {}).get("PointInTimeRecoveryDescription") or {}
        evidence = {"dynamodb:DescribeContinuousBackups": pick(pitr, "PointInTimeRecoveryStatus", "RecoveryPeriodInDays")}
        status = pitr.get("PointInTimeRecoveryStatus")
        problems = [] if status == "ENABLED" else [f"point-in-time recovery is {status}: enable it"]
        return verdict(table, problems, "point-in-time recovery enabled", evidence)

    return ctx.each(ctx.inventory.tables(ctx.region), evaluate)


def lifecycle_rules(ctx: CheckContext, bucket: str) -> list[dict[str, Any]]:
    answer = bucket_read(ctx, "GetBucketLifecycleConfiguration", bucket, NO_LIFECYCLE)
    return [r for r in (answer or {}).get("Rules", []) if r.get("Status") == "Enabled"]


def archive_lifecycle_problems(rules: list[dict[str, Any]], glacier_after: int) -> list[str]:
    transitions = [t for r in rules for t in r.get("Transitions", [])]
    problems = []
    if not any(t.get("StorageClass") == "INTELLIGENT_TIERING" for t in transitions):
        problems.append("no enabled transition to INTELLIGENT_TIERING: add one")
    glacier = [t.get("Days") for t in transitions if t.get("StorageClass") in ("GLACIER", "DEEP_ARCHIVE")]
    if not any(days is not None and days <= glacier_after for days in glacier):
        problems.append(f"no enabled transition to GLACIER within {glacier_after} days (found {glacier or 'none'}): "
                        f"add one at {glacier_after} days")
    if not any(r.get("NoncurrentVersionExpiration") for r in rules):
        problems.append("noncurrent versions never expire: add a NoncurrentVersionExpiration")
    return problems


@live_check("RET-03", "ret-03-s3-versioning-and-archive-lifecycle", resource_type=BUCKET)
def bucket_versioning(ctx: CheckContext):
    glacier_after = int(ctx.parameters.get("glacierAfterDays", 90))

    def evaluate(bucket: Resource) -> Outcome:
        versioning = ctx.call("s3", "GetBucketVersioning", Bucket=bucket.name)
        evidence: dict[str, Any] = {"s3:GetBucketVersioning": pick(versioning, "Status")}
        problems = [] if versioning.get("Status") == "Enabled" else [
            f"versioning is {versioning.get('Status') or 'never enabled'}: enable it"]
        passed = "versioning enabled"
        if is_raw_archive(bucket.name):
            rules = lifecycle_rules(ctx, bucket.name)
            evidence["s3:GetBucketLifecycleConfiguration"] = {"Rules": [
                pick(r, "ID", "Status", "Transitions", "NoncurrentVersionExpiration") for r in rules]}
            problems += archive_lifecycle_problems(rules, glacier_after)
            passed += f"; raw archive tiers to INTELLIGENT_TIERING and GLACIER within {glacier_after} days"
        return verdict(bucket, problems, passed, evidence)

    return ctx.each(ctx.inventory.buckets(ctx.region), evaluate)


def retention_problem(group: dict[str, Any], minimum: int) -> str | None:
    days = group.get("retentionInDays")
    if days is None:
        return f"never expires: set retentionInDays to {minimum} or more"
    if days < minimum:
        return f"retention {days} days: set retentionInDays to {minimum} or more"
    return None


@live_check("RET-04", "ret-04-log-group-retention", resource_type=LOG_GROUP)
def log_retention(ctx: CheckContext):
    minimum = int(ctx.parameters.get("minDays", 30))

    def evaluate(group: Resource) -> Outcome:
        evidence = {"logs:DescribeLogGroups": pick(group.data, "retentionInDays")}
        problem = retention_problem(group.data, minimum)
        return verdict(group, [problem] if problem else [],
                       f"retention {group.data.get('retentionInDays')} days (>= {minimum})", evidence)

    return ctx.each(ctx.inventory.log_groups(ctx.region), evaluate)


@live_check("RET-05", "ret-05-cloudtrail-log-retention", resource_type=TRAIL)
def trail_retention(ctx: CheckContext):
    minimum = int(ctx.parameters.get("minDays", 90))

    def evaluate(trail: Resource) -> Outcome:
        evidence: dict[str, Any] = {"cloudtrail:DescribeTrails": pick(trail.data, "S3BucketName",
                                                                      "CloudWatchLogsLogGroupArn")}
        problems = []
        group_arn = trail.data.get("CloudWatchLogsLogGroupArn")
        if not group_arn:
            problems.append(f"no CloudWatch Logs group: deliver the trail to a log group kept {minimum}+ days")
        else:
            group_name = group_arn.split(":log-group:", 1)[-1].removesuffix(":*")
            groups = [g for g in ctx.aws.pages("logs", ctx.region, "DescribeLogGroups", "logGroups",
                                               logGroupNamePrefix=group_name) if g["logGroupName"] == group_name]
            evidence["logs:DescribeLogGroups"] = [pick(g, "logGroupName", "retentionInDays") for g in groups]
            if not groups:
                problems.append(f"its log group {group_name} does not exist: recreate it with {minimum}+ days")
            elif problem := retention_problem(groups[0], minimum):
                problems.append(f"log group {group_name} {problem}")
        bucket = trail.data.get("S3BucketName")
        rules = lifecycle_rules(ctx, bucket) if bucket else []
        expirations = [r["Expiration"]["Days"] for r in rules if (r.get("Expiration") or {}).get("Days") is not None]
        evidence["s3:GetBucketLifecycleConfiguration"] = {"Bucket": bucket, "ExpirationDays": expirations}
        if any(days < minimum for days in expirations):
            problems.append(f"bucket {bucket} expires log files after {min(expirations)} days: keep them {minimum}+")
        return verdict(trail, problems, f"logs kept {minimum}+ days in the log group and the bucket", evidence)

    return ctx.each(ctx.inventory.trails(ctx.region), evaluate)
