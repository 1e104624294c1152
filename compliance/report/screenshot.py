"""Screenshot an HTML report in headless Chromium (Debian's /usr/bin/chromium), for the docs.

``python -m compliance.report.screenshot reports/latest/index.html docs/report.png``

Playwright drives the system Chromium (never a downloaded browser); the page is
opened from a file:// URL, and the report needs no network.

Chromium is a test-only Debian package (``make test`` installs it; ``make run`` does not), so what
needs a browser checks ``chromium_missing()`` first: asked for explicitly (this command), a missing
browser is a one-line error (``EvaluationError``, exit 3); where the browser output is an extra of a
run, the caller skips it with a one-line note instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from compliance.errors import EvaluationError

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def chromium_missing() -> str | None:
    """Why headless Chromium cannot be used here, in one line naming the fix; None when it can."""
    if os.access(CHROMIUM, os.X_OK):
        return None
    return f"no headless Chromium at {CHROMIUM}: install the Debian package chromium (`make test` does)"


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright; a missing browser is a one-line ``EvaluationError``."""
    missing = chromium_missing()
    if missing:
        raise EvaluationError(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def screenshot(html: Path, png: Path, width: int = 1280, height: int = 1400, browser: object | None = None) -> None:
    """Write the top ``height`` pixels of ``html`` as rendered at ``width`` to ``png``."""

    def shoot(instance) -> None:
        page = instance.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
        try:
            page.goto(Path(html).resolve().as_uri())
            png.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png), full_page=False)
        finally:
            page.close()

    if browser is not None:
        shoot(browser)
        return
    with headless_chromium() as instance:
        shoot(instance)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compliance.report.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1400)
    args = parser.parse_args(argv)
    if not args.html.is_file():
        print(f"error: {args.html}: no such report; run `python -m compliance run` first", file=sys.stderr)
        return 2
    try:
        screenshot(args.html, args.png, args.width, args.height)
    except EvaluationError as exc:  # asked for explicitly: a missing browser is an error, in one line
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
