"""Per-document N-Quads: the facts of each document in a named graph of its own.

The named graph of a document is its IRI (`kgr:doc/<name>`, the object of
`kg:mentionedIn` and `prov:wasDerivedFrom`). A shard holds that graph's quads,
sorted; the shards of all documents concatenate into the named-graph part of
the dataset, and the union of their triples is the merged default graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .extract.resolve import comparison_key
from .merge import _rename
from .model import DocResult, EntityType
from .rdf.build import document_iri, ntriples_lines

__all__ = ["NameCounter", "document_triples", "quad_lines", "shard_name"]


class NameCounter:
    """Count entity names across documents, one document at a time.

    `names()` gives what `graph.merge.canonical_names` gives for all of them,
    while only (type, name) pairs are kept in memory.
    """

    def __init__(self) -> None:
        self._by_key: dict[tuple[EntityType, str], Counter[str]] = {}

    def add(self, result: DocResult) -> None:
        """Count the entities of one document."""
        for entity in result.entities:
            key = (entity.type, comparison_key(entity.type, entity.name))
            self._by_key.setdefault(key, Counter())[entity.name] += 1

    def names(self) -> dict[tuple[EntityType, str], str]:
        """Map (type, name) of every entity counted to its name across documents."""
        mapping = {}
        for (type_, _), counts in self._by_key.items():
            chosen = max(counts, key=lambda n: (counts[n], len(n), n))
            for name in counts:
                mapping[(type_, name)] = chosen
        return mapping


def document_triples(
    result: DocResult, names: dict[tuple[EntityType, str], str]
) -> list[str]:
    """Return the sorted N-Triples lines of one document, under merged names."""
    return ntriples_lines([_rename(result, names)])


def quad_lines(triples: Iterable[str], doc: str) -> str:
    """Put N-Triples lines into the named graph of document `doc`.

    Examples:
        >>> quad_lines(['<a> <b> "c" .'], "x.txt").split(" <https")[0]
        '<a> <b> "c"'
    """
    graph = f"<{document_iri(doc)}>"
    return "".join(f"{line[:-2]} {graph} .\n" for line in triples)


def shard_name(doc: str) -> str:
    """Return the path of a document's shard under shards/.

    Examples:
        >>> shard_name("a/news.txt")
        'a/news.txt.nq'
    """
    return f"{doc}.nq"
