# make run  - the main job: render, gate, scan, sandbox + audit, report
# make test - the test suite
# Each target sets up what it needs on a fresh machine first (scripts/bootstrap.sh <target>):
# `run` needs no Debian package, `test` installs redis-server, chromium and postgresql.
# Python 3.11 is required: `make run PYTHON=/path/to/python3.11` picks the one to build the virtualenvs with.
PYTHON ?= python3
PY := .venv/bin/python
BOOTSTRAP := PYTHON='$(PYTHON)' scripts/bootstrap.sh

.PHONY: run run-org test docs lint bench bootstrap clean

run:
	@$(BOOTSTRAP) run
	$(PY) -m compliance run

run-org:
	@$(BOOTSTRAP) run
	$(PY) -m compliance run --org-sandbox 3

test:
	@$(BOOTSTRAP) test
	$(PY) -m pytest

docs:
	@$(BOOTSTRAP) docs
	$(PY) -m mkdocs build --strict --site-dir site

lint:
	@$(BOOTSTRAP) lint
	.venv/bin/ruff check program policies compliance compliance_tests benchmarks

bench:
	@$(BOOTSTRAP) bench
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit $$?; done

# everything any target needs
bootstrap:
	@$(BOOTSTRAP) test

clean:
	rm -rf .venv .venv-checkov .pytest_cache .ruff_cache .hypothesis site
