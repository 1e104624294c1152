"""The telemetry processor: Kinesis batches of device readings -> aggregates, anomalies, raw archive.

handler.py (beside this package) is the Lambda entry point; app.py wires the
parts; pipeline.py runs a batch through them. See the README section
"The telemetry processor".

Importing the package puts ../vendor on sys.path when it exists: build.sh
bundles the function's own dependencies (redis-py) there for deployment.
"""

import sys
from pathlib import Path

_VENDOR = Path(__file__).resolve().parent.parent / "vendor"
if _VENDOR.is_dir() and str(_VENDOR) not in sys.path:
    sys.path.insert(0, str(_VENDOR))
