"""IAM-03 cases: a thing needs an attached, active certificate with a policy."""

import json

from controls.cases import case, ref, resource

THING = "aws:iot/thing:Thing"
CERTIFICATE = "aws:iot/certificate:Certificate"
THING_ATTACHMENT = "aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment"
POLICY = "aws:iot/policy:Policy"
POLICY_ATTACHMENT = "aws:iot/policyAttachment:PolicyAttachment"

DEVICE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "iot:Connect",
    "Resource": "arn:aws:iot:sa-east-1:123456789012:client/${iot:Connection.Thing.ThingName}"}]})


def thing(key: str = "thing"):
    return resource(key, THING, name=f"thing-{key}-{{id}}-{{suffix}}", attributes={"facility": "plant-1"})


def certificate(key: str = "cert", active: bool = True, thing_key: str | None = "thing", policy: bool = True):
    parts = [resource(key, CERTIFICATE, active=active)]
    if thing_key:
        parts.append(resource(f"{key}-to-thing", THING_ATTACHMENT, thing=ref(thing_key), principal=ref(key, "arn")))
    if policy:
        parts.append(resource(f"{key}-policy", POLICY_ATTACHMENT, policy=ref("policy"), target=ref(key, "arn")))
    return parts


POLICY_RESOURCE = resource("policy", POLICY, name="iotpolicy-device-{id}-{suffix}", policy=DEVICE_POLICY)

CASES = [
    case("iam-03-active-certificate-with-policy", "IAM-03", "pass", "thing", thing(), POLICY_RESOURCE, *certificate()),
    case("iam-03-no-certificate", "IAM-03", "fail", "thing", thing()),
    case("iam-03-inactive-certificate", "IAM-03", "fail", "thing", thing(), POLICY_RESOURCE,
         *certificate(active=False)),
    case("iam-03-certificate-without-policy", "IAM-03", "fail", "thing", thing(), *certificate(policy=False),
         why="an identity with no policy can do nothing: an orphan"),
    case("iam-03-certificate-not-attached-to-the-thing", "IAM-03", "fail", "thing", thing(), POLICY_RESOURCE,
         *certificate(thing_key=None), why="a certificate with the device policy that no thing owns"),
    case("iam-03-one-active-beside-an-inactive", "IAM-03", "pass", "thing", thing(), POLICY_RESOURCE,
         *certificate(), *certificate("old", active=False),
         why="during a rotation the old certificate is deactivated before it is detached"),
]
