"""held_on: when events take place, as precisely as the text states it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from ...model import EntityType, Predicate, Relation
from ..lexicon import Lexicon
from ..records import ResolvedMention, Sentence

__all__ = ["stated_date", "find_dates", "held_on", "distinct"]

Stated = tuple[int, str | None] | None


def stated_date(text: str, lex: Lexicon) -> Stated:
    r"""Return the year (and ISO day) a report states for itself, if it does.

    That is a date line or a headline among the first lines (日期:2018-08-31,
    2012-05-07, 【聚焦2012桃源“两会”】); a year worked out from the body is not.

    Examples:
        >>> from graph.extract.lexicon import load_lexicon
        >>> from graph.settings import Settings
        >>> lex = load_lexicon(Settings().resources)
        >>> stated_date("标题\n\n2012-05-07\n\n正文", lex)
        (2012, '2012-05-07')
        >>> stated_date("县妇联召开会议。\n2007年开展了活动。", lex) is None
        True
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()][:4]
    year = None
    for line in lines:
        if len(line) > 80 or line[-1:] in "。！？；":
            break
        day = lex.pattern("date_line").search(line)
        if day is not None:
            return int(day[1]), f"{day[1]}-{int(day[2]):02d}-{int(day[3]):02d}"
        found = lex.pattern("date_line_year").search(line)
        if found is not None and year is None:
            year = int(found[1])
    return (year, None) if year is not None else None


def find_dates(text: str, year: int | None, lex: Lexicon) -> list[tuple[int, str]]:
    """Return (offset, ISO date) for each date expression in `text`."""
    found: dict[int, str] = {}
    for m in lex.pattern("date_full").finditer(text):
        found[m.start()] = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    for m in lex.pattern("date_year_month").finditer(text):
        found.setdefault(m.start(), f"{m[1]}-{int(m[2]):02d}")
    for m in lex.pattern("date_year").finditer(text):
        found.setdefault(m.start(), m[1])
    if year is not None:
        for m in lex.pattern("date_month_day").finditer(text):
            found.setdefault(m.start(), f"{year}-{int(m[1]):02d}-{int(m[2]):02d}")
        for m in lex.pattern("date_this_year").finditer(text):
            found.setdefault(m.start(), str(year))
    return sorted(found.items())


def _pair(
    items: list[tuple[int, str]], events: list[ResolvedMention]
) -> Iterator[tuple[ResolvedMention, str]]:
    """Pair values with events: in order when counts agree, else the nearest event."""
    if len(items) == len(events) > 1:
        values = [v for _, v in items]
        yield from zip(sorted(events, key=lambda e: e.start), values, strict=True)
        return
    for pos, value in items:
        event = min(events, key=lambda e: abs(e.start - pos))
        yield event, value


def _paragraph_year(text: str, sent: Sentence, lex: Lexicon) -> int | None:
    """The last year stated in the sentence's paragraph up to its end (not 2015年度)."""
    start = text.rfind("\n", 0, sent.start) + 1
    policies = sent.of(EntityType.POLICY)
    years = [
        m
        for m in lex.pattern("date_stated_year").finditer(text, start, sent.end)
        if not any(p.start <= m.start() < p.end for p in policies)
    ]
    return int(years[-1][1]) if years else None


def held_on(
    text: str, sent: Sentence, stated: Stated, lex: Lexicon
) -> Iterator[Relation]:
    """Dates of the events of a sentence that says they take place.

    A month and day take the year stated around them (in the sentence or
    earlier in its paragraph), else the year of the report's date line or
    headline; 今天/昨天 count from the date line. No year stated: no date.
    """
    events = distinct(sent.of(EntityType.EVENT))
    if not events:
        return
    year = _paragraph_year(text, sent, lex) or (stated[0] if stated else None)
    for event in events:
        lead = lex.pattern("date_lead_year").match(event.text)
        if lead:
            yield sent.evidence(Predicate.HELD_ON, event.name, lead[1])
    if not any(cue in sent.text for cue in lex.words("date_cues")):
        return
    inside = [(m.start - sent.start, m.end - sent.start) for m in sent.mentions]
    dates = [
        (sent.start + p, d)
        for p, d in find_dates(sent.text, year, lex)
        if not any(a <= p < b for a, b in inside)
    ]
    dates += _relative_days(sent, stated, lex)
    lead = sent.start + len(sent.text) - len(sent.text.lstrip())
    if len(dates) == 1 and dates[0][0] - lead <= 1:
        # 2007年，县妇联开展了“甲”、“乙”等活动: a leading date covers the sentence
        pairs = [(event, dates[0][1]) for event in events]
    else:
        pairs = list(_pair(sorted(dates), events))
    for event, when in pairs:
        yield sent.evidence(Predicate.HELD_ON, event.name, when)


def _relative_days(
    sent: Sentence, stated: Stated, lex: Lexicon
) -> list[tuple[int, str]]:
    """今天/今日 and 昨天/昨日 as dates, when the date line gives the day."""
    if stated is None or stated[1] is None:
        return []
    day = date.fromisoformat(stated[1])
    found = []
    for match in lex.pattern("date_relative").finditer(sent.text):
        shift = 1 if match.group("yesterday") else 0
        found.append(
            (sent.start + match.start(), (day - timedelta(days=shift)).isoformat())
        )
    return found


def distinct(mentions: list[ResolvedMention]) -> list[ResolvedMention]:
    """Return one mention per entity name, the first in the text."""
    seen, out = set(), []
    for m in sorted(mentions, key=lambda m: m.start):
        if m.name not in seen:
            seen.add(m.name)
            out.append(m)
    return out
