"""report.pdf: the HTML report printed by real headless Chromium, read back with pypdf.

Every page carries the run id, the previous run's head and "page N of M"; the
text holds every control id; the print stylesheet hides the filters and keeps
control rows and finding groups whole (break-inside: avoid).
"""

from __future__ import annotations

import hashlib
import io
import json
import re

import pytest
from pypdf import PdfReader

from compliance.catalog import load_catalog
from compliance.cli import main
from compliance.errors import EXIT_ERROR
from compliance.report.html import render_report_html
from compliance.report.pdf import PDF_FILE, render_pdf
from compliance_tests.report.report_builders import write_inputs


@pytest.fixture(scope="module")
def chained_pdf_run(tmp_path_factory):
    """Two runs; the second, printed with --pdf, chains to the first."""
    reports = tmp_path_factory.mktemp("pdf") / "reports"
    for name, extra in (("20250101T000000Z", []), ("20250102T000000Z", ["--pdf"])):
        run_dir = write_inputs(reports / name)
        assert main(["report", "--in", str(run_dir), "--quiet", "--today", "2025-06-01", *extra]) == 0
    return reports / "20250101T000000Z", reports / "20250102T000000Z"


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_pdf_opens_and_holds_every_control_id(chained_pdf_run):
    _, run_dir = chained_pdf_run
    text = "\n".join(_pages((run_dir / PDF_FILE).read_bytes()))
    missing = sorted(c for c in load_catalog().controls if c not in text)
    assert not missing
    assert PDF_FILE in json.loads((run_dir / "manifest.json").read_text())["files"]  # sealed like every format


def test_every_page_names_the_run_the_previous_head_and_its_number(chained_pdf_run):
    first, run_dir = chained_pdf_run
    previous_sha = hashlib.sha256((first / "manifest.json").read_bytes()).hexdigest()
    pages = _pages((run_dir / PDF_FILE).read_bytes())
    assert len(pages) > 1
    for number, text in enumerate(pages, 1):
        flat = re.sub(r"\s+", "", text)
        assert "run20250102T000000Z" in flat, number
        assert f"chainsto20250101T000000Z(manifestsha256{previous_sha})" in flat, number
        assert f"page{number}of{len(pages)}" in flat, number


def test_the_first_run_of_a_chain_says_so(make_run, browser):
    run = make_run()
    pdf = render_pdf(run.text("index.html"), run.dir.name, None, "title", browser=browser)
    assert all("first run of its chain" in text for text in _pages(pdf))


def test_print_css_hides_the_filters_and_keeps_controls_whole(make_run, browser):
    html = render_report_html(make_run().report)
    page = browser.new_page()
    try:
        page.set_content(html)
        page.emulate_media(media="print")
        assert page.eval_on_selector("#filters", "e => getComputedStyle(e).display") == "none"
        rows = page.eval_on_selector_all(".control-row", "rs => rs.map(r => getComputedStyle(r).breakInside)")
        assert len(rows) == len(load_catalog().controls) and set(rows) == {"avoid"}
        groups = page.eval_on_selector_all("section.finding-group",
                                           "gs => gs.map(g => getComputedStyle(g).breakInside)")
        assert groups and set(groups) == {"avoid"}
        page.emulate_media(media="screen")
        assert page.eval_on_selector("#filters", "e => getComputedStyle(e).display") != "none"
    finally:
        page.close()
    pdf_text = "\n".join(_pages(render_pdf(html, "r", None, "t", browser=browser)))
    assert "Clear" not in pdf_text  # the filters' reset button


def test_without_chromium_report_pdf_stops_before_writing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("compliance.report.screenshot.CHROMIUM", str(tmp_path / "no-chromium"))
    run_dir = write_inputs(tmp_path / "reports" / "20250101T000000Z")
    assert main(["report", "--in", str(run_dir), "--quiet", "--pdf"]) == EXIT_ERROR
    assert "install the Debian package chromium" in capsys.readouterr().err
    assert not (run_dir / "report.json").exists() and not (run_dir / "manifest.json").exists()
