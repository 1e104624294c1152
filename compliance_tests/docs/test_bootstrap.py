"""scripts/bootstrap.sh fails loudly and installs only what the make target needs.

The real script runs in a temporary copy of the repository's setup files, on a PATH that holds the
shell tools it uses and stand-ins for what would install something: a ``PYTHON`` that answers the
version probe and ``-m venv`` by writing a stub virtualenv whose ``pip`` logs (or fails) instead of
installing, and ``id``, ``apt-get`` and ``dpkg-query`` that play a root or non-root Debian machine.
Nothing is downloaded; each run takes milliseconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from compliance import REPO_ROOT

TOOLS = ("bash", "dirname", "sha256sum", "cmp", "grep", "tail", "sed", "rm", "mv", "mkdir", "mktemp", "cat",
         "cp", "chmod")

FAKE_PYTHON = r"""#!/usr/bin/env bash
# python3.11 stand-in: the version probe, `-c "import sys"`, and `-m venv DIR` (a stub venv, nothing installed)
version=${FAKE_PYTHON_VERSION:-3.11}
if [[ $1 == -c ]]; then [[ $2 == "import sys" ]] || echo "$version"; exit 0; fi
if [[ $1 == -m && $2 == venv ]]; then
  mkdir -p "$3/bin"
  printf '#!/usr/bin/env bash\n[[ $1 == -c && $2 != "import sys" ]] && echo %s\nexit 0\n' "$version" >"$3/bin/python"
  cp "$FAKE_PIP" "$3/bin/pip"
  chmod +x "$3/bin/python" "$3/bin/pip"
  exit 0
fi
exit 9
"""

FAKE_PIP = r"""#!/usr/bin/env bash
# pip stand-in: logs its arguments; fails like pip does when an argument equals $FAKE_PIP_FAIL
echo "$*" >>"$FAKE_LOG"
for arg; do
  if [[ -n ${FAKE_PIP_FAIL:-} && $arg == "$FAKE_PIP_FAIL" ]]; then
    echo "Collecting nosuchpkg==9.9"
    echo "ERROR: Could not find a version that satisfies the requirement nosuchpkg==9.9 (from versions: none)" >&2
    echo "ERROR: No matching distribution found for nosuchpkg==9.9" >&2
    exit 1
  fi
done
"""

FAKE_ID = """#!/usr/bin/env bash
echo "${FAKE_UID:-0}"
"""

FAKE_DPKG_QUERY = """#!/usr/bin/env bash
echo "dpkg-query: no packages found matching ${@: -1}" >&2
exit 1
"""

FAKE_APT_GET = r"""#!/usr/bin/env bash
# apt-get stand-in: logs; `install` puts each package's program on PATH ($FAKE_APT_BIN), or fails
echo "apt-get $*" >>"$FAKE_LOG"
[[ $1 == update ]] && exit 0
if [[ -n ${FAKE_APT_FAIL:-} ]]; then echo "E: Unable to locate package $FAKE_APT_FAIL" >&2; exit 100; fi
for arg; do
  case $arg in -*|install) ;; postgresql) program=initdb ;& *) printf '#!/bin/sh\n' >"$FAKE_APT_BIN/${program:-$arg}"
    chmod +x "$FAKE_APT_BIN/${program:-$arg}"; program= ;; esac
