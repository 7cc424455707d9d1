"""Cross-document identity: which entities of different documents are one.

Inside a document, resolve.py already gives one entity one name. Across
documents, entities of one type whose names have one identity key
(rdf.build.identity_key: 全总十六届四次执委会 and 全总十六届四次执委会会议)
are one entity with one IRI. People are the exception: two people of one name
are one only when their documents give evidence of it (a shared organization,
post or alias); otherwise they stay two entities, with IRIs told apart by
their context (王建国·北京市总工会), linked by `kg:possiblySameAs` (each to the
first of them, which is linked to all: linear in the number of namesakes).
`identify_documents` decides and reports every decision (`MergeRecord`);
`merge_documents` then renames entities to one canonical name per IRI before
the graph is built.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from .extract.lexicon import Lexicon
from .model import DocResult, Entity, EntityType, Predicate
from .rdf.build import QUALIFIER, entity_iri, identity_key

__all__ = [
    "MergeRecord",
    "identify_documents",
    "canonical_names",
    "merge_documents",
]

MERGED = "merged"
KEPT_APART = "kept apart"


@dataclass(frozen=True, slots=True, order=True)
class MergeRecord:
    """One merge or non-merge: what was (not) joined, where, and why."""

    type: EntityType
    iri: str
    name: str
    other: str  # the surface form merged in, or the IRI kept apart
    decision: str  # MERGED or KEPT_APART
    reason: str
    documents: tuple[str, ...] = ()


@dataclass(slots=True)
class _Member:
    """One document's entity of a given type and identity key."""

    doc: str
    entity: Entity
    orgs: frozenset[str]
    posts: frozenset[str]


def identify_documents(
    results: list[DocResult],
    texts: Mapping[str, str] | None = None,
    *,
    lexicon: Lexicon | None = None,
) -> tuple[list[DocResult], list[MergeRecord]]:
    """Give every entity its corpus-wide IRI; report each merge and non-merge.

    Names are left as they are (the per-document JSON keeps scoring the
    same); only `iri` and `possibly_same` are set. `texts` (document name ->
    text) lets a post written next to a person's name (习近平总书记) count as
    evidence; `lexicon` gives the posts and aliases (the packaged one if None).
    """
    lexicon = lexicon or _default_lexicon()
    members: dict[tuple[EntityType, str], list[_Member]] = {}
    for result in results:
        text = (texts or {}).get(result.doc, "")
        for entity in result.entities:
            key = (entity.type, identity_key(entity.type, entity.name))
            member = _Member(
                result.doc, entity, *_context(result, entity, text, lexicon)
            )
            members.setdefault(key, []).append(member)
    iris: dict[tuple[str, EntityType, str], tuple[str, tuple[str, ...]]] = {}
    records: list[MergeRecord] = []
    for (type_, _), group in sorted(members.items(), key=lambda kv: kv[0][1]):
        if type_ is EntityType.PERSON:
            clusters, reasons = _cluster_people(group)
        else:
            clusters, reasons = [group], [_same_key_reason(group)]
        named = _name_clusters(type_, clusters)
        records += _cluster_records(type_, named, reasons)
        for iri, cluster in named:
            others = _namesakes(named, iri)
            for member in cluster:
                iris[(member.doc, type_, member.entity.name)] = (iri, others)
    out = [_with_iris(result, iris) for result in results]
    return out, sorted(set(records + _alias_records(out, lexicon)))


def _default_lexicon() -> Lexicon:
    from .extract.lexicon import load_lexicon
    from .settings import Settings

    return load_lexicon(Settings().resources)


def _context(
    result: DocResult, entity: Entity, text: str, lexicon: Lexicon
) -> tuple[frozenset[str], frozenset[str]]:
    """Return the organizations (IRIs) and posts a person has in one document."""
    if entity.type is not EntityType.PERSON:
        return frozenset(), frozenset()
    types = {e.name: e.type for e in result.entities}
    orgs, posts = set(), set()
    for rel in result.relations:
        if rel.subject == entity.name and rel.predicate is Predicate.HOLDS_POSITION:
            orgs.add(str(entity_iri(types.get(rel.object, EntityType.ORG), rel.object)))
            if rel.role:
                posts.add(rel.role)
    for mention in entity.mentions if text else ():
        posts.update(_adjacent_posts(text, mention.start, mention.end, lexicon))
    return frozenset(orgs), frozenset(posts)


