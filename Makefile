# The two commands: `make run` (the app) and `make test` (the tests). Both build what they need on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := data/seizures.duckdb
PORT ?= 8501
# `make run` is local development on the demo data: no login, acting as administrator (the sidebar says so).
# A deployment leaves SEIZURES_AUTH unset (login required) or sets SEIZURES_PUBLIC=1; `make run-login` tries the
# login mode here, `make run-public` the public view.
SEIZURES_AUTH ?= off
USERS_FILE := .streamlit/users.yaml

.PHONY: run run-login run-public test demo-db clean

$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# Rebuilt (init upgrades in place) when a migration is added.
$(DEMO_DB): $(BIN)/.installed $(wildcard src/seizures/migrations/versions/*.py)
	$(BIN)/seizures --db-url duckdb:///$(DEMO_DB) init --demo

demo-db: $(DEMO_DB)

run: $(BIN)/.installed $(DEMO_DB)
	SEIZURES_AUTH=$(SEIZURES_AUTH) $(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--browser.gatherUsageStats false --client.showErrorDetails full --server.fileWatcherType auto

# The login mode, as a deployment runs it: with no users file yet, an administrator "admin" is created with a
# random password, printed once (the file holds only its bcrypt hash).
run-login: $(BIN)/.installed $(DEMO_DB)
	@if [ ! -s $(USERS_FILE) ]; then \
		password=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(12))'); \
		echo "$$password" | $(BIN)/seizures users add admin --role admin >/dev/null && \
		echo "Log in as admin with the password $$password (users file $(USERS_FILE); add more with .venv/bin/seizures users add)"; \
	fi
	$(MAKE) run SEIZURES_AUTH=password

run-public: $(BIN)/.installed $(DEMO_DB)
	SEIZURES_PUBLIC=1 $(MAKE) run SEIZURES_AUTH=password

# axe-core for the accessibility tests (tests/package-lock.json pins it); the stamp, as npm keeps the package's dates.
AXE := tests/node_modules/.installed
$(AXE): tests/package.json tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The suite in two passes on both cores (pytest-xdist): the tests without a browser, a test file per worker; then the
# browser tests, spread test by test (each worker starts the app servers its tests need). Exit status 5 (no test
# selected, e.g. PYTEST_ARGS names one file) is not a failure. TEST_JOBS=1: one process for each pass.
TEST_JOBS ?= 2
test: $(BIN)/.installed $(DEMO_DB) $(AXE)
	$(BIN)/pytest -n $(TEST_JOBS) --dist loadfile -m "not browser" $(PYTEST_ARGS); s=$$?; [ $$s = 0 ] || [ $$s = 5 ] || exit $$s
	$(BIN)/pytest -n $(TEST_JOBS) --dist load -m browser $(PYTEST_ARGS); s=$$?; [ $$s = 0 ] || [ $$s = 5 ] || exit $$s

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB).wal
