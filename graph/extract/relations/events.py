"""Event relations: who took part (participated_in), when (held_on), where (held_in)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

from ...model import EntityType, Predicate, Relation
from ..lexicon import Lexicon
from ..resolve import ResolvedMention
from ..sentences import Sentence
from .context import main_event

__all__ = ["event_relations", "find_dates", "document_year", "stated_date"]

_FULL = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})日")
_YEAR_MONTH = re.compile(r"(\d{4})年(\d{1,2})月(?!\d{1,2}日)")
_YEAR = re.compile(r"(?<!\d)(\d{4})年(?!\d{1,2}月|度)")
_THIS_YEAR = re.compile(r"今年")
_HOLD = (
    "召开",
    "举行",
    "举办",
    "开幕",
    "闭幕",
    "选举",
    "推选",
    "开幕式",
    "揭晓",
    "启动",
    "开展",
)
_JOIN = ("并", "和", "、", "及")
# a bare word for the report's own event after a role: 出席会议, 主持开幕式
_BARE_EVENT = "会议|大会|全会|开幕式|启动仪式|仪式|活动|会|大赛|比赛|典礼"
_HOLD_AFTER = re.compile(
    r"(?:隆重|正式|顺利|胜利|盛大|同时)?(?:主持|组织)?(?:拉开序幕|"
    + "|".join(_HOLD)
    + ")"
)


def document_year(text: str) -> int | None:
    """Return the year a document is written in: the year it names most often.

    Examples:
        >>> document_year("2015年11月……2016年是开局之年，2016年")
        2016
    """
    years = Counter(re.findall(r"(?<![\d—\-~至到])(20\d{2}|19\d{2})年", text))
    return int(years.most_common(1)[0][0]) if years else None


_DATE_LINE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:[-./年])(\d{1,2})(?:[-./月])(\d{1,2})(?!\d)"
)


def stated_date(text: str) -> tuple[int, str | None] | None:
    r"""Return the year (and ISO day) a report states for itself, if it does.

    That is a date line or a headline among the first lines (日期:2018-08-31,
    2012-05-07, 【聚焦2012桃源“两会”】); a year worked out from the body is not.

    Examples:
        >>> stated_date("标题\n\n2012-05-07\n\n正文")
        (2012, '2012-05-07')
        >>> stated_date("县妇联召开会议。\n2007年开展了活动。") is None
        True
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()][:4]
    year = None
    for line in lines:
        if len(line) > 80 or line[-1:] in "。！？；":
            break
        day = _DATE_LINE.search(line)
        if day is not None:
            iso = f"{day[1]}-{int(day[2]):02d}-{int(day[3]):02d}"
            return int(day[1]), iso
        found = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", line)
        if found is not None and year is None:
            year = int(found[1])
    return (year, None) if year is not None else None


def find_dates(text: str, year: int | None) -> list[tuple[int, str]]:
    """Return (offset, ISO date) for each date expression in `text`."""
    found: dict[int, str] = {}
    for m in _FULL.finditer(text):
        found[m.start()] = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    for m in _YEAR_MONTH.finditer(text):
        found.setdefault(m.start(), f"{m[1]}-{int(m[2]):02d}")
    for m in _YEAR.finditer(text):
        found.setdefault(m.start(), m[1])
    if year is not None:
        for m in _MONTH_DAY.finditer(text):
            found.setdefault(m.start(), f"{year}-{int(m[1]):02d}-{int(m[2]):02d}")
        for m in _THIS_YEAR.finditer(text):
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


_STATED_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年(?!度)")


def _paragraph_year(text: str, sent: Sentence) -> int | None:
    """The last year stated in the sentence's paragraph up to its end (not 2015年度)."""
    start = text.rfind("\n", 0, sent.start) + 1
    policies = [m for m in sent.of(EntityType.POLICY)]
    years = [
        m
        for m in _STATED_YEAR.finditer(text, start, sent.end)
        if not any(p.start <= m.start() < p.end for p in policies)
    ]
    return int(years[-1][1]) if years else None


def _held_on(
    text: str, sent: Sentence, stated: tuple[int, str | None] | None
) -> Iterator[Relation]:
    """Dates of the events of a sentence that says they take place.

    A month and day take the year stated around them (in the sentence or
    earlier in its paragraph), else the year of the report's date line or
    headline; 今天/昨天 count from the date line. No year stated: no date.
    """
    events = _distinct(sent.of(EntityType.EVENT))
    if not events:
        return
    year = _paragraph_year(text, sent) or (stated[0] if stated else None)
    for event in events:
        lead = re.match(r"(\d{4})年", event.text)
        if lead:
            yield sent.evidence(Predicate.HELD_ON, event.name, lead[1])
    if not any(cue in sent.text for cue in _HOLD):
        return
    inside = [(m.start - sent.start, m.end - sent.start) for m in sent.mentions]
    dates = [
        (sent.start + p, d)
        for p, d in find_dates(sent.text, year)
        if not any(a <= p < b for a, b in inside)
    ]
    dates += _relative_days(sent, stated)
    lead = sent.start + len(sent.text) - len(sent.text.lstrip())
    if len(dates) == 1 and dates[0][0] - lead <= 1:
        # 2007年，县妇联开展了“甲”、“乙”等活动: a leading date covers the sentence
        pairs = [(event, dates[0][1]) for event in events]
    else:
        pairs = list(_pair(sorted(dates), events))
    for event, when in pairs:
        yield sent.evidence(Predicate.HELD_ON, event.name, when)


