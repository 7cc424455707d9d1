"""Doc -> DocResult: read what the components wrote and keep only sound facts."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from spacy.tokens import Doc

from ..model import DocResult, Entity, EntityType, Predicate, Relation

__all__ = ["extract"]

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
