"""Finders for named documents (POLICY) and meetings or campaigns (EVENT)."""

from __future__ import annotations

import re

from ...model import EntityType
from ..lexicon import Lexicon
from .base import (
    BAD_EVENT_STARTS,
    BAD_STARTS,
    CJK,
    EVENT_STOP_WORDS,
    NUMBER,
    PARTY_CONGRESS_RE,
    PERIOD_RE,
    QUOTED,
    SESSION,
    TITLE_RE,
    Candidate,
    alternation,
    cue_words,
    division_pattern,
    walk_left,
)

__all__ = ["find_policies", "find_events"]


def find_policies(text: str, lex: Lexicon) -> list[Candidate]:
    """Find named documents: 《…》 titles, quoted plans, plans after an issuing cue."""
    found = []
    for match in TITLE_RE.finditer(text):
        inner = match.group(1).strip()
        label = EntityType.ORG if inner in lex.media else EntityType.POLICY
        if inner:
            found.append(Candidate(match.start(1), match.end(1), label))
    words = alternation(lex.policy_words)
    quoted = re.compile(rf"“{QUOTED}{{1,30}}”(?:{words})|“{QUOTED}{{2,30}}(?:{words})”")
    for match in quoted.finditer(text):
        if not PERIOD_RE.match(match.group()):
            found.append(Candidate(match.start(), match.end(), EntityType.POLICY))
    adopted = alternation(lex.cues["approved"])
    decision = re.compile(
        rf"(?:{adopted})了?((?:[{CJK}]{{2,14}}?)?关于[^，。；;《》“”]{{2,60}}?的(?:{words})"
        rf"|[{CJK}\d]{{4,30}}?(?:{words})(?=[（(]草案[)）]))"
    )
    for match in decision.finditer(text):
        spans = [match.span(1)]
        more = re.compile(
            rf"、((?:[{CJK}]{{2,14}}?)?关于[^，。；;《》“”、]{{2,60}}?的(?:{words}))"
        )
        while (nxt := more.match(text, spans[-1][1])) is not None:
            spans.append(nxt.span(1))
        found += [Candidate(a, b, EntityType.POLICY) for a, b in spans]
    cues = alternation(lex.cues["issued"])
    after_cue = re.compile(
        rf"(?:{cues})了?([{CJK}\d“” ]{{3,30}}?(?:{words}))(?=[和与及、，。；,;等]|$)"
    )
    listed = re.compile(
        rf"、([{CJK}\d“” ]{{3,30}}?(?:{words}))(?=[和与及、，。；,;等]|$)"
    )
    for match in after_cue.finditer(text):
        spans = [match.span(1)]
        while (more := listed.match(text, spans[-1][1])) is not None:
            spans.append(more.span(1))
        for start, end in spans:
            name = text[start:end]
            if _is_policy_name(name, lex):
                found.append(Candidate(start, end, EntityType.POLICY))
    return found


def _is_policy_name(name: str, lex: Lexicon) -> bool:
    return (
        len(name) >= 6
        and not name.startswith((*BAD_STARTS, "的", *lex.cues["issued"]))
        and "等" not in name
    )


def find_events(text: str, lex: Lexicon) -> list[Candidate]:
    """Find meetings, ceremonies and campaigns (named, numbered or quoted)."""
    return [
        *_quoted_campaigns(text, lex),
        *_session_meetings(text, lex),
        *_named_meetings(text, lex),
        *_cued_campaigns(text, lex),
    ]


def _quoted_campaigns(text: str, lex: Lexicon) -> list[Candidate]:
    words = alternation(lex.campaign_words)
    pattern = re.compile(
        rf"“{QUOTED}{{2,40}}”(?:为主题的|主题)?(?:{words})"
        rf"|“{QUOTED}{{2,40}}(?:{words})”"
    )
    found = [
        Candidate(m.start(), m.end(), EntityType.EVENT) for m in pattern.finditer(text)
    ]
    # 开展了“甲”、“乙”等系列活动: every quoted name of the list is a campaign
    item = r"“[^“”\n]{2,20}”"
    listed = re.compile(rf"{item}(?:、{item})*等(?:系列|一系列|多项)?(?:{words})")
    for match in listed.finditer(text):
        found += [
            Candidate(
                match.start() + m.start(), match.start() + m.end(), EntityType.EVENT
            )
            for m in re.finditer(item, match.group())
        ]
    return found


