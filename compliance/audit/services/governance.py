"""GOV-01..GOV-03: names, regions and tags of every resource of every registered listing (and IAM roles).

The governance checks read every listing of the region; a listing that fails is
reported as one error for that resource type, and the other types are still
judged. Resources AWS creates by itself are not held to the program's naming
and tagging conventions (see ``compliance.audit.inventory``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from compliance.audit.aws import ApiError
from compliance.audit.common import verdict_outcome
from compliance.audit.inventory import Listing, Resource, regional_listings
from compliance.audit.registry import STACK, CheckContext, Outcome, api_error_outcome, live_check, scope_ref
from compliance.audit.services.iam import ROLE, roles
from controls import gov_01, gov_02, gov_03


def every_resource(ctx: CheckContext, judge: Callable[[Resource], Outcome | None],
                   listings: Iterable[Listing]) -> Iterator[Outcome]:
    for listing in listings:
        try:
            resources = listing(ctx.inventory, ctx.region)
        except ApiError as exc:
            yield api_error_outcome(scope_ref(listing.resource_type, ctx.region), exc, ctx.gaps, ctx.control)
            continue
        for resource in resources:
            outcome = judge(resource)
            if outcome is not None:
                yield outcome


def naming_outcome(ctx: CheckContext, resource: Resource) -> Outcome | None:
    if resource.managed_by_aws:
        return None
    suffix = ctx.scope.stack_suffix(resource.tags)
    evidence = {"name": resource.name, "expectedSuffix": suffix}
    name = gov_01.Name("name", resource.name, gov_01.separator_for(resource.ref.type))
    return verdict_outcome(resource, gov_01.decide(name, suffix or gov_01.ANY_SUFFIX), evidence)


@live_check("GOV-01", "gov-01-physical-names", resource_type=STACK)
def physical_names(ctx: CheckContext):
    return every_resource(ctx, lambda r: naming_outcome(ctx, r), regional_listings())


@live_check("GOV-01", "gov-01-iam-role-names", resource_type=ROLE, scope="global")
def role_names(ctx: CheckContext):
    return every_resource(ctx, lambda r: naming_outcome(ctx, r), [roles])


@live_check("GOV-02", "gov-02-approved-regions", resource_type=STACK)
def approved_regions(ctx: CheckContext):
    approved = list(ctx.parameters.get("approvedRegions") or [])

    def judge(resource: Resource) -> Outcome:
        return verdict_outcome(resource, gov_02.decide(resource.ref.region, approved),
                               {"region": resource.ref.region, "approvedRegions": approved})

    return every_resource(ctx, judge, regional_listings())


def tags_outcome(ctx: CheckContext, resource: Resource) -> Outcome | None:
    if resource.managed_by_aws or not resource.taggable:
        return None
    required = list(ctx.parameters.get("requiredTags") or [])
    if resource.tags is None:
        return Outcome(resource.ref, "not_applicable", f"{resource.name}: tags not observable here: "
                       f"{resource.tags_gap}", {"knownGap": resource.tags_gap})
    evidence = {"tags": {t: resource.tags.get(t) for t in required}}
    return verdict_outcome(resource, gov_03.decide(resource.tags, required), evidence)


@live_check("GOV-03", "gov-03-required-tags", resource_type=STACK)
def required_tags(ctx: CheckContext):
    return every_resource(ctx, lambda r: tags_outcome(ctx, r), regional_listings())


@live_check("GOV-03", "gov-03-iam-role-tags", resource_type=ROLE, scope="global")
def role_tags(ctx: CheckContext):
    return every_resource(ctx, lambda r: tags_outcome(ctx, r), [roles])
