"""The live audit: boto3 checks of a deployed account, one per control with the ``live`` layer.

``python -m compliance audit`` (``cli``) builds an ``AuditRequest`` and calls
``runner.run_audit(session, request)``, which runs every check of the
``registry`` (``services/``, one module per AWS service: its listings and the
checks on its resources) against the in-scope resources that the listings
registered in ``inventory`` return through ``aws`` (the only door to
AWS: one boto3 session, an optional endpoint URL, botocore retries, fail-closed
errors). Results are ``compliance.findings.Finding`` records in ``audit.json``.
``auditor-policy.json`` is the auditor's least-privilege read-only policy.
"""