def _relative_days(
    sent: Sentence, stated: tuple[int, str | None] | None
) -> list[tuple[int, str]]:
    """今天/今日 and 昨天/昨日 as dates, when the date line gives the day."""
    if stated is None or stated[1] is None:
        return []
    day = date.fromisoformat(stated[1])
    found = []
    for match in re.finditer(r"今天|今日|昨天|昨日", sent.text):
        shift = 1 if match.group()[0] == "昨" else 0
        found.append(
            (sent.start + match.start(), (day - timedelta(days=shift)).isoformat())
        )
    return found


def _held_in(text: str, sent: Sentence) -> Iterator[Relation]:
    """在 VENUE (和 VENUE) 召开: where the events of the sentence are held."""
    events = _distinct(sent.of(EntityType.EVENT))
    if not events:
        return
    places = sorted(sent.of(EntityType.LOCATION), key=lambda m: m.start)
    for i, loc in enumerate(places):
        first, last = _venue_list(text, places, i)
        before = text[max(places[first].start - 1, 0) : places[first].start]
        if before not in ("在", "于") or not _HOLD_AFTER.match(text, places[last].end):
            continue
        for event in [e for e in events if e.end <= loc.start] or events[:1]:
            yield sent.evidence(Predicate.HELD_IN, event.name, loc.name)


def _venue_list(text: str, places: list[ResolvedMention], i: int) -> tuple[int, int]:
    """Return the first and last index of the list 在A和B、C that holds place i."""
    first = last = i
    while first > 0 and _joined(text, places[first - 1], places[first]):
        first -= 1
    while last + 1 < len(places) and _joined(text, places[last], places[last + 1]):
        last += 1
    return first, last


def _joined(text: str, a: ResolvedMention, b: ResolvedMention) -> bool:
    return b.start == a.end + 1 and text[a.end] in "和、及"


def _distinct(mentions: list[ResolvedMention]) -> list[ResolvedMention]:
    seen, out = set(), []
    for m in sorted(mentions, key=lambda m: m.start):
        if m.name not in seen:
            seen.add(m.name)
            out.append(m)
    return out


def _roles_after(text: str, pos: int, lex: Lexicon) -> list[str]:
    """Read `出席并讲话`, `主持会议并讲话`, `作了重要讲话` after a name: the roles."""
    cues = lex.cues["participated_in"]
    roles = []
    rest = text[pos : pos + 30]
    rest = re.sub(
        r"^(?:等|同志|领导|应邀|分别|一同|在会上|在讲话中|在会议上|向大会|向会议)+",
        "",
        rest,
    )
    # 习近平总书记主持: a title after the name
    rest = rest[len(next((r for r in lex.roles if rest.startswith(r)), "")) :]
    # 刘萍及30家企业团支部书记参加: the people named take part with the group
    rest = re.sub(r"^(?:及|和|以及)[^，。；、,;]{1,20}?(?=参加|出席|列席)", "", rest)
    # 孙伟同志在5楼会议室主持召开…: a place or occasion before the role
    rest = re.sub(r"^在[^，。；,;在]{1,24}?(?=主持|出席|参加|列席|讲话|致辞)", "", rest)
    # 对…工作作了报告
    rest = re.sub(r"^对[^，。；,;]{1,30}?(?=[作做]了?[^，。；,;]{0,4}报告)", "", rest)
    while True:
        rest = re.sub(r"^[作做]了?", "作", rest)
        # 作常委会工作报告, 作提案工作情况报告: what the report is about drops out
        rest = re.sub(r"^作[^，。；,;、]{0,10}?(工作报告|报告)", r"作\1", rest)
        rest = re.sub(r"^宣布[^，。；,;、]{1,6}?开幕", "宣布开幕", rest)
        cue = next((c for c in cues if rest.startswith(c)), None)
        if cue is None:
            break
        roles.append(lex.role_variants.get(cue, cue))
        rest = rest[len(cue) :]
        rest = re.sub(r"^(?:了|此次|本次|这次)*(?:" + _BARE_EVENT + ")?", "", rest)
        if rest[:1] in _JOIN:
            rest = rest[1:]
        else:
            break
    return roles


