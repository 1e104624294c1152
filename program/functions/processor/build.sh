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
. ../bundle.sh

bundle_wheels
bundle_done
