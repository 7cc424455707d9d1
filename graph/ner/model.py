"""Run the MSRA NER network with onnxruntime and decode spans with numpy.

A model directory holds ``model.onnx`` (the BiLSTM encoder: features in,
tag scores out), ``tables.npz`` (character and bigram embeddings, float16 or
int8 with one scale per row),
``crf.npz`` (transition scores), ``config.json`` and the featurizer files.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from graph.ner.data import TAGS, Span, tags_to_spans
from graph.ner.decode import viterbi
from graph.ner.features import Featurizer

__all__ = ["NerModel", "split_chunks"]

logger = logging.getLogger(__name__)

_NON_SPACE = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[。！？!?；;]+")
_SOFT_BREAK = re.compile(r"[，,、：:\s]")


def split_chunks(text: str, max_len: int = 150) -> list[tuple[int, str]]:
    """Split text into (offset, chunk) pieces at whitespace and sentence ends.

    Whitespace never occurs in the MSRA training text, so runs of it (spaces,
    line breaks) separate chunks and are left out; long pieces are cut after
    commas. No chunk is longer than ``max_len``.

    >>> split_chunks("我在北京。他去上海！\\n")
    [(0, '我在北京。'), (5, '他去上海！')]
    >>> split_chunks("陈锡联 段君毅")
    [(0, '陈锡联'), (4, '段君毅')]
    >>> [c for _, c in split_chunks("甲，乙，丙，丁", max_len=4)]
    ['甲，乙，', '丙，丁']
    """
    chunks: list[tuple[int, str]] = []
    for piece in _NON_SPACE.finditer(text):
        start = piece.start()
        for match in _SENTENCE_END.finditer(text, piece.start(), piece.end()):
            chunks.extend(_cut_long(text, start, match.end(), max_len))
            start = match.end()
        chunks.extend(_cut_long(text, start, piece.end(), max_len))
    return chunks


def _cut_long(
    text: str, start: int, end: int, max_len: int
) -> Iterator[tuple[int, str]]:
    """Yield pieces of text[start:end] of at most max_len chars, cut after commas."""
    while end - start > max_len:
        window = text[start : start + max_len]
        cuts = [m.end() for m in _SOFT_BREAK.finditer(window)]
        cut = start + (cuts[-1] if cuts and cuts[-1] > max_len // 3 else max_len)
        yield start, text[start:cut]
        start = cut
    if end > start:
        yield start, text[start:end]


class NerModel:
    """A trained tagger: featurizer, ONNX encoder, embedding tables and CRF scores."""

    def __init__(
        self,
        featurizer: Featurizer,
        onnx_bytes: bytes,
        tables: dict[str, np.ndarray],
        crf: dict[str, np.ndarray],
        config: dict[str, Any],
    ) -> None:
        """Hold the parts; the onnxruntime session is created on first use."""
        self.featurizer = featurizer
        self.onnx_bytes = onnx_bytes
        self.char_table = _table(tables, "char")
        self.bigram_table = _table(tables, "bigram")
        self._tables = tables
        self.crf = crf
        self.config = dict(config)
        self.tags: list[str] = list(config.get("tags", TAGS))
        self._session: Any = None

    @property
    def session(self) -> Any:
        """Return the onnxruntime session, creating it with a small thread count."""
        if self._session is None:
            import onnxruntime as ort

            options = ort.SessionOptions()
            threads = int(
                os.environ.get("KG_NER_THREADS", self.config.get("threads", 1))
            )
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            self._session = ort.InferenceSession(
                self.onnx_bytes, options, providers=["CPUExecutionProvider"]
            )
        return self._session

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> NerModel:
        """Read a model directory written by :meth:`save`."""
        path = Path(directory)
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        with np.load(path / "tables.npz") as npz:
            tables = {key: npz[key] for key in npz.files}
        with np.load(path / "crf.npz") as npz:
            crf = {key: npz[key] for key in npz.files}
        featurizer = Featurizer.load(path)
        return cls(featurizer, (path / "model.onnx").read_bytes(), tables, crf, config)

    def save(self, directory: str | os.PathLike[str]) -> None:
        """Write the model into a directory (created if needed)."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        (path / "model.onnx").write_bytes(self.onnx_bytes)
        np.savez_compressed(path / "tables.npz", **self._tables)
        np.savez(path / "crf.npz", **self.crf)
        text = json.dumps(self.config, ensure_ascii=False, indent=2, sort_keys=True)
        (path / "config.json").write_text(text + "\n", encoding="utf-8")
        self.featurizer.save(path)

    def predict(self, texts: Sequence[str], batch_size: int = 128) -> list[list[Span]]:
        """Return the entity spans (start, end, label) found in each text."""
        max_len = int(self.config.get("max_len", 150))
        pieces = [
            (index, offset, chunk)
            for index, text in enumerate(texts)
            for offset, chunk in split_chunks(text, max_len)
        ]
        pieces.sort(key=lambda piece: len(piece[2]))
        results: list[list[Span]] = [[] for _ in texts]
        for batch in _length_batches(pieces, batch_size):
            paths = self.tag_batch([chunk for _, _, chunk in batch])
            for (index, offset, _), path in zip(batch, paths, strict=True):
                tags = [self.tags[t] for t in path]
                results[index].extend(
                    (offset + s, offset + e, lab) for s, e, lab in tags_to_spans(tags)
                )
        for spans in results:
            spans.sort()
        return results

    def tag_batch(self, chunks: Sequence[str]) -> list[np.ndarray]:
        """Return the best tag ids of each chunk (chunks may differ in length)."""
        x, lengths = self.features(chunks)
        emissions = self.session.run(None, {"x": x, "lengths": lengths})[0]
        crf = self.crf
        paths = viterbi(
            emissions, crf["transitions"], crf["start"], crf["end"], lengths
        )
        return [path[:n] for path, n in zip(paths, lengths, strict=True)]

    def features(self, chunks: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Build the right-padded (B, T, D) float32 input and the int32 lengths."""
        parts = [self.featurizer.encode(chunk) for chunk in chunks]
        lengths = np.array([len(p[0]) for p in parts], dtype=np.int32)
        n, t = len(parts), int(lengths.max())
        chars = np.zeros((n, t), np.int64)
        bigrams = np.zeros((n, t, 2), np.int64)
        lex = np.zeros((n, t, parts[0][2].shape[1]), np.float32)
        for row, (c, b, f) in enumerate(parts):
            chars[row, : len(c)], bigrams[row, : len(c)], lex[row, : len(c)] = c, b, f
        x = np.concatenate(
            [
                self.char_table[chars],
                self.bigram_table[bigrams[:, :, 0]],
                self.bigram_table[bigrams[:, :, 1]],
                lex,
            ],
            axis=2,
        )
        return x, lengths


def _table(tables: dict[str, np.ndarray], name: str) -> np.ndarray:
    """Return an embedding table as float32, undoing per-row int8 scaling if any."""
    weights = tables[name].astype(np.float32)
    scale = tables.get(f"{name}_scale")
    return weights if scale is None else weights * scale[:, None].astype(np.float32)


def _length_batches(
    pieces: list[tuple[int, int, str]], batch_size: int
) -> Iterator[list[tuple[int, int, str]]]:
    """Cut length-sorted pieces into batches that waste little on padding."""
    batch: list[tuple[int, int, str]] = []
    for piece in pieces:
        if batch and (
            len(batch) >= batch_size or len(piece[2]) > 1.25 * len(batch[0][2]) + 4
        ):
            yield batch
            batch = []
        batch.append(piece)
    if batch:
        yield batch
