"""Finders for people (PERSON): names after posts, before cues, in lists."""

from __future__ import annotations

import re

from ...model import EntityType
from ..lexicon import Lexicon
from ..records import Candidate
from .base import CJK, alternation

__all__ = ["split_name", "find_persons"]


# Punctuation may follow a name too; graph/resources/name_followers.txt has the words.
_PUNCTUATION_AFTER = ("、", "，", "。", "；", "：", " ", "（", "(", "\n", ",")


def split_name(
    text: str, start: int, lex: Lexicon, *, after_post: bool = False
) -> int | None:
    """Return where a person name starting at `start` ends, or None.

    Examples:
        >>> from graph.extract.lexicon import load_lexicon
        >>> from graph.settings import Settings
        >>> lex = load_lexicon(Settings().resources)
        >>> s = "李玉赋带领全总"
        >>> s[:split_name(s, 0, lex)]
        '李玉赋'
    """
    sur = 2 if text[start : start + 2] in lex.surnames else 1
    if text[start : start + sur] not in lex.surnames:
        return None
    post_ends, stops = lex.chars("post_ends"), lex.chars("given_name_stops")
    followers = (*_PUNCTUATION_AFTER, *lex.words("name_followers"))
    for given in (2, 1):
        end = start + sur + given
        body = text[start + sur : end]
        if (
            len(body) != given
            or not re.fullmatch(rf"[{CJK}]+", body)
            or body[-1] in post_ends
            or (given == 2 and body[-1] in stops)
        ):
            continue
        if end == len(text) or text.startswith(followers, end):
            return end
    if after_post and re.fullmatch(
        rf"[{CJK}]{{2}}", text[start + sur : start + sur + 2]
    ):
        return start + sur + 2 if text[start + sur + 1] not in post_ends else None
    return None


def find_persons(text: str, lex: Lexicon) -> list[Candidate]:
    """Find people named right after a post, in lists after it, or before a cue."""
    found = []
    roles = alternation(lex.roles + lex.words("bylines"))
    minority = lex.pattern("minority_name")
    for match in re.finditer(rf"(?:{roles})[ \u3000]?", text):
        pos = match.end()
        while pos < len(text):
            end = split_name(text, pos, lex, after_post=True)
            name = minority.match(text, pos)
            if name is not None and not any(r in name.group() for r in lex.roles):
                end = name.end()  # 阿卜杜·热合曼: names with a middle dot
            if end is None:
                break
            found.append(Candidate(pos, end, EntityType.PERSON))
            if text[end : end + 1] != "、":
                break
            pos = end + 1
    for match in lex.pattern("name_before_cue").finditer(text):
        end = split_name(text, match.start(1), lex)
        if end == match.end(1):
            found.append(Candidate(match.start(1), end, EntityType.PERSON, priority=0))
    titles = re.compile(rf"(?={alternation(lex.words('name_titles'))})")
    list_ends = lex.words("list_ends")
    for match in titles.finditer(text):
        if text.endswith(list_ends, 0, match.start()):
            continue  # 甲乙丙等同志: a list ends here, not a name
        for size in (3, 2):
            start = match.start() - size
            if (
                start >= 0
                and text[start] in lex.surnames
                and re.fullmatch(rf"[{CJK}]{{{size}}}", text[start : match.start()])
            ):
                found.append(
                    Candidate(start, match.start(), EntityType.PERSON, priority=0)
                )
                break
    found += _elected_lists(text, lex)
    return found


def _elected_lists(text: str, lex: Lexicon) -> list[Candidate]:
    """选举X为…, 表决通过了甲、乙任…: the names between the cue and the post."""
    found = []
    for match in lex.pattern("elected_list_start").finditer(text):
        names, pos = [], match.end()
        while (end := split_name(text, pos, lex, after_post=True)) is not None:
            names.append(Candidate(pos, end, EntityType.PERSON, priority=0))
            if text[end : end + 1] != "、":
                break
            pos = end + 1
        if names and lex.pattern("takes_post").match(text, names[-1].end):
            found += names
    return found
