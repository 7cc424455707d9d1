"""Viterbi decoding over BMES tags with hard transition constraints (numpy only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["allowed_transitions", "viterbi"]

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
    batch, length, k = emissions.shape
    if lengths is None:
        lengths = np.full(batch, length)
    score = start[None, :] + emissions[:, 0]
    back = np.empty((length, batch, k), dtype=np.int64)
    keep = np.broadcast_to(np.arange(k), (batch, k))
    all_active = int(lengths.min())
    for t in range(1, length):
        cand = score[:, :, None] + transitions[None, :, :]
        best = cand.argmax(axis=1)
        new = cand.max(axis=1) + emissions[:, t]
        if t < all_active:
            score = new
            back[t] = best
        else:
            active = (t < lengths)[:, None]
            score = np.where(active, new, score)
            back[t] = np.where(active, best, keep)
    score = score + end[None, :]
    path = np.empty((batch, length), dtype=np.int64)
    path[:, -1] = score.argmax(axis=1)
    rows = np.arange(batch)
    for t in range(length - 1, 0, -1):
        path[:, t - 1] = back[t][rows, path[:, t]]
    return path
