"""The live audit per AWS service: each module lists its resource types and holds the checks on them.

A module registers a listing per resource type (``@listing(TYPE)``, see
``compliance.audit.inventory``) and its checks, each under its control ID
(``@live_check("ENC-01", "enc-01-...")``, see ``compliance.audit.registry``),
so that grepping a control ID finds its live check. Importing this package
registers them all (``registry.all_checks`` does, before any check runs: the
governance checks read every registered listing).
"""

from compliance.audit.services import (
    cloudtrail,
    data_store_ingress,
    dynamodb,
    ec2,
    elasticache,
    governance,
    iam,
    iot,
    kinesis,
    kms,
    lambda_,
    logs,
    rds,
    s3,
    secretsmanager,
    sqs,
)

__all__ = ["cloudtrail", "data_store_ingress", "dynamodb", "ec2", "elasticache", "governance", "iam", "iot",
           "kinesis", "kms", "lambda_", "logs", "rds", "s3", "secretsmanager", "sqs"]
