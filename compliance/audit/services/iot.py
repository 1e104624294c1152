"""IoT Core: device policies and things; IAM-02 (policy scoped to the thing), IAM-03 (active certificate)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from compliance.audit.common import as_list, pick, statements, verdict
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check

IOT_POLICY = "aws:iot/policy:Policy"
THING = "aws:iot/thing:Thing"
THING_NAME_VARIABLE = "${iot:Connection.Thing.ThingName}"


@listing(IOT_POLICY)
def iot_policies(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    for policy in inventory.aws.pages("iot", region, "ListPolicies", "policies"):
        def read(arn: str = policy["policyArn"]) -> dict[str, str]:
            return tag_dict(list(inventory.aws.pages("iot", region, "ListTagsForResource", "tags",
                                                     resourceArn=arn)))

        yield inventory.keep(IOT_POLICY, region, policy["policyName"], (policy["policyArn"],), policy, read,
                             resource_id=policy["policyArn"])


@listing(THING)
def things(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """IoT things carry attributes, not tags: they are scoped by name (or the outputs)."""
    for thing in inventory.aws.pages("iot", region, "ListThings", "things"):
        yield inventory.keep(THING, region, thing["thingName"], (thing["thingArn"],), thing, None,
                             resource_id=thing["thingArn"])


def iot_policy_problems(document: dict[str, Any]) -> list[str]:
    problems = []
    for index, statement in enumerate(statements(document)):
        if statement.get("Effect") != "Allow":
            continue
        sid = statement.get("Sid", f"#{index}")
        wild = [a for a in as_list(statement.get("Action")) if "*" in str(a)]
        if wild:
            problems.append(f"{sid} allows {', '.join(wild)}: list iot:Connect and iot:Publish only")
        unscoped = [r for r in as_list(statement.get("Resource")) if THING_NAME_VARIABLE not in str(r)]
        if unscoped:
            problems.append(f"{sid} is not scoped to the connecting thing ({', '.join(map(str, unscoped))}): "
                            f"use {THING_NAME_VARIABLE} in the resource")
    return problems


@live_check("IAM-02", "iam-02-iot-policy-scoped-to-thing", resource_type=IOT_POLICY)
def policy_scope(ctx: CheckContext):
    def evaluate(policy: Resource) -> Outcome:
        answer = ctx.call("iot", "GetPolicy", policyName=policy.name)
        document = json.loads(answer["policyDocument"])
        evidence = {"iot:GetPolicy": {"defaultVersionId": answer.get("defaultVersionId"),
                                      "Statement": [pick(s, "Sid", "Effect", "Action", "Resource")
                                                    for s in statements(document)]}}
        return verdict(policy, iot_policy_problems(document),
                       f"every statement scoped to {THING_NAME_VARIABLE}; no wildcard action", evidence)

    return ctx.each(iot_policies(ctx.inventory, ctx.region), evaluate)


@live_check("IAM-03", "iam-03-thing-active-certificate", resource_type=THING)
def thing_certificates(ctx: CheckContext):
    def evaluate(thing: Resource) -> Outcome:
        principals = list(ctx.aws.pages("iot", ctx.region, "ListThingPrincipals", "principals",
                                        thingName=thing.name))
        certificates = {}
        for arn in [p for p in principals if ":cert/" in p]:
            description = ctx.call("iot", "DescribeCertificate",
                                   certificateId=arn.rsplit("/", 1)[-1])["certificateDescription"]
            policies = [p["policyName"] for p in ctx.aws.pages("iot", ctx.region, "ListAttachedPolicies",
                                                               "policies", target=arn)]
            certificates[arn] = {"status": description.get("status"), "policies": policies}
        usable = [arn for arn, c in certificates.items() if c["status"] == "ACTIVE" and c["policies"]]
        evidence = {"iot:ListThingPrincipals": {"principals": principals},
                    "iot:DescribeCertificate": {arn: c["status"] for arn, c in certificates.items()},
                    "iot:ListAttachedPolicies": {arn: c["policies"] for arn, c in certificates.items()}}
        problems = []
        if not certificates:
            problems.append("no X.509 certificate attached: attach an active certificate to the thing")
        elif not usable:
            states = ", ".join(f"{arn.rsplit('/', 1)[-1][:12]}… {c['status']}"
                               f"{'' if c['policies'] else ' without a policy'}" for arn, c in certificates.items())
            problems.append(f"no active certificate with a policy ({states}): activate it and attach the device policy")
        return verdict(thing, problems, f"{len(usable)} active certificate(s) with the device policy", evidence)

    return ctx.each(things(ctx.inventory, ctx.region), evaluate)
