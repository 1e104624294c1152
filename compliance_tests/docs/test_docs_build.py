"""The documentation builds with MkDocs in strict mode, and every relative link resolves.

MkDocs' own ``validation`` settings (mkdocs.yml) turn a link to a missing page or file, an ``#anchor``
the target page does not have, an absolute link and a page missing from the navigation into
warnings, and ``--strict`` turns warnings into a failed build. The README is outside ``docs/``, so
its links are checked by building it too: a copy of the README and of ``docs/`` laid out as in the
repository, under the same validation settings.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from compliance import REPO_ROOT

DOCS = REPO_ROOT / "docs"
CONFIG = REPO_ROOT / "mkdocs.yml"


def _build(config: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config),
                           "--site-dir", str(site)], capture_output=True, text=True, timeout=120, cwd=config.parent)


def _readme_site(tmp: Path, readme: str | None = None, page_edits: dict[str, str] | None = None) -> Path:
    """A config whose docs_dir holds README.md and docs/ as the repository does (the README's links are relative)."""
    source = tmp / "source"
    shutil.copytree(DOCS, source / "docs")
    (source / "README.md").write_text(readme if readme is not None else (REPO_ROOT / "README.md").read_text())
    for name, extra in (page_edits or {}).items():
        page = source / "docs" / name
        page.write_text(page.read_text() + extra)
    config = yaml.safe_load(CONFIG.read_text())
    config.pop("nav")  # the repository's nav names docs/ pages from inside docs/; here every page is listed
    config["validation"]["nav"]["omitted_files"] = "info"
    config.update(docs_dir=str(source), site_dir=str(tmp / "readme-site"))
    path = tmp / "mkdocs-readme.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_the_docs_build_in_strict_mode(tmp_path):
    done = _build(CONFIG, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    pages = sorted(p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("index.html"))
    assert "index.html" in pages and "reports/index.html" in pages and "setup/index.html" in pages


def test_the_report_screenshot_is_shown_in_the_docs_and_the_readme(tmp_path):
    assert (DOCS / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "](report.png)" in (DOCS / "reports.md").read_text()
    assert "](docs/report.png)" in (REPO_ROOT / "README.md").read_text()
    done = _build(CONFIG, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "report.png").read_bytes() == (DOCS / "report.png").read_bytes()
    assert 'src="../report.png"' in (tmp_path / "site" / "reports" / "index.html").read_text()


def test_every_relative_link_of_the_readme_resolves(tmp_path):
    done = _build(_readme_site(tmp_path), tmp_path / "readme-site")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(("readme_extra", "page_edits", "expected"), [
    ("\n[gone](docs/no-such-page.md)\n", {}, "contains a link 'docs/no-such-page.md', but the target is not found"),
    ("\n[gone](docs/reports.md#no-such-heading)\n", {},
     "does not contain an anchor '#no-such-heading'"),
    ("\n![gone](docs/no-such.png)\n", {}, "contains a link 'docs/no-such.png', but the target is not found"),
    ("", {"setup.md": "\n[gone](gate.md#no-such-heading)\n"}, "does not contain an anchor '#no-such-heading'"),
    ("", {"setup.md": "\n[gone](/gate/)\n"}, "contains an absolute link '/gate/'"),
])
def test_a_broken_link_or_anchor_fails_the_build(tmp_path, readme_extra, page_edits, expected):
    readme = (REPO_ROOT / "README.md").read_text() + readme_extra
    done = _build(_readme_site(tmp_path, readme, page_edits), tmp_path / "readme-site")
    assert done.returncode != 0
    assert expected in done.stderr, done.stderr


def test_a_page_missing_from_the_navigation_fails_the_build(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    (docs / "adding-a-control.md").write_text("# Adding a control\n")
    config = yaml.safe_load(CONFIG.read_text())
    config["docs_dir"] = str(docs)
    path = tmp_path / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config))
    done = _build(path, tmp_path / "site")
    assert done.returncode != 0
    assert "adding-a-control.md" in done.stderr
