# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run prod test lint layers format stop clean chromium doc-diff

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m project.devserver

# The production set-up on this machine: gunicorn, DEBUG off, collected static files (README, Running in production).
prod: $(STAMP)
	$(PY) -m project.devserver --prod

# The suite runs on one process per core, at most four (pytest-xdist; TEST_PROCESSES=0 runs it in one), each
# module's tests on one process (they share its module fixtures, such as the fault drills' own back end).
TEST_PROCESSES ?= auto
test: $(STAMP) chromium
	$(PY) -m pytest -n $(TEST_PROCESSES) --maxprocesses 4 --dist loadscope

# The browser tests drive Debian's Chromium; install it when missing and we can.
chromium:
	@test -x /usr/bin/chromium || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
		&& apt-get update -qq && apt-get install -y -qq chromium; } \
		|| echo "Chromium is missing (apt-get install chromium): the browser tests will fail"

lint: $(STAMP) layers
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# The apps' one-way layers and the forbidden imports (pyproject.toml, [tool.importlinter]; README, Apps and layers).
layers: $(STAMP)
	$(VENV)/bin/lint-imports

# Every difference between the catalog, the sandbox's own reading and the docs (tests/contract/differences.py).
doc-diff: $(STAMP)
	$(PY) -m tests.contract.differences

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

stop: $(STAMP)
	$(PY) -m project.embedded stop

clean: stop
	rm -rf var
