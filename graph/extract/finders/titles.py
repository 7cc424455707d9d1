"""Finders for named documents (POLICY) and meetings or campaigns (EVENT)."""

from __future__ import annotations

from ...model import EntityType
from ..lexicon import Lexicon
from ..records import Candidate
from .base import (
    PERIOD_RE,
    TITLE_RE,
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
    for match in lex.pattern("policy_quoted").finditer(text):
        if not PERIOD_RE.match(match.group()):
            found.append(Candidate(match.start(), match.end(), EntityType.POLICY))
    more = lex.pattern("policy_decision_more")
    for match in lex.pattern("policy_decision").finditer(text):
        spans = [match.span(1)]
        while (nxt := more.match(text, spans[-1][1])) is not None:
            spans.append(nxt.span(1))
        found += [Candidate(a, b, EntityType.POLICY) for a, b in spans]
    listed = lex.pattern("policy_listed")
    for match in lex.pattern("policy_after_cue").finditer(text):
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
        and not name.startswith(
            (
                *lex.words("bad_starts"),
                *lex.words("policy_bad_starts"),
                *lex.cues["issued"],
            )
        )
        and not any(w in name for w in lex.words("list_ends"))
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
    found = [
        Candidate(m.start(), m.end(), EntityType.EVENT)
        for m in lex.pattern("campaign_quoted").finditer(text)
    ]
    # 开展了“甲”、“乙”等系列活动: every quoted name of the list is a campaign
    item = lex.pattern("quoted_item")
    for match in lex.pattern("campaign_listed").finditer(text):
        found += [
            Candidate(
                match.start() + m.start(), match.start() + m.end(), EntityType.EVENT
            )
            for m in item.finditer(match.group())
        ]
    return found


def _session_meetings(text: str, lex: Lexicon) -> list[Candidate]:
    stops = cue_words(lex)
    found = []
    for match in lex.pattern("session_meeting").finditer(text):
        start = walk_left(text, match.start(), 8, stops, lex)
        found.append(Candidate(start, match.end(), _session_label(match.group(), lex)))
    for match in lex.pattern("party_congress").finditer(text):
        found.append(Candidate(match.start(), match.end(), EntityType.EVENT))
    # numbered festivals: 首届中国家长节, 第十届读书节 (节 alone is too common a word)
    found += [
        Candidate(m.start(), m.end(), EntityType.EVENT)
        for m in lex.pattern("festival").finditer(text)
    ]
    return found


def _session_label(session: str, lex: Lexicon) -> EntityType:
    """全总十六届执委会 is the body (a term, no sitting); 十六届四次执委会 a meeting."""
    sitting = lex.pattern("sitting").search(session)
    return (
        EntityType.ORG
        if sitting is None and session.endswith(lex.term_bodies)
        else EntityType.EVENT
    )


def _named_meetings(text: str, lex: Lexicon) -> list[Candidate]:
    # 讲话/发言 inside a name (重要讲话精神报告会) are nouns: only organizing cues stop
    stops = (
        *lex.cues["organized"],
        *lex.cues["issued"],
        *lex.cues["approved"],
        *lex.words("event_part_cues"),
        *lex.verbs,
        *lex.words("event_stop_words"),
    )
    found = []
    joins = "“”‘’、" + lex.chars("joins")
    bad_starts = (*lex.words("bad_starts"), *lex.words("bad_event_starts"))
    # 全会员, 会议室, 大会堂: the word goes on into something else
    for match in lex.pattern("event_word").finditer(text):
        start = walk_left(text, match.start(), 40, stops, lex, keep=joins)
        start = _drop_listed_prefix(text, start, match.start(), lex)
        while start < match.start() and text[start] in "”’":
            start += 1
        name = text[start : match.end()]
        if name.count("“") != name.count("”") or lex.pattern("listed_count").search(
            name.split("”")[-1]
        ):
            continue
        if match.group() in lex.words("contest_words") and not _is_named(name, lex):
            continue
        if name in lex.generic or name.startswith(bad_starts):
            continue
        if match.start() - start >= 2:
            found.append(Candidate(start, match.end(), EntityType.EVENT, priority=0))
    return found


def _drop_listed_prefix(text: str, start: int, end: int, lex: Lexicon) -> int:
    """Start after the last 、 (or 和 after an event) outside quotes (A、B会议)."""
    depth, cut = 0, start
    joins, ends = lex.chars("joins"), lex.chars("event_ends")
    for pos in range(start, end):
        char = text[pos]
        depth += {"“": 1, "”": -1}.get(char, 0)
        if char == "、" and depth == 0:
            cut = pos + 1
        if char in joins and depth == 0 and text[pos - 1] in ends:
            cut = pos + 1
    return cut


def _is_named(name: str, lex: Lexicon) -> bool:
    """Tell whether a competition is named (“安康杯”竞赛), not generic (劳动竞赛)."""
    if "“" in name or any(m in name for m in lex.words("contest_marks")):
        return True
    if name.startswith(lex.words("contest_starts")):
        return True
    return division_pattern(lex).match(name) is not None


def _cued_campaigns(text: str, lex: Lexicon) -> list[Candidate]:
    found = []
    series = lex.words("series_words")
    for match in lex.pattern("campaign_cued").finditer(text):
        name = match.group(1)
        if name.endswith(lex.words("contest_words")) and not _is_named(name, lex):
            continue
        if not name.startswith(lex.words("bad_starts")) and not any(
            w in name[:2] for w in series
        ):
            found.append(Candidate(match.start(1), match.end(1), EntityType.EVENT))
    return found
