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
PHYSICAL_NAME_INPUTS = ("name", "bucket", "functionName", "clusterIdentifier", "identifier", "replicationGroupId",
                        "thingName", "ruleName")
SYNTHETIC_RANDOM_PASSWORD = "SyntheticRandomPasswordMarker"  # what getRandomPassword answers offline


def _service_of(type_token: str) -> str:
    module = type_token.split(":")[1].split("/")[0]
    return {"cloudwatch": "logs", "rds": "rds", "ec2": "ec2"}.get(module, module)


class SyntheticMocks(Mocks):
    def __init__(self, region: str) -> None:
        self.region = region

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        physical = next((args.inputs[key] for key in PHYSICAL_NAME_INPUTS if args.inputs.get(key)), args.name)
        resource_id = f"{physical}-id" if args.typ.startswith("aws:ec2/") else str(physical)
        service = _service_of(args.typ)
        kind = args.typ.split(":")[-1].lower()
        arn = f"arn:aws:{service}:{self.region}:{MOCK_ACCOUNT_ID}:{kind}/{physical}"
        outputs: dict[str, Any] = {"arn": arn, "id": resource_id, "name": physical, **args.inputs}
        outputs.update(self._generated_outputs(args.typ, args.name, str(physical)))
        return resource_id, outputs

    def _generated_outputs(self, type_token: str, logical: str, physical: str) -> dict[str, Any]:
        """Outputs AWS generates that the program passes on (endpoints, URLs, managed secrets)."""
        host = f"{physical}.synthetic.{self.region}"
        if type_token == "aws:kms/key:Key":
            return {"keyId": f"key-{logical}"}
        if type_token == "aws:rds/cluster:Cluster":
            secret_arn = f"arn:aws:secretsmanager:{self.region}:{MOCK_ACCOUNT_ID}:secret:rds!cluster-{physical}"
            return {"endpoint": f"{host}.rds.amazonaws.com", "readerEndpoint": f"{host}.ro.rds.amazonaws.com",
                    "clusterResourceId": f"cluster-{physical}",
                    "masterUserSecrets": [{"secretArn": secret_arn, "secretStatus": "active"}]}
        if type_token == "aws:rds/proxy:Proxy":  # AWS names proxies db-proxy:prx-<id> in ARNs and rds-db grants
            return {"endpoint": f"{physical}.proxy-synthetic.{self.region}.rds.amazonaws.com",
                    "arn": f"arn:aws:rds:{self.region}:{MOCK_ACCOUNT_ID}:db-proxy:prx-{physical}"}
        if type_token == "aws:elasticache/replicationGroup:ReplicationGroup":
            return {"primaryEndpointAddress": f"master.{host}.cache.amazonaws.com",
                    "readerEndpointAddress": f"replica.{host}.cache.amazonaws.com"}
        if type_token in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
            return {"arn": f"arn:aws:s3:::{physical}"}  # S3 ARNs carry neither region nor account
        if type_token == "aws:sqs/queue:Queue":
            return {"url": f"https://sqs.{self.region}.amazonaws.com/{MOCK_ACCOUNT_ID}/{physical}"}
        return {}

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        # A bare dict: the SDK's MockMonitor iterates the second element of a tuple, so (result, None) fails.
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": MOCK_ACCOUNT_ID, "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user/render",
                    "userId": "AIDAOFFLINERENDER"}
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com"}
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{self.region}{zone}" for zone in "abc"]
            return {"names": names, "zoneIds": names, "id": self.region}
        if token == "aws:ec2/getPrefixList:getPrefixList":
            name = args.args.get("name", "")
            service = name.rsplit(".", 1)[-1] or "unknown"
            return {"id": f"pl-synthetic-{service}", "prefixListId": f"pl-synthetic-{service}", "name": name,
                    "cidrBlocks": ["192.0.2.0/24"]}
        if token == "aws:secretsmanager/getRandomPassword:getRandomPassword":
            # A fixed marker, not a secret: tests grep the graph for it to prove secret redaction.
            length = int(args.args.get("passwordLength") or 32)
            return {"randomPassword": (SYNTHETIC_RANDOM_PASSWORD * length)[:length], "id": "synthetic"}
        raise EvaluationError(f"the offline engine does not answer invoke {token}; add it to {__name__}")
