"""Mocks that answer like a provider would, without creating anything.

Each resource gets a deterministic ID and ARN derived from its type and name,
so that programs which interpolate ``key.arn`` into policies render the same
graph every time. Invokes the program is known to make are answered; any other
invoke is an error (an unanswered invoke would silently render ``None``).
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from compliance.errors import EvaluationError

MOCK_ACCOUNT_ID = "123456789012"


def _service_of(type_token: str) -> str:
    module = type_token.split(":")[1].split("/")[0]
    return {"cloudwatch": "logs", "rds": "rds", "ec2": "ec2"}.get(module, module)


class SyntheticMocks(Mocks):
    def __init__(self, region: str) -> None:
        self.region = region

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        physical = args.inputs.get("name") or args.inputs.get("bucket") or args.inputs.get("functionName") or args.name
        resource_id = f"{physical}-id" if args.typ.startswith("aws:ec2/") else str(physical)
        service = _service_of(args.typ)
        kind = args.typ.split(":")[-1].lower()
        arn = f"arn:aws:{service}:{self.region}:{MOCK_ACCOUNT_ID}:{kind}/{physical}"
        outputs: dict[str, Any] = {"arn": arn, "id": resource_id, "name": physical, **args.inputs}
        if args.typ == "aws:kms/key:Key":
            outputs["keyId"] = f"key-{args.name}"
        return resource_id, outputs

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": MOCK_ACCOUNT_ID, "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user/render",
                    "userId": "AIDAOFFLINERENDER"}, None
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}, None
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com"}, None
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{self.region}{zone}" for zone in "abc"]
            return {"names": names, "zoneIds": names, "id": self.region}, None
        raise EvaluationError(f"the offline engine does not answer invoke {token}; add it to {__name__}")