def _adjacent_posts(text: str, start: int, end: int, lexicon: Lexicon) -> set[str]:
    """Posts written right before or after a name: 主席王建国, 习近平总书记."""
    after = next((r for r in lexicon.roles if text.startswith(r, end)), None)
    before = next((r for r in lexicon.roles if text.endswith(r, 0, start)), None)
    return {post for post in (after, before) if post}


def _cluster_people(
    group: list[_Member],
) -> tuple[list[list[_Member]], list[str]]:
    """Join namesakes whose documents share an organization, post or alias."""
    parent = list(range(len(group)))
    why: dict[int, list[str]] = {}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, first in enumerate(group):
        for j in range(i + 1, len(group)):
            reason = _evidence(first, group[j])
            if reason and root(i) != root(j):
                why.setdefault(root(i), []).extend(why.pop(root(j), []))
                why[root(i)].append(reason)
                parent[root(j)] = root(i)
    clusters: dict[int, list[_Member]] = {}
    for i, member in enumerate(group):
        clusters.setdefault(root(i), []).append(member)
    reasons = ["; ".join(sorted(set(why.get(r, [])))) or "same name" for r in clusters]
    return list(clusters.values()), reasons


def _evidence(first: _Member, second: _Member) -> str:
    """Say why two namesakes are one person, or return "" when nothing does."""
    if first.doc == second.doc:
        return "same document"
    shared_aliases = (set(first.entity.aliases) & set(second.entity.aliases)) - {
        first.entity.name
    }
    if shared_aliases:
        return f"same name and alias ({'、'.join(sorted(shared_aliases))})"
    shared_orgs = first.orgs & second.orgs
    if shared_orgs:
        names = sorted(_local(iri) for iri in shared_orgs)
        return f"same name and organization ({'、'.join(names)})"
    shared_posts = first.posts & second.posts
    if shared_posts and not (first.orgs and second.orgs):
        return f"same name and post ({'、'.join(sorted(shared_posts))})"
    return ""


def _apart_reason(first: list[_Member], second: list[_Member]) -> str:
    orgs = [sorted({_local(o) for m in c for o in m.orgs}) for c in (first, second)]
    posts = [sorted({p for m in c for p in m.posts}) for c in (first, second)]
    if orgs[0] and orgs[1]:
        return f"different organizations ({'、'.join(orgs[0])} / {'、'.join(orgs[1])})"
    if posts[0] and posts[1]:
        return f"different posts ({'、'.join(posts[0])} / {'、'.join(posts[1])})"
    return "no shared organization, post or alias"


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _qualifier(cluster: list[_Member]) -> str:
    """Name what tells a cluster apart: its organization, else post, else document."""
    orgs = sorted(_local(o) for m in cluster for o in m.orgs)
    posts = sorted(p for m in cluster for p in m.posts)
    return (orgs or posts or sorted(m.doc for m in cluster))[0]


def _name_clusters(
    type_: EntityType, clusters: list[list[_Member]]
) -> list[tuple[str, list[_Member]]]:
    """Mint one IRI per cluster: the plain one when the name has one entity."""
    name = min(m.entity.name for m in clusters[0])
    if len(clusters) == 1:
        return [(str(entity_iri(type_, name)), clusters[0])]
    named: list[tuple[str, list[_Member]]] = []
    taken: set[str] = set()
    for cluster in sorted(clusters, key=lambda c: sorted(m.doc for m in c)):
        iri = str(entity_iri(type_, name, qualifier=_qualifier(cluster)))
        if iri in taken:  # two clusters with one post: tell them by document
            docs = QUALIFIER.join(sorted(m.doc for m in cluster))
            iri = str(entity_iri(type_, name, qualifier=docs))
        taken.add(iri)
        named.append((iri, cluster))
    return named


def _same_key_reason(group: list[_Member]) -> str:
    names = {m.entity.name for m in group}
    return "same name" if len(names) == 1 else "same identity key (name variant)"


