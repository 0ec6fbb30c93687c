# finsam: the two commands are `make demo` and `make test`; both install what they need first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := demo-output

# No machine here, and few public-sector servers, reach the internet.
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: install demo test clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "finsam behöver Python 3.11 eller senare (sätt PYTHON=python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

demo: install
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@echo "== finsam demo: 2021 års insatser och en exempelplan för sammanträden ($(DEMO)/) =="
	FINSAM_DATABASE_URL=sqlite:///$(DEMO)/finsam.db $(BIN)/finsam db upgrade
	FINSAM_DATABASE_URL=sqlite:///$(DEMO)/finsam.db $(BIN)/finsam import meetings data/sammantraden-2021-2022.yaml
	FINSAM_DATABASE_URL=sqlite:///$(DEMO)/finsam.db $(BIN)/finsam import insatser data/insatser-2021.csv --as-of 2021-09-01
	FINSAM_DATABASE_URL=sqlite:///$(DEMO)/finsam.db $(BIN)/finsam uppdatera --as-of 2021-09-01
	FINSAM_DATABASE_URL=sqlite:///$(DEMO)/finsam.db $(BIN)/finsam deadlines --as-of 2021-09-01
	FINSAM_DATABASE_URL=sqlite:///$(DEMO)/finsam.db $(BIN)/finsam deadlines --as-of 2021-09-01 --json > $(DEMO)/deadlines.json
	@echo "Klart. Databasen: $(DEMO)/finsam.db, deadlines som JSON: $(DEMO)/deadlines.json"

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .hypothesis
