"""RET-02 cases: DynamoDB point-in-time recovery absent, off, on."""

from controls.cases import case, resource

TABLE = "aws:dynamodb/table:Table"


def table(**inputs):
    return resource("table", TABLE, name="dynamodb-pitr-{id}-{suffix}", hashKey="id",
                    attributes=[{"name": "id", "type": "S"}], billingMode="PAY_PER_REQUEST",
                    tags={"Environment": "{suffix}"}, **inputs)


CASES = [
    case("ret-02-pitr-absent", "RET-02", "fail", "table", table(), why="AWS's default is off"),
    case("ret-02-pitr-off", "RET-02", "fail", "table", table(pointInTimeRecovery={"enabled": False})),
    case("ret-02-pitr-on", "RET-02", "pass", "table", table(pointInTimeRecovery={"enabled": True})),
]