def _cluster_records(
    type_: EntityType,
    named: list[tuple[str, list[_Member]]],
    reasons: list[str],
) -> list[MergeRecord]:
    records = []
    for (iri, cluster), reason in zip(named, reasons, strict=True):
        docs = tuple(sorted({m.doc for m in cluster}))
        names = Counter(m.entity.name for m in cluster)
        if len(docs) > 1:
            name = _pick(names)
            for other in sorted(names):
                records.append(
                    MergeRecord(type_, iri, name, other, MERGED, reason, docs)
                )
    if len(named) > 1:
        iri, cluster = named[0]
        for other_iri, other in named[1:]:
            docs = tuple(sorted({m.doc for m in cluster} | {m.doc for m in other}))
            reason = _apart_reason(cluster, other)
            name = cluster[0].entity.name
            records.append(
                MergeRecord(type_, iri, name, other_iri, KEPT_APART, reason, docs)
            )
    return records


def _namesakes(named: list[tuple[str, list[_Member]]], iri: str) -> tuple[str, ...]:
    """The IRIs `iri` is linked to by kg:possiblySameAs: a star, not every pair.

    The first namesake (in document order) is linked to all the others and
    each other one to the first, so k namesakes take 2(k-1) links, not
    k(k-1): a name in a thousand documents would otherwise add a million.

    Examples:
        >>> named = [("a", []), ("b", []), ("c", [])]
        >>> _namesakes(named, "a"), _namesakes(named, "c")
        (('b', 'c'), ('a',))
    """
    first = named[0][0]
    if iri == first:
        return tuple(sorted(i for i, _ in named[1:]))
    return (first,)


def _alias_records(results: list[DocResult], lexicon: Lexicon) -> list[MergeRecord]:
    """Report the surface forms each document joined into one entity, and why."""
    docs: dict[tuple[EntityType, str, str, str, str], set[str]] = {}
    for result in results:
        for entity in result.entities:
            for alias in entity.aliases:
                if alias != entity.name:
                    reason = _alias_reason(entity, alias, lexicon)
                    key = (entity.type, _group(entity), entity.name, alias, reason)
                    docs.setdefault(key, set()).add(result.doc)
    return [
        MergeRecord(type_, iri, name, alias, MERGED, reason, tuple(sorted(found)))
        for (type_, iri, name, alias, reason), found in docs.items()
    ]


def _alias_reason(entity: Entity, alias: str, lexicon: Lexicon) -> str:
    if lexicon.org_aliases.get(alias) == entity.name:
        return "lexicon alias"
    if identity_key(entity.type, alias) == identity_key(entity.type, entity.name):
        return "name variant"
    for short, full in lexicon.org_aliases.items():
        if alias.startswith(short) and entity.name == full + alias[len(short) :]:
            return f"lexicon alias ({short} = {full})"
    if entity.type is not EntityType.ORG:
        return "alias in the document"
    for division in lexicon.divisions:
        for prefix in (division.name, division.short):
            if entity.name.startswith(prefix) and not alias.startswith(prefix):
                return f"context division ({division.name})"
    return "alias in the document"


def _with_iris(
    result: DocResult, iris: dict[tuple[str, EntityType, str], tuple[str, ...]]
) -> DocResult:
    entities = []
    for entity in result.entities:
        iri, others = iris[(result.doc, entity.type, entity.name)]
        entities.append(replace(entity, iri=iri, possibly_same=others))
    return replace(result, entities=tuple(entities))


def _pick(names: Counter[str]) -> str:
    """Choose the canonical name: the most frequent, then the longest."""
    return max(names, key=lambda n: (names[n], len(n), n))


def canonical_names(results: list[DocResult]) -> dict[tuple[EntityType, str], str]:
    """Map (type, name) of every entity to its name across all documents.

    Entities are grouped by IRI when they have one (identify_documents),
    else by type and identity key.
    """
    by_key: dict[str, Counter[str]] = {}
    for result in results:
        for entity in result.entities:
            by_key.setdefault(_group(entity), Counter())[entity.name] += 1
    chosen = {key: _pick(names) for key, names in by_key.items()}
    return {
        (entity.type, entity.name): chosen[_group(entity)]
        for result in results
        for entity in result.entities
    }


def _group(entity: Entity) -> str:
    return entity.iri or str(entity_iri(entity.type, entity.name))


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
    return replace(result, entities=_unique(entities), relations=relations)


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
