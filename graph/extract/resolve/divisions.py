"""Which division a short form means (省总工会 under a Liaoning heading)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ..finders.base import division_pattern
from ..lexicon import Division, Lexicon

__all__ = ["divisions_in", "context_division"]


def divisions_in(text: str, lex: Lexicon) -> list[tuple[int, Division]]:
    found = []
    for match in division_pattern(lex).finditer(text):
        division = lex.division_of(match.group())
        if division is not None:
            found.append((match.start(), division))
    return found


def context_division(
    pos: int, level: str, text: str, found: list[tuple[int, Division]], lex: Lexicon
) -> Division | None:
    """Pick the division a short form at `pos` refers to.

    In order: the last one named earlier in the same sentence; the one named in
    the nearest heading or byline above (a short line without final
    punctuation, such as 中共辽宁省委常委、省总工会主席 赵国强); the one the
    document names most often.
    """
    wanted = [(p, d) for p, d in found if _fits(d, level, lex)]
    if not wanted:
        return None
    sentence_start = max(text.rfind(c, 0, pos) for c in "。！？\n") + 1
    before = [d for p, d in wanted if sentence_start <= p < pos]
    if before:
        return before[-1]
    for line_start, line_end in _heading_lines(text, pos):
        in_line = [d for p, d in wanted if line_start <= p < line_end]
        if in_line:
            return in_line[-1]
    return Counter(d for _, d in wanted).most_common(1)[0][0]


def _heading_lines(text: str, pos: int) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of heading-like lines before `pos`, nearest first."""
    end = text.rfind("\n", 0, pos)
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        if line and (
            line.startswith("#")
            or (len(line) <= 40 and line[-1] not in "。！？；：，,")
        ):
            yield start, end
        end = start - 1


def _fits(division: Division, prefix: str, lex: Lexicon) -> bool:
    """Tell whether a short form's prefix (省, 市) can mean `division`."""
    level, ends = lex.division_prefixes[prefix]
    return (not level or division.level == level) and division.name.endswith(ends)
