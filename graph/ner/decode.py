"""Viterbi decoding over BMES tags with hard transition constraints (numpy only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from graph.ner.data import tags_to_spans

__all__ = ["PathDecoder", "allowed_transitions", "viterbi"]

NEG = -1e4


def allowed_transitions(
    tags: Sequence[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (start, transition, end) boolean masks of the legal BMES moves.

    >>> start, trans, end = allowed_transitions(["O", "B-PER", "M-PER", "E-PER"])
    >>> start.tolist(), end.tolist()
    ([True, True, False, False], [True, False, False, True])
    >>> trans.astype(int).tolist()
    [[1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 0, 0]]
    """
    k = len(tags)
    parts = [tag.partition("-") for tag in tags]
    start = np.array([p[0] in ("O", "B", "S") for p in parts])
    end = np.array([p[0] in ("O", "E", "S") for p in parts])
    trans = np.zeros((k, k), dtype=bool)
    for i, (pi, _, li) in enumerate(parts):
        for j, (pj, _, lj) in enumerate(parts):
            if pi in ("B", "M"):
                trans[i, j] = pj in ("M", "E") and li == lj
            else:
                trans[i, j] = pj in ("O", "B", "S")
    return start, trans, end


def viterbi(
    emissions: np.ndarray,
    transitions: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    lengths: np.ndarray | None = None,
) -> np.ndarray:
    """Return the best tag path for each sequence of a (B, T, K) emission batch.

    ``lengths`` gives the true length of each (right-padded) sequence; without
    it every sequence is T long. Positions past a sequence's end are filled
    with its last tag. ``transitions[i, j]`` scores moving from tag i to tag j;
    illegal moves should carry a large negative score already.

    >>> em = np.array([[[0.0, 1.0], [2.0, 0.0], [0.0, 9.0]]])
    >>> zero = np.zeros(2)
    >>> viterbi(em, np.zeros((2, 2)), zero, zero).tolist()
    [[1, 0, 1]]
    >>> viterbi(em, np.zeros((2, 2)), zero, zero, np.array([2])).tolist()
    [[1, 0, 0]]
    """
    batch, length, _ = emissions.shape
    if lengths is None:
        lengths = np.full(batch, length)
    # longest first: the rows still running at step t are then the first
    # active[t], and finished rows need no masking
    order = np.argsort(-np.asarray(lengths), kind="stable")
    em = emissions[order]
    active = batch - np.searchsorted(np.sort(lengths), np.arange(length), "right")
    score = start[None, :] + em[:, 0]
    back = np.zeros((length, batch, emissions.shape[2]), dtype=np.int64)
    for t in range(1, length):
        n = int(active[t])
        cand = score[:n, :, None] + transitions[None, :, :]
        back[t, :n] = cand.argmax(axis=1)
        score[:n] = cand.max(axis=1) + em[:n, t]
    score = score + end[None, :]
    path = np.empty((batch, length), dtype=np.int64)
    path[:, -1] = score.argmax(axis=1)
    rows = np.arange(batch)
    for t in range(length - 1, 0, -1):
        n = int(active[t])
        path[:n, t - 1] = back[t, rows[:n], path[:n, t]]
        path[n:, t - 1] = path[n:, t]
    out = np.empty_like(path)
    out[order] = path
    return out


class PathDecoder:
    """Turn a batch of BMES tag paths into spans with a few array operations."""

    def __init__(self, tags: Sequence[str]) -> None:
        """Index which tags open (B, S) and close (E, S) a span, and their labels."""
        parts = [tag.partition("-") for tag in tags]
        self.tags = list(tags)
        self.opens = np.array([p[0] in ("B", "S") for p in parts])
        self.closes = np.array([p[0] in ("E", "S") for p in parts])
        self.labels = [p[2] for p in parts]

    def spans(
        self, paths: np.ndarray, inside: np.ndarray
    ) -> list[tuple[int, int, int, str]]:
        """Return (row, start, end, label) for the spans of each row's path.

        ``inside`` masks the real positions of each (right-padded) row. Paths
        from constrained Viterbi are legal, so opening and closing tags
        alternate; any row where they do not is decoded tag by tag instead.

        >>> dec = PathDecoder(["O", "B-PER", "M-PER", "E-PER", "S-LOC"])
        >>> paths = np.array([[1, 2, 3, 0, 4], [4, 0, 1, 3, 0]])
        >>> inside = np.array([[True] * 5, [True] * 4 + [False]])
        >>> dec.spans(paths, inside)
        [(0, 0, 3, 'PER'), (0, 4, 5, 'LOC'), (1, 0, 1, 'LOC'), (1, 2, 4, 'PER')]
        """
        row_o, col_o = np.nonzero(self.opens[paths] & inside)
        row_c, col_c = np.nonzero(self.closes[paths] & inside)
        if not self._alternate(paths, row_o, col_o, row_c, col_c):
            return self._slow(paths, inside)
        labels = self.labels
        return [
            (int(r), int(s), int(e) + 1, labels[t])
            for r, s, e, t in zip(
                row_o, col_o, col_c, paths[row_o, col_o].tolist(), strict=True
            )
        ]

    def _alternate(
        self,
        paths: np.ndarray,
        row_o: np.ndarray,
        col_o: np.ndarray,
        row_c: np.ndarray,
        col_c: np.ndarray,
    ) -> bool:
        """Tell whether every open tag is closed by the next close tag, same label."""
        if row_o.shape != row_c.shape:
            return False
        if not (np.array_equal(row_o, row_c) and (col_o <= col_c).all()):
            return False
        same_row = row_o[1:] == row_o[:-1]
        if (same_row & (col_o[1:] <= col_c[:-1])).any():
            return False
        label_o = np.array(self.labels, dtype=object)[paths[row_o, col_o]]
        label_c = np.array(self.labels, dtype=object)[paths[row_c, col_c]]
        return bool((label_o == label_c).all())

    def _slow(
        self, paths: np.ndarray, inside: np.ndarray
    ) -> list[tuple[int, int, int, str]]:
        """Decode row by row with :func:`tags_to_spans` (drops broken spans)."""
        out: list[tuple[int, int, int, str]] = []
        for row, (path, mask) in enumerate(zip(paths, inside, strict=True)):
            tags = [self.tags[t] for t in path[mask]]
            out.extend((row, s, e, lab) for s, e, lab in tags_to_spans(tags))
        return out
