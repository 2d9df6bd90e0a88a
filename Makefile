# One task file. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run serve chat index test lint eval bench bench-external screenshots loadcheck audit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# The CPU build of PyTorch; an unpinned torch would pull a multi-GB CUDA build.
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install everything

index: install ## build or update the index of the bundled anthology
	$(PY) -m assistant.cli index

run: index ## build the index on first run, then serve chat, API and widget on :7860
	$(PY) app.py

serve: run

chat: index ## a conversation in the terminal
	$(PY) -m assistant.cli chat

screenshots: index ## refresh the screenshots in docs/
	$(PY) -m web.screenshots

loadcheck: index ## 50 clients, mixed sv/en + follow-ups, ask + stream, 2 min (localhost only)
	$(PY) -m web.loadcheck --clients 50 --requests 5000 --seconds 120

audit: install ## dependency audit (needs pypi.org JSON API or api.osv.dev)
	$(VENV)/bin/pip-audit --strict

test: install ## run the test suite
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy assistant index eval web benchmarks app.py

eval: index ## evaluate on the curated questions; report in docs/eval/
	$(PY) -m eval --report docs/eval --json data/eval.json $(EVAL_ARGS)

bench: install ## benchmarks printing figures: build throughput, query latency, cold start
	$(PY) -m benchmarks build --corpus chapter
	$(PY) -m benchmarks query --scales 100,10000
	$(PY) -m benchmarks coldstart --scales 100

bench-external: install ## external retrieval benchmarks (SweFAQ, SweQuAD-MC)
	$(PY) -m eval --benchmark swefaq --json data/bench-swefaq.json
	$(PY) -m eval --benchmark swequad --json data/bench-swequad.json

clean: ## remove the virtualenv and the data directory
	rm -rf $(VENV) data
