"""DES-02 cases: deletion protection, final snapshots, forceDestroy and skipDestroy, each way.

skipFinalSnapshot, forceDestroy and skipDestroy steer the provider at delete time;
AWS records none of them, so the live audit cannot observe them (a live gap).
"""

from controls.cases import case, resource
from controls.log_02_cases import TAGS, function
from controls.ret_01_cases import cluster

NOT_RECORDED = "{} is a delete-time setting of the provider; AWS keeps no record of it to audit"


def table(**inputs):
    return resource("table", "aws:dynamodb/table:Table", name="dynamodb-destroy-{id}-{suffix}", hashKey="id",
                    attributes=[{"name": "id", "type": "S"}], billingMode="PAY_PER_REQUEST", tags=TAGS, **inputs)


def bucket(**inputs):
    return resource("bucket", "aws:s3/bucket:Bucket", bucket="s3-destroy-{id}-{suffix}", tags=TAGS, **inputs)


def group(**inputs):
    return resource("group", "aws:cloudwatch/logGroup:LogGroup", name="/retlog/loggroup-destroy-{id}-{suffix}",
                    retentionInDays=30, tags=TAGS, **inputs)


CASES = [
    case("des-02-aurora-destroyable", "DES-02", "pass", "cluster", cluster(backupRetentionPeriod=30)),
    case("des-02-aurora-deletion-protection", "DES-02", "fail", "cluster",
         cluster(backupRetentionPeriod=30, deletionProtection=True)),
    case("des-02-aurora-final-snapshot", "DES-02", "fail", "cluster",
         resource("cluster", "aws:rds/cluster:Cluster", clusterIdentifier="rds-snapshot-{id}-{suffix}",
                  engine="aurora-postgresql", masterUsername="retlog", manageMasterUserPassword=True,
                  backupRetentionPeriod=30, tags=TAGS),
         why="the provider takes a final snapshot unless skipFinalSnapshot is true",
         gaps={"live": NOT_RECORDED.format("skipFinalSnapshot")}),
    case("des-02-table-destroyable", "DES-02", "pass", "table", table()),
    case("des-02-table-deletion-protection", "DES-02", "fail", "table", table(deletionProtectionEnabled=True)),
    case("des-02-bucket-force-destroy", "DES-02", "pass", "bucket", bucket(forceDestroy=True),
         gaps={"live": NOT_RECORDED.format("forceDestroy")}),
    case("des-02-bucket-not-force-destroy", "DES-02", "fail", "bucket", bucket(),
         why="the provider refuses to delete a bucket that holds objects",
         gaps={"live": NOT_RECORDED.format("forceDestroy")}),
    case("des-02-log-group-skip-destroy", "DES-02", "fail", "group", group(skipDestroy=True),
         gaps={"live": NOT_RECORDED.format("skipDestroy")}),
    case("des-02-log-group-deleted-with-stack", "DES-02", "pass", "group", group(),
         gaps={"live": NOT_RECORDED.format("skipDestroy")}),
    case("des-02-function-skip-destroy", "DES-02", "fail", "function", function(skipDestroy=True),
         why="checkov's layer judged it before, the pack did not",
         gaps={"live": NOT_RECORDED.format("skipDestroy")}),
]
