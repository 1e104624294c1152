"""GOV-03 cases: the four required tags, present, non-empty and spelled as required."""

from controls.cases import case, resource
from controls.net_02_cases import TAGS

QUEUE = "aws:sqs/queue:Queue"
SG = "aws:ec2/securityGroup:SecurityGroup"
IOT_POLICY = "aws:iot/policy:Policy"
IOT_TAGS_GAP = ("moto does not implement IoT ListTagsForResource, so an IoT policy's tags are not observable "
                "(compliance/audit/moto-read-gaps.json)")
DEVICE_POLICY = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": '
                 '"arn:aws:iot:sa-east-1:123456789012:client/${iot:Connection.Thing.ThingName}"}]}')


def queue(tags):
    return resource("queue", QUEUE, name="sqs-{id}-{suffix}", **({"tags": tags} if tags is not None else {}))


def without(tag: str, **extra):
    return {**{k: v for k, v in TAGS.items() if k != tag}, **extra}


CASES = [
    case("gov-03-every-required-tag", "GOV-03", "pass", "queue", queue(TAGS)),
    case("gov-03-owner-missing", "GOV-03", "fail", "queue", queue(without("Owner"))),
    case("gov-03-owner-empty", "GOV-03", "fail", "queue", queue(without("Owner", Owner="")),
         why="an empty value names no owner"),
    case("gov-03-key-in-other-case", "GOV-03", "fail", "queue", queue(without("Owner", owner="netiam")),
         why="tag keys are case-sensitive"),
    case("gov-03-no-tags", "GOV-03", "fail", "queue", queue(None)),
    case("gov-03-security-group-untagged-class", "GOV-03", "fail", "sg",
         resource("sg", SG, name="secgroup-{id}-{suffix}", description="GOV-03 case",
                  tags=without("DataClassification"))),
    case("gov-03-iot-policy-tagged", "GOV-03", "pass", "policy",
         resource("policy", IOT_POLICY, name="iotpolicy-{id}-{suffix}", policy=DEVICE_POLICY, tags=TAGS),
         gaps={"live": IOT_TAGS_GAP}),
]
