# make run  - the main job: render, gate, scan, sandbox + audit, report
# make test - the test suite
# Both set up a fresh machine by themselves (scripts/bootstrap.sh).
PY := .venv/bin/python

.PHONY: run test bootstrap lint bench clean

bootstrap:
	@scripts/bootstrap.sh

run: bootstrap
	$(PY) -m compliance run

test: bootstrap
	$(PY) -m pytest

lint: bootstrap
	.venv/bin/ruff check program policies compliance compliance_tests benchmarks

bench: bootstrap
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit $$?; done

clean:
	rm -rf .venv .venv-checkov .pytest_cache .ruff_cache .hypothesis
