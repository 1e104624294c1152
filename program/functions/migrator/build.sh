#!/usr/bin/env bash
# Bundle the migration function's dependencies (requirements.txt) into vendor/, beside the code,
# before a real deployment (pulumi up), as the processor's build.sh does: wheels only, for the
# function as program/components/analytics.py declares it (python3.11, x86_64, manylinux2014;
# psycopg-binary carries its own libpq, which the Lambda runtime lacks).
set -euo pipefail
cd "$(dirname "$0")"
. ../bundle.sh

bundle_wheels
# Aurora presents certificates from the RDS CA bundle (RDS Proxy uses Amazon's roots; this function
# connects to the cluster itself): bundle AWS's global one beside the dependencies.
curl --fail --silent --show-error --location --output vendor/rds-ca-bundle.pem \
  https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
grep -q "BEGIN CERTIFICATE" vendor/rds-ca-bundle.pem
bundle_done
