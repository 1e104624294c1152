#!/usr/bin/env bash
# Bundle the migration function's dependencies (requirements.txt) into vendor/, beside the code,
# before a real deployment (pulumi up), as the processor's build.sh does: wheels only, for the
# function as program/components/analytics.py declares it (python3.11, x86_64, manylinux2014;
# psycopg-binary carries its own libpq, which the Lambda runtime lacks).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

rm -rf vendor
"$PYTHON" -m pip install --quiet --disable-pip-version-check --no-compile \
  --target vendor --implementation cp --python-version 3.11 \
  --platform manylinux2014_x86_64 --only-binary=:all: \
  -r requirements.txt
# Aurora presents certificates from the RDS CA bundle (RDS Proxy uses Amazon's roots; this function
# connects to the cluster itself): bundle AWS's global one beside the dependencies.
curl --fail --silent --show-error --location --output vendor/rds-ca-bundle.pem \
  https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
grep -q "BEGIN CERTIFICATE" vendor/rds-ca-bundle.pem
find . -name __pycache__ -type d -prune -exec rm -rf {} +
echo "vendor/: $(du -sh vendor | cut -f1) ($(ls vendor | grep -vc dist-info) packages)"
