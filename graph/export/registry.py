"""One registry of exports: name -> how to write it (used by kg build and kg export)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..io import write_atomic
from ..merge import MergeRecord
from ..model import DocResult
from .docbin import save_docbin
from .jsonld import jsonld_text
from .nif import write_nif
from .report import merges_tsv
from .spacy_kb import write_kb

__all__ = ["Linked", "Export", "EXPORTS", "write_export"]


@dataclass(frozen=True, slots=True)
class Linked:
    """What the exports are made of: identified results, their texts, the merges."""

    results: list[DocResult]
    texts: Mapping[str, str]
    merges: list[MergeRecord]


@dataclass(frozen=True, slots=True)
class Export:
    """An export format: its file (or folder) name in OUT and its writer."""

    name: str
    filename: str
    write: Callable[[Linked, Path], None]
    summary: str


def _nif(linked: Linked, path: Path) -> None:
    write_nif(linked.results, linked.texts, path)


def _jsonld(linked: Linked, path: Path) -> None:
    write_atomic(path, jsonld_text(linked.results))


def _docbin(linked: Linked, path: Path) -> None:
    save_docbin(linked.results, linked.texts, path)


def _kb(linked: Linked, path: Path) -> None:
    write_kb(linked.results, path)


def _merges(linked: Linked, path: Path) -> None:
    write_atomic(path, merges_tsv(linked.merges))


EXPORTS: dict[str, Export] = {
    e.name: e
    for e in (
        Export("nif", "nif.ttl", _nif,
               "NIF 2.0 Turtle: contexts and phrases with entity IRIs"),
        Export("jsonld", "graph.jsonld", _jsonld,
               "the graph as JSON-LD with the published context"),
        Export("docbin", "docs.spacy", _docbin,
               "spaCy DocBin: doc.ents with kb_id_ = entity IRI"),
        Export("kb", "kb", _kb, "spaCy InMemoryLookupKB (a folder)"),
        Export("merges", "merges.tsv", _merges,
               "every merge and non-merge of entities, with its reason"),
    )
}  # fmt: skip


def write_export(name: str, linked: Linked, path: Path) -> None:
    """Write the export `name` of `linked` to `path`."""
    EXPORTS[name].write(linked, path)
