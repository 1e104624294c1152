"""The README stays a five-minute read, and the commands it and the docs show exist.

Commands are read from the Markdown's code (fenced blocks and inline code, parsed with markdown-it):
every ``python -m compliance <sub> ...`` the README shows parses with the real CLI parser, every
subcommand a docs page names exists, every ``python -m compliance.<module>`` is a module, and every
``make <target>`` is a target of the Makefile (``make -n``, which runs nothing).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from compliance import REPO_ROOT
from compliance.cli import build_parser

README = REPO_ROOT / "README.md"
PAGES = sorted((REPO_ROOT / "docs").glob("*.md"))
README_LIMIT = 12_000
SUBCOMMAND = re.compile(r"python3? -m compliance ([^`\n]*)")
MODULE = re.compile(r"python3? -m (compliance\.[\w.]+)")
MAKE = re.compile(r"(?:^|[;&|]\s*)make ((?:[a-z][\w-]*)(?: +\w+=\S+)*)")


def _code(path: Path) -> list[str]:
    """Every line of code the page shows: fenced or indented blocks, and inline code spans."""
    lines = []
    for token in MarkdownIt().parse(path.read_text()):
        if token.type in ("fence", "code_block"):
            lines += token.content.replace("\\\n", " ").splitlines()
        elif token.type == "inline":
            lines += [child.content for child in token.children or [] if child.type == "code_inline"]
    return lines


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]  # noqa: SLF001
    return dict(actions[0].choices) if actions else {}


def test_the_readme_is_under_12000_characters():
    length = len(README.read_text())
    assert length < README_LIMIT, f"README.md has {length} characters: move detail into a docs/ page"


def test_every_compliance_command_the_readme_shows_parses_with_the_real_cli():
    parser = build_parser()
    commands = [match.group(1) for line in _code(README) for match in SUBCOMMAND.finditer(line)]
    commands = [c for c in (shlex.split(command, comments=True) for command in commands) if c]
    assert len(commands) >= 3
    for argv in commands:
        try:
            parser.parse_args(argv)
        except SystemExit:
            pytest.fail(f"README.md shows `python -m compliance {shlex.join(argv)}`, which the CLI refuses")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_subcommand_a_docs_page_names_exists(page):
    commands = _subparsers(build_parser())
    for line in _code(page):
        for match in SUBCOMMAND.finditer(line):
            words = match.group(1).split()
            if not words or words[0].startswith(("<", "[")):
                continue  # the synopsis `python -m compliance <command>`
            assert words[0] in commands, f"{page.name}: `python -m compliance {words[0]}` is no subcommand"
            actions = _subparsers(commands[words[0]])
            if actions and len(words) > 1 and re.fullmatch(r"[a-z]+", words[1]):
                assert words[1] in actions, f"{page.name}: `{words[0]} {words[1]}` is no action of {words[0]}"


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda p: p.name)
def test_every_compliance_module_shown_exists(page):
    for line in _code(page):
        for module in MODULE.findall(line):
            assert importlib.util.find_spec(module) is not None, f"{page.name}: no module {module}"


def test_every_make_target_shown_exists():
    shown = {match.group(1) for page in (README, *PAGES) for line in _code(page) for match in MAKE.finditer(line)}
    assert {"run", "test"} <= {call.split()[0] for call in shown}
    for call in sorted(shown):
        done = subprocess.run(["make", "-n", *call.split()], cwd=REPO_ROOT, capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0, f"`make {call}` shown in the docs: {done.stderr.strip()}"


def test_the_command_checks_catch_what_does_not_exist(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("Run `python -m compliance scann --graph g.json` or `make deploy`.\n\n```\nmake tset\n```\n")
    code = _code(page)
    assert [m.group(1) for line in code for m in MAKE.finditer(line)] == ["deploy", "tset"]
    argv = shlex.split(SUBCOMMAND.search(code[0]).group(1))
    with pytest.raises(SystemExit):
        build_parser().parse_args(argv)
    done = subprocess.run(["make", "-n", "deploy"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode != 0
