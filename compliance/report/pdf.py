"""report.pdf: the HTML report printed by headless Chromium, for an audit file.

The page is the run's own ``index.html`` (its print stylesheet hides the
filters, opens the evidence and keeps each control's row, and each control's
findings where they fit on a page, from being cut across pages). Every page
carries, in its footer, the run id, the head it chains to (the previous run's
name and manifest SHA-256, the manifest's ``previous`` entry) and "page N of M".

The PDF is rendered *before* the run is sealed, so it is a sealed file like any
other: the manifest lists its SHA-256 and a signature over the manifest covers
it. It cannot name its own run's manifest hash (the manifest hashes the PDF),
which is why it names the previous head.
"""

from __future__ import annotations

from html import escape
from typing import Any

from compliance.report.screenshot import headless_chromium

PDF_FILE = "report.pdf"
PAGE_FORMAT = "A4"
MARGIN = {"top": "14mm", "bottom": "16mm", "left": "10mm", "right": "10mm"}
_SMALL = "font: 8px ui-monospace, Menlo, Consolas, monospace; color: #5b6475; width: 100%; padding: 0 10mm;"
# Shown before printing: the evidence, folded away on screen, belongs in the audit file.
_OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => d.open = true)"


def footer_line(run: str, previous: dict[str, str] | None) -> str:
    """The text every page's footer starts with (before "page N of M")."""
    head = (f"chains to {previous['run']} (manifest sha256 {previous['sha256']})" if previous
            else "first run of its chain (no previous head)")
    return f"run {run} · {head}"


def _footer_template(run: str, previous: dict[str, str] | None) -> str:
    return (f'<div style="{_SMALL} display: flex; justify-content: space-between;">'
            f"<span>{escape(footer_line(run, previous))}</span>"
            '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')


def _header_template(title: str) -> str:
    return f'<div style="{_SMALL}">{escape(title)}</div>'


def render_pdf(html: str, run: str, previous: dict[str, str] | None, title: str, browser: Any | None = None) -> bytes:
    """The PDF of ``html`` (a self-contained report page); ``browser`` reuses a launched Chromium (tests)."""

    def render(instance: Any) -> bytes:
        page = instance.new_page()
        try:
            page.set_content(html, wait_until="load")
            page.evaluate(_OPEN_DETAILS)
            return page.pdf(format=PAGE_FORMAT, print_background=True, margin=MARGIN, display_header_footer=True,
                            header_template=_header_template(title), footer_template=_footer_template(run, previous))
        finally:
            page.close()

    if browser is not None:
        return render(browser)
    with headless_chromium() as instance:
        return render(instance)
