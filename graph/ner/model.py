"""Run the MSRA NER network with onnxruntime and decode spans with numpy.

A model directory holds ``model.onnx`` (the BiLSTM encoder: features in,
tag scores out), ``tables.npz`` (character and bigram embeddings, float16),
``crf.npz`` (transition scores), ``config.json`` and the featurizer files.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from graph.ner.data import TAGS, Span, tags_to_spans
from graph.ner.decode import viterbi
from graph.ner.features import Featurizer

__all__ = ["NerModel", "split_chunks"]

logger = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"[。！？!?；;\n\r]+")
_SOFT_BREAK = re.compile(r"[，,、：:\s]")


def split_chunks(text: str, max_len: int = 150) -> list[tuple[int, str]]:
    """Split text into (offset, chunk) pieces at sentence ends, then at commas.

    No chunk is longer than ``max_len``; blank chunks are dropped.

    >>> split_chunks("我在北京。他去上海！\\n")
    [(0, '我在北京。'), (5, '他去上海！\\n')]
    >>> [c for _, c in split_chunks("甲，乙，丙，丁", max_len=4)]
    ['甲，乙，', '丙，丁']
    """
    chunks: list[tuple[int, str]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        chunks.extend(_cut_long(text, start, match.end(), max_len))
        start = match.end()
    chunks.extend(_cut_long(text, start, len(text), max_len))
    return [(off, chunk) for off, chunk in chunks if chunk.strip()]


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
        self.char_table = tables["char"].astype(np.float32)
        self.bigram_table = tables["bigram"].astype(np.float32)
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

    def predict(self, texts: Sequence[str], batch_size: int = 256) -> list[list[Span]]:
        """Return the entity spans (start, end, label) found in each text."""
        max_len = int(self.config.get("max_len", 150))
        by_length: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for index, text in enumerate(texts):
            for offset, chunk in split_chunks(text, max_len):
                by_length[len(chunk)].append((index, offset, chunk))
        results: list[list[Span]] = [[] for _ in texts]
        for length in sorted(by_length):
            group = by_length[length]
            for lo in range(0, len(group), batch_size):
                batch = group[lo : lo + batch_size]
                paths = self.tag_batch([chunk for _, _, chunk in batch])
                for (index, offset, _), path in zip(batch, paths, strict=True):
                    tags = [self.tags[t] for t in path]
                    results[index].extend(
                        (offset + s, offset + e, lab)
                        for s, e, lab in tags_to_spans(tags)
                    )
        for spans in results:
            spans.sort()
        return results

    def tag_batch(self, chunks: Sequence[str]) -> np.ndarray:
        """Return the best tag ids for equal-length chunks, as a (B, T) array."""
        x = self.features(chunks)
        emissions = self.session.run(None, {"x": x})[0]
        return viterbi(
            emissions, self.crf["transitions"], self.crf["start"], self.crf["end"]
        )

    def features(self, chunks: Sequence[str]) -> np.ndarray:
        """Build the (B, T, D) float32 encoder input for equal-length chunks."""
        parts = [self.featurizer.encode(chunk) for chunk in chunks]
        chars = np.stack([p[0] for p in parts])
        bigrams = np.stack([p[1] for p in parts])
        lex = np.stack([p[2] for p in parts])
        return np.concatenate(
            [
                self.char_table[chars],
                self.bigram_table[bigrams[:, :, 0]],
                self.bigram_table[bigrams[:, :, 1]],
                lex,
            ],
            axis=2,
        )
