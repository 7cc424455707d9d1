"""The jieba-derived lexicon of the NER model, matched against text with numpy.

Each word has one category (PER, LOC, ORG or WORD) and every character gets
12 binary features telling whether a lexicon word of each category begins
(B), continues (M) or ends (E) on it.
"""

from __future__ import annotations

import gzip
import os

import numpy as np

__all__ = ["LEX_CATEGORIES", "N_LEX_FEATURES", "Lexicon", "code_points"]

LEX_CATEGORIES: tuple[str, ...] = ("PER", "LOC", "ORG", "WORD")
N_LEX_FEATURES = 3 * len(LEX_CATEGORIES)


class Lexicon:
    """A word list with one category per word, matched exhaustively against text.

    Matching is vectorized: for each word length the text's substrings are
    hashed (a polynomial over code points, modulo 2**64) and looked up in the
    sorted hashes of the words of that length; every hit is then checked
    character by character, so a hash collision never sets a flag.
    """

    def __init__(self, words: dict[str, int], max_len: int = 10) -> None:
        """Keep words of 2..max_len characters with their category index."""
        self.words = {w: c for w, c in words.items() if 2 <= len(w) <= max_len}
        self.max_len = max((len(w) for w in self.words), default=0)
        prefixes = {w[:k] for w in self.words for k in range(2, len(w))}
        by_length: dict[int, set[str]] = {}  # words and prefixes, in one pass
        for string in (*self.words, *prefixes):
            by_length.setdefault(len(string), set()).add(string)
        self._tables = {
            n: _word_table(sorted(by_length.get(n, ())), self.words, prefixes)
            for n in range(2, self.max_len + 1)
        }

    def features(self, text: str, ends: np.ndarray | None = None) -> np.ndarray:
        """Return a (len(text), 12) float32 array of B/M/E flags per category.

        ``ends`` (one per character: where its segment ends) keeps words from
        running over segment borders when several texts are joined; without
        it the whole text is one segment.

        >>> lex = Lexicon({"北京": 1, "北京大学": 2})
        >>> lex.features("在北京大学").argmax(axis=1).tolist()
        [0, 3, 5, 7, 8]
        >>> ends = np.array([3, 3, 3, 5, 5])
        >>> lex.features("在北京大学", ends).argmax(axis=1).tolist()
        [0, 3, 5, 0, 0]
        """
        n = len(text)
        out = np.zeros((n, N_LEX_FEATURES), dtype=np.float32)
        if n < 2 or not self._tables:
            return out
        codes = code_points(text)
        if ends is None:
            ends = np.full(n, n, dtype=np.int64)
        flat = out.reshape(-1)
        # candidates: start positions whose text so far is a word or a prefix
        alive = np.arange(n - 1)
        hashes = codes[:-1].astype(np.uint64)
        for size in range(2, self.max_len + 1):
            inside = alive + size <= ends[alive]
            alive, hashes = alive[inside], hashes[inside]
            if alive.size == 0:
                break
            hashes = hashes * _HASH_BASE + codes[alive + size - 1].astype(np.uint64)
            starts, cats, keep = self._matches(size, alive, hashes, codes)
            alive, hashes = alive[keep], hashes[keep]
            if starts.size == 0:
                continue
            rows = starts * N_LEX_FEATURES + 3 * cats
            flat[rows] = 1.0
            for inner in range(1, size - 1):
                flat[rows + inner * N_LEX_FEATURES + 1] = 1.0
            flat[rows + (size - 1) * N_LEX_FEATURES + 2] = 1.0
        return out

    def _matches(
        self, size: int, alive: np.ndarray, hashes: np.ndarray, codes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the word starts and categories at ``size``, and who goes on.

        ``alive`` are candidate starts and ``hashes`` the hashes of their
        ``size`` characters; the third array masks the candidates whose text
        is a prefix of a longer word (a hash collision only keeps one too many).
        """
        keys, codes_of, cats, is_prefix = self._tables[size]
        none = np.empty(0, np.int64)
        if keys.size == 0:
            return none, none, np.zeros(alive.size, dtype=bool)
        pos = np.searchsorted(keys, hashes)
        pos[pos == keys.size] = 0
        hit = keys[pos] == hashes
        keep = hit & is_prefix[pos]
        word = hit & (cats[pos] >= 0)
        starts, where = alive[word], pos[word]
        window = codes[starts[:, None] + np.arange(size)]
        exact = (window == codes_of[where]).all(axis=1)
        return starts[exact], cats[where[exact]], keep

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the lexicon as sorted, gzipped ``word<TAB>category`` lines."""
        lines = "".join(f"{w}\t{c}\n" for w, c in sorted(self.words.items()))
        with gzip.GzipFile(path, "wb", mtime=0) as handle:
            handle.write(lines.encode("utf-8"))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Lexicon:
        """Read a lexicon written by :meth:`save`."""
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            pairs = (line.split("\t") for line in handle.read().splitlines())
            return cls({w: int(c) for w, c in pairs})


_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)


def code_points(text: str) -> np.ndarray:
    """Return the code points of a text as an int64 array.

    >>> code_points("a中").tolist()
    [97, 20013]
    """
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def _word_table(
    strings: list[str], categories: dict[str, int], prefixes: set[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Index same-length words and word prefixes for :meth:`Lexicon.features`.

    Returns their sorted hashes, code points, categories (-1: no word) and
    whether each is a prefix of a longer word.
    """
    if not strings:
        empty = np.empty(0, np.int64)
        return empty.astype(np.uint64), empty.reshape(0, 0), empty, empty > 0
    codes = code_points("".join(strings)).reshape(len(strings), -1)
    hashes = codes[:, 0].astype(np.uint64)
    with np.errstate(over="ignore"):
        for col in range(1, codes.shape[1]):
            hashes = hashes * _HASH_BASE + codes[:, col].astype(np.uint64)
    order = np.argsort(hashes, kind="stable")
    cats = np.array([categories.get(w, -1) for w in strings], dtype=np.int64)
    is_prefix = np.array([w in prefixes for w in strings], dtype=bool)
    return hashes[order], codes[order], cats[order], is_prefix[order]
