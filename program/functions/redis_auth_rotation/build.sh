#!/usr/bin/env bash
# Bundle the rotation function's own dependencies (requirements.txt) into vendor/
# before a real deployment (pulumi up); redis_auth_rotation/__init__.py puts
# vendor/ on sys.path. Wheels only, for the function as
# program/components/redis_auth_rotation.py declares it: python3.11 on x86_64.
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
