"""Relation finders: from a document's resolved mentions to typed facts.

Every finder has one signature, `(text, sentences, lex) -> list[Relation]`, and
stands in `RELATION_FINDERS`; each works sentence by sentence on the original
text and returns Relations that carry their sentence as evidence, with offsets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ...model import Relation
from ..lexicon import Lexicon
from ..records import ResolvedMention, Sentence
from ..sentences import split_sentences
from .cues import cue_relations
from .events import event_relations
from .posts import post_relations

logger = logging.getLogger(__name__)
__all__ = ["RELATION_FINDERS", "RelationFinder", "find_relations"]

RelationFinder = Callable[[str, list[Sentence], Lexicon], list[Relation]]


def _posts(text: str, sentences: list[Sentence], lex: Lexicon) -> list[Relation]:
    return [r for sent in sentences for r in post_relations(text, sent, lex)]


# holds_position; issued, approved, organized; participated_in, held_on, held_in
RELATION_FINDERS: dict[str, RelationFinder] = {
    "posts": _posts,
    "cues": cue_relations,
    "events": event_relations,
}


def find_relations(
    text: str, mentions: list[ResolvedMention], lex: Lexicon
) -> list[Relation]:
    """Find every relation of the seven predicates in the document."""
    sentences = split_sentences(text, mentions)
    relations: list[Relation] = []
    for name, finder in RELATION_FINDERS.items():
        found = finder(text, sentences, lex)
        logger.debug("%s: %d relations", name, len(found))
        relations.extend(found)
    return relations
