"""The control catalog as the harness uses it: the pack's one reader, with the harness's exit codes.

``policies/controls/catalog.py`` is the only reader of ``policies/controls.yaml``
(the pack, our checkov checks and the harness share it). Here a catalog that
cannot be used becomes a ``UsageError`` (exit 2) naming the entry and the fix.
"""

from __future__ import annotations

from pathlib import Path

from compliance.errors import UsageError
from controls.catalog import CATALOG_FILE, FRAMEWORK_LABELS, Catalog, CatalogError, Control
from controls.catalog import load_catalog as _load

CATALOG_PATH = CATALOG_FILE
FRAMEWORKS = FRAMEWORK_LABELS

__all__ = ["CATALOG_PATH", "FRAMEWORKS", "Catalog", "CatalogError", "Control", "load_catalog"]


def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    try:
        return _load(path)
    except CatalogError as exc:
        raise UsageError(str(exc)) from None
