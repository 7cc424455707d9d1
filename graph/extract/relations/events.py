"""Event relations: who took part (participated_in), when (held_on), where (held_in)."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import EntityType, Predicate, Relation
from ..lexicon import Lexicon
from ..records import ResolvedMention, Sentence
from .context import main_event
from .dates import distinct, held_on, stated_date
from .participation import is_meeting, participants, speech_bylines

__all__ = ["event_relations"]


def _held_in(text: str, sent: Sentence, lex: Lexicon) -> Iterator[Relation]:
    """在 VENUE (和 VENUE) 召开: where the events of the sentence are held."""
    events = distinct(sent.of(EntityType.EVENT))
    if not events:
        return
    places = sorted(sent.of(EntityType.LOCATION), key=lambda m: m.start)
    prepositions = lex.words("venue_prepositions")
    hold = lex.pattern("hold_after")
    for i, loc in enumerate(places):
        first, last = _venue_list(text, places, i, lex)
        before = text[max(places[first].start - 1, 0) : places[first].start]
        if before not in prepositions or not hold.match(text, places[last].end):
            continue
        for event in [e for e in events if e.end <= loc.start] or events[:1]:
            yield sent.evidence(Predicate.HELD_IN, event.name, loc.name)


def _venue_list(
    text: str, places: list[ResolvedMention], i: int, lex: Lexicon
) -> tuple[int, int]:
    """Return the first and last index of the list 在A和B、C that holds place i."""
    joins = "、" + lex.chars("joins")

    def joined(a: ResolvedMention, b: ResolvedMention) -> bool:
        return b.start == a.end + 1 and text[a.end] in joins

    first = last = i
    while first > 0 and joined(places[first - 1], places[first]):
        first -= 1
    while last + 1 < len(places) and joined(places[last], places[last + 1]):
        last += 1
    return first, last


def event_relations(
    text: str, sentences: list[Sentence], lex: Lexicon
) -> list[Relation]:
    """Find participated_in, held_on and held_in relations in the document."""
    stated = stated_date(text, lex)
    out: list[Relation] = []
    main = main_event(sentences, lex)
    current: str | None = main.name if main is not None else None
    for sent in sentences:
        meetings = [e for e in sent.of(EntityType.EVENT) if is_meeting(e, lex)]
        if meetings and main is None:
            current = meetings[0].name
        out.extend(participants(text, sent, lex, current))
        out.extend(held_on(text, sent, stated, lex))
        out.extend(_held_in(text, sent, lex))
    out.extend(speech_bylines(sentences, lex))
    return out
