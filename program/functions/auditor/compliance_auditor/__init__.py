"""The compliance auditor deployed with the platform: re-checks a resource when CloudTrail shows a change
to it, audits the whole stack on a schedule, and sends every result to AWS Security Hub.

handler.py (beside this package) is the Lambda entry point. It judges with the
repository's own audit code (``compliance.audit``) and catalog
(``policies/controls.yaml``): the controls that gated the deploy. build.sh copies
them, with the pinned dependencies of requirements.txt, into vendor/.

Importing the package appends ../vendor to sys.path when it exists: appended, not
prepended, so that the tests (which run from the repository) import the
repository's code, never a stale copy bundled by an earlier build.
"""

import sys
from pathlib import Path

_VENDOR = Path(__file__).resolve().parent.parent / "vendor"
if _VENDOR.is_dir() and str(_VENDOR) not in sys.path:
    sys.path.append(str(_VENDOR))
