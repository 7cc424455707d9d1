"""Run the MSRA NER network with onnxruntime and decode spans with numpy.

A model directory holds ``model.onnx`` (the BiLSTM encoder: features in,
tag scores out), ``tables.npz`` (character and bigram embeddings, float16 or
int8 with one scale per row), ``crf.npz`` (transition scores),
``config.json`` and the featurizer files. An ensemble adds ``model-1.onnx``,
``tables-1.npz``, ``crf-1.npz`` and so on, one set per extra encoder.
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

from graph.ner.data import TAGS, Span
from graph.ner.decode import PathDecoder, viterbi
from graph.ner.features import Featurizer

__all__ = ["Encoder", "NerModel", "split_chunks"]

logger = logging.getLogger(__name__)

_NON_SPACE = re.compile(r"\S+")
_DECODE_GROUP = 512  # chunks per Viterbi pass (bounds the score arrays)
_ROUND_CHARS = 500_000  # characters featurized at once (bounds the feature arrays)
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


class Encoder:
    """One trained network: ONNX BiLSTM encoder, embedding tables, CRF scores."""

    def __init__(
        self,
        onnx_bytes: bytes,
        tables: dict[str, np.ndarray],
        crf: dict[str, np.ndarray],
    ) -> None:
        """Hold the parts; the onnxruntime session is created on first use."""
        self.onnx_bytes = onnx_bytes
        self.tables = tables
        self.crf = crf
        self.char_table = _table(tables, "char")
        self.bigram_table = _table(tables, "bigram")
        self._session: Any = None

    def session(self, threads: int) -> Any:
        """Return the onnxruntime session, creating it with ``threads`` threads.

        One thread, no spinning: on a shared machine a spinning thread pool
        only takes time from other processes (and from this one).
        """
        if self._session is None:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.log_severity_level = 3
            self._session = ort.InferenceSession(
                self.onnx_bytes, options, providers=["CPUExecutionProvider"]
            )
        return self._session

    def inputs(
        self, chars: np.ndarray, bigrams: np.ndarray, lex: np.ndarray
    ) -> np.ndarray:
        """Return the network's input vectors for id arrays and lexicon flags."""
        return np.concatenate(
            [
                self.char_table[chars],
                self.bigram_table[bigrams[..., 0]],
                self.bigram_table[bigrams[..., 1]],
                lex,
            ],
            axis=-1,
        )

    def run(self, x: np.ndarray, lengths: np.ndarray, threads: int) -> np.ndarray:
        """Return the (B, T, tags) scores of padded input vectors."""
        return self.session(threads).run(None, {"x": x, "lengths": lengths})[0]

    def emissions(
        self,
        chars: np.ndarray,
        bigrams: np.ndarray,
        lex: np.ndarray,
        lengths: np.ndarray,
        threads: int,
    ) -> np.ndarray:
        """Return the (B, T, tags) scores for padded id arrays and lexicon flags."""
        return self.run(self.inputs(chars, bigrams, lex), lengths, threads)

    @classmethod
    def load(cls, path: Path, suffix: str = "") -> Encoder:
        """Read ``model{suffix}.onnx``, ``tables{suffix}.npz``, ``crf{suffix}.npz``."""
        with np.load(path / f"tables{suffix}.npz") as npz:
            tables = {key: npz[key] for key in npz.files}
        with np.load(path / f"crf{suffix}.npz") as npz:
            crf = {key: npz[key] for key in npz.files}
        return cls((path / f"model{suffix}.onnx").read_bytes(), tables, crf)

    def save(self, path: Path, suffix: str = "") -> None:
        """Write the three files read by :meth:`load`."""
        (path / f"model{suffix}.onnx").write_bytes(self.onnx_bytes)
        np.savez_compressed(path / f"tables{suffix}.npz", **self.tables)
        np.savez(path / f"crf{suffix}.npz", **self.crf)


