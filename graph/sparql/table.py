"""Answers as aligned text tables, padded by the width a terminal gives each cell.

Widths come from wcwidth (wide CJK characters take two columns, combining
marks and zero-width characters none). East Asian *ambiguous* characters
(“ ” … ·) take one column in most terminals and two in those set up for CJK;
`ambiguous` says which, so that columns line up in either.
"""

from __future__ import annotations

import unicodedata

from pyoxigraph import BlankNode, Literal, NamedNode
from wcwidth import wcwidth

from .formats import serialize_result
from .prefixes import PREFIX_MAP
from .store import QueryResult, Term

__all__ = ["MAX_CELL", "shorten", "display_width", "format_table"]

MAX_CELL = 60


def shorten(term: Term | None) -> str:
    """Show a term plainly: a literal's text, an IRI as SPARQL can read it back.

    An IRI becomes a prefixed name (characters SPARQL reserves escaped with
    a backslash) when one can spell it, else `<IRI>`; either form pasted into
    a query names the same IRI.

    Examples:
        >>> shorten(NamedNode("https://w3id.org/zh-kg/resource/person/巨晓林"))
        'person:巨晓林'
        >>> shorten(NamedNode("https://w3id.org/zh-kg/resource/doc/a/b.txt"))
        'doc:a\\\\/b.txt'
        >>> shorten(NamedNode("https://w3id.org/zh-kg/resource/person/“甲”"))
        '<https://w3id.org/zh-kg/resource/person/“甲”>'
    """
    if term is None:
        return ""
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if not isinstance(term, NamedNode):
        return str(term)
    for prefix, space in sorted(PREFIX_MAP.items(), key=lambda ns: -len(ns[1])):
        if term.value.startswith(space):
            local = _local_name(term.value[len(space) :])
            if local is not None:
                return f"{prefix}:{local}"
    return f"<{term.value}>"


_LOCAL_ESCAPES = frozenset("_~.-!$&'()*+,;=/?#@%")
_NAME_START = (
    (0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2FF),
    (0x370, 0x37D), (0x37F, 0x1FFF), (0x200C, 0x200D), (0x2070, 0x218F),
    (0x2C00, 0x2FEF), (0x3001, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFFD),
    (0x10000, 0xEFFFF), (0x5F, 0x5F), (0x30, 0x39), (0x3A, 0x3A),
)  # fmt: skip
_NAME_INSIDE = (*_NAME_START, (0x2D, 0x2D), (0xB7, 0xB7), (0x300, 0x36F),
                (0x203F, 0x2040))  # fmt: skip
_HEX = frozenset("0123456789abcdefABCDEF")


def _local_name(text: str) -> str | None:
    """Spell `text` as the local part of a SPARQL prefixed name, or None."""
    out = []
    for index, char in enumerate(text):
        ranges = _NAME_START if index == 0 else _NAME_INSIDE
        code = ord(char)
        last = index == len(text) - 1
        hex_pair = text[index + 1 : index + 3]
        if char == "%" and len(hex_pair) == 2 and set(hex_pair) <= _HEX:
            out.append(char)
        elif any(low <= code <= high for low, high in ranges) and not (
            last and char == "."
        ):
            out.append(char)
        elif char == "." and not last and index > 0:
            out.append(char)
        elif char in _LOCAL_ESCAPES:
            out.append("\\" + char)
        else:
            return None
    return "".join(out)


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
