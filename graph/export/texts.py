"""The document texts the offsets of a set of results count in."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from ..io import find_documents, read_text
from ..model import DocResult

__all__ = ["read_texts"]


def read_texts(inputs: Iterable[Path], results: Iterable[DocResult]) -> dict[str, str]:
    """Read the text of every result's document, found again under `inputs`.

    Documents are named as `kg extract` names them (paths relative to the
    input folder), and each text is checked against the result's SHA-256.

    Raises:
        InputError: a document is missing or changed since it was extracted.
    """
    paths = {doc.name: doc.path for doc in find_documents(inputs)[0]}
    texts = {}
    for result in results:
        if result.doc not in paths:
            raise InputError(f"{result.doc}: document not found under the inputs")
        text = read_text(paths[result.doc])
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if result.sha256 and digest != result.sha256:
            raise InputError(f"{paths[result.doc]}: changed since it was extracted")
        texts[result.doc] = text
    return texts
