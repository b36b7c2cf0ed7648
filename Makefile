# Entry points: `make demo` (example DAGs against the bundled emulator) and `make test` (lint, types,
# the whole suite on Airflow 3.x and 2.11.x, the support matrix, `make deploy-test`: the example
# DAGs in a real Airflow 3 deployment, and `make celery-test`: CeleryExecutor on PostgreSQL and
# Redis, two workers and a triggerer on separate hosts). All install what they need, pinned by
# uv.lock, into project-local environments; celery-test also installs PostgreSQL and Redis from
# Debian's packages when missing (as root).

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
AF3_ENV := .venv
AF2_ENV := .venv-af2
export UV_PYTHON := $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
export UV_LINK_MODE := copy
PYTEST_ARGS ?=

.PHONY: demo test deploy-test celery-test matrix lint env env-af3 env-af2 bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

env-af3: $(UV)
	UV_PROJECT_ENVIRONMENT=$(AF3_ENV) $(UV) sync --frozen --quiet --compile-bytecode

env-af2: $(UV)
	UV_PROJECT_ENVIRONMENT=$(AF2_ENV) $(UV) sync --frozen --quiet --compile-bytecode --no-default-groups --group dev --group af2

env: env-af3 env-af2

lint: env-af3
	$(AF3_ENV)/bin/ruff check .
	$(AF3_ENV)/bin/ruff format --check .
	$(AF3_ENV)/bin/mypy

test: env lint
	@status=0; \
	bash scripts/run_tests.sh "$(AF3_ENV)" "$(AF2_ENV)" $(PYTEST_ARGS) || status=1; \
	bash scripts/matrix.sh "$(UV)" || status=1; \
	$(MAKE) --no-print-directory deploy-test || status=1; \
	$(MAKE) --no-print-directory celery-test || status=1; \
	exit $$status

# A real Airflow 3 deployment (api-server, scheduler, dag-processor, triggerer as separate processes)
# runs every example DAG triggered without a logical date; see tests/deployment/test_deployment.py.
deploy-test: env-af3
	$(AF3_ENV)/bin/python -m pytest -p no:cacheprovider tests/deployment

# Airflow 3 on CeleryExecutor with PostgreSQL and Redis: api-server, scheduler and dag-processor on
# one host, a Celery worker on each of two more and the triggerer on a fourth (network namespaces,
# made and removed by the test; needs root); see tests/celery_deployment/test_celery_deployment.py.
celery-test: env-af3
	bash scripts/ensure_services.sh
	$(AF3_ENV)/bin/python -m pytest -p no:cacheprovider tests/celery_deployment

# The support matrix alone: Airflow 3.0/3.1/3.2 and Python 3.13 (unit + integration), lowest-direct (unit).
matrix: $(UV)
	@bash scripts/matrix.sh "$(UV)"

demo: env-af3
	$(AF3_ENV)/bin/python scripts/demo.py

bench: env-af3
	$(AF3_ENV)/bin/python benchmarks/run_all.py

clean:
	rm -rf $(TOOLS) .venv .venv-* .demo
