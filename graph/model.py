"""The one data model that flows through the stages: mentions, entities, relations.

`DocResult.to_dict()` is the gold answer-key format of docs/GUIDELINES.md, plus
what the scorer ignores and downstream linking tools use: character offsets
(`mentions` on entities; `start`/`end` of the evidence and the spans of the
subject and object on relations), each entity's IRI (`iri`) and the text's
SHA-256 with the offset convention (`text`). Offsets count Unicode code points
of the document text (graph.io.read_text: decoded, BOM removed, HTML reduced
to text, invisible characters removed; CR and LF kept), end exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = [
    "EntityType",
    "Predicate",
    "Mention",
    "Entity",
    "Relation",
    "DocResult",
    "ROLE_PREDICATES",
    "OFFSET_CONVENTION",
]

OFFSET_CONVENTION = (
    "Unicode code points of the document text as graph.io.read_text returns it "
    "(decoded, BOM removed, HTML reduced to text, invisible characters removed, "
    "CR and LF kept); start inclusive, end exclusive"
)


class EntityType(str, Enum):
    """The five entity types of the guidelines."""

    PERSON = "PERSON"
    ORG = "ORG"
    POLICY = "POLICY"
    EVENT = "EVENT"
    LOCATION = "LOCATION"


class Predicate(str, Enum):
    """The seven relation predicates of the guidelines."""

    HOLDS_POSITION = "holds_position"
    ISSUED = "issued"
    APPROVED = "approved"
    ORGANIZED = "organized"
    PARTICIPATED_IN = "participated_in"
    HELD_ON = "held_on"
    HELD_IN = "held_in"


ROLE_PREDICATES = frozenset({Predicate.HOLDS_POSITION, Predicate.PARTICIPATED_IN})


@dataclass(frozen=True, slots=True, order=True)
class Mention:
    """One surface form of an entity at `text[start:end]` of the document."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mention:
        return cls(int(data["start"]), int(data["end"]), str(data["text"]))


@dataclass(frozen=True, slots=True)
class Entity:
    """A resolved entity: canonical `name`, other surface forms in `aliases`."""

    type: EntityType
    name: str
    aliases: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    iri: str = ""  # set by graph.merge (or result.link_result) when known
    possibly_same: tuple[str, ...] = ()  # IRIs of namesakes kept apart

    @property
    def key(self) -> tuple[str, str]:
        return (self.type.value, self.name)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type.value,
            "name": self.name,
            "aliases": list(self.aliases),
            "mentions": [m.to_dict() for m in self.mentions],
        }
        if self.iri:
            out["iri"] = self.iri
        if self.possibly_same:
            out["possibly_same_as"] = list(self.possibly_same)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            type=EntityType(data["type"]),
            name=str(data["name"]),
            aliases=tuple(sorted(set(data.get("aliases") or []))),
            mentions=tuple(
                sorted(Mention.from_dict(m) for m in data.get("mentions", []))
            ),
            iri=str(data.get("iri") or ""),
            possibly_same=tuple(sorted(data.get("possibly_same_as") or [])),
        )


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed fact with its evidence sentence and that sentence's offsets."""

    subject: str
    predicate: Predicate
    object: str
    role: str = ""
    evidence: str = ""
    start: int = -1
    end: int = -1
    subject_span: tuple[int, int] | None = None  # a mention of the subject
    object_span: tuple[int, int] | None = None  # a mention of the object

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.subject, self.predicate.value, self.object, self.role)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "subject": self.subject,
            "predicate": self.predicate.value,
            "object": self.object,
            "evidence": self.evidence,
            "start": self.start,
            "end": self.end,
        }
        if self.predicate in ROLE_PREDICATES:
            out["role"] = self.role
        spans = (("subject", self.subject_span), ("object", self.object_span))
        for name, span in spans:
            if span is not None:
                out[f"{name}_start"], out[f"{name}_end"] = span
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Relation:
        return cls(
            subject=str(data["subject"]),
            predicate=Predicate(data["predicate"]),
            object=str(data["object"]),
            role=str(data.get("role") or ""),
            evidence=str(data.get("evidence") or ""),
            start=int(data.get("start", -1)),
            end=int(data.get("end", -1)),
            subject_span=_span(data, "subject"),
            object_span=_span(data, "object"),
        )


def _span(data: dict[str, Any], name: str) -> tuple[int, int] | None:
    if f"{name}_start" not in data:
        return None
    return (int(data[f"{name}_start"]), int(data[f"{name}_end"]))


@dataclass(frozen=True, slots=True)
class DocResult:
    """Everything extracted from one document, sorted so output is deterministic."""

    doc: str
    entities: tuple[Entity, ...] = field(default=())
    relations: tuple[Relation, ...] = field(default=())
    sha256: str = ""  # of the document text (UTF-8) the offsets count in

    def __post_init__(self) -> None:
        ents = tuple(sorted(self.entities, key=lambda e: (e.type.value, e.name)))
        rels = tuple(sorted(set(self.relations), key=_relation_order))
        object.__setattr__(self, "entities", ents)
        object.__setattr__(self, "relations", rels)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "doc": self.doc,
            "entities": [e.to_dict() for e in self.entities],
            "relations": [r.to_dict() for r in self.relations],
        }
        if self.sha256:
            out["text"] = {"sha256": self.sha256, "offsets": OFFSET_CONVENTION}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocResult:
        return cls(
            doc=str(data["doc"]),
            entities=tuple(Entity.from_dict(e) for e in data.get("entities", [])),
            relations=tuple(Relation.from_dict(r) for r in data.get("relations", [])),
            sha256=str((data.get("text") or {}).get("sha256") or ""),
        )


def _relation_order(rel: Relation) -> tuple[Any, ...]:
    return (rel.predicate.value, rel.subject, rel.object, rel.role, rel.start)
