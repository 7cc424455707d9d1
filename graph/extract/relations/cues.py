"""issued, approved, organized: an organization, a cue word, then the object.

The subject is looked for in the cue's clause, then the sentence's opening
organization, then the paragraph's subject (elided subjects carry over), then
anywhere earlier in the sentence; partners (与 B 联合开展) join the subject.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import lru_cache

from ...model import EntityType, Predicate, Relation
from ..finders.base import cue_words
from ..lexicon import Lexicon
from ..records import ResolvedMention, Sentence
from .context import holders_in_name, main_event

__all__ = ["cue_relations"]

logger = logging.getLogger(__name__)

_CLAUSE = "，,；;：:"


@lru_cache(maxsize=64)
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(c) for c in cues))


def _cue_positions(
    text: str, cues: tuple[str, ...], start: int
) -> list[tuple[int, int]]:
    found, pos = [], 0
    for match in _cue_pattern(cues).finditer(text):
        if match.start() >= pos:
            found.append((start + match.start(), start + match.end()))
            pos = match.end()
    return found


def _is_post_org(text: str, org: ResolvedMention, sent: Sentence, lex: Lexicon) -> bool:
    """Tell whether `org` begins a person's post chain (县委副书记、县长梁文壮)."""
    after = [p.start for p in sent.of(EntityType.PERSON) if p.start >= org.end]
    if not after or not text.startswith(lex.roles, org.end):
        return False
    gap = lex.pattern("posts").sub("", text[org.end : min(after)])
    return gap.strip("、 ") == ""


def _clause_start(sent: Sentence, pos: int) -> int:
    head = sent.text[: pos - sent.start]
    return sent.start + max((head.rfind(c) + 1 for c in _CLAUSE), default=0)


def _subjects_before(
    sent: Sentence,
    pos: int,
    text: str,
    lex: Lexicon,
    *,
    clause: bool = True,
) -> list[str]:
    """The nearest subject before `pos` (in its clause) and those coordinated.

    An organization that begins a post (县委 in 县委副书记梁文壮主持召开) is
    where the person works, not the subject.
    """
    clause_start = _clause_start(sent, pos) if clause else sent.start
    before = sorted(
        (
            m
            for m in sent.of(EntityType.ORG)
            if clause_start <= m.start
            and m.end <= pos
            and not _is_post_org(text, m, sent, lex)
            # 县政府的中心工作: an organization before 的 is a modifier
            and text[m.end : m.end + 1] not in lex.words("modifier_particles")
        ),
        key=lambda m: -m.end,
    )
    if not before:
        return []
    chosen = [before[0]]
    for m in before[1:]:
        gap = text[m.end : chosen[-1].start]
        if gap.strip() in lex.words("coordinators") or gap in ("", " "):
            chosen.append(m)
        else:
            break
    return [m.name for m in chosen]


def _sentence_subject(
    text: str, sent: Sentence, lex: Lexicon
) -> ResolvedMention | None:
    """The organization a sentence opens with (its grammatical subject), if any.

    A leading time phrase (2007年，3月8日上午，近日) comes before the subject;
    an organization that begins a post chain (县委副书记、县长孙浩…) is none.
    """
    first = min(sent.of(EntityType.ORG), key=lambda m: m.start, default=None)
    lead = lex.pattern("leading_time").match(sent.text).end()
    if first is None or first.start - sent.start - lead > 2:
        return None
    return None if _is_post_org(text, first, sent, lex) else first


def _is_partner(
    text: str, sent: Sentence, subjects: list[str], pos: int, lex: Lexicon
) -> bool:
    """与 B 联合开展 / 会同 B、C 开展: they work with the sentence's subject."""
    orgs = [m for m in sent.of(EntityType.ORG) if m.end <= pos and m.name in subjects]
    partners, chars = lex.words("partner_words"), lex.chars("partner_chars")
    for org in orgs:
        before = text[max(org.start - 2, 0) : org.start]
        if before.endswith(partners) or (before[-1:] and before[-1] in chars):
            return True
    return False


def _passive_objects(
    text: str, sent: Sentence, cue_start: int, label: EntityType, lex: Lexicon
) -> list[ResolvedMention]:
    """《X》经 ORG 审议通过: the objects stand before 经/由 and the subject."""
    orgs = [m for m in sent.of(EntityType.ORG) if m.end <= cue_start]
    if not orgs:
        return []
    subject = max(orgs, key=lambda m: m.end)
    if text[subject.start - 1 : subject.start] not in lex.words("agent_markers"):
        return []
    return [m for m in sent.of(label) if m.end <= subject.start]


def _by_bare_event(
    text: str, sent: Sentence, start: int, lex: Lexicon, hosts: tuple[str, ...]
) -> list[str]:
    """会议审议通过了《X》: the clause's subject is the report's own meeting, so
    the bodies holding that meeting adopt X."""
    clause = text[_clause_start(sent, start) : start]
    if not hosts or any(
        m.end <= start and m.start >= _clause_start(sent, start)
        for m in sent.of(EntityType.ORG)
    ):
        return []
    opening = sent.text.lstrip()  # 会上，宣读并通过了《…》: the sentence's subject
    if any(w in clause for w in lex.bare_events) or opening.startswith(lex.bare_events):
        return list(hosts)
    return []


