"""Mentions -> canonical names -> entities: the lexicon, units, divisions, variants."""

from __future__ import annotations

import re
from functools import lru_cache

from ...model import Entity, EntityType, Mention
from ..finders.base import is_unit_name, unit_levels
from ..lexicon import Lexicon
from ..records import Candidate, ResolvedMention
from .divisions import context_division, divisions_in
from .units import headed_short_form, unit_short_form, units_in
from .variants import QUOTES, merge_variants

__all__ = ["resolve_mentions", "build_entities"]


def _resolve_org(
    text: str, pos: int, doc: str, lex: Lexicon, found, units=(), owners=()
) -> str:
    if text in lex.org_aliases:
        return lex.org_aliases[text]
    prefix = next((a for a in _aliases_longest_first(lex) if text.startswith(a)), None)
    if prefix is not None and len(text) > len(prefix) and not _is_local(text, lex):
        return lex.org_aliases[prefix] + text[len(prefix) :]
    short = next((p for p in lex.short_prefixes if text.startswith(p)), "")
    if short and text[len(short) :].startswith(unit_levels(lex)[0]):
        # 团县委 in a report on 周至县 is 共青团周至县委
        rest = unit_short_form(text[len(short) :], pos, doc, lex, list(units))
        if rest != text[len(short) :]:
            return lex.short_prefixes[short] + rest
    if text[0] in lex.division_prefixes and text not in lex.generic:
        division = context_division(pos, text[0], doc, found, lex)
        if division is not None:
            text = division.name + text[1:]
    if text not in lex.generic:
        text = unit_short_form(text, pos, doc, lex, list(units))
    text = headed_short_form(text, pos, lex, list(owners))
    unions, union = lex.words("union_short_forms"), lex.words("union_suffix")[0]
    committee = lex.words("party_committee")
    for division in lex.divisions:
        for form in (division.name, division.short):
            if not text.startswith(form):
                continue
            rest = text[len(form) :]
            if rest in unions:  # 浙江省总 is 浙江省总工会
                return division.name + union
            if rest.startswith(committee) and not rest.startswith(
                lex.words("party_committee_not")
            ):  # 浙江省委 is 中共浙江省委
                return lex.words("party_committee_prefix")[0] + division.name + rest
    return text


@lru_cache(maxsize=4)
def _aliases_longest_first(lex: Lexicon) -> tuple[str, ...]:
    return tuple(
        sorted((a for a in lex.org_aliases if len(a) >= 2), key=len, reverse=True)
    )


def _resolve_location(text: str, pos: int, doc: str, lex: Lexicon, found) -> str:
    if text[0] in lex.division_prefixes and len(text) > 2:
        division = context_division(pos, text[0], doc, found, lex)
        if division is not None:
            return division.name + text[1:]
    division = lex.division_of(text)
    return division.name if division is not None else text


def _is_local(name: str, lex: Lexicon) -> bool:
    """Tell whether a body's prefix is followed by its unit (共青团周至县委)."""
    prefix = next(
        (p for p in lex.words("unit_body_prefixes") if name.startswith(p)), ""
    )
    rest = name[len(prefix) :]
    return bool(prefix) and any(
        is_unit_name(rest[:size], lex) for size in range(2, min(len(rest), 9) + 1)
    )


def resolve_mentions(
    text: str, cands: list[Candidate], lex: Lexicon
) -> list[ResolvedMention]:
    """Give every candidate mention its canonical entity name."""
    found = divisions_in(text, lex)
    units = units_in(text, cands, lex)
    owners = [
        (c.start, c.name or text[c.start : c.end])
        for c in cands
        if c.label is EntityType.ORG
        and not text.startswith(tuple(lex.bare_heads), c.start)
    ]
    resolved = []
    for cand in cands:
        surface = text[cand.start : cand.end]
        name = cand.name or surface
        if cand.label is EntityType.ORG:
            name = _resolve_org(name, cand.start, text, lex, found, units, owners)
        elif cand.label is EntityType.LOCATION and not cand.name:
            name = _resolve_location(name, cand.start, text, lex, found)
        name = re.sub(r"\s+", "", name)
        if cand.label is EntityType.ORG and name in lex.bare_heads:
            continue  # 工会 (主席) with no union named in the text: no entity
        resolved.append(
            ResolvedMention(cand.start, cand.end, surface, cand.label, name)
        )
    return merge_variants(resolved, text, lex)


def build_entities(mentions: list[ResolvedMention]) -> list[Entity]:
    """Group resolved mentions into entities with aliases and mention offsets."""
    groups: dict[tuple[EntityType, str], list[ResolvedMention]] = {}
    for m in mentions:
        groups.setdefault((m.label, m.name), []).append(m)
    entities = []
    for (label, name), group in groups.items():
        surfaces = {re.sub(r"\s+", "", m.text) for m in group}
        surfaces |= {
            s.translate(QUOTES) for s in surfaces if label is not EntityType.ORG
        }
        aliases = tuple(sorted(s for s in surfaces if s and s != name))
        mentions_ = tuple(sorted(Mention(m.start, m.end, m.text) for m in group))
        entities.append(Entity(label, name, aliases, mentions_))
    return entities
