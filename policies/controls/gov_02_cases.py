"""GOV-02 cases: a resource's own region (pulumi-aws 7's per-resource ``region``) or the stack's."""

from controls.cases import case, resource
from controls.net_02_cases import TAGS

QUEUE = "aws:sqs/queue:Queue"


def queue(**inputs):
    return resource("queue", QUEUE, name="sqs-{id}-{suffix}", tags=TAGS, **inputs)


CASES = [
    case("gov-02-stack-region", "GOV-02", "pass", "queue", queue(), why="the stack's aws:region is approved"),
    case("gov-02-other-approved-region", "GOV-02", "pass", "queue", queue(region="ap-southeast-1")),
    case("gov-02-unapproved-region", "GOV-02", "fail", "queue", queue(region="us-east-1"),
         why="the resource's own region overrides the provider's"),
]