def _session_meetings(text: str, lex: Lexicon) -> list[Candidate]:
    words = alternation(lex.event_words)
    pattern = re.compile(
        rf"{SESSION}(?:[{CJK}]{{0,3}}?[（(]扩大[)）](?:会议|会)|{words})"
    )
    stops = cue_words(lex)
    found = []
    for match in pattern.finditer(text):
        start = walk_left(text, match.start(), 8, stops)
        found.append(Candidate(start, match.end(), _session_label(match.group(), lex)))
    for match in PARTY_CONGRESS_RE.finditer(text):
        found.append(Candidate(match.start(), match.end(), EntityType.EVENT))
    # numbered festivals: 首届中国家长节, 第十届读书节 (节 alone is too common a word)
    festival = re.compile(rf"(?:首届|第{NUMBER}届)[{CJK}]{{1,10}}?节(?![日目点约省能])")
    found += [
        Candidate(m.start(), m.end(), EntityType.EVENT) for m in festival.finditer(text)
    ]
    return found


def _session_label(session: str, lex: Lexicon) -> EntityType:
    """全总十六届执委会 is the body (a term, no sitting); 十六届四次执委会 a meeting."""
    sitting = re.search(rf"{NUMBER}次|[一二三四五六七八九]中", session)
    return (
        EntityType.ORG
        if sitting is None and session.endswith(lex.term_bodies)
        else EntityType.EVENT
    )


def _named_meetings(text: str, lex: Lexicon) -> list[Candidate]:
    words = alternation(lex.event_words)
    # 讲话/发言 inside a name (重要讲话精神报告会) are nouns: only organizing cues stop
    stops = (
        *lex.cues["organized"],
        *lex.cues["issued"],
        *lex.cues["approved"],
        "出席",
        "参加",
        "主持",
        *lex.verbs,
        *EVENT_STOP_WORDS,
    )
    found = []
    # 全会员, 会议室, 大会堂: the word goes on into something else
    for match in re.finditer(rf"(?:{words})(?![员室费厅堂场所抓]|中心)", text):
        start = walk_left(text, match.start(), 40, stops, keep="“”‘’和与及、")
        start = _drop_listed_prefix(text, start, match.start())
        while start < match.start() and text[start] in "”’":
            start += 1
        name = text[start : match.end()]
        if name.count("“") != name.count("”") or re.search(
            r"”?等[一二三四五六七八九十\d]*[个项]?", name.split("”")[-1]
        ):
            continue
        if match.group() in ("竞赛", "大赛") and not _is_named(name, lex):
            continue
        if name in lex.generic or name.startswith(BAD_EVENT_STARTS):
            continue
        if match.start() - start >= 2:
            found.append(Candidate(start, match.end(), EntityType.EVENT, priority=0))
    return found


def _drop_listed_prefix(text: str, start: int, end: int) -> int:
    """Start after the last 、 (or 和 after an event) outside quotes (A、B会议)."""
    depth, cut = 0, start
    for pos in range(start, end):
        char = text[pos]
        depth += {"“": 1, "”": -1}.get(char, 0)
        if char == "、" and depth == 0:
            cut = pos + 1
        if char in "和与及" and depth == 0 and text[pos - 1] in "会班赛动":
            cut = pos + 1
    return cut


def _is_named(name: str, lex: Lexicon) -> bool:
    """Tell whether a competition is named (“安康杯”竞赛), not generic (劳动竞赛)."""
    if "“" in name or "杯" in name or name.startswith(("全国", "首届", "第")):
        return True
    return division_pattern(lex).match(name) is not None


def _cued_campaigns(text: str, lex: Lexicon) -> list[Candidate]:
    cues = alternation(("开展", "启动", "组织开展", "举办", "发起"))
    words = alternation(lex.campaign_words)
    pattern = re.compile(
        rf"(?:{cues})了?([{CJK}A-Za-z\d]{{4,24}}?(?:{words}))(?=[和与及、，。；,;]|$)"
    )
    found = []
    for match in pattern.finditer(text):
        name = match.group(1)
        if name.endswith(("竞赛", "大赛")) and not _is_named(name, lex):
            continue
        if not name.startswith(BAD_STARTS) and "系列" not in name[:2]:
            found.append(Candidate(match.start(1), match.end(1), EntityType.EVENT))
    return found
