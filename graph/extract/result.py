"""Doc -> DocResult: read what the components wrote and keep only sound facts."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import replace

from spacy.tokens import Doc

from ..model import DocResult, Entity, EntityType, Mention, Predicate, Relation

__all__ = ["extract", "link_result"]

logger = logging.getLogger(__name__)


def extract(doc: Doc, name: str) -> DocResult:
    """Collect the entities and relations of a processed Doc into a DocResult.

    A relation is kept only when its ends are entities of the document (or a
    date, for held_on); an entity is kept once with all its aliases.
    """
    entities: list[Entity] = list(doc._.kg_entities or [])
    types = {e.name: e.type for e in entities}
    relations = _first_evidence(
        r for r in (doc._.kg_relations or []) if _is_sound(r, types)
    )
    return DocResult(doc=name, entities=tuple(entities), relations=tuple(relations))


def _first_evidence(relations: Iterable[Relation]) -> list[Relation]:
    """Keep one relation per fact: the one stated first (repeats add nothing).

    Of the dates of one event, a less precise one that agrees with a more
    precise one (2016-01 and 2016-01-17) is dropped.
    """
    first: dict[tuple[str, str, str, str], Relation] = {}
    for rel in sorted(relations, key=lambda r: r.start):
        first.setdefault(rel.key, rel)
    dates: dict[str, set[str]] = {}
    for rel in first.values():
        if rel.predicate is Predicate.HELD_ON:
            dates.setdefault(rel.subject, set()).add(rel.object)
    return [r for r in first.values() if not _is_vaguer(r, dates)]


def _is_vaguer(rel: Relation, dates: dict[str, set[str]]) -> bool:
    if rel.predicate is not Predicate.HELD_ON:
        return False
    return any(
        d != rel.object and d.startswith(rel.object + "-") for d in dates[rel.subject]
    )


_SIGNATURES = {
    Predicate.HOLDS_POSITION: (EntityType.PERSON, EntityType.ORG),
    Predicate.ISSUED: (EntityType.ORG, EntityType.POLICY),
    Predicate.APPROVED: (EntityType.ORG, EntityType.POLICY),
    Predicate.ORGANIZED: (EntityType.ORG, EntityType.EVENT),
    Predicate.PARTICIPATED_IN: (EntityType.PERSON, EntityType.EVENT),
    Predicate.HELD_ON: (EntityType.EVENT, None),
    Predicate.HELD_IN: (EntityType.EVENT, EntityType.LOCATION),
}


def _is_sound(rel: Relation, types: dict[str, EntityType]) -> bool:
    subject_type, object_type = _SIGNATURES[rel.predicate]
    if types.get(rel.subject) is not subject_type or rel.subject == rel.object:
        logger.debug(
            "dropped %s %s %s: subject is no %s of the document",
            rel.subject,
            rel.predicate.value,
            rel.object,
            subject_type.value,
        )
        return False
    if object_type is None or types.get(rel.object) is object_type:
        return True
    logger.debug(
        "dropped %s %s %s: object is no %s of the document",
        rel.subject,
        rel.predicate.value,
        rel.object,
        object_type.value,
    )
    return False


def link_result(result: DocResult, text: str) -> DocResult:
    """Make a whole document's result self-contained for linking tools.

    `text` is the document text the offsets count in. Adds its SHA-256, each
    entity's IRI (as minted for the document alone; graph.merge re-mints the
    IRIs of namesakes it keeps apart), evidence offsets trimmed so that
    `text[start:end] == evidence`, and the spans of a mention of the subject
    and of the object inside the evidence.
    """
    from ..rdf.build import entity_iri

    entities = tuple(
        replace(e, iri=e.iri or str(entity_iri(e.type, e.name)))
        for e in result.entities
    )
    mentions = {e.name: e.mentions for e in entities}
    relations = tuple(
        _attach_spans(_trim(rel, text), mentions) for rel in result.relations
    )
    return replace(
        result,
        entities=entities,
        relations=relations,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _trim(rel: Relation, text: str) -> Relation:
    if rel.start < 0 or not rel.evidence:
        return rel
    at = text.find(rel.evidence, rel.start, max(rel.end, rel.start + len(rel.evidence)))
    if at < 0:
        return rel
    return replace(rel, start=at, end=at + len(rel.evidence))


def _attach_spans(rel: Relation, mentions: dict[str, tuple[Mention, ...]]) -> Relation:
    subject = _span_in(mentions.get(rel.subject, ()), rel)
    obj = None
    if rel.predicate is not Predicate.HELD_ON:
        obj = _span_in(mentions.get(rel.object, ()), rel)
    return replace(rel, subject_span=subject, object_span=obj)


def _span_in(found: tuple[Mention, ...], rel: Relation) -> tuple[int, int] | None:
    """Return the first mention inside the evidence, else the nearest one.

    The nearest stands for a subject the rules took from a heading or an
    earlier sentence (the report's own organization, a byline).
    """
    if rel.start < 0 or not found:
        return None
    inside = [m for m in found if rel.start <= m.start and m.end <= rel.end]
    best = inside[0] if inside else min(found, key=lambda m: _distance(m, rel))
    return (best.start, best.end)


def _distance(mention: Mention, rel: Relation) -> tuple[int, int]:
    before = mention.end <= rel.start
    gap = rel.start - mention.end if before else mention.start - rel.end
    return (gap, 0 if before else 1)
