"""Provider functions (invokes) the program calls, answered by the sandbox account itself.

Each answer comes from an API call against the sandbox (STS, EC2, Secrets
Manager), so the program sees the emulated account's ID, zones and random
passwords. Any other invoke is an error naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from compliance.errors import EvaluationError
from compliance.sandbox.registry import Deployment, compact, num

InvokeFn = Callable[[Deployment, str, dict[str, Any]], dict[str, Any]]
INVOKES: dict[str, InvokeFn] = {}
SECRET_RESULTS = {"aws:secretsmanager/getRandomPassword:getRandomPassword": ("randomPassword",)}


def _invoke(token: str):
    def register(fn: InvokeFn) -> InvokeFn:
        INVOKES[token] = fn
        return fn

    return register


@_invoke("aws:index/getCallerIdentity:getCallerIdentity")
def caller_identity(deployment: Deployment, region: str, args: dict[str, Any]) -> dict[str, Any]:
    identity = deployment.clients.client("sts", region).get_caller_identity()
    return {"accountId": identity["Account"], "arn": identity["Arn"], "userId": identity["UserId"],
            "id": identity["Account"]}


@_invoke("aws:index/getPartition:getPartition")
def partition(deployment: Deployment, region: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": "aws"}


@_invoke("aws:index/getRegion:getRegion")
def get_region(deployment: Deployment, region: str, args: dict[str, Any]) -> dict[str, Any]:
    name = args.get("region") or args.get("name") or region
    found = deployment.clients.client("ec2", region).describe_regions(RegionNames=[name])["Regions"][0]
    return {"name": name, "region": name, "id": name, "endpoint": found.get("Endpoint", ""),
            "description": found.get("RegionName", name)}


@_invoke("aws:index/getAvailabilityZones:getAvailabilityZones")
def availability_zones(deployment: Deployment, region: str, args: dict[str, Any]) -> dict[str, Any]:
    filters = [{"Name": f["name"], "Values": f["values"]} for f in args.get("filters") or []]
    if args.get("state"):
        filters.append({"Name": "state", "Values": [args["state"]]})
    zones = deployment.clients.client("ec2", region).describe_availability_zones(**compact(
        Filters=filters, AllAvailabilityZones=args.get("allAvailabilityZones")))["AvailabilityZones"]
    excluded = set(args.get("excludeNames") or []) | set(args.get("excludeZoneIds") or [])
    zones = [z for z in zones if z["ZoneName"] not in excluded and z["ZoneId"] not in excluded]
    return {"names": [z["ZoneName"] for z in zones], "zoneIds": [z["ZoneId"] for z in zones],
            "groupNames": sorted({z.get("GroupName", region) for z in zones}), "id": region}


@_invoke("aws:ec2/getPrefixList:getPrefixList")
def prefix_list(deployment: Deployment, region: str, args: dict[str, Any]) -> dict[str, Any]:
    """The AWS-managed prefix list of a gateway endpoint's service (S3, DynamoDB) for egress rules."""
    filters = [{"Name": f["name"], "Values": f["values"]} for f in args.get("filters") or []]
    if args.get("name"):
        filters.append({"Name": "prefix-list-name", "Values": [args["name"]]})
    found = deployment.clients.client("ec2", region).describe_prefix_lists(**compact(
        Filters=filters, PrefixListIds=[args["prefixListId"]] if args.get("prefixListId") else None))["PrefixLists"]
    if len(found) != 1:
        raise EvaluationError(f"the sandbox has {len(found)} prefix lists matching {args}; expected one")
    return {"id": found[0]["PrefixListId"], "name": found[0]["PrefixListName"],
            "cidrBlocks": found[0].get("Cidrs", [])}


@_invoke("aws:secretsmanager/getRandomPassword:getRandomPassword")
def random_password(deployment: Deployment, region: str, args: dict[str, Any]) -> dict[str, Any]:
    password = deployment.clients.client("secretsmanager", region).get_random_password(**compact(
        PasswordLength=num(args.get("passwordLength")), ExcludeCharacters=args.get("excludeCharacters"),
        ExcludeNumbers=args.get("excludeNumbers"), ExcludePunctuation=args.get("excludePunctuation"),
        ExcludeUppercase=args.get("excludeUppercase"), ExcludeLowercase=args.get("excludeLowercase"),
        IncludeSpace=args.get("includeSpace"), RequireEachIncludedType=args.get("requireEachIncludedType"),
    ))["RandomPassword"]
    deployment.remember_secret(password)
    return {"randomPassword": password, "id": region}


def answer(deployment: Deployment, region: str, token: str, args: dict[str, Any]) -> dict[str, Any]:
    fn = INVOKES.get(token)
    if fn is None:
        raise EvaluationError(f"the sandbox does not answer invoke {token}; add it to {__name__}")
    return fn(deployment, region, args)
