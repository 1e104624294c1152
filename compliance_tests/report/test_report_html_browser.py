"""The HTML report in headless Chromium: no console errors, no network, numbers match report.json,
filters hide what they should, markup in resource names stays text."""

from __future__ import annotations

import dataclasses

import pytest

from compliance.cli import main
from compliance.report.screenshot import screenshot
from compliance_tests.report.conftest import Run
from compliance_tests.report.report_builders import (
    LIVE_KEY_ARN,
    LIVE_LOG_GROUP_ARN,
    MARKUP_NAME,
    STREAM,
    baseline_findings,
    declared,
    live,
    write_inputs,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def rich_run(tmp_path_factory):
    """Failures, an error, a waiver, drift (KMS-01) and a resource whose name is markup (built once)."""
    tmp_path = tmp_path_factory.mktemp("rich")
    findings = baseline_findings()
    findings["preview"][0] = declared("ENC-01", "preview", "fail", STREAM, message="encryptionType is NONE",
                                      severity="high")
    findings["preview"][2] = dataclasses.replace(findings["preview"][2], status="fail")
    findings["live"][1] = live("KMS-01", "fail", LIVE_KEY_ARN, "k", "AWS::KMS::Key", message="rotation disabled",
                               severity="high")
    findings["live"][3] = live("RET-04", "error", LIVE_LOG_GROUP_ARN, MARKUP_NAME, "AWS::Logs::LogGroup",
                               message="ThrottlingException past retries")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - control: ENC-05\n    resource: '*::raw'\n"
                       "    reason: Waiting for the Q3 change window.\n    owner: ops@example.com\n"
                       "    expires: 2026-05-31\n")
    run_dir = write_inputs(tmp_path / "reports" / "20250101T000000Z", findings)
    code = main(["report", "--in", str(run_dir), "--quiet", "--waivers", str(waivers), "--today", "2025-06-01"])
    return Run(run_dir, code)


@pytest.fixture(scope="module")
def loaded_page(browser, rich_run):
    """The run's index.html, with every console error, page error and network request recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type in (
        "error", "warning") else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("request", lambda r: None if r.url.startswith("file://") else page.problems.append(f"network: {r.url}"))
    page.goto((rich_run.dir / "index.html").as_uri())
    yield page
    page.close()


@pytest.fixture
def page(loaded_page):
    """The loaded page with every filter cleared (through the form's own reset button)."""
    loaded_page.click("button[type=reset]")
    # The form re-applies filters on the next tick after a reset. (wait_for_function would evaluate a
    # string in the page, which the report's Content-Security-Policy forbids, as it should.)
    for _ in range(100):
        if loaded_page.evaluate("() => document.querySelectorAll('tr.control-row.hidden').length") == 0:
            break
        loaded_page.wait_for_timeout(20)
    return loaded_page


def _visible(page, selector: str) -> list[dict]:
    """data-* attributes of the elements matching ``selector`` that are displayed (one round trip)."""
    return page.evaluate(
        "(sel) => Array.from(document.querySelectorAll(sel))"
        ".filter((el) => el.getClientRects().length > 0).map((el) => Object.assign({}, el.dataset))",
        selector,
    )


def test_opens_with_no_console_error_and_no_network(page):
    page.select_option("#filter-status", "fail")
    page.select_option("#filter-framework", "nist_800_53")
    page.click("button[type=reset]")
    assert page.problems == []


def test_summary_numbers_match_report_json(page, rich_run):
    report = rich_run.report
    for status, value in report["summary"]["controls"].items():
        if status != "total":
            assert page.inner_text(f"#sum-controls-{status}") == str(value), status
    assert report["summary"]["controls"]["fail"] == 2  # ENC-01 (preview), KMS-01 (live); ENC-05 is waived
    assert page.inner_text("#verdict").startswith(f"exit {report['exitCode']}")
    assert len(_visible(page, "tr.control-row")) == report["summary"]["controls"]["total"]


def test_status_filter_hides_every_control_and_finding_of_another_status(page, rich_run):
    report = rich_run.report
    page.select_option("#filter-status", "fail")
    rows = _visible(page, "tr.control-row")
    assert len(rows) == report["summary"]["controls"]["fail"]
    assert {r["status"] for r in rows} == {"fail"}
    findings = _visible(page, "tr.finding-row")
    assert len(findings) == sum(1 for f in report["findings"] if f["status"] == "fail")
    assert {f["status"] for f in findings} == {"fail"}
    assert not page.is_visible("#c-RET-04") and not page.is_visible("#f-" + next(
        f["id"] for f in report["findings"] if f["status"] == "pass"))
    assert page.inner_text("#filter-count") == f"{len(rows)} controls, {len(findings)} findings shown"


def test_layer_and_status_filters_combine(page, rich_run):
    page.select_option("#filter-layer", "live")
    page.select_option("#filter-status", "fail")
    rows = _visible(page, "tr.control-row")
    expected = [c["id"] for c in rich_run.report["controls"] if c["layers"]["live"]["status"] == "fail"]
    assert [r["control"] for r in rows] == expected == ["KMS-01"]
    assert {f["layer"] for f in _visible(page, "tr.finding-row")} == {"live"}


def test_severity_and_framework_filters(page, rich_run):
    report = rich_run.report
    page.select_option("#filter-severity", "critical")
    assert len(_visible(page, "tr.control-row")) == sum(1 for c in report["controls"] if c["severity"] == "critical")
    page.select_option("#filter-severity", "")
    page.select_option("#filter-framework", "iec_62443_3_3")
    rows = _visible(page, "tr.control-row")
    assert len(rows) == sum(1 for c in report["controls"] if c["frameworks"].get("iec_62443_3_3"))
    assert page.is_visible("#fw-iec_62443_3_3") and not page.is_visible("#fw-nist_800_53")


def test_markup_in_a_resource_name_stays_text(page):
    assert page.evaluate("typeof window.__pwned") == "undefined"
    cell = page.locator("tr.finding-row[data-layer=live][data-status=error] td").nth(2)
    assert MARKUP_NAME in cell.inner_text()
    assert page.evaluate("Array.from(document.querySelectorAll('td b')).length") == 0


def test_drift_and_waiver_are_shown(page, rich_run):
    assert page.is_visible('#row-KMS-01 .flag-drift')
    assert "KMS-01 on kinesis" in page.inner_text("#drift")
    assert "waived by ops@example.com until 2026-05-31" in page.inner_text("#c-ENC-05")


def test_screenshot_is_written(browser, rich_run, tmp_path):
    png = tmp_path / "report.png"
    screenshot(rich_run.dir / "index.html", png, browser=browser)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_history_page_opens_cleanly(browser, rich_run):
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto((rich_run.dir.parent / "index.html").as_uri())
    assert page.locator("tr.run-row").count() == 1
    assert page.locator("#trend-chart polyline").count() == 4
    assert problems == []
    page.close()


def test_no_console_error_after_every_interaction_above(loaded_page):
    assert loaded_page.problems == []
