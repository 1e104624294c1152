"""What every Lambda function of the platform shares: runtime, Powertools layer, VPC network-interface calls.

LAM-01: the approved runtime. Both functions run in the private subnets
(NET-02), so their roles need the network-interface calls below, which EC2
cannot scope to a resource (``Resource: *``, listed one by one, never ``ec2:*``).
"""

from __future__ import annotations

RUNTIME = "python3.11"  # LAM-01

# Powertools for AWS Lambda (Python) v3, the public layer AWS publishes in every commercial region.
# Layer version 27 is release 3.23.0 (AWS's public SSM parameter
# /aws/service/powertools/python/x86_64/python3.11/3.23.0 names it); the repository's
# requirements.txt pins that release, so the tests run the library the functions get.
POWERTOOLS_LAYER_ACCOUNT = "017000801446"
POWERTOOLS_LAYER_NAME = "AWSLambdaPowertoolsPythonV3-python311-x86_64"
POWERTOOLS_LAYER_VERSION = 27

# The ENI calls a VPC-attached function needs; EC2 supports no resource-level scoping for them.
VPC_NETWORK_INTERFACE_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]


def powertools_layer_arn(region: str) -> str:
    return (f"arn:aws:lambda:{region}:{POWERTOOLS_LAYER_ACCOUNT}:layer:"
            f"{POWERTOOLS_LAYER_NAME}:{POWERTOOLS_LAYER_VERSION}")
