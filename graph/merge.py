"""Cross-document merge: one canonical name per entity across all documents.

Inside a document, resolve.py already gives one entity one name. Across
documents the same event may be named 全总十六届四次执委会 in one text and
全总十六届四次执委会会议 in another; both have the same comparison key, so
they are renamed to one canonical name (the most frequent, then the longest)
before the graph is built, and become one node.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from .extract.resolve import comparison_key
from .model import DocResult, Entity, EntityType

__all__ = ["canonical_names", "merge_documents"]


def canonical_names(results: list[DocResult]) -> dict[tuple[EntityType, str], str]:
    """Map (type, name) of every entity to its name across all documents."""
    by_key: dict[tuple[EntityType, str], Counter[str]] = {}
    for result in results:
        for entity in result.entities:
            key = (entity.type, comparison_key(entity.type, entity.name))
            by_key.setdefault(key, Counter())[entity.name] += 1
    chosen = {
        key: max(names, key=lambda n: (names[n], len(n), n))
        for key, names in by_key.items()
    }
    return {
        (entity.type, entity.name): chosen[
            (entity.type, comparison_key(entity.type, entity.name))
        ]
        for result in results
        for entity in result.entities
    }


def merge_documents(results: list[DocResult]) -> list[DocResult]:
    """Rename entities (and the relations that use them) to their canonical names.

    A renamed entity keeps its own name as an alias, so nothing is lost.
    """
    names = canonical_names(results)
    return [_rename(result, names) for result in results]


def _rename(result: DocResult, names: dict[tuple[EntityType, str], str]) -> DocResult:
    types = {e.name: e.type for e in result.entities}
    entities = []
    for entity in result.entities:
        name = names[(entity.type, entity.name)]
        aliases = set(entity.aliases) | ({entity.name} - {name})
        entities.append(replace(entity, name=name, aliases=tuple(sorted(aliases))))

    def rename(value: str) -> str:
        return names.get((types[value], value), value) if value in types else value

    relations = tuple(
        replace(r, subject=rename(r.subject), object=rename(r.object))
        for r in result.relations
    )
    return DocResult(doc=result.doc, entities=_unique(entities), relations=relations)


def _unique(entities: list[Entity]) -> tuple[Entity, ...]:
    """Join entities of one document that now share a name."""
    joined: dict[tuple[EntityType, str], Entity] = {}
    for entity in entities:
        old = joined.get((entity.type, entity.name))
        if old is None:
            joined[(entity.type, entity.name)] = entity
            continue
        joined[(entity.type, entity.name)] = replace(
            old,
            aliases=tuple(sorted(set(old.aliases) | set(entity.aliases))),
            mentions=tuple(sorted(set(old.mentions) | set(entity.mentions))),
        )
    return tuple(joined.values())
