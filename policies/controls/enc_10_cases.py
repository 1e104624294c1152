"""ENC-10 cases: TLS enforced by the cluster parameter group, per engine, however the group is named; and by the
RDS Proxy in front of the cluster (``requireTls``)."""

from controls.cases import case, ref, resource
from controls.net_02_cases import proxy

CLUSTER = "aws:rds/cluster:Cluster"
GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
POSTGRES = ("aurora-postgresql", "16.4", "aurora-postgresql16")
MYSQL = ("aurora-mysql", "8.0.mysql_aurora.3.05.2", "aurora-mysql8.0")
NOT_DECLARED = "the cluster would name a parameter group that does not exist, which RDS refuses"


def group(*parameters, engine=POSTGRES):
    return resource("params", GROUP, name="dbparams-enc10-{id}-{suffix}", family=engine[2],
                    description="ENC-10 case", parameters=[{"name": n, "value": v} for n, v in parameters],
                    tags={"Environment": "{suffix}"})


def cluster(group_name=None, engine=POSTGRES):
    inputs = {"engine": engine[0], "engineVersion": engine[1], "clusterIdentifier": "aurora-enc10-{id}-{suffix}",
              "masterUsername": "platform", "manageMasterUserPassword": True, "skipFinalSnapshot": True,
              "tags": {"Environment": "{suffix}"}}
    if group_name is not None:
        inputs["dbClusterParameterGroupName"] = group_name
    return resource("cluster", CLUSTER, **inputs)


CASES = [
    case("enc-10-force-ssl-on", "ENC-10", "pass", "cluster", group(("rds.force_ssl", "1")),
         cluster(ref("params", "name"))),
    case("enc-10-force-ssl-off", "ENC-10", "fail", "cluster", group(("rds.force_ssl", "0")),
         cluster(ref("params", "name"))),
    case("enc-10-force-ssl-unset", "ENC-10", "fail", "cluster", group(("log_min_duration_statement", "1000")),
         cluster(ref("params", "name")), why="an unset rds.force_ssl is the engine's default, off"),
    case("enc-10-default-parameter-group", "ENC-10", "fail", "cluster", cluster(),
         why="a cluster that names no group gets default.<family>, where rds.force_ssl is off and cannot change"),
    case("enc-10-default-parameter-group-named", "ENC-10", "fail", "cluster", cluster("default.aurora-postgresql16")),
    case("enc-10-group-named-by-literal-name", "ENC-10", "pass", "cluster", group(("rds.force_ssl", "1")),
         cluster("dbparams-enc10-{id}-{suffix}"), why="the stack declares the group the literal name names"),
    case("enc-10-group-not-declared-in-the-stack", "ENC-10", "fail", "cluster",
         cluster("dbparams-elsewhere-{suffix}"), why="rds.force_ssl cannot be verified before the deploy",
         not_live=NOT_DECLARED),
    case("enc-10-mysql-require-secure-transport-on", "ENC-10", "pass", "cluster",
         group(("require_secure_transport", "ON"), engine=MYSQL), cluster(ref("params", "name"), engine=MYSQL),
         why="Aurora MySQL enforces TLS with require_secure_transport"),
    case("enc-10-mysql-require-secure-transport-off", "ENC-10", "fail", "cluster",
         group(("require_secure_transport", "OFF"), engine=MYSQL), cluster(ref("params", "name"), engine=MYSQL)),
    case("enc-10-mysql-group-sets-force-ssl-only", "ENC-10", "fail", "cluster",
         group(("rds.force_ssl", "1"), engine=MYSQL), cluster(ref("params", "name"), engine=MYSQL),
         why="rds.force_ssl means nothing to MySQL", not_live="Aurora MySQL groups have no rds.force_ssl parameter"),
    case("enc-10-rds-proxy-requires-tls", "ENC-10", "pass", "proxy", proxy()),
    case("enc-10-rds-proxy-tls-off", "ENC-10", "fail", "proxy", proxy(requireTls=False),
         why="the proxy terminates the client's session: it accepts plain text whatever the cluster enforces"),
    case("enc-10-rds-proxy-tls-unset", "ENC-10", "fail", "proxy", proxy(requireTls=None),
         why="requireTls defaults to false"),
]
