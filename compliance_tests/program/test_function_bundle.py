"""An update refuses to deploy the processor's code until build.sh has bundled its dependencies."""

from __future__ import annotations

import pulumi
import pytest

from compliance import engine
from compliance.errors import UsageError
from compliance.render.synthetic import SyntheticMocks

FUNCTION_DIR = engine.PROGRAM_DIR / "functions" / "processor"


@pytest.fixture(scope="module")
def bundle(program_module):
    return program_module("function_bundle.py")


@pytest.fixture
def function_dir(tmp_path):
    """A code directory pinning two dependencies, nothing bundled yet."""
    (tmp_path / "requirements.txt").write_text("# bundled\njsonschema-rs==0.60.3\nredis==8.1.0  # cache\n")
    return tmp_path


def bundle_into(function_dir, *dist_infos):
    for name in dist_infos:
        (function_dir / "vendor" / name).mkdir(parents=True)


def test_every_pin_must_be_in_vendor_at_its_version(bundle, function_dir):
    assert bundle.pinned_requirements(function_dir) == {"jsonschema-rs": "0.60.3", "redis": "8.1.0"}
    assert bundle.missing_from_bundle(function_dir) == ["jsonschema-rs==0.60.3", "redis==8.1.0"]
    bundle_into(function_dir, "jsonschema_rs-0.60.3.dist-info", "redis-8.0.0.dist-info")
    assert bundle.missing_from_bundle(function_dir) == ["redis==8.1.0"]  # a stale bundle is not a bundle
    bundle_into(function_dir, "redis-8.1.0.dist-info")
    assert bundle.missing_from_bundle(function_dir) == []


def test_an_update_without_the_bundle_is_refused_naming_build_sh(bundle, monkeypatch):
    monkeypatch.setattr(pulumi.runtime, "is_dry_run", lambda: False)
    missing = bundle.missing_from_bundle(FUNCTION_DIR)
    if not missing:
        pytest.skip("program/functions/processor/vendor/ is built on this machine")
    with pytest.raises(bundle.BundleError) as refused:
        bundle.function_code(FUNCTION_DIR, require_bundle=True)
    message = str(refused.value)
    assert "\n" not in message
    assert message.endswith("run program/functions/processor/build.sh before pulumi up")
    assert all(pin in message for pin in missing)


def test_a_preview_or_an_explicit_opt_out_archives_the_directory_as_it_is(bundle, monkeypatch):
    monkeypatch.setattr(pulumi.runtime, "is_dry_run", lambda: True)
    assert bundle.function_code(FUNCTION_DIR, require_bundle=True).path == str(FUNCTION_DIR)
    monkeypatch.setattr(pulumi.runtime, "is_dry_run", lambda: False)
    assert bundle.function_code(FUNCTION_DIR, require_bundle=False).path == str(FUNCTION_DIR)


def test_the_program_checks_the_bundle_before_declaring_anything(bundle, monitors):
    """A non-preview run of the whole program, as `pulumi up` does it: refused, or declared when bundled."""
    missing = bundle.missing_from_bundle(FUNCTION_DIR)
    if missing:
        with pytest.raises(UsageError, match=r"run program/functions/processor/build\.sh before pulumi up$") as refused:
            engine.run_program("dev", SyntheticMocks("sa-east-1"), preview=False)
        assert all(pin in str(refused.value) for pin in missing)
        [monitor] = monitors
        assert monitor.registrations == []
    else:
        assert engine.run_program("dev", SyntheticMocks("sa-east-1"), preview=False).registrations


@pytest.mark.parametrize("value", ["yes", "False", "0"])
def test_the_opt_out_takes_only_true_or_false(value):
    with pytest.raises(UsageError, match=rf"requireProcessorBundle='{value}' is invalid: allowed values are true, false"):
        engine.run_program("dev", SyntheticMocks("sa-east-1"), config_overrides={"requireProcessorBundle": value})