def _in_list(
    text: str,
    prev: ResolvedMention,
    person: ResolvedMention,
    sent: Sentence,
    lex: Lexicon,
) -> bool:
    """Tell whether two people stand in one list: only posts and commas between them.

    县委副书记王桂荣、县人大副主任、县人社局党组书记袁丽霞参加会议: every name of
    the list takes part, whatever posts stand between the names.
    """
    gap = text[prev.end : person.start]
    for org in sent.of(EntityType.ORG):
        if prev.end <= org.start and org.end <= person.start:
            gap = gap.replace(org.text, " ", 1)
    for role in lex.roles:
        gap = gap.replace(role, " ")
    return re.fullmatch(r"[、，,和及与兼同志（）()女\s]*", gap) is not None


def _event_for(
    person: ResolvedMention, events: list[ResolvedMention], current: str | None
) -> str | None:
    """The event a person's 出席/主持/当选 refers to: a meeting in the sentence,
    an event right after the cue, or the meeting the text is about."""
    meetings = [e for e in events if _is_meeting(e)]
    if meetings:
        return min(meetings, key=lambda e: abs(e.start - person.end)).name
    after = [e for e in events if 0 <= e.start - person.end < 12]
    return after[0].name if after else current


def _participants(
    text: str, sent: Sentence, lex: Lexicon, current: str | None
) -> Iterator[Relation]:
    persons = sorted(sent.of(EntityType.PERSON), key=lambda m: m.start)
    events = sent.of(EntityType.EVENT)
    group: list[ResolvedMention] = []
    for person in persons:
        group = (
            group + [person]
            if group and _in_list(text, group[-1], person, sent, lex)
            else [person]
        )
        roles = _roles_after(text, person.end, lex)
        if not roles:
            continue
        event = _event_for(person, events, current)
        if event is None:
            continue
        for member in group:
            for role in roles:
                yield sent.evidence(Predicate.PARTICIPATED_IN, member.name, event, role)
        group = []
    yield from _elected(text, sent, lex, current)


_SPEECH = re.compile(r"在(.{2,40}?)上的(发言|讲话|报告)")


def _speech_bylines(text: str, sentences: list[Sentence]) -> Iterator[Relation]:
    """——在 EVENT 上的发言摘要 under a title: every speaker's byline took part.

    A byline is a short line that ends with a person's name (中共辽宁省委常委、
    省总工会主席 赵国强); the subtitle names the event the speeches were made at.
    """
    subtitles = [
        (s, m)
        for s in sentences
        if (m := _SPEECH.search(s.text))
        and s.of(EntityType.EVENT)
        and not s.of(EntityType.PERSON)
    ]
    if not subtitles:
        return
    subtitle, match = subtitles[0]
    event = subtitle.of(EntityType.EVENT)[0].name
    for sent in sentences:
        persons = sent.of(EntityType.PERSON)
        line = sent.text.strip()
        if persons and len(line) < 40 and line.endswith(persons[-1].text):
            yield Relation(
                persons[-1].name,
                Predicate.PARTICIPATED_IN,
                event,
                match.group(2),
                subtitle.text.strip(),
                subtitle.start,
                subtitle.end,
            )


_TAKES_POST = re.compile(r"(?:同志)?(?:当选为|当选|为|任|担任)")


def _elected(
    text: str, sent: Sentence, lex: Lexicon, current: str | None
) -> Iterator[Relation]:
    """选举 X 为…, X 当选为…, 表决通过了 X、Y 任…: the people elected took part (当选)
    in the meeting of the sentence, else in the report's own meeting."""
    if not any(cue in sent.text for cue in lex.election_cues):
        return
    events = sent.of(EntityType.EVENT)
    event = min(events, key=lambda e: e.start).name if events else current
    if event is None:
        return
    persons = sorted(sent.of(EntityType.PERSON), key=lambda m: m.start)
    group: list[ResolvedMention] = []
    for person in persons:
        listed = group and text[group[-1].end : person.start] in ("、", "和", "及")
        group = group + [person] if listed else [person]
        if _TAKES_POST.match(text, person.end):
            for member in group:
                yield sent.evidence(
                    Predicate.PARTICIPATED_IN, member.name, event, "当选"
                )
            group = []


_MEETING_ENDS = ("会", "会议", "全会", "班", "论坛", "峰会", "大会")


def _is_meeting(event: ResolvedMention) -> bool:
    return event.text.endswith(_MEETING_ENDS)


def event_relations(
    text: str, sentences: list[Sentence], lex: Lexicon
) -> list[Relation]:
    """Find participated_in, held_on and held_in relations in the document."""
    stated = stated_date(text)
    out: list[Relation] = []
    main = main_event(sentences, lex)
    current: str | None = main.name if main is not None else None
    for sent in sentences:
        meetings = [e for e in sent.of(EntityType.EVENT) if _is_meeting(e)]
        if meetings and main is None:
            current = meetings[0].name
        out.extend(_participants(text, sent, lex, current))
        out.extend(_held_on(text, sent, stated))
        out.extend(_held_in(text, sent))
    out.extend(_speech_bylines(text, sentences))
    return out
