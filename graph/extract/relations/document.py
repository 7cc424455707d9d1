"""Relation finders: from a document's resolved mentions to typed facts.

Each finder works sentence by sentence on the original text and returns
Relations that carry their sentence as evidence, with its offsets.
"""

from __future__ import annotations

from ...model import Relation
from ..lexicon import Lexicon
from ..resolve import ResolvedMention
from ..sentences import split_sentences
from .cues import cue_relations
from .events import event_relations
from .posts import post_relations

__all__ = ["find_relations"]


def find_relations(
    text: str, mentions: list[ResolvedMention], lex: Lexicon
) -> list[Relation]:
    """Find every relation of the seven predicates in the document."""
    sentences = split_sentences(text, mentions)
    relations: list[Relation] = []
    for sent in sentences:
        relations.extend(post_relations(text, sent, lex))
    relations.extend(cue_relations(text, sentences, lex))
    relations.extend(event_relations(text, sentences, lex))
    return relations
