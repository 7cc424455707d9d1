"""spaCy: a knowledge base of the linked entities (the DocBin: docbin.py).

The knowledge base (`InMemoryLookupKB`) holds each entity with its
mention count as frequency and a one-hot vector of its type, and each surface
form as an alias whose candidates' prior probabilities are the shares of its
mentions that refer to each entity; spaCy's entity linker can start from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import spacy
from spacy.kb import InMemoryLookupKB
from spacy.vocab import Vocab

from ..model import DocResult, EntityType

__all__ = ["KB_VECTOR_LENGTH", "make_kb", "write_kb", "load_kb"]

_TYPES = tuple(EntityType)
KB_VECTOR_LENGTH = len(_TYPES)


def make_kb(
    results: Iterable[DocResult], vocab: Vocab | None = None
) -> InMemoryLookupKB:
    """Collect entities (IRI, mention count) and aliases (surface forms) into a KB."""
    freq: Counter[str] = Counter()
    types: dict[str, EntityType] = {}
    refers: dict[str, Counter[str]] = {}
    for result in results:
        for entity in result.entities:
            iri = entity.iri
            if not iri:
                continue
            types[iri] = entity.type
            freq[iri] += max(1, len(entity.mentions))
            forms = [m.text for m in entity.mentions] or [entity.name]
            for form in forms:
                refers.setdefault(form, Counter())[iri] += 1
    kb = InMemoryLookupKB(
        vocab=vocab or spacy.blank("zh").vocab, entity_vector_length=KB_VECTOR_LENGTH
    )
    for iri in sorted(freq):
        vector = [1.0 if t is types[iri] else 0.0 for t in _TYPES]
        kb.add_entity(entity=iri, freq=freq[iri], entity_vector=vector)
    for alias in sorted(refers):
        counts = refers[alias]
        total = sum(counts.values())
        iris = sorted(counts)
        kb.add_alias(
            alias=alias,
            entities=iris,
            probabilities=[counts[i] / total for i in iris],
        )
    return kb


def write_kb(results: Iterable[DocResult], folder: Path) -> None:
    """Write the KB of `results` into `folder` (spaCy's own `to_disk` format)."""
    make_kb(results).to_disk(folder)


def load_kb(folder: Path, vocab: Vocab | None = None) -> InMemoryLookupKB:
    """Read a KB written by `write_kb` with spaCy's API."""
    kb = InMemoryLookupKB(
        vocab=vocab or spacy.blank("zh").vocab, entity_vector_length=KB_VECTOR_LENGTH
    )
    kb.from_disk(folder)
    return kb
