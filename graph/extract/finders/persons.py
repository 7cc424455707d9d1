"""Finders for people (PERSON): names after posts, before cues, in lists."""

from __future__ import annotations

import re

from ...model import EntityType
from ..lexicon import Lexicon
from .base import CJK, Candidate, alternation

__all__ = ["split_name", "find_persons"]


_AFTER_NAME = (
    "报道",
    "宣布",
    "致",
    "列席",
    "及",
    "应邀",
    "分别",
    "、",
    "，",
    "。",
    "；",
    "：",
    " ",
    "等",
    "同志",
    "出席",
    "主持",
    "讲话",
    "强调",
    "指出",
    "表示",
    "介绍",
    "说",
    "作",
    "在",
    "为",
    "带领",
    "和",
    "与",
    "率",
    "会见",
    "参加",
    "当选",
    "任",
    "担任",
    "的",
    "是",
    "也",
    "就",
    "对",
    "向",
    "认为",
    "摄",
    "（",
    "(",
    "\n",
    ",",
    "代表",
    "一行",
    "表彰",
    "要求",
    "希望",
    "深入",
    "到",
)


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
    for given in (2, 1):
        end = start + sur + given
        body = text[start + sur : end]
        if (
            len(body) != given
            or not re.fullmatch(rf"[{CJK}]+", body)
            or body[-1] in "长员"
            or (given == 2 and body[-1] in "等及和与任担兼为在并")
        ):
            continue
        if end == len(text) or text.startswith(_AFTER_NAME, end):
            return end
    if after_post and re.fullmatch(
        rf"[{CJK}]{{2}}", text[start + sur : start + sur + 2]
    ):
        return start + sur + 2 if text[start + sur + 1] not in "长员" else None
    return None


def find_persons(text: str, lex: Lexicon) -> list[Candidate]:
    """Find people named right after a post, in lists after it, or before a cue."""
    found = []
    roles = alternation(lex.roles + ("记者", "本报记者", "通讯员", "同志们"))
    for match in re.finditer(rf"(?:{roles})[ 　]?", text):
        pos = match.end()
        while pos < len(text):
            end = split_name(text, pos, lex, after_post=True)
            if end is None:
                break
            found.append(Candidate(pos, end, EntityType.PERSON))
            if text[end : end + 1] != "、":
                break
            pos = end + 1
    cues = alternation(
        (
            "出席",
            "主持",
            "强调",
            "指出",
            "表示",
            "介绍",
            "作工作报告",
            "当选",
            "列席",
            "参加",
            "任",
            "等",
        )
    )
    pattern = re.compile(
        rf"(?:^|(?<=[，。；：、\s”])|(?<=代表|劳模))([{CJK}]{{2,4}}?)(?=(?:{cues}))"
    )
    for match in pattern.finditer(text):
        end = split_name(text, match.start(1), lex)
        if end == match.end(1):
            found.append(Candidate(match.start(1), end, EntityType.PERSON, priority=0))
    for match in re.finditer(r"(?=总书记|总理|委员长|同志)", text):
        if text[match.start() - 1 : match.start()] == "等":
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


_TAKES_POST = re.compile(r"(?:同志)?(?:当选为|当选|为|任|担任)")


def _elected_lists(text: str, lex: Lexicon) -> list[Candidate]:
    """选举X为…, 表决通过了甲、乙任…: the names between the cue and the post."""
    found = []
    cues = alternation(lex.election_cues)
    for match in re.finditer(rf"(?:{cues})了?", text):
        names, pos = [], match.end()
        while (end := split_name(text, pos, lex, after_post=True)) is not None:
            names.append(Candidate(pos, end, EntityType.PERSON, priority=0))
            if text[end : end + 1] != "、":
                break
            pos = end + 1
        if names and _TAKES_POST.match(text, names[-1].end):
            found += names
    return found
