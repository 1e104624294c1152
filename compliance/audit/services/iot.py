"""IoT Core: device policies, things and topic rules; IAM-02 (policy scoped to the thing), IAM-03 (active certificate with a policy).

IAM-03 reads each thing's principals (``ListThingPrincipals``); the status of
every certificate comes from one paginated ``ListCertificates`` per region and
the policies attached to each come from ``ListTargetsForPolicy`` once per
policy of the region, both read once for every thing, instead of a
``DescribeCertificate`` and a ``ListAttachedPolicies`` per certificate.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.audit.aws import ApiError
from compliance.audit.common import verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check
from controls import iam_02, iam_03

IOT_POLICY = "aws:iot/policy:Policy"
THING = "aws:iot/thing:Thing"
TOPIC_RULE = "aws:iot/topicRule:TopicRule"


def every_policy(inventory: Inventory, region: str) -> list[dict[str, Any]]:
    """Every IoT policy of the region (ListPolicies), in scope or not, read once."""
    return inventory.memo.get(("iot:ListPolicies", region),
                              lambda: list(inventory.aws.pages("iot", region, "ListPolicies", "policies")))


def certificate_statuses(inventory: Inventory, region: str) -> dict[str, str]:
    """Certificate ARN -> status, for every certificate of the region (ListCertificates), read once."""
    return inventory.memo.get(("iot:ListCertificates", region), lambda: {
        c["certificateArn"]: c.get("status", "") for c in inventory.aws.pages("iot", region, "ListCertificates",
                                                                             "certificates")})


def attached_policies(inventory: Inventory, region: str) -> dict[str, list[str]]:
    """Target (certificate) ARN -> the policies attached to it, from ListTargetsForPolicy per policy, read once."""
    def read() -> dict[str, list[str]]:
        by_target: dict[str, list[str]] = {}
        for policy in every_policy(inventory, region):
            for target in inventory.aws.pages("iot", region, "ListTargetsForPolicy", "targets",
                                              policyName=policy["policyName"]):
                by_target.setdefault(target, []).append(policy["policyName"])
        return by_target

    return inventory.memo.get(("iot:ListTargetsForPolicy", region), read)


@listing(IOT_POLICY)
def iot_policies(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    for policy in every_policy(inventory, region):
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


@listing(TOPIC_RULE)
def topic_rules(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Topic rules: held to GOV-01..03 like every resource (their names join the parts with underscores)."""
    for rule in inventory.aws.pages("iot", region, "ListTopicRules", "rules"):
        def read(arn: str = rule["ruleArn"]) -> dict[str, str]:
            return tag_dict(list(inventory.aws.pages("iot", region, "ListTagsForResource", "tags", resourceArn=arn)))

        yield inventory.keep(TOPIC_RULE, region, rule["ruleName"], (rule["ruleArn"],), rule, read,
                             resource_id=rule["ruleArn"])


@live_check("IAM-02", "iam-02-iot-policy-scoped-to-thing", resource_type=IOT_POLICY)
def policy_scope(ctx: CheckContext):
    def evaluate(policy: Resource) -> Outcome:
        answer = ctx.call("iot", "GetPolicy", policyName=policy.name)
        decided = iam_02.decide(answer["policyDocument"])
        evidence = {"iot:GetPolicy": {"defaultVersionId": answer.get("defaultVersionId"), "Decided": decided.paths}}
        return verdict_outcome(policy, decided, evidence)

    return ctx.each(iot_policies(ctx.inventory, ctx.region), evaluate)


@live_check("IAM-03", "iam-03-thing-active-certificate", resource_type=THING)
def thing_certificates(ctx: CheckContext):
    def evaluate(thing: Resource) -> Outcome:
        principals = list(ctx.aws.pages("iot", ctx.region, "ListThingPrincipals", "principals",
                                        thingName=thing.name))
        statuses = certificate_statuses(ctx.inventory, ctx.region)
        attached = attached_policies(ctx.inventory, ctx.region)
        certificates = [(arn, statuses.get(arn), sorted(attached.get(arn, [])))
                        for arn in principals if ":cert/" in arn]
        unlisted = [arn for arn, status, _ in certificates if status is None]
        if unlisted:
            raise ApiError("iot:ListCertificates", "unexpected", f"iot:ListCertificates does not list {unlisted[0]}, "
                           f"a principal of thing {thing.name}: its status is unknown; audit again")
        facts = iam_03.Thing(thing.name, tuple(iam_03.Certificate(arn.rsplit("/", 1)[-1][:12], status, len(policies))
                                               for arn, status, policies in certificates),
                             len(principals) - len(certificates))
        evidence = {"iot:ListThingPrincipals": {"principals": principals},
                    "iot:ListCertificates": {arn: status for arn, status, _ in certificates},
                    "iot:ListTargetsForPolicy": {arn: policies for arn, _, policies in certificates}}
        return verdict_outcome(thing, iam_03.decide(facts), evidence)

    return ctx.each(things(ctx.inventory, ctx.region), evaluate)
