"""Exports for entity-linking tools: NIF, JSON-LD, spaCy DocBin and KB, merge report.

Each export is one function of the (identified) DocResults, plus the document
texts where it needs them; `EXPORTS` lists them for `kg export` and `kg build`.
"""

from __future__ import annotations

from .docbin import docbin_bytes, linked_docs, save_docbin
from .jsonld import jsonld_text, read_context
from .nif import nif_triples, nif_turtle, write_nif
from .registry import EXPORTS, Export, Linked, write_export
from .report import merges_tsv
from .spacy_kb import load_kb, make_kb, write_kb
from .texts import read_texts

__all__ = [
    "EXPORTS",
    "Export",
    "Linked",
    "write_export",
    "read_texts",
    "nif_triples",
    "nif_turtle",
    "write_nif",
    "jsonld_text",
    "read_context",
    "docbin_bytes",
    "linked_docs",
    "save_docbin",
    "make_kb",
    "write_kb",
    "load_kb",
    "merges_tsv",
]
