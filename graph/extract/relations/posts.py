"""holds_position: post chains (全总党组书记、副主席李玉赋) and elections (选举X为…)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...model import EntityType, Predicate, Relation
from ..lexicon import Lexicon
from ..records import ResolvedMention, Sentence

__all__ = ["post_relations"]


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
        if text[pos - 1 : pos] not in lex.words("post_joins"):
            break
        pos -= 1
    posts, current = [], None
    for org, role in reversed(chain):
        if role in lex.place_posts and org is None:
            # 县长 is held in the county government, never in the 县委 before it
            body = _government_of(sent, role, lex)
            if body is not None:
                posts.append((body.name, role))
            continue
        current = org or current
        if current is not None:
            posts.append((current.name, role))
    return posts


def _government_of(sent: Sentence, post: str, lex: Lexicon) -> ResolvedMention | None:
    """The government a place post (县长) is held in, if the sentence names it."""
    bodies = lex.place_posts[post]
    return next((m for m in sent.of(EntityType.ORG) if m.text.endswith(bodies)), None)


def post_relations(text: str, sent: Sentence, lex: Lexicon) -> Iterator[Relation]:
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
    yield from _held_by(text, sent, lex)


def _held_by(text: str, sent: Sentence, lex: Lexicon) -> Iterator[Relation]:
    """ORG组长由副省长周强担任，副组长由甲、乙担任: the people named hold the post.

    A later post of the sentence with no organization before it (副组长由…) is
    in the organization of the one before.
    """
    persons = sorted(sent.of(EntityType.PERSON), key=lambda m: m.start)
    org = None
    for match in lex.pattern("post_by").finditer(sent.text):
        start, end = sent.start + match.start(), sent.start + match.end()
        org = _mention_ending_at(sent, start, EntityType.ORG) or org
        role = match.group()[:-1]
        named = [p for p in persons if p.start >= end]
        taken = []
        for i, person in enumerate(named):
            taken.append(person)
            done = lex.pattern("post_by_end").match(text, person.end)
            later = named[i + 1].start if i + 1 < len(named) else len(text)
            if done is not None and done.end() <= later:
                break
        else:
            continue
        if org is None:
            continue
        for person in taken:
            yield sent.evidence(Predicate.HOLDS_POSITION, person.name, org.name, role)


def _elected_as(text: str, sent: Sentence, lex: Lexicon) -> Iterator[Relation]:
    """选举 PERSON 为 ORG …post: the person now holds that post."""
    for person in sent.of(EntityType.PERSON):
        link = lex.pattern("takes_post").match(text[person.end : person.end + 5])
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
