"""participated_in: who took part in an event, and as what (主持, 出席, 讲话, 当选).

Names are followed by their roles (出席会议并讲话), lists of names separated by
posts share the role after the last one, people elected at a meeting took
part in it as 当选, and speech bylines under a subtitle took part as speakers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from ...model import EntityType, Predicate, Relation
from ..lexicon import Lexicon
from ..records import ResolvedMention, Sentence

__all__ = ["participants", "speech_bylines", "is_meeting"]

logger = logging.getLogger(__name__)


def _roles_after(text: str, pos: int, lex: Lexicon) -> list[str]:
    """Read `出席并讲话`, `主持会议并讲话`, `作了重要讲话` after a name: the roles."""
    cues = lex.cues["participated_in"]
    joins = lex.words("role_joins")
    roles = []
    rest = lex.pattern("role_skip").sub("", text[pos : pos + 30])
    # 习近平总书记主持: a title after the name
    rest = rest[len(next((r for r in lex.roles if rest.startswith(r)), "")) :]
    # 刘萍及30家企业团支部书记参加: the people named take part with the group;
    # 孙伟同志在5楼会议室主持召开…: a place or occasion before the role; 对…作了报告
    for skip in (
        "role_skip_group",
        "role_skip_place",
        "role_skip_topic",
        "role_skip_behalf",
    ):
        rest = lex.pattern(skip).sub("", rest)
    while True:
        for pattern, replace in lex.role_rewrites:
            rest = pattern.sub(replace, rest)
        cue = next((c for c in cues if rest.startswith(c)), None)
        if cue is None and (report := lex.pattern("role_report").match(rest)):
            cue = report.group()  # 作提案工作情况报告: the role as written
        if cue is None:
            break
        roles.append(lex.role_variants.get(cue, cue))
        rest = lex.pattern("role_after_cue").sub("", rest[len(cue) :])
        joined = next((j for j in joins if rest.startswith(j)), "")
        if not joined:
            break
        rest = rest[len(joined) :]
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
    gap = lex.pattern("posts").sub(" ", gap)
    return lex.pattern("list_gap").fullmatch(gap) is not None


def _event_for(
    person: ResolvedMention,
    events: list[ResolvedMention],
    current: str | None,
    lex: Lexicon,
) -> str | None:
    """The event a person's 出席/主持/当选 refers to: a meeting in the sentence,
    an event right after the cue, or the meeting the text is about."""
    meetings = [e for e in events if is_meeting(e, lex)]
    if meetings:
        return min(meetings, key=lambda e: abs(e.start - person.end)).name
    after = [e for e in events if 0 <= e.start - person.end < 12]
    return after[0].name if after else current


def participants(
    text: str, sent: Sentence, lex: Lexicon, current: str | None
) -> Iterator[Relation]:
    """Find who takes part in the events of one sentence, and as what."""
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
        event = _event_for(person, events, current, lex)
        if event is None:
            logger.debug(
                "%s %s: no event in the sentence or the report", person.name, roles
            )
            continue
        for member in group:
            for role in roles:
                yield sent.evidence(Predicate.PARTICIPATED_IN, member.name, event, role)
        group = []
    yield from _elected(text, sent, lex, current)


def speech_bylines(sentences: list[Sentence], lex: Lexicon) -> Iterator[Relation]:
    """——在 EVENT 上的发言摘要 under a title: every speaker's byline took part.

    A byline is a short line that ends with a person's name (中共辽宁省委常委、
    省总工会主席 赵国强); the subtitle names the event the speeches were made at.
    """
    speech = lex.pattern("speech_subtitle")
    subtitles = [
        (s, m)
        for s in sentences
        if (m := speech.search(s.text))
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
    role = lex.words("election_role")[0]
    joins = ("、", *lex.words("joins"))
    persons = sorted(sent.of(EntityType.PERSON), key=lambda m: m.start)
    group: list[ResolvedMention] = []
    for person in persons:
        listed = group and text[group[-1].end : person.start] in joins
        group = group + [person] if listed else [person]
        if lex.pattern("takes_post").match(text, person.end):
            for member in group:
                yield sent.evidence(Predicate.PARTICIPATED_IN, member.name, event, role)
            group = []


def is_meeting(event: ResolvedMention, lex: Lexicon) -> bool:
    """Tell whether an event is a meeting (…会, …论坛, …培训班)."""
    return event.text.endswith(lex.words("meeting_ends"))
