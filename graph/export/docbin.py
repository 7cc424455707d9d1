"""spaCy DocBin of the documents, written as it is made: memory does not grow
with the corpus.

Every `doc.ents` span carries the entity type as `label_` and the entity IRI
as `kb_id_`; `doc.user_data["doc"]` holds the document's name. Each Doc goes
through a `DocBin` of its own (spaCy's `add`: its token rows, strings and
flags); its token rows are spilled to a temporary file, and the file is then
written in the layout of `DocBin.to_bytes` (one zlib stream of a msgpack map)
with the rows streamed in, so that `DocBin().from_disk` reads it and a corpus
never sits in memory three times over, as `to_bytes` holds it (10M
characters: 1.3 GB).
"""

from __future__ import annotations

import io
import struct
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import numpy
import spacy
import srsly
from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans
from spacy.vocab import Vocab

from ..errors import InputError
from ..extract.components.tokenizer import char_words
from ..io import open_atomic
from ..model import DocResult

__all__ = ["DOCBIN_ATTRS", "linked_docs", "write_docbin", "docbin_bytes", "save_docbin"]

# what the Docs hold (no tags, lemmas or parses): DocBin's default of 13
# attributes per token would be three times as much
DOCBIN_ATTRS = ["ORTH", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID"]
_CHUNK = 1 << 20


def linked_docs(
    results: Iterable[DocResult], texts: Mapping[str, str], vocab: Vocab | None = None
) -> Iterator[Doc]:
    """One Doc per document (character tokens of spaCy's blank "zh"), with ents.

    Overlapping mentions cannot all be `doc.ents`: the longest span wins.

    Raises:
        InputError: a text is missing or a mention does not align with it.
    """
    vocab = vocab or spacy.blank("zh").vocab
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
        yield doc


def write_docbin(docs: Iterable[Doc], sink: IO[bytes], attrs: list[str]) -> None:
    """Write `docs` to `sink` as `DocBin(attrs, store_user_data=True).to_bytes()`."""
    layout = DocBin(attrs=attrs, store_user_data=True)  # its version and attrs
    small: dict[str, list[Any]] = {"cats": [], "flags": [], "span_groups": []}
    user_data: list[bytes | None] = []
    lengths: list[int] = []
    strings: set[str] = set()
    pack = zlib.compressobj()

    def write(data: bytes) -> None:
        sink.write(pack.compress(data))

    def write_item(key: str, value: Any) -> None:
        write(srsly.msgpack_dumps(key) + srsly.msgpack_dumps(value))

    with tempfile.TemporaryFile() as rows, tempfile.TemporaryFile() as spaces:
        for doc in docs:
            one = DocBin(attrs=attrs, store_user_data=True)
            one.add(doc)
            rows.write(one.tokens[0].tobytes("C"))
            spaces.write(one.spaces[0].tobytes("C"))
            lengths.append(len(one.tokens[0]))
            strings |= one.strings
            user_data += one.user_data
            for name, items in small.items():
                items += getattr(one, name)
        write(b"\x8a")  # msgpack: a map of 10 entries, in to_bytes's order
        write_item("version", layout.version)
        write_item("attrs", layout.attrs)
        for key, spill in (("tokens", rows), ("spaces", spaces)):
            write(srsly.msgpack_dumps(key) + _bin_header(spill.tell()))
            spill.seek(0)
            while chunk := spill.read(_CHUNK):
                write(chunk)
    write_item("lengths", numpy.asarray(lengths, dtype="int32").tobytes("C"))
    write_item("strings", sorted(strings))
    for name, items in small.items():
        write_item(name, items)
    write_item("user_data", user_data)
    sink.write(pack.flush())


def _bin_header(size: int) -> bytes:
    """The msgpack header of a bin of `size` bytes (bin 8, 16 or 32)."""
    if size < 1 << 8:
        return b"\xc4" + struct.pack(">B", size)
    if size < 1 << 16:
        return b"\xc5" + struct.pack(">H", size)
    return b"\xc6" + struct.pack(">I", size)


def docbin_bytes(results: Iterable[DocResult], texts: Mapping[str, str]) -> bytes:
    """The DocBin of `results` as bytes (see `linked_docs`)."""
    sink = io.BytesIO()
    write_docbin(linked_docs(results, texts), sink, DOCBIN_ATTRS)
    return sink.getvalue()


def save_docbin(
    results: Iterable[DocResult], texts: Mapping[str, str], path: Path
) -> None:
    """Write the DocBin of `results` to `path` (atomically, streamed)."""
    with open_atomic(path) as sink:
        write_docbin(linked_docs(results, texts), sink, DOCBIN_ATTRS)
