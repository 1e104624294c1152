"""DES-01 cases (preview only): protect, retainOnDelete, neither."""

from controls.cases import case, resource

QUEUE = "aws:sqs/queue:Queue"


def queue(options=None):
    return resource("queue", QUEUE, options, name="sqs-destroy-{id}-{suffix}", tags={"Environment": "{suffix}"})


CASES = [
    case("des-01-no-options", "DES-01", "pass", "queue", queue()),
    case("des-01-protect", "DES-01", "fail", "queue", queue({"protect": True}), why="the pack sees protect"),
    case("des-01-retain-on-delete", "DES-01", "fail", "queue", queue({"retainOnDelete": True}),
         why="the gate sees retainOnDelete in the graph (the Analyzer protocol does not carry it)"),
]
