# Two commands on a fresh machine:  make demo   and   make test
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-fast clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/kgagent extract examples/corpus.txt --out out/ --overwrite
	@echo; echo "== why was a relation rejected? (kgagent explain --verdict reject --kind relation --out out/)"
	-@HF_HUB_OFFLINE=1 $(BIN)/kgagent explain --verdict reject --kind relation --out out/
	@echo; echo "== what goes to review? (kgagent explain --verdict review --out out/)"
	-@HF_HUB_OFFLINE=1 $(BIN)/kgagent explain --verdict review --out out/
	@echo; echo "== an accepted relation (kgagent explain --verdict accept --kind relation --out out/)"
	-@HF_HUB_OFFLINE=1 $(BIN)/kgagent explain --verdict accept --kind relation --out out/

# the suite's processes (pytest-xdist; each test file stays in one process, its fixtures built once)
WORKERS ?= 2

test: $(STAMP)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest -q -n $(WORKERS) --dist loadfile

test-fast: $(STAMP)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest -q -n $(WORKERS) --dist loadfile -m "not slow"

clean:
	rm -rf $(VENV) out .pytest_cache
