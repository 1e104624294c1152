"""Importing this package registers every handler in ``compliance.sandbox.registry.HANDLERS``."""

from compliance.sandbox.handlers import (  # noqa: F401 (imported for their @handles registrations)
    analytics,
    audit_logging,
    auditor,
    databases,
    identity,
    ingestion,
    keys,
    network,
    processing,
    storage,
)
