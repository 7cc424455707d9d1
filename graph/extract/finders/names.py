"""Finders for organizations (ORG) and places (LOCATION)."""

from __future__ import annotations

import re
from functools import lru_cache

from ...model import EntityType
from ..lexicon import Lexicon
from ..records import Candidate
from .base import (
    alias_pattern,
    alternation,
    cue_words,
    division_pattern,
    is_unit_name,
    stop_chars,
    unit_levels,
    walk_left,
)
from .persons import split_name

__all__ = ["find_orgs", "find_locations", "is_org_name", "is_place_name"]


def find_orgs(text: str, lex: Lexicon) -> list[Candidate]:
    """Find organizations: lexicon names and aliases, then names ending in a suffix."""
    found = []
    for match in alias_pattern(lex).finditer(text):
        canonical = lex.org_aliases[match.group()]
        found.append(
            Candidate(match.start(), match.end(), EntityType.ORG, canonical, 2)
        )
    found.extend(_suffix_orgs(text, lex))
    found.extend(
        Candidate(m.start(), m.end(), EntityType.ORG)
        for m in _total_short(lex).finditer(text)
    )
    found.extend(_short_suffix_orgs(text, lex))
    found.extend(_headed_bodies(text, lex))
    found.extend(_departments(text, found, lex))
    return [_trim_post_tail(text, c, lex) for c in found]


def _departments(text: str, orgs: list[Candidate], lex: Lexicon) -> list[Candidate]:
    """A department named after its organization: 全总 + 社会联络部, X + 领导小组."""
    found = []
    for org in orgs:
        for name in ("department", "term_committee"):
            match = lex.pattern(name).match(text, org.end)
            if match is not None:  # 全总社会联络部, X总工会第一届委员会
                found.append(Candidate(org.start, match.end(), EntityType.ORG))
    return found


@lru_cache(maxsize=4)
def _total_short(lex: Lexicon) -> re.Pattern[str]:
    """省总 / 浙江总 for 省总工会: a division, or 省/市, and 总 (patterns.txt)."""
    total = lex.patterns["org_total"]
    return re.compile(
        rf"(?:{division_pattern(lex).pattern}|{total}){lex.patterns['org_total_end']}"
    )


def _headed_bodies(text: str, lex: Lexicon) -> list[Candidate]:
    """Find bodies named after a bare head: 公司工会, 工会第一届委员会, 公司 (副总经理).

    The head (公司, 工会) stands for the report's own organization; it is
    resolved to that organization's name later. A head alone counts only when
    a post follows it (公司党总支委员、副总经理孙伟).
    """
    bodies = lex.pattern("headed_body")
    found = []
    for match in re.finditer(alternation(tuple(lex.bare_heads)), text):
        if not _at_boundary(text, match.start(), lex):
            continue
        body = bodies.match(text, match.end())
        if body is not None:
            found.append(Candidate(match.start(), body.end(), EntityType.ORG))
        elif _post_then_name(text, match.end(), lex) or (
            match.group() in lex.subject_heads and _opens_sentence(text, match.start())
        ):
            found.append(Candidate(match.start(), match.end(), EntityType.ORG))
    return found


def _opens_sentence(text: str, pos: int) -> bool:
    """Tell whether `pos` begins a sentence (学校希望通过举办该活动…)."""
    return pos == 0 or text[pos - 1] in "。！？；\n"


def _post_then_name(text: str, pos: int, lex: Lexicon) -> bool:
    """Tell whether posts and then a person's name follow `pos` (副总经理孙伟)."""
    chain = lex.pattern("post_chain").match(text[pos : pos + 30])
    if chain is None:
        return False
    return split_name(text, pos + chain.end(), lex, after_post=True) is not None


def _at_boundary(text: str, pos: int, lex: Lexicon) -> bool:
    """Tell whether a name may begin at `pos`: after punctuation or a verb."""
    if pos == 0 or text[pos - 1] in stop_chars(lex) or not text[pos - 1].isalnum():
        return True
    stops = (*cue_words(lex), *lex.words("stop_words"), *lex.verbs, *lex.election_cues)
    return text.endswith(stops, 0, pos) or text[pos - 1] in lex.chars(
        "boundary_particles"
    )


def _suffix_orgs(text: str, lex: Lexicon) -> list[Candidate]:
    # a post ends the walk: 县政协主席刘建国作常委会 holds no organization name
    stops = (*cue_words(lex), *lex.words("stop_words"), *lex.verbs, *lex.roles)
    found = []
    for match in re.finditer(alternation(lex.org_suffixes), text):
        start = walk_left(text, match.start(), 18, stops, lex)
        start = _org_start(text, start, match.start(), lex)
        while start is not None and _is_generic(text[start : match.end()], lex):
            start = _org_start(text, start + 1, match.start(), lex)
        if start is None:
            continue
        name = text[start : match.end()]
        head = name[: len(name) - len(match.group())]
        if match.group() in lex.words("unit_suffixes") and not _has_unit(head, lex):
            continue
        if match.start() - start >= 1:
            found.append(Candidate(start, match.end(), EntityType.ORG))
    return found


