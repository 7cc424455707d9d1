"""Character, character-bigram and lexicon features for the MSRA NER model.

Everything here is pure Python plus numpy, so it serves training and
inference alike. The lexicon (:mod:`graph.ner.lexicon`) is built from jieba's
dictionary: each word has one category (PER for nr/nrt/nrfg, LOC for ns, ORG
for nt, WORD otherwise).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from graph.ner.lexicon import LEX_CATEGORIES, N_LEX_FEATURES, Lexicon, code_points

__all__ = [
    "LEX_CATEGORIES",
    "N_LEX_FEATURES",
    "Featurizer",
    "Lexicon",
    "build_jieba_lexicon",
    "normalize_char",
    "normalize_text",
]

logger = logging.getLogger(__name__)

_JIEBA_CATEGORY = {"nr": 0, "nrt": 0, "nrfg": 0, "ns": 1, "nt": 2}
PAD, UNK = 0, 1
_BOS, _EOS = "\x02", "\x03"
_NORMALIZED: dict[str, str] = {}


def normalize_char(char: str) -> str:
    """Map a character to its NFKC, lower-case form when that stays one character.

    >>> normalize_char("Ａ"), normalize_char("１"), normalize_char("中")
    ('a', '1', '中')
    """
    cached = _NORMALIZED.get(char)
    if cached is None:
        folded = unicodedata.normalize("NFKC", char).lower()
        cached = folded if len(folded) == 1 else char
        _NORMALIZED[char] = cached
    return cached


def build_jieba_lexicon(max_len: int = 10) -> Lexicon:
    """Build the lexicon from the dictionary that ships with jieba."""
    import jieba

    words: dict[str, int] = {}
    path = Path(jieba.__file__).with_name("dict.txt")
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) < 3:
                continue
            word = "".join(normalize_char(ch) for ch in parts[0])
            words[word] = _JIEBA_CATEGORY.get(parts[2], 3)
    return Lexicon(words, max_len=max_len)


class Featurizer:
    """Turn text into character ids, bigram ids and lexicon flags."""

    def __init__(self, chars: Sequence[str], bigrams: Sequence[str], lexicon: Lexicon):
        """Index the given vocabularies; ids 0 and 1 are padding and unknown."""
        self.chars = list(chars)
        self.bigrams = list(bigrams)
        self.lexicon = lexicon
        self.char_ids = {c: i + 2 for i, c in enumerate(self.chars)}
        self.bigram_ids = {b: i + 2 for i, b in enumerate(self.bigrams)}
        self._char_keys, self._char_vals = _id_table([ord(c) for c in self.chars])
        self._bigram_keys, self._bigram_vals = _id_table(
            [_pair_key(ord(b[0]), ord(b[1])) for b in self.bigrams]
        )

    @property
    def n_chars(self) -> int:
        """Size of the character id space (with padding and unknown)."""
        return len(self.chars) + 2

    @property
    def n_bigrams(self) -> int:
        """Size of the bigram id space (with padding and unknown)."""
        return len(self.bigrams) + 2

    @classmethod
    def fit(
        cls,
        texts: Iterable[str],
        lexicon: Lexicon,
        min_char: int = 1,
        min_bigram: int = 3,
    ) -> Featurizer:
        """Build vocabularies from training texts, keeping items seen often enough."""
        char_counts: Counter[str] = Counter()
        bigram_counts: Counter[str] = Counter()
        for text in texts:
            norm = _normalize(text)
            char_counts.update(norm)
            bigram_counts.update(_bigrams(norm))
        chars = sorted(c for c, n in char_counts.items() if n >= min_char)
        bigrams = sorted(b for b, n in bigram_counts.items() if n >= min_bigram)
        logger.info("vocabulary: %d chars, %d bigrams", len(chars), len(bigrams))
        return cls(chars, bigrams, lexicon)

    def encode(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (char ids, [left, right] bigram ids, lexicon flags) for one text."""
        return self.encode_many([text])

    def encode_many(
        self, texts: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Encode texts joined end to end, each as if alone (see :meth:`encode`).

        The rows of text k start at the sum of the lengths before it; bigrams
        and lexicon words never cross from one text into the next.

        >>> f = Featurizer(["北", "京"], ["北京"], Lexicon({"北京": 1}))
        >>> chars, bigrams, lex = f.encode_many(["北京", "京北"])
        >>> chars.tolist(), bigrams[:, 1].tolist(), lex[:, 3].tolist()
        ([2, 3, 3, 2], [2, 1, 1, 1], [1.0, 0.0, 0.0, 0.0])
        """
        norm = normalize_text("".join(texts))
        codes = code_points(norm)
        lengths = np.fromiter((len(t) for t in texts), np.int64, len(texts))
        ends = np.repeat(np.cumsum(lengths), lengths)
        firsts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        index = np.arange(codes.size)
        before = np.where(index == firsts, ord(_BOS), np.roll(codes, 1))
        after = np.where(index + 1 == ends, ord(_EOS), np.roll(codes, -1))
        chars = _lookup(self._char_keys, self._char_vals, codes)
        left = _lookup(self._bigram_keys, self._bigram_vals, _pair_key(before, codes))
        right = _lookup(self._bigram_keys, self._bigram_vals, _pair_key(codes, after))
        return chars, np.stack([left, right], axis=1), self.lexicon.features(norm, ends)

    def save(self, directory: str | os.PathLike[str]) -> None:
        """Write vocabularies and lexicon into a directory."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        vocab = {"chars": self.chars, "bigrams": self.bigrams}
        with gzip.GzipFile(path / "vocab.json.gz", "wb", mtime=0) as handle:
            handle.write(json.dumps(vocab, ensure_ascii=False).encode("utf-8"))
        self.lexicon.save(path / "lexicon.tsv.gz")

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> Featurizer:
        """Read a featurizer written by :meth:`save`."""
        path = Path(directory)
        with gzip.open(path / "vocab.json.gz", "rt", encoding="utf-8") as handle:
            vocab = json.load(handle)
        lexicon = Lexicon.load(path / "lexicon.tsv.gz")
        return cls(vocab["chars"], vocab["bigrams"], lexicon)


def normalize_text(text: str) -> str:
    """Normalize every character of a text (see :func:`normalize_char`), same length.

    >>> normalize_text("ＡＢ中")
    'ab中'
    """
    fresh = {c for c in set(text) if ord(c) not in _TRANSLATION}
    for char in fresh:
        _TRANSLATION[ord(char)] = normalize_char(char)
    return text.translate(_TRANSLATION)


_TRANSLATION: dict[int, str] = {}


def _normalize(text: str) -> str:
    """Normalize every character of a text, keeping its length."""
    return normalize_text(text)


def _pair_key(first: np.ndarray | int, second: np.ndarray | int) -> np.ndarray | int:
    """Pack two code points (21 bits each) into one integer key."""
    return (first << 21) | second


def _id_table(keys: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Return sorted int64 keys and their ids (index + 2: 0 pads, 1 is unknown)."""
    array = np.array(keys, dtype=np.int64)
    order = np.argsort(array, kind="stable")
    return array[order], (order + 2).astype(np.int64)


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Map each query key to its id, or to UNK when it is not in ``keys``."""
    if keys.size == 0:
        return np.full(query.shape, UNK, dtype=np.int64)
    pos = np.searchsorted(keys, query)
    pos[pos == keys.size] = 0
    return np.where(keys[pos] == query, values[pos], UNK)


def _bigrams(norm: str) -> list[str]:
    """Return the len+1 bigrams of a padded text: BOS+c0, c0+c1, ..., c_last+EOS."""
    padded = _BOS + norm + _EOS
    return [padded[i : i + 2] for i in range(len(padded) - 1)]
