"""The live checks, one module per control family; importing this package registers them all.

Each check is registered under its control ID (``compliance.audit.registry``).
"""

from compliance.audit.checks import encryption, governance, identity, keys, logging, network, retention

__all__ = ["encryption", "governance", "identity", "keys", "logging", "network", "retention"]
