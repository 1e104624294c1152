"""IAM-05: the rotation function of the Redis AUTH token (AWS Secrets Manager's four steps).

handler.py (beside this package) is the Lambda entry point; steps.py holds the
four steps, tokens.py the token rules, redis_auth.py the AUTH probe and
replication_group.py the ElastiCache calls.

Importing the package puts ../vendor on sys.path when it exists: build.sh
bundles the function's own dependency (redis-py) there for deployment.
"""

import sys
from pathlib import Path

_VENDOR = Path(__file__).resolve().parent.parent / "vendor"
if _VENDOR.is_dir() and str(_VENDOR) not in sys.path:
    sys.path.insert(0, str(_VENDOR))
