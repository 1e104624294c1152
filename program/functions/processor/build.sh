#!/usr/bin/env bash
# Bundle the function's own dependencies (requirements.txt) into vendor/, beside
# the code, before a real deployment (pulumi up). handler.py puts vendor/ on
# sys.path; the Pulumi program archives this whole directory as the code.
# Offline renders and the tests do not need it. Wheels only, never compiled
# here, for the function as program/components/processing.py declares it:
# python3.11 on x86_64 (Amazon Linux 2, glibc 2.26: manylinux2014 wheels; the
# pinned jsonschema-rs ships arm64 wheels only for glibc 2.28).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

rm -rf vendor
"$PYTHON" -m pip install --quiet --disable-pip-version-check --no-compile \
  --target vendor --implementation cp --python-version 3.11 \
  --platform manylinux2014_x86_64 --only-binary=:all: \
  -r requirements.txt
find . -name __pycache__ -type d -prune -exec rm -rf {} +
echo "vendor/: $(du -sh vendor | cut -f1) ($(ls vendor | grep -vc dist-info) packages)"