done
"""


@dataclass
class Result:
    code: int
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()


class Machine:
    """A copy of the setup files in ``root``, and the stand-ins the bootstrap meets there."""

    def __init__(self, tmp: Path) -> None:
        self.root = tmp / "repo"
        (self.root / "scripts").mkdir(parents=True)
        shutil.copy2(REPO_ROOT / "scripts" / "bootstrap.sh", self.root / "scripts" / "bootstrap.sh")
        for name, text in {"requirements.txt": "boto3==1.0\n", "requirements-dev.txt": "-r requirements.txt\n",
                           "requirements-checkov.txt": "checkov==3.0\n"}.items():
            (self.root / name).write_text(text)
        self.bin = tmp / "bin"  # stand-ins
        self.tools = tmp / "tools"  # the real shell tools, and nothing else from the host
        self.apt_bin = tmp / "apt-bin"  # what the stand-in apt-get "installs"
        for directory in (self.bin, self.tools, self.apt_bin):
            directory.mkdir()
        for tool in TOOLS:
            found = shutil.which(tool)
            assert found, f"{tool} missing on this machine"
            (self.tools / tool).symlink_to(found)
        for name, text in {"python3.11": FAKE_PYTHON, "pip": FAKE_PIP, "id": FAKE_ID, "apt-get": FAKE_APT_GET,
                           "dpkg-query": FAKE_DPKG_QUERY}.items():
            path = (self.bin if name != "pip" else tmp) / name
            path.write_text(text)
            path.chmod(0o755)
        self.log = tmp / "calls.log"
        self.env = {"PATH": os.pathsep.join(map(str, (self.bin, self.apt_bin, self.tools))), "HOME": str(tmp),
                    "TMPDIR": str(tmp), "PYTHON": str(self.bin / "python3.11"), "FAKE_PIP": str(tmp / "pip"),
                    "FAKE_LOG": str(self.log), "FAKE_APT_BIN": str(self.apt_bin), "FAKE_UID": "0"}

    def bootstrap(self, target: str, **env: str) -> Result:
        done = subprocess.run(["/usr/bin/env", "bash", str(self.root / "scripts" / "bootstrap.sh"), target],
                              env={**self.env, **env}, cwd=self.root.parent, capture_output=True, text=True,
                              timeout=60)
        return Result(done.returncode, done.stderr)

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def stamp(self, venv: str = ".venv") -> Path:
        return self.root / venv / ".requirements.sha256"


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path)


def _one_line_error(result: Result) -> str:
    """The bootstrap's failure: its last stderr line, and no other line that is not a progress note."""
    assert result.lines, "the bootstrap failed silently"
    *progress, error = result.lines
    assert all(line.startswith(("bootstrap: creating ", "bootstrap: installing ", "bootstrap: apt-get install "))
               for line in progress), result.stderr
    assert error.startswith("bootstrap: ")
    return error


def test_a_failed_pip_install_stops_the_bootstrap_with_one_line_and_writes_no_stamp(machine):
    result = machine.bootstrap("run", FAKE_PIP_FAIL="requirements-dev.txt")
    assert result.code == 1
    error = _one_line_error(result)
    assert "pip install -r requirements-dev.txt into .venv failed" in error
    assert "No matching distribution found for nosuchpkg==9.9" in error and ".venv/bootstrap-pip.log" in error
    assert not machine.stamp().exists()
    assert not (machine.root / ".venv-checkov").exists()  # stopped there


def test_after_a_failure_the_next_bootstrap_installs_again_and_then_stamps(machine):
    assert machine.bootstrap("run", FAKE_PIP_FAIL="requirements-dev.txt").code == 1
    installs_before = len(machine.calls())
    ok = machine.bootstrap("run")
    assert ok.code == 0, ok.stderr
    assert len(machine.calls()) > installs_before  # pip ran again: the failed venv was not taken as done
    assert machine.stamp().exists() and machine.stamp(".venv-checkov").exists()
    calls = machine.calls()
    again = machine.bootstrap("run")
    assert again.code == 0 and again.stderr == "" and machine.calls() == calls  # stamped: nothing reinstalled


def test_a_changed_requirement_that_fails_to_install_leaves_no_stale_stamp(machine):
    assert machine.bootstrap("docs").code == 0 and machine.stamp().exists()
    (machine.root / "requirements-dev.txt").write_text("-r requirements.txt\nmkdocs==1.6.1\n")
    failed = machine.bootstrap("docs", FAKE_PIP_FAIL="requirements-dev.txt")
    assert failed.code == 1 and not machine.stamp().exists()
    assert machine.bootstrap("docs", FAKE_PIP_FAIL="requirements-dev.txt").code == 1  # still not taken as done


def test_a_failed_pip_upgrade_is_not_swallowed_either(machine):
    result = machine.bootstrap("docs", FAKE_PIP_FAIL="pip")
    assert result.code == 1
    assert "pip install --upgrade pip into .venv failed" in _one_line_error(result)
    assert not machine.stamp().exists()


