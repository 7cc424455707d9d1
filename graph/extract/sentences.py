"""Sentences with their mentions: the unit every relation finder reads."""

from __future__ import annotations

import re
from bisect import bisect_left

from .records import ResolvedMention, Sentence

__all__ = ["split_sentences"]

_SENTENCE_END = re.compile(r"[。！？；!?;]+|\n+")
_LINE_END = (
    "。",
    "！",
    "？",
    "；",
    "：",
    "…",
    "”",
    "」",
    "』",
    "）",
    ")",
    "!",
    "?",
    ";",
    ":",
)


def _is_broken_line(text: str, start: int, brk: int) -> bool:
    """Tell whether a line break at `brk` cuts a body sentence in two.

    Text copied from print layouts breaks long lines mid-sentence, or leaves
    a few words on a line of their own; a heading or byline is a short line
    of its own, and a finished sentence ends in punctuation.
    """
    line = text[text.rfind("\n", 0, brk) + 1 : brk].strip()
    nxt = text[brk:].lstrip()
    if line.endswith(_LINE_END) or line.startswith("#") or nxt.startswith("#"):
        return False
    return len(line) > 40 or len(line) <= 8


def split_sentences(text: str, mentions: list[ResolvedMention]) -> list[Sentence]:
    """Cut the text at sentence ends and line breaks, keeping offsets."""
    ordered = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in ordered]
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text + "\n"):
        end = min(match.end(), len(text))
        if (
            match.group()[0] == "\n"
            and end < len(text)
            and _is_broken_line(text, start, match.start())
        ):
            continue
        chunk = text[start:end]
        if chunk.strip():
            window = ordered[bisect_left(starts, start) : bisect_left(starts, end)]
            inside = tuple(m for m in window if m.end <= end)
            sentences.append(Sentence(start, end, chunk, inside))
        start = end
    return sentences
