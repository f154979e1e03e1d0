# Mashang: `make run` serves the demo, `make test` runs the whole suite.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PORT    ?= 8000
DEMO    ?= 1
export FLASK_APP := wsgi.py
# System packages each command needs (tools/system_deps.py installs them as root on Debian,
# else says in one line what to install): the web app needs only a Python that makes venvs.
SYSTEM_DEPS := $(PY) tools/system_deps.py
TEST_NEEDS  := chromium fonts redis nginx

.PHONY: setup run test test-postgres test-fast screenshots bench lint translations clean

## setup: virtualenv, Python packages, front-end assets, compiled translations (idempotent)
setup: $(BIN)/.installed static/vendor/htmx.min.js fonts/NotoSansSC-Regular.ttf webapp/translations/zh/LC_MESSAGES/messages.mo

$(BIN)/.installed: pyproject.toml
	$(SYSTEM_DEPS) venv
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,postgres,redis]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/vendor/htmx.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

# Noto Sans SC (OFL), embedded as a subset in the QR posters and labels.
fonts/NotoSansSC-Regular.ttf: node_modules/.package-lock.json
	mkdir -p fonts
	cp node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf fonts/NotoSansSC-Regular.ttf
	cp node_modules/@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf fonts/NotoSansSC-Bold.ttf

webapp/translations/zh/LC_MESSAGES/messages.mo: $(wildcard webapp/translations/*/LC_MESSAGES/messages.po) $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -d webapp/translations

## run: migrate, load demo data into an empty database (not with DEMO=0: then an empty
##      database gets a one-time set-up link), serve with gunicorn on 127.0.0.1:$(PORT)
##      together with the notification worker (Ctrl-C stops both)
run: export MASHANG_BASE_URL ?= http://127.0.0.1:$(PORT)
# The demo's group robots write their posts to the log (SMS does by default): see them at
# /admin/sent-messages.
run: export MASHANG_ROBOT_DELIVERY ?= log
run: setup
	$(BIN)/flask db upgrade
	if [ "$(DEMO)" != "0" ]; then $(BIN)/flask demo-data --if-empty; fi
	$(BIN)/flask first-run
	$(BIN)/python tools/serve.py --bind 127.0.0.1:$(PORT) --workers 2

## test: the whole suite, browser tests included
test: setup
	$(SYSTEM_DEPS) $(TEST_NEEDS)
	$(BIN)/pytest -q

## test-postgres: the whole suite again on a throwaway PostgreSQL cluster
test-postgres: setup
	$(SYSTEM_DEPS) $(TEST_NEEDS) postgres
	$(BIN)/python tools/throwaway_postgres.py -- $(BIN)/pytest -q

test-fast: setup
	$(SYSTEM_DEPS) fonts redis nginx
	$(BIN)/pytest -q -m "not e2e"

## screenshots: refresh the README's pictures from the browser tests
screenshots: setup
	$(SYSTEM_DEPS) chromium fonts
	MASHANG_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/e2e

bench: setup
	$(BIN)/python bench/scan_page.py

lint: setup
	$(BIN)/ruff check .

## translations: re-extract strings and update the catalogs after changing UI text
translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o webapp/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) node_modules static/vendor fonts
