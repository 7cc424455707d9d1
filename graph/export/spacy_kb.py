"""spaCy: a DocBin of the documents with linked entities, and a knowledge base.

Every `doc.ents` span carries the entity type as `label_` and the entity IRI
as `kb_id_`. The knowledge base (`InMemoryLookupKB`) holds each entity with its
mention count as frequency and a one-hot vector of its type, and each surface
form as an alias whose candidates' prior probabilities are the shares of its
mentions that refer to each entity; spaCy's entity linker can start from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import spacy
from spacy.kb import InMemoryLookupKB
from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans
from spacy.vocab import Vocab

from ..errors import InputError
from ..extract.components.tokenizer import char_words
from ..model import DocResult, EntityType

__all__ = ["KB_VECTOR_LENGTH", "docbin_bytes", "make_kb", "write_kb", "load_kb"]

_TYPES = tuple(EntityType)
KB_VECTOR_LENGTH = len(_TYPES)


def docbin_bytes(results: Iterable[DocResult], texts: Mapping[str, str]) -> bytes:
    """Serialize one Doc per document (character tokens of spaCy's blank "zh").

    Overlapping mentions cannot all be `doc.ents`: the longest span wins.
    `doc.user_data["doc"]` holds the document's name.

    Raises:
        InputError: a text is missing or a mention does not align with it.
    """
    vocab = spacy.blank("zh").vocab
    docs = DocBin(store_user_data=True)
    for result in results:
        if result.doc not in texts:
            raise InputError(f"{result.doc}: no text for the DocBin export")
        words, spaces = char_words(texts[result.doc])  # spaCy's "zh" tokens
        doc = Doc(vocab, words=words, spaces=spaces)
        spans = []
        for entity in result.entities:
            for mention in entity.mentions:
                span = doc.char_span(
                    mention.start, mention.end, label=entity.type.value,
                    kb_id=entity.iri,
                )  # fmt: skip
                if span is None or span.text != mention.text:
                    raise InputError(
                        f"{result.doc}: mention {mention.text!r} does not align "
                        f"at {mention.start}-{mention.end}"
                    )
                spans.append(span)
        doc.ents = sorted(filter_spans(spans), key=lambda s: s.start)
        doc.user_data["doc"] = result.doc
        docs.add(doc)
    return docs.to_bytes()


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