def _org_start(text: str, start: int, suffix_start: int, lex: Lexicon) -> int | None:
    """Move `start` to the leftmost place an organization name can begin."""
    divisions, aliases = division_pattern(lex), alias_pattern(lex)
    sub_unit = text.startswith(lex.words("sub_units"), suffix_start)
    groups = tuple(lex.chars("group_prefixes"))
    for pos in range(start, suffix_start):
        rest = text[pos:suffix_start]
        if rest.startswith(lex.words("org_starts")) and not (
            sub_unit and rest in lex.words("org_starts")
        ):  # 中共中央办公厅, but 政协机关 is no name
            return pos
        if rest[:1] in unit_levels(lex)[1] and text[pos - 1 : pos] not in groups:
            return pos
        unit = lex.pattern("trailing_session").sub("", rest)  # 紫阳县第十七届
        if (
            pos == start
            and is_unit_name(unit, lex)
            and not _is_unit_inside(text, pos, lex)
        ):
            return pos
        if divisions.match(text, pos, suffix_start):
            return pos
        alias = aliases.match(text, pos, suffix_start) if sub_unit else None
        if alias is not None and len(alias.group()) >= 2:
            return pos
    company = text.startswith(lex.named_suffixes, suffix_start)
    return start if company and suffix_start - start >= 2 else None


def _is_unit_inside(text: str, pos: int, lex: Lexicon) -> bool:
    """Tell whether a unit name at `pos` continues one begun before it (X县Y镇)."""
    return pos > 0 and text[pos - 1] in unit_levels(lex)[1]


def _has_unit(prefix: str, lex: Lexicon) -> bool:
    """Tell whether `prefix` names an organization (X in X工会: 某某公司工会)."""
    return prefix.endswith(lex.org_suffixes) or prefix in lex.org_aliases


def _is_generic(name: str, lex: Lexicon) -> bool:
    return (
        name in lex.generic
        or name.startswith(lex.words("bad_starts"))
        or any(w in name for w in lex.words("group_words"))
    )


def _short_suffix_orgs(text: str, lex: Lexicon) -> list[Candidate]:
    found = []
    cues, stops = _short_stops(lex)
    groups = tuple(lex.chars("group_prefixes"))
    pattern, tail = _short_patterns(lex)
    for match in pattern.finditer(text):
        if text[match.start() - 1 : match.start()] in groups:
            continue
        if match.group().endswith(cues):
            continue  # 济宁电厂协办: a verb, not a body
        found.append(Candidate(match.start(), match.end(), EntityType.ORG))
    # a unit's own short bodies: 定城镇委, 紫竹高新区党委, 团县委
    for match in tail.finditer(text):
        start = walk_left(text, match.start(), 8, stops, lex)
        if is_unit_name(text[start : match.start()], lex):
            found.append(Candidate(start, match.end(), EntityType.ORG))
    return found


@lru_cache(maxsize=4)
def _short_stops(lex: Lexicon) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What ends a short body (a cue or verb: 协办) and stops a walk left from it."""
    cues = (*cue_words(lex), *lex.verbs)
    return cues, (*cue_words(lex), *lex.words("stop_words"), *lex.verbs)


@lru_cache(maxsize=4)
def _short_patterns(lex: Lexicon) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Short bodies (省委宣传部, 县政协, 县经济技术开发区党工委) and a unit's tail."""
    divisions = division_pattern(lex).pattern
    levels = unit_levels(lex)[1]
    multi = alternation(tuple(w for w in unit_levels(lex)[0] if len(w) > 1))
    tail = lex.patterns["short_tail"]
    boundary, party = lex.patterns["name_boundary"], lex.patterns["party_prefix"]
    short = re.compile(
        rf"(?:{party})?(?:{divisions}|{boundary}(?:[{levels}]?(?:{multi})|[{levels}]))"
        rf"{tail}"
    )
    return short, re.compile(rf"(?<=[{levels}]){tail}")


