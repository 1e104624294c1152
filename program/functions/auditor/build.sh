#!/usr/bin/env bash
# Bundle the compliance auditor for deployment (pulumi up refuses without it): its pinned dependencies
# (requirements.txt, wheels for python3.11 on x86_64, as program/components/compliance_auditor.py
# declares the function) and the repository's own code it judges with: the harness's audit and report
# packages and the control catalog with its decision modules, copied into vendor/ in the repository's
# layout (compliance/ and policies/), so the function runs exactly the checks that gated the deploy.
# compliance_auditor/__init__.py appends vendor/ to sys.path.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../../.. && pwd)
. ../bundle.sh

bundle_wheels

# The harness without the stages the auditor never runs (render, gate, static scan, sandbox, pipeline, cases).
mkdir -p vendor/compliance vendor/policies
(cd "$ROOT" && tar --exclude=__pycache__ -cf - \
  compliance/__init__.py compliance/catalog.py compliance/errors.py compliance/exceptions.py \
  compliance/findings.py compliance/graph.py compliance/rundir.py compliance/audit compliance/report \
  policies/controls.yaml policies/controls) | tar -xf - -C vendor
bundle_done "repository code: compliance/, policies/"
