"""A real PostgreSQL (TLS required), migrated to head, for the schema, roles and insights tests."""

from __future__ import annotations

import pytest

from compliance_tests.processor import postgres, servers

servers.add_processor_to_path()
postgres.add_migrator_to_path()


@pytest.fixture(scope="package")
def database():
    try:
        with postgres.migrated_database() as migrated:
            yield migrated
    except RuntimeError as error:
        pytest.fail(str(error))