class NerModel:
    """A trained tagger: featurizer, one or more encoders, tag set and settings.

    With several encoders (an ensemble of networks trained on the same data
    and vocabulary) their emission and CRF scores are summed before Viterbi,
    so the best path is the one the product of the models prefers.
    """

    def __init__(
        self,
        featurizer: Featurizer,
        encoders: Sequence[Encoder],
        config: dict[str, Any],
    ) -> None:
        """Hold the parts."""
        if not encoders:
            raise ValueError("a model needs at least one encoder")
        self.featurizer = featurizer
        self.encoders = list(encoders)
        self.config = dict(config)
        self.tags: list[str] = list(config.get("tags", TAGS))
        self._decoder = PathDecoder(self.tags)
        # onnxruntime threads per encoder: env KG_NER_THREADS, else the config
        self.threads = int(os.environ.get("KG_NER_THREADS", config.get("threads", 1)))
        self.crf = {
            key: sum(enc.crf[key] for enc in self.encoders)
            for key in ("transitions", "start", "end")
        }

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> NerModel:
        """Read a model directory written by :meth:`save`."""
        path = Path(directory)
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        n = int(config.get("encoders", 1))
        encoders = [Encoder.load(path, _suffix(i)) for i in range(n)]
        return cls(Featurizer.load(path), encoders, config)

    def save(self, directory: str | os.PathLike[str]) -> None:
        """Write the model into a directory (created if needed)."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for i, encoder in enumerate(self.encoders):
            encoder.save(path, _suffix(i))
        config = dict(self.config, encoders=len(self.encoders))
        text = json.dumps(config, ensure_ascii=False, indent=2, sort_keys=True)
        (path / "config.json").write_text(text + "\n", encoding="utf-8")
        self.featurizer.save(path)

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Span]]:
        """Return the entity spans (start, end, label) found in each text.

        Texts are taken in rounds of about ``_ROUND_CHARS`` characters. The
        chunks of a round are featurized in one vectorized pass, sorted by
        length and tagged in groups (see :meth:`_tag_group`).
        """
        results: list[list[Span]] = [[] for _ in texts]
        first, size = 0, 0
        for index, text in enumerate(texts):
            size += len(text)
            if size >= _ROUND_CHARS or index == len(texts) - 1:
                self._predict_round(texts, first, index + 1, results, batch_size)
                first, size = index + 1, 0
        for spans in results:
            spans.sort()
        return results

    def _predict_round(
        self,
        texts: Sequence[str],
        first: int,
        stop: int,
        results: list[list[Span]],
        batch_size: int,
    ) -> None:
        """Add the spans of texts[first:stop] to their lists in ``results``."""
        max_len = int(self.config.get("max_len", 150))
        pieces = [
            (index, offset, chunk)
            for index in range(first, stop)
            for offset, chunk in split_chunks(texts[index], max_len)
        ]
        if not pieces:
            return
        chunks = [chunk for _, _, chunk in pieces]
        chars, bigrams, lex = self.featurizer.encode_many(chunks)
        # one padding row at the end: positions past a chunk's end point to it
        feats = (
            np.append(chars, 0),
            np.concatenate([bigrams, np.zeros((1, 2), bigrams.dtype)]),
            np.concatenate([lex, np.zeros((1, lex.shape[1]), lex.dtype)]),
        )
        lengths = np.fromiter((len(c) for c in chunks), np.int64, len(chunks))
        starts = np.cumsum(lengths) - lengths
        order = np.argsort(lengths, kind="stable")
        for lo in range(0, len(order), _DECODE_GROUP):
            group = order[lo : lo + _DECODE_GROUP]
            for row, start, end, label in self._tag_group(
                feats, starts[group], lengths[group], batch_size
            ):
                index, offset, _ = pieces[group[row]]
                results[index].append((offset + start, offset + end, label))

    def _tag_group(
        self,
        feats: tuple[np.ndarray, np.ndarray, np.ndarray],
        starts: np.ndarray,
        lengths: np.ndarray,
        batch_size: int,
    ) -> list[tuple[int, int, int, str]]:
        """Tag chunks sorted by length; return (row, start, end, label) spans.

        The encoders run on batches of similar length (small batches are
        faster: onnxruntime's int8 LSTM runs 16-32 chunks at a time faster per
        character than 128 or more); one Viterbi pass and one span decoding
        then cover the whole group.
        """
        width = int(lengths.max())
        steps = np.arange(width)
        inside = steps[None, :] < lengths[:, None]
        pad = feats[0].shape[0] - 1
        rows = np.where(inside, starts[:, None] + steps[None, :], pad)
        emissions = np.zeros((len(lengths), width, len(self.tags)), np.float32)
        for batch in _length_batches(lengths, batch_size):
            top = int(lengths[batch].max())
            sizes = lengths[batch].astype(np.int32)
            part = rows[batch, :top]
            ids = (feats[0][part], feats[1][part], feats[2][part])
            for enc in self.encoders:
                emissions[batch, :top] += enc.run(enc.inputs(*ids), sizes, self.threads)
        crf = self.crf
        paths = viterbi(
            emissions, crf["transitions"], crf["start"], crf["end"], lengths
        )
        return self._decoder.spans(paths, inside)


def _suffix(index: int) -> str:
    """File-name suffix of encoder ``index``: '' for the first, '-1', '-2', ..."""
    return "" if index == 0 else f"-{index}"


def _table(tables: dict[str, np.ndarray], name: str) -> np.ndarray:
    """Return an embedding table as float32, undoing per-row int8 scaling if any."""
    weights = tables[name].astype(np.float32)
    scale = tables.get(f"{name}_scale")
    return weights if scale is None else weights * scale[:, None].astype(np.float32)


def _length_batches(lengths: np.ndarray, batch_size: int) -> Iterator[slice]:
    """Cut sorted lengths into slices of rows that waste little padding.

    >>> list(_length_batches(np.array([2, 2, 3, 40, 41]), 2))
    [slice(0, 2, None), slice(2, 3, None), slice(3, 5, None)]
    """
    first = 0
    for pos in range(1, len(lengths) + 1):
        if pos == len(lengths):
            yield slice(first, pos)
        elif pos - first >= batch_size or (lengths[pos] > 1.25 * lengths[first] + 4):
            yield slice(first, pos)
            first = pos
