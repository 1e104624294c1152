"""RET-04 cases: log retention absent or 0 (never expires), 1, 14, 29 (refused by AWS), 30 and 3653 days."""

from controls.cases import case, resource

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def group(**inputs):
    return resource("group", LOG_GROUP, name="/retlog/loggroup-retention-{id}-{suffix}",
                    tags={"Environment": "{suffix}"}, **inputs)


CASES = [
    case("ret-04-retention-absent", "RET-04", "fail", "group", group(), why="events never expire"),
    case("ret-04-retention-0", "RET-04", "fail", "group", group(retentionInDays=0),
         why="the provider's 0 means never expire: it sets no retention policy"),
    case("ret-04-retention-1", "RET-04", "fail", "group", group(retentionInDays=1)),
    case("ret-04-retention-14", "RET-04", "fail", "group", group(retentionInDays=14)),
    case("ret-04-retention-29", "RET-04", "fail", "group", group(retentionInDays=29),
         not_live="CloudWatch Logs refuses 29 days (InvalidParameterException; moto accepts it)"),
    case("ret-04-retention-30", "RET-04", "pass", "group", group(retentionInDays=30), why="exactly minDays"),
    case("ret-04-retention-3653", "RET-04", "pass", "group", group(retentionInDays=3653),
         why="the longest retention AWS offers"),
]
