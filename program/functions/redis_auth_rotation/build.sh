#!/usr/bin/env bash
# Bundle the rotation function's own dependencies (requirements.txt) into vendor/
# before a real deployment (pulumi up); redis_auth_rotation/__init__.py puts
# vendor/ on sys.path. Wheels only, for the function as
# program/components/redis_auth_rotation.py declares it: python3.11 on x86_64.
set -euo pipefail
cd "$(dirname "$0")"
. ../bundle.sh

bundle_wheels
bundle_done
