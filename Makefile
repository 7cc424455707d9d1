# Two commands do everything: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint clean ner-model

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/kg build data/corpus --out output

test: $(STAMP)
	$(BIN)/pytest

# Retrain the shipped NER model (about 3 h on 2 cores): three networks that differ
# only in their seed, two at a time, their ensemble chosen on dev, then the one
# network that ships, distilled from that ensemble (a third of its run time).
NER_RUNS := data/cache/ner-runs
NER_FLAGS := --patience 4 --threads 1 --save-every-best
ner-model: $(STAMP)
	$(BIN)/pip install --quiet -e ".[train]"
	$(BIN)/python scripts/train_ner.py --seed 13 --epochs 16 --max-minutes 80 $(NER_FLAGS) --out $(NER_RUNS)/seed13 & \
	$(BIN)/python scripts/train_ner.py --seed 29 --epochs 16 --max-minutes 80 $(NER_FLAGS) --out $(NER_RUNS)/seed29; \
	wait
	$(BIN)/python scripts/train_ner.py --seed 41 --epochs 14 --max-minutes 75 $(NER_FLAGS) --out $(NER_RUNS)/seed41
	$(BIN)/python scripts/combine_ner.py $(NER_RUNS)/seed13 $(NER_RUNS)/seed29 $(NER_RUNS)/seed41 --out $(NER_RUNS)/ensemble
	$(BIN)/python scripts/distill_ner.py --teacher $(NER_RUNS)/ensemble --seed 13 --epochs 16 --max-minutes 58 $(NER_FLAGS)

lint: $(STAMP)
	$(BIN)/ruff check graph scripts tests

clean:
	rm -rf $(VENV) output/*.ttl output/*.nt output/*.html output/json output/store
