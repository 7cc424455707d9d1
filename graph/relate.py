"""Relation finders: pure functions from a document's mentions to typed facts.

Each finder works sentence by sentence on the original text and the resolved
mentions, and returns Relations carrying the sentence as evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .lexicon import Lexicon
from .model import EntityType, Predicate, Relation
from .resolve import ResolvedMention

__all__ = ["Sentence", "split_sentences", "find_relations"]

_SENTENCE_END = re.compile(r"[。！？；!?;]+|\n+")
_LINE_END = (
    "。",
    "！",
    "？",
    "；",
    "：",
    "…",
    "”",
    "」",
    "』",
    "）",
    ")",
    "!",
    "?",
    ";",
    ":",
)
_COORD = ("、", "与", "和", "及", "会同", "联合", "同")
_PARTNER = ("联合", "会同", "协同")
_CLAUSE = "，,；;：:"


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the document with its mentions (offsets are document offsets)."""

    start: int
    end: int
    text: str
    mentions: tuple[ResolvedMention, ...]

    def of(self, label: EntityType) -> list[ResolvedMention]:
        return [m for m in self.mentions if m.label is label]

    def evidence(
        self, pred: Predicate, subj: str, obj: str, role: str = ""
    ) -> Relation:
        return Relation(subj, pred, obj, role, self.text.strip(), self.start, self.end)


def _is_broken_line(text: str, start: int, brk: int) -> bool:
    """Tell whether a line break at `brk` cuts a body sentence in two.

    Text copied from print layouts breaks long lines mid-sentence, or leaves
    a few words on a line of their own; a heading or byline is a short line
    of its own, and a finished sentence ends in punctuation.
    """
    line = text[text.rfind("\n", 0, brk) + 1 : brk].strip()
    nxt = text[brk:].lstrip()
    if line.endswith(_LINE_END) or line.startswith("#") or nxt.startswith("#"):
        return False
    return len(line) > 40 or len(line) <= 8


