"""The scheduled audit's report: every format the harness renders (no browser), kept in the evidence bucket.

The run directory is built in the function's /tmp with the harness's own report
builder and writer, then each file is put under
``<prefix>/<run id>/<file>`` in the evidence bucket, whose default Object Lock
retention keeps it from being rewritten or deleted until the retention ends.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from compliance.audit.aws import AwsAccess
from compliance.audit.cli import write as write_findings
from compliance.audit.runner import AuditResult
from compliance.catalog import CATALOG_PATH, Catalog
from compliance.report.build import build_report
from compliance.report.inputs import load_layer_inputs
from compliance.report.writer import write_run

CONTENT_TYPES = {".json": "application/json", ".html": "text/html", ".md": "text/markdown", ".csv": "text/csv",
                 ".xml": "application/xml", ".sarif": "application/sarif+json"}
EXPECTED_BY = "the deployed auditor's scheduled audit (live layer only)"


def write_report(result: AuditResult, catalog: Catalog, aws: AwsAccess, region: str, bucket: str, prefix: str,
                 run_id: str) -> list[str]:
    """Render the audit into every report format and put them in the bucket; returns the object keys."""
    with tempfile.TemporaryDirectory(prefix="audit-") as work:
        inputs_dir, run_dir = Path(work) / "inputs", Path(work) / "runs" / run_id
        write_findings(result, inputs_dir)
        report = build_report(load_layer_inputs(inputs_dir), catalog, CATALOG_PATH, expected=("live",),
                              expected_by=EXPECTED_BY)
        write_run(report, run_dir)
        keys = []
        for path in sorted(p for p in run_dir.rglob("*") if p.is_file()):
            key = f"{prefix}/{run_id}/{path.relative_to(run_dir).as_posix()}"
            aws.call("s3", region, "PutObject", Bucket=bucket, Key=key, Body=path.read_bytes(),
                     ContentType=CONTENT_TYPES.get(path.suffix, "application/octet-stream"))
            keys.append(key)
        return keys