def test_a_python_other_than_3_11_is_refused_with_the_fix(machine):
    result = machine.bootstrap("run", FAKE_PYTHON_VERSION="3.12")
    assert result.code == 2
    assert result.lines == [_one_line_error(result)]
    error = result.lines[0]
    assert "Python 3.11 is required" in error and "is 3.12" in error
    assert "make run PYTHON=/path/to/python3.11" in error
    assert not (machine.root / ".venv").exists()


def test_a_missing_python_is_refused_with_the_fix(machine):
    result = machine.bootstrap("test", PYTHON="python3.11-nowhere")
    assert result.code == 2
    assert "'python3.11-nowhere' was not found" in result.lines[-1]
    assert "make test PYTHON=/path/to/python3.11" in result.lines[-1]


def test_a_virtualenv_made_with_another_python_is_refused_with_the_fix(machine):
    assert machine.bootstrap("docs").code == 0
    (machine.root / ".venv" / "bin" / "python").write_text("#!/usr/bin/env bash\necho 3.10\n")
    result = machine.bootstrap("docs")
    assert result.code == 2
    assert result.lines == ["bootstrap: .venv was made with Python 3.10; 3.11 is required: run make clean, then "
                            "make docs PYTHON=/path/to/python3.11"]


def test_make_run_needs_no_debian_package_even_for_a_non_root_user(machine):
    result = machine.bootstrap("run", FAKE_UID="1000")
    assert result.code == 0, result.stderr
    assert not [call for call in machine.calls() if call.startswith("apt-get")]
    assert machine.stamp().exists() and machine.stamp(".venv-checkov").exists()


def test_make_test_names_the_missing_debian_packages_for_a_non_root_user(machine):
    result = machine.bootstrap("test", FAKE_UID="1000")
    assert result.code == 2
    assert result.lines == ["bootstrap: make test needs the Debian packages redis-server chromium postgresql: "
                            "sudo apt-get install redis-server chromium postgresql, then re-run"]
    assert not (machine.root / ".venv").exists()


def test_make_test_installs_redis_chromium_and_postgresql_as_root(machine):
    result = machine.bootstrap("test")
    assert result.code == 0, result.stderr
    installs = [call for call in machine.calls() if call.startswith("apt-get install")]
    assert installs == ["apt-get install -y -qq redis-server chromium postgresql"]
    assert machine.bootstrap("test").code == 0
    assert len([call for call in machine.calls() if call.startswith("apt-get install")]) == 1  # found now


def test_make_bench_installs_only_redis(machine):
    assert machine.bootstrap("bench").code == 0
    assert [c for c in machine.calls() if c.startswith("apt-get install")] == ["apt-get install -y -qq redis-server"]


def test_a_failed_apt_install_stops_with_one_line(machine):
    result = machine.bootstrap("test", FAKE_APT_FAIL="chromium")
    assert result.code == 1
    error = _one_line_error(result)
    assert "apt-get install redis-server chromium postgresql failed: E: Unable to locate package chromium" in error
    assert not (machine.root / ".venv").exists()


def test_an_unknown_target_is_a_usage_error(machine):
    result = machine.bootstrap("deploy")
    assert result.code == 2
    assert result.lines == ["bootstrap: usage: scripts/bootstrap.sh run|test|bench|docs|lint "
                            "(what the make target of that name needs)"]


@pytest.mark.parametrize(("target", "need"), [("run", "run"), ("test", "test"), ("docs", "docs"), ("lint", "lint"),
                                              ("bench", "bench"), ("bootstrap", "test")])
def test_each_make_target_bootstraps_what_it_needs(target, need):
    done = subprocess.run(["make", "-n", target, "PYTHON=/opt/py311/bin/python3.11"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    bootstraps = [line for line in done.stdout.splitlines() if "scripts/bootstrap.sh" in line]
    assert bootstraps == [f"PYTHON='/opt/py311/bin/python3.11' scripts/bootstrap.sh {need}"]
