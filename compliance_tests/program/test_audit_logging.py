"""LOG-01/RET-04/RET-05 on the rendered dev graph: CloudTrail, its bucket and log group, operational log groups."""

from __future__ import annotations

from compliance_tests.program.graph_helpers import as_list, depends_on, of_type, one, policy, statements

TRAIL = "aws:cloudtrail/trail:Trail"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def log_groups(graph):
    return {g["inputs"]["name"]: g for g in of_type(graph, LOG_GROUP)}


def test_trail_is_multi_region_validated_with_insights(dev_graph):
    trail = one(dev_graph, TRAIL)["inputs"]
    assert trail["name"] == "trail-audit-dev"
    assert trail["isMultiRegionTrail"] is True
    assert trail["enableLogFileValidation"] is True
    assert trail["includeGlobalServiceEvents"] is True
    assert sorted(s["insightType"] for s in trail["insightSelectors"]) == ["ApiCallRateInsight", "ApiErrorRateInsight"]


def test_trail_records_data_events_for_the_archive_and_the_tables(dev_graph):
    trail = one(dev_graph, TRAIL)
    [selector] = trail["inputs"]["eventSelectors"]
    assert selector["readWriteType"] == "All" and selector["includeManagementEvents"] is True
    resources = {r["type"]: r["values"] for r in selector["dataResources"]}
    assert set(resources) == {"AWS::S3::Object", "AWS::DynamoDB::Table"}
    archive_prefix, evidence_prefix = resources["AWS::S3::Object"]
    assert archive_prefix.endswith("s3-raw-archive-123456789012-dev/")
    assert evidence_prefix.endswith("s3-evidence-123456789012-dev/")  # the compliance auditor's reports
    assert len(resources["AWS::DynamoDB::Table"]) == 3
    sources = {r["name"] for r in depends_on(dev_graph, trail, "eventSelectors", "aws:s3/bucket:Bucket")}
    sources |= {r["name"] for r in depends_on(dev_graph, trail, "eventSelectors", "aws:dynamodb/table:Table")}
    assert sources == {"raw-archive", "evidence", "metrics", "devices", "idempotency"}


def test_trail_delivers_to_its_dedicated_bucket(dev_graph, outputs):
    trail = one(dev_graph, TRAIL)
    assert trail["inputs"]["s3BucketName"] == outputs["trailBucketName"]
    assert [b["name"] for b in depends_on(dev_graph, trail, "s3BucketName", "aws:s3/bucket:Bucket")] == ["trail-logs"]


def test_trail_bucket_keeps_logs_at_least_90_days(dev_graph):
    """RET-05: the trail bucket's lifecycle expires logs no sooner than 90 days."""
    for lifecycle in of_type(dev_graph, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"):
        [bucket] = depends_on(dev_graph, lifecycle, "bucket", "aws:s3/bucket:Bucket")
        if bucket["name"] == "trail-logs":
            for rule in lifecycle["inputs"]["rules"]:
                assert rule["expiration"]["days"] >= 90
                assert rule["noncurrentVersionExpiration"]["noncurrentDays"] >= 90
            return
    raise AssertionError("the trail bucket has no lifecycle configuration")


def test_trail_bucket_policy_lets_only_this_trail_write(dev_graph, outputs):
    for bucket_policy in of_type(dev_graph, "aws:s3/bucketPolicy:BucketPolicy"):
        [bucket] = depends_on(dev_graph, bucket_policy, "bucket", "aws:s3/bucket:Bucket")
        allows = [s for s in statements(policy(bucket_policy)) if s["Effect"] == "Allow"]
        if bucket["name"] != "trail-logs":
            assert allows == [], bucket["name"]
            continue
        assert {a for s in allows for a in as_list(s["Action"])} == {"s3:GetBucketAcl", "s3:PutObject"}
        for stmt in allows:
            assert stmt["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
            assert stmt["Condition"]["StringEquals"]["aws:SourceArn"] == outputs["trailArn"]


def test_trail_log_group_kept_90_days_and_written_by_the_trail_role(dev_graph, outputs):
    group = log_groups(dev_graph)[outputs["trailLogGroupName"]]
    assert group["inputs"]["retentionInDays"] >= 90
    trail = one(dev_graph, TRAIL)
    assert depends_on(dev_graph, trail, "cloudWatchLogsGroupArn", LOG_GROUP) == [group]
    [role] = depends_on(dev_graph, trail, "cloudWatchLogsRoleArn", "aws:iam/role:Role")
    assert [s["Principal"] for s in statements(policy(role, "assumeRolePolicy"))] == [
        {"Service": "cloudtrail.amazonaws.com"}]
    [role_policy] = [p for p in of_type(dev_graph, "aws:iam/rolePolicy:RolePolicy")
                     if depends_on(dev_graph, p, "role", "aws:iam/role:Role") == [role]]
    [grant] = statements(policy(role_policy))
    assert set(grant["Action"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert depends_on(dev_graph, role_policy, "policy", LOG_GROUP) == [group]


def test_operational_log_groups_kept_30_days(dev_graph, outputs):
    """RET-04: every log group has a retention (never "never expire"); operational ones 30 days."""
    groups = log_groups(dev_graph)
    assert set(groups) == set(outputs["logGroupNames"])
    operational = set(groups) - {outputs["trailLogGroupName"]}
    assert operational == {"/aws/lambda/lambda-processor-dev", "/aws/lambda/lambda-migrator-dev",
                           "/aws/iot/iotrule-telemetry-errors-dev",
                           "/aws/lambda/lambda-redis-auth-rotation-dev",  # IAM-05's rotation function
                           "/aws/lambda/lambda-auditor-dev",  # the compliance auditor
                           "/aws/vpc/flowlogs-network-dev"}  # LOG-03's VPC flow logs
    for name in operational:
        assert groups[name]["inputs"]["retentionInDays"] == 30, name
