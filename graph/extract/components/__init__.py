"""spaCy components of the pipeline; importing this module registers them."""

from __future__ import annotations

from spacy.tokens import Doc

from . import aliases, entities, model_ner, relations
from .text import doc_text

__all__ = ["aliases", "entities", "model_ner", "relations", "doc_text"]

for _name in ("kg_text", "kg_candidates", "kg_mentions", "kg_entities", "kg_relations"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
