"""Chinese named-entity recognition trained on MSRA (PER, LOC, ORG).

The shipped pipeline lives in ``graph/models/msra_ner`` and is loaded with
``spacy.load``; the component factory is ``kg_msra_ner``
(:mod:`graph.ner.component`). Inference needs numpy and onnxruntime only;
training (``scripts/train_ner.py``) also needs torch.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["LABELS", "MODEL_DIR"]

LABELS: tuple[str, ...] = ("PER", "LOC", "ORG")
MODEL_DIR: Path = Path(__file__).resolve().parent.parent / "models" / "msra_ner"
