# Lounge developer commands. Everything installs into .venv; nothing is needed by hand.
VENV        ?= .venv
BIN         := $(VENV)/bin
STAMP       := $(VENV)/.installed
HOST        ?= 127.0.0.1
PORT        ?= 8000
PG_URL      ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
REDIS_URL   ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

.PHONY: install node-tools chromium migrate run test test-services services bench fuzz lint audit fmt demo clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Command-line tools from npm (the OpenAPI linter), kept out of git under var/node. Pinned;
# changing the list reinstalls.
NODE_DIR      := var/node
NODE_PACKAGES := @redocly/cli@2.77.0
NODE_STAMP    := $(NODE_DIR)/.installed-$(shell echo '$(NODE_PACKAGES)' | md5sum | cut -c1-12)

$(NODE_STAMP):
	@command -v npm >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq npm)
	npm install --prefix $(NODE_DIR) --no-audit --no-fund --save-exact $(NODE_PACKAGES)
	rm -f $(NODE_DIR)/.installed-*
	touch $(NODE_STAMP)

node-tools: $(NODE_STAMP)

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own. Debian's
# colour emoji font draws reactions as emoji rather than empty boxes.
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)
	@dpkg-query -W -f='$${Status}' fonts-noto-color-emoji 2>/dev/null | grep -q "ok installed" \
		|| (apt-get update -qq && apt-get install -y -qq fonts-noto-color-emoji)

migrate: install
	$(BIN)/alembic upgrade heads

run: migrate
	LOUNGE_HOST=$(HOST) LOUNGE_PORT=$(PORT) \
		$(BIN)/uvicorn --factory app.main:create_app --host $(HOST) --port $(PORT) \
		--ws websockets-sansio --ws-per-message-deflate false

test: install node-tools chromium
	$(BIN)/pytest -q $(PYTEST_ARGS)

# Start the local PostgreSQL and Redis when they are down.
services:
	@pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && exit 0; sleep 1; done; echo "services did not start" >&2; exit 1

test-services: install node-tools chromium services
	LOUNGE_DATABASE_URL=$(PG_URL) LOUNGE_REDIS_URL=$(REDIS_URL) $(BIN)/pytest -q $(PYTEST_ARGS)

# Schemathesis over every API operation of a running app; raise FUZZ_EXAMPLES to dig deeper.
FUZZ_EXAMPLES ?= 25
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m tests.fuzz.run

bench: install services
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .

# Fails on any known vulnerability in the installed dependencies. Packages the index cannot
# look up are listed as skipped, so a quiet run is never mistaken for a clean one.
audit: install
	@mkdir -p var
	$(BIN)/pip-audit --skip-editable --progress-spinner off > var/pip-audit.txt 2>&1 || { cat var/pip-audit.txt; exit 1; }
	@head -n 1 var/pip-audit.txt
	@skipped=$$(grep -c "could not be audited" var/pip-audit.txt || true); \
		[ "$$skipped" = "0" ] || echo "pip-audit: $$skipped packages could not be looked up by the vulnerability service (see var/pip-audit.txt)"

fmt: install
	$(BIN)/ruff check --fix .

# A believable organisation in the embedded database, for trying Lounge out.
demo: migrate
	$(BIN)/python -m app.demo

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
