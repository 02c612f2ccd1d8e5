# The two commands a new user types: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
SHARED ?= ../shared/data

.PHONY: run test lint check eval eval-langid langid-errors eval-summary bench cron-install lock clean tiny-model

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# --no-deps: the lock is complete; it keeps argostranslate's stanza/spacy/torch out.
$(RUN_STAMP): requirements/run.lock pyproject.toml | $(VENV)/bin/python
	$(PIP) install --no-deps -r requirements/run.lock
	$(PIP) install --no-deps --no-build-isolation -e .
	@touch $@

$(DEV_STAMP): $(RUN_STAMP) requirements/dev.lock
	$(PIP) install --no-deps -r requirements/dev.lock
	@touch $@

# The default model pair is fetched once (the only step that may use the network);
# the job itself runs offline.
run: $(RUN_STAMP)
	@$(BIN)/mixdigest models verify uk en >/dev/null 2>&1 || $(BIN)/mixdigest models download uk en || { \
	  echo "mixdigest: no uk→en model is installed and it could not be downloaded."; \
	  echo "  With network, once:   $(BIN)/mixdigest models download uk en"; \
	  echo "  Air-gapped:           $(BIN)/mixdigest models install FILE.argosmodel"; \
	  echo "  To try the job without a real model: $(BIN)/python -m tests.tiny_model /tmp/tiny-uk-en.argosmodel"; \
	  echo "                        && $(BIN)/mixdigest models install /tmp/tiny-uk-en.argosmodel"; \
	  exit 3; }
	$(BIN)/mixdigest run $(ARGS)

test: $(DEV_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check jobs tests bench
	$(BIN)/ruff format --check jobs tests bench
	$(BIN)/mypy

check: lint test

eval: eval-langid eval-summary

eval-langid: $(DEV_STAMP)
	$(BIN)/python bench/eval_langid.py $(wildcard $(SHARED)/langid/*_dev.jsonl)

# Which evidence decided each remaining uk/ru error, and whether the detector's own
# posterior expected that many (bench/langid_errors.py).
langid-errors: $(DEV_STAMP)
	$(BIN)/python bench/langid_errors.py $(wildcard $(SHARED)/langid/*_dev.jsonl)

eval-summary: $(DEV_STAMP)
	$(BIN)/python bench/eval_summary.py $(wildcard $(SHARED)/summarization/*.jsonl)

# Each benchmark prints a table with ratios against a baseline measured in the same run;
# bench_speed.py runs last so that its JSON line ends the output.
bench: $(DEV_STAMP)
	$(BIN)/python bench/bench_langid.py
	$(BIN)/python bench/bench_summary.py
	$(BIN)/python bench/bench_speed.py

# Prints the crontab line for a nightly run (see README, "Running under cron");
# `make cron-install INSTALL=1` merges it into your crontab, replacing an earlier one.
cron-install: $(RUN_STAMP)
	@$(BIN)/python -m jobs.cron $(if $(INSTALL),--install) $(if $(SCHEDULE),--schedule "$(SCHEDULE)")

tiny-model: $(RUN_STAMP)
	$(BIN)/python -m tests.tiny_model models/tiny-uk-en.argosmodel

lock:
	bash requirements/lock.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