def split_sentences(text: str, mentions: list[ResolvedMention]) -> list[Sentence]:
    """Cut the text at sentence ends and line breaks, keeping offsets."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text + "\n"):
        end = min(match.end(), len(text))
        if (
            match.group()[0] == "\n"
            and end < len(text)
            and _is_broken_line(text, start, match.start())
        ):
            continue
        chunk = text[start:end]
        if chunk.strip():
            inside = tuple(m for m in mentions if start <= m.start and m.end <= end)
            sentences.append(Sentence(start, end, chunk, inside))
        start = end
    return sentences


def _role_ending_at(text: str, pos: int, lex: Lexicon) -> str:
    for role in lex.roles:  # longest first
        if text.endswith(role, 0, pos):
            return role
    return ""


def _mention_ending_at(
    sent: Sentence, pos: int, label: EntityType
) -> ResolvedMention | None:
    for m in sent.of(label):
        if m.end == pos:
            return m
    return None


def _post_chain(
    text: str, pos: int, sent: Sentence, lex: Lexicon
) -> list[tuple[str, str]]:
    """Read `ORG post、post、ORG post` backwards from `pos`; return (org, post)."""
    chain: list[tuple[ResolvedMention | None, str]] = []
    while True:
        while pos > 0 and text[pos - 1] in " 　":
            pos -= 1
        roles = [r for r in lex.roles if text.endswith(r, 0, pos)]
        if not roles:
            break
        # prefer the post that leaves an organization right before it (省总工会|主席)
        role = next(
            (
                r
                for r in roles
                if _mention_ending_at(sent, pos - len(r), EntityType.ORG)
            ),
            roles[0],
        )
        pos -= len(role)
        org = _mention_ending_at(sent, pos, EntityType.ORG)
        chain.append((org, role))
        if org is not None:
            pos = org.start
        if text[pos - 1 : pos] != "、":
            break
        pos -= 1
    posts, current = [], None
    for org, role in reversed(chain):
        current = org or current
        if current is not None:
            posts.append((current.name, role))
    return posts


def _holds_position(text: str, sent: Sentence, lex: Lexicon) -> Iterator[Relation]:
    persons = sorted(sent.of(EntityType.PERSON), key=lambda m: m.start)
    posts: list[tuple[str, str]] = []
    previous_end = -1
    for person in persons:
        own = _post_chain(text, person.start, sent, lex)
        listed = previous_end >= 0 and text[previous_end : person.start] == "、"
        posts = own or (posts if listed else [])
        for org, role in posts:
            yield sent.evidence(Predicate.HOLDS_POSITION, person.name, org, role)
        previous_end = person.end
    yield from _elected_as(text, sent, lex)


def _elected_as(text: str, sent: Sentence, lex: Lexicon) -> Iterator[Relation]:
    """选举 PERSON 为 ORG …post: the person now holds that post."""
    for person in sent.of(EntityType.PERSON):
        link = re.match(r"当选为|当选|为|任|担任", text[person.end : person.end + 3])
        if link is None:
            continue
        at = person.end + len(link.group())
        org = next((m for m in sent.of(EntityType.ORG) if m.start == at), None)
        if org is None:
            continue
        tail = re.match(r"[^，。、；,;]{0,16}", text[org.end :]).group()
        role = ""
        for cut in range(len(tail), 0, -1):
            role = _role_ending_at(tail, cut, lex)
            if role:
                role = tail[cut - len(role) : cut] + _parenthesis(tail, cut)
                break
        if role:
            yield sent.evidence(Predicate.HOLDS_POSITION, person.name, org.name, role)


def _parenthesis(text: str, pos: int) -> str:
    match = re.match(r"[（(][^）)]{1,4}[）)]", text[pos:])
    return match.group() if match else ""


def _cue_positions(
    text: str, cues: tuple[str, ...], start: int
) -> list[tuple[int, int]]:
    found, pos = [], 0
    pattern = re.compile("|".join(re.escape(c) for c in cues))
    for match in pattern.finditer(text):
        if match.start() >= pos:
            found.append((start + match.start(), start + match.end()))
            pos = match.end()
    return found


def _subjects_before(
    sent: Sentence, pos: int, text: str, label: EntityType, *, clause: bool = True
) -> list[str]:
    """The nearest subject before `pos` (in its clause) and those coordinated."""
    head = sent.text[: pos - sent.start]
    clause_start = sent.start
    if clause:
        clause_start += max((head.rfind(c) + 1 for c in _CLAUSE), default=0)
    before = sorted(
        (m for m in sent.of(label) if clause_start <= m.start and m.end <= pos),
        key=lambda m: -m.end,
    )
    if not before:
        return []
    chosen = [before[0]]
    for m in before[1:]:
        gap = text[m.end : chosen[-1].start]
        if gap.strip() in _COORD or gap in ("", " "):
            chosen.append(m)
        else:
            break
    return [m.name for m in chosen]


def _sentence_subject(sent: Sentence, label: EntityType) -> ResolvedMention | None:
    """The mention a sentence opens with (its grammatical subject), if any."""
    first = min(sent.of(label), key=lambda m: m.start, default=None)
    lead = len(sent.text) - len(sent.text.lstrip())
    return first if first is not None and first.start - sent.start - lead <= 2 else None


def _is_partner(text: str, sent: Sentence, subjects: list[str], pos: int) -> bool:
    """与 B 联合开展 / 联合 B 开展: B works with the subject the sentence opens with."""
    orgs = [m for m in sent.of(EntityType.ORG) if m.end <= pos and m.name in subjects]
    nearest = max(orgs, key=lambda m: m.end, default=None)
    if nearest is None:
        return False
    before = text[max(nearest.start - 2, 0) : nearest.start]
    return before.endswith(_PARTNER) or before[-1:] in ("与", "同")


def _passive_objects(
    text: str, sent: Sentence, cue_start: int, label: EntityType
) -> list[ResolvedMention]:
    """《X》经 ORG 审议通过: the objects stand before 经/由 and the subject."""
    orgs = [m for m in sent.of(EntityType.ORG) if m.end <= cue_start]
    if not orgs:
        return []
    subject = max(orgs, key=lambda m: m.end)
    if text[subject.start - 1 : subject.start] not in ("经", "由", "被"):
        return []
    return [m for m in sent.of(label) if m.end <= subject.start]


def _cue_relations(
    text: str,
    sent: Sentence,
    lex: Lexicon,
    pred: Predicate,
    obj_label: EntityType,
    topic: str | None = None,
) -> Iterator[Relation]:
    all_cues = sorted(
        {c for cues in lex.cues.values() for c in cues}, key=len, reverse=True
    )
    every = _cue_positions(sent.text, tuple(all_cues), sent.start)
    for start, end in _cue_positions(sent.text, lex.cues[pred.value], sent.start):
        stop = next((s for s, _ in every if s >= end), sent.end)
        objects = [
            m for m in sent.of(obj_label) if end <= m.start < min(stop, end + 60)
        ]
        subjects = _subjects_before(sent, start, text, EntityType.ORG)
        opener = _sentence_subject(sent, EntityType.ORG)
        if opener is not None and subjects and _is_partner(text, sent, subjects, start):
            subjects.append(opener.name)
        if not subjects and opener is not None:
            subjects = [opener.name]
        if not subjects and topic and start - sent.start < 12:
            subjects = [topic]
        if not subjects:
            subjects = _subjects_before(sent, start, text, EntityType.ORG, clause=False)
        if not objects:
            objects = _passive_objects(text, sent, start, obj_label)
        for subj in subjects:
            for obj in objects:
                yield sent.evidence(pred, subj, obj.name)


_CUE_PREDICATES = (
    (Predicate.ISSUED, EntityType.POLICY),
    (Predicate.APPROVED, EntityType.POLICY),
    (Predicate.ORGANIZED, EntityType.EVENT),
)


def _paragraph_topic(text: str, sent: Sentence, topic: str | None) -> str | None:
    """The organization the paragraph is about: the last sentence subject in it.

    Chinese news drops the subject of sentences that continue a paragraph
    (全总…。扎实开展“两学一做”学习教育), so they inherit it.
    """
    if sent.start == 0 or text[sent.start - 1] == "\n":
        topic = None
    opener = _sentence_subject(sent, EntityType.ORG)
    return opener.name if opener is not None else topic


def find_relations(
    text: str, mentions: list[ResolvedMention], lex: Lexicon
) -> list[Relation]:
    """Find every relation of the seven predicates in the document."""
    from .relate_events import event_relations

    sentences = split_sentences(text, mentions)
    relations: list[Relation] = []
    topic: str | None = None
    for sent in sentences:
        topic = _paragraph_topic(text, sent, topic)
        relations.extend(_holds_position(text, sent, lex))
        for pred, label in _CUE_PREDICATES:
            relations.extend(_cue_relations(text, sent, lex, pred, label, topic))
    relations.extend(event_relations(text, sentences, lex))
    return relations