def _attributive_object(
    text: str, sent: Sentence, end: int, lex: Lexicon
) -> list[ResolvedMention]:
    """由A主办、B承办的EVENT: the event the organizing clause describes."""
    after = [
        m
        for m in sent.of(EntityType.EVENT)
        if end <= m.start < end + 60
        and text[m.start - 1 : m.start] in lex.words("modifier_particles")
    ]
    if not after:
        return []
    first = min(after, key=lambda m: m.start)
    gap = text[end : first.start - 1]
    for org in sent.of(EntityType.ORG):
        if end <= org.start and org.end < first.start:
            gap = gap.replace(org.text, "")
    for cue in cue_words(lex):
        gap = gap.replace(cue, "")
    return [first] if gap.strip("，,、 " + lex.chars("attributive_gap")) == "" else []


def _bare_object(
    text: str, end: int, lex: Lexicon, main: ResolvedMention | None
) -> list[ResolvedMention]:
    """举办该活动, 召开此次会议: the report's own event."""
    if main is None:
        return []
    window = text[end : end + 8]
    rest = lex.pattern("this_event").sub("", window)
    if len(rest) < len(window) and rest.startswith(lex.bare_events):
        return [main]
    return []


def _cue_relations(
    text: str,
    sent: Sentence,
    lex: Lexicon,
    pred: Predicate,
    obj_label: EntityType,
    topic: str | None = None,
    hosts: tuple[str, ...] = (),
    main: ResolvedMention | None = None,
) -> Iterator[Relation]:
    every = _cue_positions(sent.text, cue_words(lex), sent.start)
    for start, end in _cue_positions(sent.text, lex.cues[pred.value], sent.start):
        stop = next((s for s, _ in every if s >= end), sent.end)
        objects = [
            m for m in sent.of(obj_label) if end <= m.start < min(stop, end + 60)
        ]
        subjects = _subjects_before(sent, start, text, lex)
        if not subjects and pred is not Predicate.ORGANIZED:
            subjects = _by_bare_event(text, sent, start, lex, hosts)
        opener = _sentence_subject(text, sent, lex)
        if (
            opener is not None
            and subjects
            and _is_partner(text, sent, subjects, start, lex)
        ):
            subjects.append(opener.name)
        if not subjects and opener is not None:
            subjects = [opener.name]
        if not subjects and topic and start - sent.start < 12:
            subjects = [topic]
        if not subjects:
            subjects = _subjects_before(sent, start, text, lex, clause=False)
        if not objects:
            objects = _passive_objects(text, sent, start, obj_label, lex)
        if not objects and pred is Predicate.ORGANIZED:
            objects = _attributive_object(text, sent, end, lex) or _bare_object(
                text, end, lex, main
            )
        if not subjects or not objects:
            logger.debug(
                "%s cue %r at %d: no %s",
                pred.value,
                text[start:end],
                start,
                "subject" if not subjects else "object",
            )
        for subj in subjects:
            for obj in objects:
                yield sent.evidence(pred, subj, obj.name)


def _cue_predicates(lex: Lexicon) -> list[tuple[Predicate, EntityType]]:
    """The predicates whose subject an organization's cue word states (cues.jsonl).

    Organized comes first: what the report's own meeting adopts is adopted by
    the bodies that hold it, so those must be known.
    """
    found = [
        (Predicate(pred), EntityType(obj))
        for pred, (subj, obj) in sorted(lex.cue_types.items())
        if subj == EntityType.ORG.value
    ]
    return sorted(found, key=lambda p: p[0] is not Predicate.ORGANIZED)


def _paragraph_topic(
    text: str, sent: Sentence, topic: str | None, lex: Lexicon
) -> str | None:
    """The organization the paragraph is about: the last sentence subject in it.

    Chinese news drops the subject of sentences that continue a paragraph
    (全总…。扎实开展“两学一做”学习教育), so they inherit it.
    """
    if sent.start == 0 or text[sent.start - 1] == "\n":
        topic = None
    opener = _sentence_subject(text, sent, lex)
    return opener.name if opener is not None else topic


def _held_by_name(sentences: list[Sentence]) -> Iterator[Relation]:
    """县政府常务会议, 市人大常委会第二十九次会议: the body the name begins with."""
    for sent in sentences:
        for event in sent.of(EntityType.EVENT):
            for org in holders_in_name(event, sent.of(EntityType.ORG)):
                yield sent.evidence(Predicate.ORGANIZED, org.name, event.name)


def cue_relations(text: str, sentences: list[Sentence], lex: Lexicon) -> list[Relation]:
    """Find issued, approved and organized relations, sentence by sentence.

    Organized comes first: what the report's own meeting adopts (会议审议通过了)
    is adopted by the bodies that hold it.
    """
    relations: list[Relation] = list(_held_by_name(sentences))
    main = main_event(sentences, lex)
    for pred, label in _cue_predicates(lex):
        hosts = tuple(
            sorted(
                {
                    r.subject
                    for r in relations
                    if main is not None
                    and r.predicate is Predicate.ORGANIZED
                    and r.object == main.name
                }
            )
        )
        topic: str | None = None
        for sent in sentences:
            topic = _paragraph_topic(text, sent, topic, lex)
            relations.extend(
                _cue_relations(text, sent, lex, pred, label, topic, hosts, main)
            )
    return relations
