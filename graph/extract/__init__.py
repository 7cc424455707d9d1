"""Extraction: text -> spaCy Doc -> DocResult (entities and relations with evidence).

`make_nlp` builds the pipeline (finders, alias resolution, relation finders as
spaCy components); `extract` reads a processed Doc into a DocResult.
"""

from __future__ import annotations

from .nlp import make_nlp
from .result import extract

__all__ = ["make_nlp", "extract"]
