"""Answers as aligned text tables, padded by the width a terminal gives each cell.

Widths come from wcwidth (wide CJK characters take two columns, combining
marks and zero-width characters none). East Asian *ambiguous* characters
(“ ” … ·) take one column in most terminals and two in those set up for CJK;
`ambiguous` says which, so that columns line up in either.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

from pyoxigraph import BlankNode, Literal, NamedNode
from wcwidth import wcwidth

from .formats import serialize_result
from .prefixes import PREFIX_MAP
from .store import QueryResult, Term

__all__ = ["MAX_CELL", "shorten", "display_width", "format_table"]

MAX_CELL = 60


def shorten(term: Term | None) -> str:
    """Show a term plainly: a literal's text, an IRI as a decoded prefixed name.

    Examples:
        >>> shorten(NamedNode("https://w3id.org/zh-kg/resource/org/%E5%85%A8%E6%80%BB"))
        'kgr:org/全总'
    """
    if term is None:
        return ""
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if not isinstance(term, NamedNode):
        return str(term)
    best = max(
        (ns for ns in PREFIX_MAP.items() if term.value.startswith(ns[1])),
        key=lambda ns: len(ns[1]),
        default=None,
    )
    if best is None:
        return f"<{unquote(term.value)}>"
    return f"{best[0]}:{unquote(term.value[len(best[1]) :])}"


def display_width(text: str, *, ambiguous: int = 1) -> int:
    """Count the terminal columns of `text`.

    Examples:
        >>> display_width("全总“五一”"), display_width("全总“五一”", ambiguous=2)
        (10, 12)
        >>> display_width("e\\u0301")
        1
    """
    total = 0
    for char in text:
        width = max(wcwidth(char), 0)
        if width == 1 and unicodedata.east_asian_width(char) == "A":
            width = ambiguous
        total += width
    return total


def _clip(text: str, ambiguous: int) -> str:
    text = " ".join(text.split())
    if display_width(text, ambiguous=ambiguous) <= MAX_CELL:
        return text
    while display_width(text, ambiguous=ambiguous) > MAX_CELL - ambiguous:
        text = text[:-1]
    return text + "…"


def format_table(result: QueryResult, *, ambiguous: int = 1) -> str:
    """Lay out a SELECT result as an aligned table; ASK as true/false; graphs as Turtle.

    `ambiguous` is the width (1 or 2) the terminal gives ambiguous characters.
    """
    if result.kind == "ask":
        return f"{str(result.boolean).lower()}\n"
    if result.kind == "graph":
        return serialize_result(result, "turtle", prefixes=PREFIX_MAP).decode("utf-8")

    def width(text: str) -> int:
        return display_width(text, ambiguous=ambiguous)

    header = list(result.variables)
    cells = [[_clip(shorten(term), ambiguous) for term in row] for row in result.rows]
    widths = [
        max([width(h)] + [width(row[i]) for row in cells]) for i, h in enumerate(header)
    ]

    def line(row: list[str]) -> str:
        padded = (c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True))
        return "  ".join(padded).rstrip()

    lines = [line(header), "  ".join("-" * w for w in widths)]
    lines += [line(row) for row in cells]
    count = len(cells)
    if result.truncated:
        lines.append(f"({count} rows shown; the answer was cut at {count} rows)")
    else:
        lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines) + "\n"
