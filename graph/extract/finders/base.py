"""What every rule finder shares: the Candidate record, stop lists, name walking."""

from __future__ import annotations

import re
from functools import lru_cache

from ..lexicon import Lexicon

__all__ = [
    "CJK",
    "PUNCTUATION",
    "QUOTED",
    "PERIOD_RE",
    "TITLE_RE",
    "alternation",
    "alias_pattern",
    "cue_words",
    "division_pattern",
    "is_unit_name",
    "stop_chars",
    "unit_levels",
    "walk_left",
]

CJK = "\u4e00-\u9fff"
# Punctuation and spaces end every name; graph/resources/stop_chars.txt adds the
# function words that do (的, 在, 和 …).
PUNCTUATION = "、，。；：！？,.;:!?（）()《》“”\"'‘’—【】 \t\n\r\u3000"
# one character of a quoted name; a print-layout line break may stand inside
QUOTED = r"(?:[^“”\n]|\n+(?=[^“”\n#]{1,20}”))"
PERIOD_RE = re.compile(r"“十[一二三四五六七八九]五”")  # “十三五”规划: a period, no name
TITLE_RE = re.compile(
    r"《((?:[^《》\n]|\n+(?=[^《》\n#]{1,20}》)|《[^《》\n]*》){1,120})》"
)


@lru_cache(maxsize=4)
def stop_chars(lex: Lexicon) -> frozenset[str]:
    """Return the characters that end a name when walking left from a suffix."""
    return frozenset(PUNCTUATION) | frozenset(lex.chars("stop_chars"))


@lru_cache(maxsize=512)
def alternation(words: tuple[str, ...] | frozenset[str]) -> str:
    """Return a regex that matches any of `words`, the longest first (cached).

    The words are factored into a trie (浙江|浙江省|江苏 -> 江苏|浙江省?), so
    that the engine follows the text one character at a time instead of
    trying each of hundreds of words at every position. It matches what
    `a|b|...` of the words sorted longest first matches, in the same order
    when a longer pattern backtracks into it.

    Examples:
        >>> alternation(("浙江", "浙江省", "江苏"))
        '(?:江苏|浙江省?)'
        >>> alternation(("省", "市", "市委"))
        '(?:市委?|省)'
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict[str, dict]) -> str:
    """The regex of a trie node: its branches, optional if a word ends here."""
    leaves = sorted(c for c, child in node.items() if c and list(child) == [""])
    branches = [
        re.escape(c) + _trie_regex(child)
        for c, child in sorted(node.items())
        if c and c not in leaves
    ]
    if len(leaves) > 1:
        branches.append("[" + "".join(_class_char(c) for c in leaves) + "]")
    else:
        branches += [re.escape(c) for c in leaves]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return (body if len(body) == 1 or len(branches) > 1 else f"(?:{body})") + "?"
    return body


def _class_char(char: str) -> str:
    return "\\" + char if char in "\\]^-[" else char


@lru_cache(maxsize=4)
def division_pattern(lex: Lexicon) -> re.Pattern[str]:
    """Match any division name of two characters or more (浙江, 浙江省)."""
    return re.compile(
        alternation(frozenset(n for n in lex.division_index() if len(n) >= 2))
    )


@lru_cache(maxsize=4)
def alias_pattern(lex: Lexicon) -> re.Pattern[str]:
    """Match any organization name or alias of the lexicon (全总, 国务院)."""
    return re.compile(alternation(frozenset(lex.org_aliases)))


@lru_cache(maxsize=4)
def unit_levels(lex: Lexicon) -> tuple[tuple[str, ...], str]:
    """Return the unit words (县, 高新区) and the one-character ones as a class."""
    single = "".join(w for w in lex.place_levels if len(w) == 1)
    return lex.place_levels, single


def is_unit_name(name: str, lex: Lexicon) -> bool:
    """Tell whether `name` is shaped like a unit's name: 定城镇, 单县, 紫竹高新区.

    Provinces are all in the lexicon, so a unit named by its shape alone is a
    city, county, town, district or zone; its stem has one to four letters and
    no division name (审查浙江省 is no unit).

    Examples:
        >>> from graph.extract.lexicon import load_lexicon
        >>> from graph.settings import Settings
        >>> lex = load_lexicon(Settings().resources)
        >>> [is_unit_name(n, lex) for n in ("定城镇", "全县", "县")]
        [True, False, False]
    """
    levels, _ = unit_levels(lex)
    level = next((w for w in levels if name.endswith(w)), "")
    stem = name[: len(name) - len(level)]
    return (
        bool(level)
        and lex.division_of(name) is None
        and not any(
            name.endswith(d.name) for d in lex.divisions if d.level == "province"
        )
        and 1 <= len(stem) <= 4
        and re.fullmatch(rf"[{CJK}]+", stem) is not None
        and not name.startswith(lex.words("bad_starts"))
        and not name.startswith(lex.words("unit_body_prefixes"))
        and stem[0] not in lex.chars("unit_first_stops")
        and not any(c in stem[1:] for c in lex.chars("unit_inner_stops"))
        and not any(w in stem for w in levels if len(w) > 1)
        and division_pattern(lex).search(stem) is None
    )


def walk_left(
    text: str,
    end: int,
    limit: int,
    stops: tuple[str, ...],
    lex: Lexicon,
    keep: str = "",
) -> int:
    """Return where a name ending at `end` starts: walk left to a stop char/word."""
    by_length = _by_length(stops)
    chars = stop_chars(lex)
    start = end
    while start > 0 and end - start < limit:
        if text[start - 1] in chars and text[start - 1] not in keep:
            break
        if any(text[start - n : start] in words for n, words in by_length):
            break
        start -= 1
    return start


@lru_cache(maxsize=64)
def _by_length(words: tuple[str, ...]) -> tuple[tuple[int, frozenset[str]], ...]:
    """Group stop words by length, so a walk tests one slice per length."""
    lengths = sorted({len(w) for w in words if w})
    return tuple((n, frozenset(w for w in words if len(w) == n)) for n in lengths)


@lru_cache(maxsize=4)
def cue_words(lex: Lexicon) -> tuple[str, ...]:
    words = {w for cues in lex.cues.values() for w in cues}
    return tuple(sorted(words, key=lambda w: (-len(w), w)))
