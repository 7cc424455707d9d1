"""Character, character-bigram and lexicon features for the MSRA NER model.

Everything here is pure Python plus numpy, so it serves training and
inference alike. The lexicon is built from jieba's dictionary: each word has
one category (PER for nr/nrt/nrfg, LOC for ns, ORG for nt, WORD otherwise)
and every character gets 12 binary features telling whether a lexicon word of
each category begins (B), continues (M) or ends (E) on it.
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

__all__ = [
    "LEX_CATEGORIES",
    "N_LEX_FEATURES",
    "Featurizer",
    "Lexicon",
    "build_jieba_lexicon",
    "normalize_char",
]

logger = logging.getLogger(__name__)

LEX_CATEGORIES: tuple[str, ...] = ("PER", "LOC", "ORG", "WORD")
N_LEX_FEATURES = 3 * len(LEX_CATEGORIES)
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


class Lexicon:
    """A word list with one category per word, matched exhaustively against text."""

    def __init__(self, words: dict[str, int], max_len: int = 10) -> None:
        """Keep words of 2..max_len characters with their category index."""
        self.words = {w: c for w, c in words.items() if 2 <= len(w) <= max_len}
        self.max_len = max((len(w) for w in self.words), default=0)
        self.prefixes = {w[:k] for w in self.words for k in range(2, len(w))}

    def features(self, text: str) -> np.ndarray:
        """Return a (len(text), 12) float32 array of B/M/E flags per category.

        >>> lex = Lexicon({"北京": 1, "北京大学": 2})
        >>> lex.features("在北京大学").argmax(axis=1).tolist()
        [0, 3, 5, 7, 8]
        """
        n = len(text)
        out = np.zeros((n, N_LEX_FEATURES), dtype=np.float32)
        words, prefixes, top = self.words, self.prefixes, self.max_len
        flat: list[int] = []
        width = N_LEX_FEATURES
        for i in range(n - 1):
            for end in range(i + 2, min(n, i + top) + 1):
                piece = text[i:end]
                cat = words.get(piece)
                if cat is not None:
                    base = 3 * cat
                    flat.append(i * width + base)
                    flat.extend(j * width + base + 1 for j in range(i + 1, end - 1))
                    flat.append((end - 1) * width + base + 2)
                if piece not in prefixes:
                    break
        if flat:
            out.flat[flat] = 1.0
        return out

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the lexicon as sorted, gzipped ``word<TAB>category`` lines."""
        lines = "".join(f"{w}\t{c}\n" for w, c in sorted(self.words.items()))
        with gzip.GzipFile(path, "wb", mtime=0) as handle:
            handle.write(lines.encode("utf-8"))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Lexicon:
        """Read a lexicon written by :meth:`save`."""
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            pairs = (line.rstrip("\n").split("\t") for line in handle)
            return cls({w: int(c) for w, c in pairs})


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
        norm = _normalize(text)
        get_c, get_b = self.char_ids.get, self.bigram_ids.get
        chars = np.fromiter((get_c(c, UNK) for c in norm), np.int64, len(norm))
        bis = np.fromiter((get_b(b, UNK) for b in _bigrams(norm)), np.int64)
        bigram = np.stack([bis[:-1], bis[1:]], axis=1)
        return chars, bigram, self.lexicon.features(norm)

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


def _normalize(text: str) -> str:
    """Normalize every character of a text, keeping its length."""
    return "".join(normalize_char(c) for c in text)


def _bigrams(norm: str) -> list[str]:
    """Return the len+1 bigrams of a padded text: BOS+c0, c0+c1, ..., c_last+EOS."""
    padded = _BOS + norm + _EOS
    return [padded[i : i + 2] for i in range(len(padded) - 1)]
