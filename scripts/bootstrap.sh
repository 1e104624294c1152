#!/usr/bin/env bash
# Set up a fresh machine from the repo's own files: the harness virtualenv,
# checkov's own virtualenv (it pins libraries that clash with pulumi), and the
# system tools the tests use (redis-server, headless Chromium). Idempotent:
# each step is skipped when its requirements file has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}

quiet_pip() { "$@" --quiet --disable-pip-version-check 2>&1 | grep -v "^WARNING: Location" || true; }

venv_up_to_date() {  # venv dir, requirements files...
  local venv=$1; shift
  local stamp="$venv/.requirements.sha256"
  [[ -x "$venv/bin/python" ]] && [[ -f "$stamp" ]] && sha256sum "$@" | cmp -s - "$stamp"
}

make_venv() {  # venv dir, requirements file
  local venv=$1 req=$2
  if venv_up_to_date "$venv" "$req" requirements.txt; then return; fi
  echo "bootstrap: installing $req into $venv" >&2
  [[ -x "$venv/bin/python" ]] || "$PYTHON" -m venv "$venv"
  quiet_pip "$venv/bin/pip" install --upgrade pip
  quiet_pip "$venv/bin/pip" install -r "$req"
  "$venv/bin/python" -c "import sys" # fail here if the venv is broken
  sha256sum "$req" requirements.txt > "$venv/.requirements.sha256"
}

make_venv .venv requirements-dev.txt
make_venv .venv-checkov requirements-checkov.txt

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium)
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "bootstrap: apt-get install ${missing[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bootstrap: please install ${missing[*]} (Debian packages) and re-run" >&2
    exit 2
  fi
fi