def _trim_post_tail(text: str, cand: Candidate, lex: Lexicon) -> Candidate:
    """Cut 党组/书记处/党委 off an organization when it begins a post (全总党组书记)."""
    name = text[cand.start : cand.end]
    for tail in lex.words("organ_tails"):
        head = name[: len(name) - len(tail)]
        if head in unit_levels(lex)[0] or is_unit_name(head, lex):
            continue  # 高新区党委, 西湖区党委: the party committee of a unit is a body
        if name.endswith(tail) and len(name) > len(tail):
            cut = cand.end - len(tail)
            if any(text.startswith(r, cut) and len(r) > len(tail) for r in lex.roles):
                return Candidate(cand.start, cut, cand.label, cand.name, cand.priority)
    return cand


def find_locations(text: str, lex: Lexicon) -> list[Candidate]:
    """Find places: divisions (full or short), countries, venues after 在/于."""
    found = [
        Candidate(m.start(), m.end(), EntityType.LOCATION)
        for m in _place_pattern(lex).finditer(text)
    ]
    more = lex.pattern("venue_more")
    for match in lex.pattern("venue").finditer(text):
        spans = [match.span(1)]
        while (nxt := more.match(text, spans[-1][1])) is not None:  # 在A和B
            spans.append(nxt.span(1))
        found += [Candidate(a, b, EntityType.LOCATION, priority=2) for a, b in spans]
    abbrs, travel = _travel_pattern(lex)
    found += [
        Candidate(m.start(1), m.end(1), EntityType.LOCATION, abbrs[m.group(1)], 2)
        for m in travel.finditer(text)
    ]
    return found


@lru_cache(maxsize=4)
def _place_pattern(lex: Lexicon) -> re.Pattern[str]:
    """Division names (full, or short of two characters), countries; 浙江杭州."""
    names = {d.name for d in lex.divisions} | set(lex.locations)
    names |= {d.short for d in lex.divisions if len(d.short) >= 2}
    names -= lex.ambiguous_places
    provinces = alternation(
        frozenset(d.short for d in lex.divisions if d.level == "province")
    )
    cities = alternation(frozenset(d.short for d in lex.divisions if d.level == "city"))
    return re.compile(rf"(?:{provinces})(?:{cities})|{alternation(frozenset(names))}")


@lru_cache(maxsize=4)
def _travel_pattern(lex: Lexicon) -> tuple[dict[str, str], re.Pattern[str]]:
    """赴京, 在沪: a one-character abbreviation after a travel word."""
    abbrs = {d.abbr: d.name for d in lex.divisions if d.abbr}
    before, after = lex.patterns["travel_before"], lex.patterns["travel_after"]
    return abbrs, re.compile(rf"{before}([{''.join(abbrs)}]){after}")


def is_org_name(name: str, lex: Lexicon) -> bool:
    """Tell whether the rules accept all of `name` as one organization name.

    Examples:
        >>> from graph.settings import Settings
        >>> from graph.extract.lexicon import load_lexicon
        >>> lex = load_lexicon(Settings().resources)
        >>> is_org_name("西藏自治区总工会", lex), is_org_name("省级总工会", lex)
        (True, False)
    """
    return any(c.start == 0 and c.end == len(name) for c in find_orgs(name, lex))


def is_headless_org_name(name: str, lex: Lexicon) -> bool:
    """Tell whether an NER-model span is a media or association name without a head.

    The rules start an organization only at a division, a known name or a
    national prefix; media, web sites and associations (中国新闻网,
    青少年发展基金会) often have none, so the NER model's left edge is taken
    when the name ends in one of ``model_org_suffixes`` and the part before it
    is at least two letters or digits (three before a one-character suffix:
    not 互联网) with no verb, no other suffix (the span ran over two names)
    and no group word.

    Examples:
        >>> from graph.settings import Settings
        >>> from graph.extract.lexicon import load_lexicon
        >>> lex = load_lexicon(Settings().resources)
        >>> is_headless_org_name("中国新闻网", lex)
        True
        >>> is_headless_org_name("互联网", lex), is_headless_org_name("各级协会", lex)
        (False, False)
    """
    suffix = next((s for s in lex.model_org_suffixes if name.endswith(s)), "")
    stem = name[: len(name) - len(suffix)]
    shortest = 3 if len(suffix) == 1 else 2
    if not suffix or len(stem) < shortest or not stem.isalnum():
        return False
    if _is_generic(name, lex):
        return False
    inside = (
        *lex.org_suffixes,
        *lex.model_org_suffixes,
        *lex.verbs,
        *lex.words("stop_words"),
    )
    return not any(word in stem for word in inside)


def is_place_name(name: str, lex: Lexicon) -> bool:
    """Tell whether `name` looks like a place: a known one, or ending like one."""
    if lex.division_of(name) is not None or name in lex.locations:
        return True
    ends = tuple(lex.chars("place_ends"))
    return 2 <= len(name) <= 12 and name.endswith(ends) and name.isalnum()
