"""The text of a Doc, read once: `Doc.text` rebuilds the string on every access."""

from __future__ import annotations

from spacy.tokens import Doc

__all__ = ["doc_text"]


def doc_text(doc: Doc) -> str:
    """Return `doc.text`, kept in `doc._.kg_text` after the first call."""
    if not Doc.has_extension("kg_text"):
        Doc.set_extension("kg_text", default=None)
    if doc._.kg_text is None:
        doc._.kg_text = doc.text
    return doc._.kg_text
