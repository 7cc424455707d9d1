#!/usr/bin/env python
"""Distill an NER ensemble into one network (knowledge distillation).

The student is the same char + bigram + jieba-lexicon BiLSTM-CRF as one
member of the ensemble, trained by scripts/train_ner.py's loop on MSRA train
with two targets: the gold tags (CRF loss) and, per character, the tag
distribution of the ensemble's mean emission scores (KL divergence at
temperature 2, weight --kd-weight), computed once over every training sentence. It
shares the teacher's vocabulary, lexicon, dev split and augmentation, and
starts from the teacher's mean CRF scores, so a student that matches the
teacher's scores decodes like it. The epoch is chosen on the teacher's dev
set; the MSRA test file is never read here.

Example:
    python scripts/combine_ner.py runs/seed13 runs/seed29 runs/seed41 --out runs/ens
    python scripts/distill_ner.py --teacher runs/ens --out graph/models/msra_ner
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from combine_ner import load_member  # noqa: E402
from train_ner import build_parser, finish_args, train  # noqa: E402

__all__ = ["main", "parse_args"]

logger = logging.getLogger("distill_ner")

# what the student must share with its teacher: the data and its split
SHARED = ("split_seed", "dev_fraction", "join_names", "min_bigram", "max_train")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the training options plus --teacher and the distillation weight."""
    p = build_parser(__doc__)
    p.add_argument(
        "--teacher",
        type=Path,
        required=True,
        help="pipeline dir of the ensemble to distill (written by combine_ner.py)",
    )
    p.set_defaults(kd_weight=1.0)
    return finish_args(p.parse_args(argv))


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    args = parse_args(argv)
    teacher = load_member(args.teacher)
    hyper = teacher.config["hyperparameters"]
    for key in SHARED:
        setattr(args, key, hyper[key])
    if args.quick:
        args.max_train = hyper["max_train"] or 3000
    args.teacher_info = {
        "encoders": len(teacher.encoders),
        "dev_choice": teacher.config.get("dev_choice"),
        "dev_micro_f1": (teacher.config["dev"].get("scores") or {})
        .get("micro", {})
        .get("f1"),
    }
    logger.info("teacher: %d encoders from %s", len(teacher.encoders), args.teacher)
    summary = train(args, teacher=teacher)
    print(json.dumps({k: v for k, v in summary.items() if k != "history"}, indent=1))
    print(
        f"distilled in {summary['seconds'] / 60:.1f} min; epoch {summary['epoch']}; "
        f"dev micro F1 {summary['dev']['micro']['f1']:.4f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
