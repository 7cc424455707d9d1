"""The records the extraction stages pass along: candidates, mentions, sentences.

finders -> `Candidate` (a span a rule found) -> resolve -> `ResolvedMention` (with
its canonical name) -> sentences -> `Sentence` (the unit relation finders read).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import EntityType, Predicate, Relation

__all__ = ["Candidate", "ResolvedMention", "Sentence"]


@dataclass(frozen=True, slots=True, order=True)
class Candidate:
    """A span found by a rule: `name` is set when a lexicon fixes the canonical."""

    start: int
    end: int
    label: EntityType
    name: str = ""
    priority: int = 1

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class ResolvedMention:
    """A mention with the canonical name of the entity it refers to."""

    start: int
    end: int
    text: str
    label: EntityType
    name: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the document with its mentions (offsets are document offsets)."""

    start: int
    end: int
    text: str
    mentions: tuple[ResolvedMention, ...]

    def of(self, label: EntityType) -> list[ResolvedMention]:
        return [m for m in self.mentions if m.label is label]

    def evidence(
        self, pred: Predicate, subj: str, obj: str, role: str = ""
    ) -> Relation:
        return Relation(subj, pred, obj, role, self.text.strip(), self.start, self.end)
