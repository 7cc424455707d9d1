"""Training-data augmentation: lists of names whose separators are gone.

News text often lists people one after another (出席的有张三、李四、王五). Once
the separators are lost, as in text converted from print layouts or with the
spaces between names stripped, the names run together (张三李四王五). Such
lists are rare in the MSRA training file and the tagger then misreads them.
``join_names`` makes extra training sentences from the ones that do have
separated name lists, with some separators dropped and the spans shifted.
"""

from __future__ import annotations

import random

from graph.ner.data import Example, Span

__all__ = ["NAME_SEPARATORS", "join_names", "joined_copies"]

NAME_SEPARATORS = frozenset("、，,／/ \u3000")
"""Single characters that may separate two names in a list."""


def _gaps(text: str, spans: list[Span]) -> list[int]:
    """Return the positions of single separators between two adjacent PER spans."""
    ordered = sorted(spans)
    return [
        a[1]
        for a, b in zip(ordered, ordered[1:], strict=False)
        if a[2] == "PER"
        and b[2] == "PER"
        and b[0] - a[1] == 1
        and text[a[1]] in NAME_SEPARATORS
    ]


def join_names(
    example: Example, rng: random.Random, keep: float = 0.3
) -> Example | None:
    """Drop separators between adjacent person names; None if there are none.

    Each separator is kept with probability ``keep``, but at least one is
    dropped, so the result always differs from the input.

    >>> rng = random.Random(0)
    >>> join_names(("请张三、李四发言", [(1, 3, "PER"), (4, 6, "PER")]), rng)
    ('请张三李四发言', [(1, 3, 'PER'), (3, 5, 'PER')])
    >>> join_names(("张三和李四", [(0, 2, "PER"), (3, 5, "PER")]), rng) is None
    True
    """
    text, spans = example
    gaps = _gaps(text, spans)
    if not gaps:
        return None
    drop = {g for g in gaps if rng.random() >= keep} or {rng.choice(gaps)}
    kept = "".join(ch for i, ch in enumerate(text) if i not in drop)

    def shift(pos: int) -> int:
        return pos - sum(1 for g in drop if g < pos)

    return kept, [(shift(s), shift(e), label) for s, e, label in spans]


def joined_copies(
    examples: list[Example], copies: int, seed: int, keep: float = 0.3
) -> list[Example]:
    """Return ``copies`` joined variants of every example that has a name list."""
    rng = random.Random(seed)
    out: list[Example] = []
    for example in examples:
        if not _gaps(*example):
            continue
        for _ in range(copies):
            joined = join_names(example, rng, keep)
            if joined is not None:
                out.append(joined)
    return out
