#!/usr/bin/env python
"""Combine NER pipelines trained by train_ner.py into one ensemble, chosen on dev.

The members must come from runs that share their data (same --split-seed,
--dev-fraction, --join-names and vocabulary settings) and differ in --seed.
Each member alone and every ensemble of two or more of them (emission and
CRF scores summed) are scored on the dev set those runs held out; the best
on dev is written to --out, the one with the fewest encoders among those
within --tolerance of the best (fewer encoders run faster). The MSRA test
file is never read here.

Example:
    python scripts/train_ner.py --seed 13 --out runs/seed13
    python scripts/train_ner.py --seed 29 --out runs/seed29
    python scripts/combine_ner.py runs/seed13 runs/seed29
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from train_ner import add_path_args, split_dev, write_pipeline  # noqa: E402

from graph.ner.augment import joined_copies  # noqa: E402
from graph.ner.data import Example, ensure_msra, read_msra  # noqa: E402
from graph.ner.metrics import score_spans  # noqa: E402
from graph.ner.model import NerModel  # noqa: E402

__all__ = ["combine", "dev_examples", "main"]

logger = logging.getLogger("combine_ner")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse command-line options."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("members", type=Path, nargs="+", help="pipeline dirs to combine")
    add_path_args(p)
    p.add_argument(
        "--all",
        action="store_true",
        help="write the ensemble of all members (scored on dev, not chosen), "
        "e.g. as the teacher of scripts/distill_ner.py",
    )
    p.add_argument(
        "--tolerance",
        type=float,
        default=0.0005,
        help="prefer fewer encoders (faster) when they lose at most this much "
        "dev micro F1 against the best candidate",
    )
    return p.parse_args(argv)


def load_member(directory: Path) -> NerModel:
    """Load the model inside a pipeline dir, failing clearly if it is not one."""
    inner = directory / "kg_msra_ner"
    if not (inner / "config.json").is_file():
        raise SystemExit(f"{directory}: not a pipeline written by train_ner.py")
    return NerModel.load(inner)


def dev_examples(hyper: dict[str, Any], cache_dir: Path) -> list[Example]:
    """Rebuild the dev set a training run held out, from its hyperparameters."""
    examples = read_msra(ensure_msra(cache_dir)["train"])
    _, dev = split_dev(examples, hyper["dev_fraction"], hyper["split_seed"])
    if hyper["max_train"]:
        dev = dev[: max(200, hyper["max_train"] // 10)]
    if hyper["join_names"]:
        dev = dev + joined_copies(dev, 1, hyper["split_seed"])
    return dev


def _data_key(model: NerModel) -> tuple[Any, ...]:
    """What members must share: training data settings and vocabulary."""
    hyper = model.config["hyperparameters"]
    settings = tuple(
        hyper.get(k)
        for k in ("split_seed", "dev_fraction", "join_names", "max_train", "min_bigram")
    )
    return settings, tuple(model.featurizer.chars), len(model.featurizer.bigrams)


def _ensemble(group: list[NerModel], n_members: int) -> tuple[str, NerModel]:
    """Return the name and model of the ensemble of some members."""
    encoders = [enc for m in group for enc in m.encoders]
    config = dict(
        group[0].config,
        members=[
            {k: m.config[k] for k in ("hyperparameters", "dev", "train_seconds")}
            for m in group
        ],
    )
    seeds = "+".join(str(m.config["hyperparameters"]["seed"]) for m in group)
    name = "ensemble" if len(group) == n_members else f"ensemble {seeds}"
    return name, NerModel(group[0].featurizer, encoders, config)


def combine(
    members: list[NerModel],
    dev: list[Example],
    tolerance: float = 0.0,
    *,
    everyone: bool = False,
) -> tuple[NerModel, dict]:
    """Score each member and each ensemble of them on dev; return the best and all.

    Of the candidates whose dev micro F1 is within ``tolerance`` of the best,
    the one with the fewest encoders (the fastest) is chosen; with
    ``everyone`` the only candidate is the ensemble of all members.
    """
    keys = {_data_key(m) for m in members}
    if len(keys) > 1:
        raise SystemExit("members were trained on different data or vocabularies")
    gold = [spans for _, spans in dev]
    texts = [text for text, _ in dev]
    candidates: list[tuple[str, NerModel]] = [
        (f"seed {m.config['hyperparameters']['seed']}", m) for m in members
    ]
    for size in range(2, len(members) + 1):
        for group in itertools.combinations(members, size):
            candidates.append(_ensemble(list(group), len(members)))
    if everyone:
        candidates = candidates[-1:]
    table: dict[str, Any] = {}
    for name, model in candidates:
        table[name] = score_spans(gold, model.predict(texts))
        logger.info("dev micro F1 %s: %.4f", name, table[name]["micro"]["f1"])
    top = max(table[name]["micro"]["f1"] for name, _ in candidates)
    # fewer encoders run faster: the smallest candidate that is as good wins
    best = min(
        (c for c in candidates if table[c[0]]["micro"]["f1"] >= top - tolerance),
        key=lambda c: (len(c[1].encoders), -table[c[0]]["micro"]["f1"]),
    )
    chosen = best[1]
    chosen.config["dev_choice"] = {
        "chosen": best[0],
        "micro_f1": {name: round(s["micro"]["f1"], 4) for name, s in table.items()},
    }
    if chosen.config.get("members"):
        chosen.config["dev"] = dict(chosen.config["dev"], scores=table[best[0]])
        chosen.config["train_seconds"] = sum(
            m["train_seconds"] for m in chosen.config["members"]
        )
    return chosen, table


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    args = parse_args(argv)
    members = [load_member(d) for d in args.members]
    dev = dev_examples(members[0].config["hyperparameters"], args.cache_dir)
    logger.info("dev set: %d sentences", len(dev))
    chosen, table = combine(members, dev, args.tolerance, everyone=args.all)
    write_pipeline(chosen, args.out)
    print(json.dumps(chosen.config["dev_choice"], ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
