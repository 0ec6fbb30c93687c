# finsam: the two commands are `make demo` and `make test`; both install what they need first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := demo-output

# No machine here, and few public-sector servers, reach the internet.
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: install demo test bench bench-smoke chaos clean

JS_STAMP := tests/js/node_modules/.installed

install: $(STAMP) $(JS_STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "finsam behöver Python 3.11 eller senare (sätt PYTHON=python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# Mozilla's ical.js reads our calendars back in the tests; without npm those checks are skipped.
$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/js --no-audit --no-fund --silent && touch $(JS_STAMP); \
	else echo "npm saknas: kalenderkontrollen med ical.js hoppas över i testerna"; fi

demo: install
	$(BIN)/finsam demo --output $(DEMO)

test: install
	$(BIN)/python -m pytest

# Figures anyone can reproduce: speed at the scale of every förbund (bench), nothing lost (chaos).
bench: install
	$(BIN)/python -m benchmarks.bench

# The same code paths at small sizes (under a minute): fails when the benchmark breaks, never on timings.
bench-smoke: install
	$(BIN)/python -m benchmarks.bench --smoke

chaos: install
	$(BIN)/python -m benchmarks.chaos

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .hypothesis
