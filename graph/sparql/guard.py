"""Refuse SPARQL that would reach the network or nest too deeply for the engine.

The decision is taken by Oxigraph's own parser, the one that runs the query, so
no difference between two parsers can slip a `SERVICE` past it. Oxigraph reads
`\\u` escapes only inside strings and IRIs, so a `SERVICE` or `LOAD` keyword is
spelled with those very letters in the text: a text without them cannot fetch
anything. Otherwise every occurrence is masked with `x` (a run of `x` is valid
in strings, IRIs, comments, names and language tags, and is no keyword) and
the masked text is parsed again: it still parses exactly when no occurrence
was a keyword. A query is parsed without being evaluated (Oxigraph checks the
dataset options after parsing, and refuses the conflicting pair passed here);
a masked update, which holds no network keyword any more, runs on an empty
in-memory store. The endpoint's workers also run without a network
(`graph.sparql.workers`), so that even a mistake here could not fetch anything.

Deep nesting crashes the engine (a stack overflow, not an exception), so
`check_depth` refuses texts nested deeper than `MAX_DEPTH` before they reach it.
"""

from __future__ import annotations

import re

from pyoxigraph import DefaultGraph, Store

from ..errors import ForbiddenError, QueryError

__all__ = [
    "MAX_DEPTH",
    "NETWORK_MESSAGE",
    "UPDATE_WORDS",
    "nesting_depth",
    "check_depth",
    "is_query_syntax",
    "find_keywords",
    "one_line",
    "check_query",
    "check_update",
]

MAX_DEPTH = 128
NETWORK_MESSAGE = "{} is not allowed: this endpoint never fetches from the network"
UPDATE_WORDS = frozenset(
    ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")
)

_SERVICE_RE = re.compile("SERVICE", re.IGNORECASE)
_NETWORK_RE = re.compile("SERVICE|LOAD", re.IGNORECASE)
_MASK = "x"
# IRIREF as SPARQL defines it, with Oxigraph's \u escapes: U+3000 or NBSP is inside.
_IRI = r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>"
_STRINGS = (
    r"'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"'
)
_TOKEN_RE = re.compile(
    rf"{_STRINGS}|{_IRI}|#[^\n\r]*|[?$]\w+|[\w-]*:[\w.:%-]*|\w+", re.DOTALL
)
# The depth count skips strings and comments. An IRI is matched only so that a
# `#` inside it starts no comment; its brackets still count, since its `<` may
# be an operator: a misreading can only over-count.
_DEPTH_RE = re.compile(rf"{_STRINGS}|#[^\n\r]*|{_IRI}|<<|>>|[(\[{{]|[)\]}}]", re.DOTALL)
_PROBE = Store()


def nesting_depth(text: str) -> int:
    """Return how deep brackets, braces and `<< >>` nest outside strings and comments.

    Examples:
        >>> nesting_depth('SELECT * { { ?s ?p "{{{" } } # ((((')
        2
        >>> nesting_depth("SELECT (((1)) AS ?x) {}")
        3
    """
    depth = deepest = 0
    for match in _DEPTH_RE.finditer(text):
        token = match[0]
        if token in ("<<", "(", "[", "{"):
            depth += 1
        elif token in (">>", ")", "]", "}"):
            depth = max(depth - 1, 0)
        elif token[0] == "<":
            depth += token.count("(") + token.count("[")
            deepest = max(deepest, depth)
            depth = max(depth - token.count(")") - token.count("]"), 0)
        deepest = max(deepest, depth)
    return deepest


def check_depth(text: str) -> None:
    """Refuse a text nested deeper than `MAX_DEPTH` levels.

    Raises:
        QueryError: the text nests too deeply.
    """
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise QueryError(f"query nested {depth} levels deep; the limit is {MAX_DEPTH}")


def is_query_syntax(text: str, prefixes: dict[str, str] | None = None) -> bool:
    """Tell whether Oxigraph parses `text` as a query, without evaluating it.

    Raises:
        ForbiddenError: this pyoxigraph evaluated the probe instead of refusing it.
    """
    try:
        _PROBE.query(
            text,
            prefixes=prefixes or {},
            use_default_graph_as_union=True,
            default_graph=DefaultGraph(),
        )
    except SyntaxError:
        return False
    except ValueError:
        return True  # parsed, then refused for the conflicting dataset options
    raise ForbiddenError("query guard: pyoxigraph did not refuse the parse probe")


def one_line(message: str, limit: int = 300) -> str:
    """Squeeze a message onto one line of at most `limit` characters.

    Examples:
        >>> one_line("error at 1:3:\\n  expected x", limit=20)
        'error at 1:3: expec…'
    """
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _update_error(text: str, prefixes: dict[str, str] | None) -> str | None:
    """Run a masked update (no network keyword left) on an empty store.

    Returns:
        Oxigraph's syntax error in one line, or None when the text parses.
    """
    try:
        Store().update(text, prefixes=prefixes or {})
    except SyntaxError as exc:
        return one_line(str(exc))
    except OSError:
        return None  # parsed; failed while running on the empty store
    return None


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: _MASK * len(m[0]), text)


def find_keywords(text: str) -> list[str]:
    """List the update and SERVICE keywords among the tokens of `text`, in order.

    This reading skips strings, IRIs and comments. It only chooses messages:
    the decision is `check_query`'s and `check_update`'s.

    Examples:
        >>> find_keywords('INSERT DATA { <a:b> <a:c> "LOAD" } ; LOAD <x:y> # DROP')
        ['INSERT', 'LOAD']
    """
    words = (m[0].upper() for m in _TOKEN_RE.finditer(text))
    return [word for word in words if word in UPDATE_WORDS or word == "SERVICE"]


def check_query(text: str, *, prefixes: dict[str, str] | None = None) -> None:
    """Refuse a query that nests too deeply or holds a SERVICE pattern.

    A text that does not parse passes: the engine refuses it before running it.

    Raises:
        QueryError: the query nests too deeply.
        ForbiddenError: the query holds a SERVICE pattern.
    """
    check_depth(text)
    if _SERVICE_RE.search(text) is None or not is_query_syntax(text, prefixes):
        return
    if not is_query_syntax(_mask(text, _SERVICE_RE), prefixes):
        raise ForbiddenError(NETWORK_MESSAGE.format("SERVICE"))


def check_update(text: str, *, prefixes: dict[str, str] | None = None) -> None:
    """Refuse an update that nests too deeply or holds LOAD or SERVICE anywhere.

    Every operation is covered, since the whole text is parsed with each
    occurrence of the two words masked. When the masked text does not parse,
    the update is refused as well: as LOAD or SERVICE when one of them is a
    keyword token, else as a bad update.

    Raises:
        QueryError: the update nests too deeply or does not parse.
        ForbiddenError: the update holds LOAD or SERVICE.
    """
    check_depth(text)
    if _NETWORK_RE.search(text) is None:
        return
    error = _update_error(_mask(text, _NETWORK_RE), prefixes)
    if error is None:
        return
    words = [word for word in find_keywords(text) if word in ("LOAD", "SERVICE")]
    if not words:
        raise QueryError(f"bad update: {error}")
    raise ForbiddenError(NETWORK_MESSAGE.format(words[0]))
