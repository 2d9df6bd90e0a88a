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
# torch is installed on its own (the CPU build); these are the CUDA build's dependencies.
LOCK_EXCLUDE := torch triton cuda-bindings cuda-pathfinder cuda-toolkit nvidia-cublas \
	nvidia-cuda-cupti nvidia-cuda-nvrtc nvidia-cuda-runtime nvidia-cudnn-cu13 nvidia-cufft \
	nvidia-cufile nvidia-curand nvidia-cusolver nvidia-cusparse nvidia-cusparselt-cu13 \
	nvidia-nccl-cu13 nvidia-nvjitlink nvidia-nvshmem-cu13 nvidia-nvtx

.PHONY: diagram install lock run serve chat index test lint eval eval-llm llm-local llm-local-small bench bench-workers bench-external screenshots loadcheck audit clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	# The CPU build of PyTorch; an unpinned torch would pull a multi-GB CUDA build.
	$(PIP) install --quiet torch==2.13.0
	# Everything else from the lock file: exact versions, every file checked by its hash.
	$(PIP) install --quiet --require-hashes --no-deps -r requirements.lock
	$(PIP) install --quiet --no-deps -e .
	# The evaluation, benchmarks and development tools are not in the package: put the
	# checkout itself on the virtualenv's path (`tillit eval`, `python -m eval` from anywhere).
	$(PY) -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], "tillit-checkout.pth").write_text(str(pathlib.Path.cwd()) + "\n")'
	touch $(STAMP)

lock: ## regenerate requirements.lock (hashed) from pyproject.toml; torch and CUDA excluded
	$(PIP) install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 --python-platform x86_64-manylinux_2_28 --no-header \
		--annotation-style line $(foreach p,$(LOCK_EXCLUDE),--no-emit-package $(p)) \
		-o requirements.lock

install: $(STAMP) ## create .venv and install everything

index: install ## build or update the index of the bundled anthology
	$(PY) -m tillit index

run: index ## build the index on first run, then serve chat, API and widget on :7860
	$(PY) app.py

serve: run

chat: index ## a conversation in the terminal
	$(PY) -m tillit chat

screenshots: index ## refresh the screenshots in docs/
	$(PY) -m devtools.screenshots

loadcheck: index ## 50 clients, mixed sv/en + follow-ups, ask + stream, 2 min (localhost only)
	$(PY) -m devtools.loadcheck --clients 50 --requests 5000 --seconds 120

audit: install ## dependency audit (needs pypi.org JSON API or api.osv.dev)
	$(VENV)/bin/pip-audit --strict

test: install ## run the test suite (installs Chromium, Tesseract and axe-core when missing)
	.ci/system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy assistant index eval tillit_web tillit devtools benchmarks app.py

eval: index ## evaluate on the curated questions; report in docs/eval/
	$(PY) -m tillit eval --report docs/eval --json data/eval.json $(EVAL_ARGS)

llm-local: install ## optional: build llama.cpp and install the 1.5B local model (TILLIT_LLM=llamacpp)
	$(PY) -m tillit llm install-local

llm-local-small: install ## optional: the same with the 0.5B model (faster, weaker)
	$(PY) -m tillit llm install-local --small

eval-llm: index ## generated vs quoted answers side by side (needs llm-local and llm-local-small)
	$(PY) -m tillit eval --mode extractive --modes hybrid --json data/eval-extractive.json
	TILLIT_LLM=llamacpp TILLIT_LLM_MODEL_PATH=data/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf \
		$(PY) -m tillit eval --mode llm --json data/eval-llm-1.5b.json $(EVAL_ARGS)
	TILLIT_LLM=llamacpp TILLIT_LLM_MODEL_PATH=data/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf \
		$(PY) -m tillit eval --mode llm --json data/eval-llm-0.5b.json $(EVAL_ARGS)
	$(PY) -m eval.side_by_side data/eval-extractive.json data/eval-llm-1.5b.json \
		data/eval-llm-0.5b.json --out docs/eval/generative

bench: install ## benchmarks printing figures: build throughput, query latency, cold start, the reader
	$(PY) -m benchmarks build --corpus chapter
	$(PY) -m benchmarks query --scales 100,10000
	$(PY) -m benchmarks coldstart --scales 100
	$(PY) -m benchmarks reader --limit 60

bench-workers: install ## RSS per worker and throughput of serve --workers 1,2,4 over one Chroma server
	$(PY) -m benchmarks workers

bench-external: install ## external retrieval benchmarks (SweFAQ, SweQuAD-MC)
	$(PY) -m tillit eval --benchmark swefaq --json data/bench-swefaq.json
	$(PY) -m tillit eval --benchmark swequad --json data/bench-swequad.json

clean: ## remove the virtualenv and the data directory
	rm -rf $(VENV) data

diagram: ## render docs/architecture.png from docs/architecture.dot (needs Graphviz)
	dot -Tpng -Gdpi=100 docs/architecture.dot -o docs/architecture.png
