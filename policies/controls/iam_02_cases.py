"""IAM-02 cases: device policies scoped to the connecting thing (and its facility), wildcards in every spelling."""

import json

from controls.cases import case, resource

POLICY = "aws:iot/policy:Policy"
PREFIX = "arn:aws:iot:sa-east-1:123456789012"
THING = "${iot:Connection.Thing.ThingName}"
FACILITY = "${iot:Connection.Thing.Attributes[facility]}"
CONNECT = {"Sid": "ConnectAsOwnThingOnly", "Effect": "Allow", "Action": "iot:Connect",
           "Resource": f"{PREFIX}:client/{THING}", "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}}}


def publish(topic: str, action="iot:Publish", **extra):
    return {"Sid": "Publish", "Effect": "Allow", "Action": action, "Resource": f"{PREFIX}:topic/{topic}", **extra}


def policy(*statements, key: str = "policy"):
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return resource(key, POLICY, name=f"iotpolicy-{key}-{{id}}-{{suffix}}", policy=document)


CASES = [
    case("iam-02-thing-and-facility-scoped", "IAM-02", "pass", "policy",
         policy(CONNECT, publish(f"factory/{FACILITY}/{THING}/telemetry")),
         why="the thing's facility attribute beside its name narrows the topic further (the program's policy)"),
    case("iam-02-thing-scoped", "IAM-02", "pass", "policy", policy(CONNECT, publish(f"factory/{THING}/telemetry"))),
    case("iam-02-facility-attribute-only", "IAM-02", "fail", "policy",
         policy(CONNECT, publish(f"factory/{FACILITY}/*")),
         why="every device of the facility shares the attribute: one certificate could publish as all of them"),
    case("iam-02-iot-wildcard-action", "IAM-02", "fail", "policy", policy(CONNECT, publish(f"{THING}", "iot:*"))),
    case("iam-02-every-action", "IAM-02", "fail", "policy", policy(CONNECT, publish(f"{THING}", "*"))),
    case("iam-02-partial-wildcard-action", "IAM-02", "fail", "policy",
         policy(CONNECT, publish(f"{THING}", "iot:Pub*"))),
    case("iam-02-any-topic", "IAM-02", "fail", "policy",
         policy(CONNECT, {"Effect": "Allow", "Action": "iot:Publish", "Resource": "*"})),
    case("iam-02-wildcard-beside-thing-name", "IAM-02", "fail", "policy",
         policy(CONNECT, publish(f"factory/{THING}*")),
         why="sensor-1 would reach the topics of sensor-10, sensor-11 ..."),
    case("iam-02-not-action", "IAM-02", "fail", "policy",
         policy(CONNECT, {"Effect": "Allow", "NotAction": "iot:DeleteThing", "Resource": f"{PREFIX}:client/{THING}"})),
    case("iam-02-not-resource", "IAM-02", "fail", "policy",
         policy(CONNECT, {"Effect": "Allow", "Action": "iot:Publish", "NotResource": f"{PREFIX}:topic/$aws/*"})),
    case("iam-02-client-any-id", "IAM-02", "fail", "policy",
         policy({**CONNECT, "Resource": f"{PREFIX}:client/*"}),
         why="the IsAttached condition does not make client/* the thing's own client id"),
    case("iam-02-deny-everything-else", "IAM-02", "pass", "policy",
         policy(CONNECT, publish(f"factory/{THING}/telemetry"),
                {"Effect": "Deny", "Action": "iot:*", "Resource": f"{PREFIX}:topic/$aws/*"}),
         why="a Deny grants nothing, however wide"),
]
