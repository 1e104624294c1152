"""RET-01 cases: Aurora backup retention absent, at AWS's bounds (1, 35) and around minDays (29, 30)."""

from controls.cases import case, resource

CLUSTER = "aws:rds/cluster:Cluster"


def cluster(**inputs):
    return resource("cluster", CLUSTER, clusterIdentifier="rds-backups-{id}-{suffix}", engine="aurora-postgresql",
                    masterUsername="retlog", manageMasterUserPassword=True, skipFinalSnapshot=True,
                    tags={"Environment": "{suffix}"}, **inputs)


CASES = [
    case("ret-01-backups-absent", "RET-01", "fail", "cluster", cluster(),
         why="AWS keeps 1 day when backupRetentionPeriod is not set"),
    case("ret-01-backups-1-day", "RET-01", "fail", "cluster", cluster(backupRetentionPeriod=1)),
    case("ret-01-backups-7-days", "RET-01", "fail", "cluster", cluster(backupRetentionPeriod=7)),
    case("ret-01-backups-29-days", "RET-01", "fail", "cluster", cluster(backupRetentionPeriod=29),
         why="one day below minDays"),
    case("ret-01-backups-30-days", "RET-01", "pass", "cluster", cluster(backupRetentionPeriod=30),
         why="exactly minDays"),
    case("ret-01-backups-35-days", "RET-01", "pass", "cluster", cluster(backupRetentionPeriod=35),
         why="the most Aurora keeps"),
    case("ret-01-backups-0-days", "RET-01", "fail", "cluster", cluster(backupRetentionPeriod=0),
         not_live="Aurora accepts 1 to 35 days (CreateDBCluster refuses 0; moto accepts it)"),
]
