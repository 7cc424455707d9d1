"""Strict span-level precision, recall and F1 (span and label must both match)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["Scores", "format_table", "score_spans"]

Scores = dict[str, dict[str, float]]


def score_spans(
    gold: Iterable[Iterable[tuple[int, int, str]]],
    pred: Iterable[Iterable[tuple[int, int, str]]],
    labels: Sequence[str] = ("PER", "LOC", "ORG"),
) -> Scores:
    """Score predicted spans against gold spans, per label and micro-averaged.

    >>> gold = [[(0, 2, "PER"), (3, 5, "ORG")]]
    >>> s = score_spans(gold, [[(0, 2, "PER"), (3, 4, "ORG")]])
    >>> s["PER"]["f1"], s["ORG"]["f1"], s["micro"]["f1"]
    (1.0, 0.0, 0.5)
    """
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for gold_spans, pred_spans in zip(gold, pred, strict=True):
        g = {s for s in gold_spans if s[2] in labels}
        p = {s for s in pred_spans if s[2] in labels}
        for span in g:
            n_gold[span[2]] += 1
        for span in p:
            n_pred[span[2]] += 1
        for span in g & p:
            tp[span[2]] += 1
    scores: Scores = {}
    for label in labels:
        scores[label] = _prf(tp[label], n_pred[label], n_gold[label])
    total = (sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    scores["micro"] = _prf(*total)
    return scores


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Compute precision, recall, F1 and support from counts."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f1": f, "support": float(n_gold)}


def format_table(scores: Scores) -> str:
    """Render scores as a small plain-text table."""
    rows = [f"{'label':<6} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}"]
    for label, s in scores.items():
        rows.append(
            f"{label:<6} {s['p']:6.4f} {s['r']:6.4f} {s['f1']:6.4f} "
            f"{int(s['support']):6d}"
        )
    return "\n".join(rows)
