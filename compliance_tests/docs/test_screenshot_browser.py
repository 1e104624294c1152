"""The report screenshot where Chromium is missing (a machine bootstrapped for `make run` only) and where it is not."""

from __future__ import annotations

from pathlib import Path

from compliance.report import screenshot

PAGE = "<!doctype html><title>r</title><h1>ENC-01 passed</h1>"


def test_asked_for_without_chromium_it_is_a_one_line_error_and_writes_nothing(tmp_path, monkeypatch, capsys):
    missing = tmp_path / "no-chromium-here"
    monkeypatch.setattr(screenshot, "CHROMIUM", str(missing))
    html, png = tmp_path / "index.html", tmp_path / "shot.png"
    html.write_text(PAGE)
    assert screenshot.main([str(html), str(png)]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"error: no headless Chromium at {missing}: install the Debian package chromium (`make test` does)\n"
    assert not png.exists()


def test_with_chromium_the_screenshot_is_written(tmp_path, capsys):
    assert screenshot.chromium_missing() is None, "make test installs chromium (scripts/bootstrap.sh test)"
    html, png = tmp_path / "index.html", tmp_path / "out" / "shot.png"
    html.write_text(PAGE)
    assert screenshot.main([str(html), str(png), "--width", "400", "--height", "300"]) == 0
    assert capsys.readouterr().out.strip() == str(png)
    assert Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
