#!/usr/bin/env bash
# Set up a fresh machine for one make target, from the repository's own files:
#
#   scripts/bootstrap.sh run     .venv (requirements-dev.txt) and .venv-checkov (checkov pins
#                                libraries that clash with pulumi, so it has its own); no Debian package
#   scripts/bootstrap.sh test    the same, plus the Debian packages the tests run for real:
#                                redis-server, chromium (headless), postgresql
#   scripts/bootstrap.sh bench   the same as run, plus redis-server (the processor benchmark)
#   scripts/bootstrap.sh docs | lint    .venv only
#
# Idempotent: a virtualenv is (re)installed only when its requirements files changed; the stamp that
# says so is written last, after every install succeeded. Fails loudly: any failed step stops the
# bootstrap with one line on stderr naming what failed, and a non-zero exit.
# PYTHON=/path/to/python3.11 picks the interpreter the virtualenvs are made with (3.11 is required).
set -euo pipefail
cd "$(dirname "$0")/.."

REQUIRED_PYTHON=3.11
PYTHON=${PYTHON:-python3}
TARGET=${1:-}

die() {  # exit code, one line
  local code=$1; shift
  echo "bootstrap: $*" >&2
  exit "$code"
}

case $TARGET in
  run)       venvs=(.venv .venv-checkov); packages=() ;;
  test)      venvs=(.venv .venv-checkov); packages=(redis-server chromium postgresql) ;;
  bench)     venvs=(.venv .venv-checkov); packages=(redis-server) ;;
  docs|lint) venvs=(.venv); packages=() ;;
  *) die 2 "usage: scripts/bootstrap.sh run|test|bench|docs|lint (what the make target of that name needs)" ;;
esac

requirements_of() {  # venv -> the requirements files it is built from (the first is installed)
  case $1 in
    .venv) echo requirements-dev.txt requirements.txt ;;
    .venv-checkov) echo requirements-checkov.txt requirements.txt ;;
  esac
}

python_version() {  # interpreter -> "3.11" (nothing if it does not run)
  "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true
}

check_base_python() {
  command -v "$PYTHON" >/dev/null 2>&1 \
    || die 2 "Python $REQUIRED_PYTHON is required; '$PYTHON' was not found: install it or point at one with make $TARGET PYTHON=/path/to/python$REQUIRED_PYTHON"
  local found
  found=$(python_version "$PYTHON")
  [[ $found == "$REQUIRED_PYTHON" ]] \
    || die 2 "Python $REQUIRED_PYTHON is required; '$PYTHON' is ${found:-not runnable} ($(command -v "$PYTHON")): point at a $REQUIRED_PYTHON with make $TARGET PYTHON=/path/to/python$REQUIRED_PYTHON"
}

check_venv_python() {  # venv made earlier, perhaps with another Python
  local found
  found=$(python_version "$1/bin/python")
  [[ $found == "$REQUIRED_PYTHON" ]] \
    || die 2 "$1 was made with Python ${found:-that no longer runs}; $REQUIRED_PYTHON is required: run make clean, then make $TARGET PYTHON=/path/to/python$REQUIRED_PYTHON"
}

pip_install() {  # venv, what to name in the message, pip arguments...
  local venv=$1 what=$2; shift 2
  local log="$venv/bootstrap-pip.log" reason
  if ! "$venv/bin/pip" install --disable-pip-version-check "$@" >"$log" 2>&1; then
    reason=$(grep -E '^ERROR: ' "$log" | tail -n 1 | sed 's/^ERROR: //' || true)
    die 1 "pip install $what into $venv failed${reason:+: $reason} (full output: $log)"
  fi
}

make_venv() {  # venv
  local venv=$1 req files stamp
  read -r -a files <<<"$(requirements_of "$venv")"
  req=${files[0]}
  stamp="$venv/.requirements.sha256"
  if [[ -x "$venv/bin/python" ]]; then
    check_venv_python "$venv"
    if [[ -f $stamp ]] && sha256sum "${files[@]}" | cmp -s - "$stamp"; then return; fi
  else
    check_base_python
    echo "bootstrap: creating $venv with $PYTHON" >&2
    "$PYTHON" -m venv "$venv" >/dev/null 2>&1 \
      || die 1 "'$PYTHON -m venv $venv' failed: on Debian install python$REQUIRED_PYTHON-venv, or point at another Python with PYTHON="
  fi
  rm -f "$stamp"  # from here until the end, the venv is not known to be complete
  echo "bootstrap: installing $req into $venv" >&2
  pip_install "$venv" "--upgrade pip" --quiet --upgrade pip
  pip_install "$venv" "-r $req" --quiet -r "$req"
  "$venv/bin/python" -c "import sys" || die 1 "$venv/bin/python does not run after the install: run make clean and retry"
  sha256sum "${files[@]}" >"$stamp.tmp"
  mv "$stamp.tmp" "$stamp"
}

installed() {  # Debian package: its program is on PATH, or dpkg has it installed
  local program=$1
  [[ $1 == postgresql ]] && program=initdb  # Debian keeps PostgreSQL's programs off PATH
  command -v "$program" >/dev/null 2>&1 && return 0
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

install_packages() {
  local missing=() package log reason
  for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) -eq 0 ]] \
    || die 2 "make $TARGET needs the Debian packages ${missing[*]}: sudo apt-get install ${missing[*]}, then re-run"
  echo "bootstrap: apt-get install ${missing[*]} (for make $TARGET)" >&2
  log=$(mktemp "${TMPDIR:-/tmp}/bootstrap-apt.XXXXXX")
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
    reason=$(grep -E '^E: ' "$log" | tail -n 1 || true)
    die 1 "apt-get install ${missing[*]} failed${reason:+: $reason} (full output: $log)"
  fi
  for package in "${missing[@]}"; do
    installed "$package" || die 1 "apt-get install $package succeeded but the package is still not found (full output: $log)"
  done
  rm -f "$log"
}

install_packages
for venv in "${venvs[@]}"; do
  make_venv "$venv"
done
