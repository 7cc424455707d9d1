"""Alias resolution inside one document: mentions -> canonical entities.

全总 / 全国总工会 become 中华全国总工会 through the lexicon; 省总工会 becomes
浙江省总工会 through the division the sentence, heading or document is about;
quoted and unquoted forms of a policy or event become one entity.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from ..model import Entity, EntityType, Mention
from .finders.base import division_pattern, is_unit_name, unit_levels
from .lexicon import Division, Lexicon
from .records import Candidate, ResolvedMention

__all__ = ["resolve_mentions", "build_entities", "comparison_key"]

_QUOTES = str.maketrans("", "", "“”‘’\"'《》「」『』 \u3000\n\t")


def comparison_key(label: EntityType, text: str, lex: Lexicon) -> str:
    """Normalize a surface form for merging: no quotes, 《》 or spaces.

    Examples:
        >>> from graph.extract.lexicon import load_lexicon
        >>> from graph.settings import Settings
        >>> lex = load_lexicon(Settings().resources)
        >>> comparison_key(EntityType.EVENT, "全总十六届四次执委会会议", lex)
        '全总十六届四次执委会'
        >>> comparison_key(EntityType.POLICY, "《“1+6”文件》", lex)
        '1+6文件'
        >>> comparison_key(EntityType.ORG, "市五届人大常委会", lex)
        '市人大常委会'
    """
    key = text.translate(_QUOTES)
    suffix = lex.words("meeting_suffix")[0]  # 执委会会议 and 执委会议 are 执委会
    if label is EntityType.EVENT and key.endswith(suffix) and len(key) > 4:
        key = key[: -len(suffix)] if key[-3] == suffix[0] else key[:-1]
    if label is EntityType.ORG and not key.endswith(lex.words("term_keep_ends")):
        # 市五届人大常委会 is 市人大常委会: the term does not make another body
        key = lex.pattern("org_term").sub("", key)
    return key


def _divisions_in(text: str, lex: Lexicon) -> list[tuple[int, Division]]:
    found = []
    for match in division_pattern(lex).finditer(text):
        division = lex.division_of(match.group())
        if division is not None:
            found.append((match.start(), division))
    return found


def _context_division(
    pos: int, level: str, text: str, found: list[tuple[int, Division]], lex: Lexicon
) -> Division | None:
    """Pick the division a short form at `pos` refers to.

    In order: the last one named earlier in the same sentence; the one named in
    the nearest heading or byline above (a short line without final
    punctuation, such as 中共辽宁省委常委、省总工会主席 赵国强); the one the
    document names most often.
    """
    wanted = [(p, d) for p, d in found if _fits(d, level, lex)]
    if not wanted:
        return None
    sentence_start = max(text.rfind(c, 0, pos) for c in "。！？\n") + 1
    before = [d for p, d in wanted if sentence_start <= p < pos]
    if before:
        return before[-1]
    for line_start, line_end in _heading_lines(text, pos):
        in_line = [d for p, d in wanted if line_start <= p < line_end]
        if in_line:
            return in_line[-1]
    return Counter(d for _, d in wanted).most_common(1)[0][0]


def _heading_lines(text: str, pos: int) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of heading-like lines before `pos`, nearest first."""
    end = text.rfind("\n", 0, pos)
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].strip()
        if line and (
            line.startswith("#")
            or (len(line) <= 40 and line[-1] not in "。！？；：，,")
        ):
            yield start, end
        end = start - 1


def _fits(division: Division, prefix: str, lex: Lexicon) -> bool:
    """Tell whether a short form's prefix (省, 市) can mean `division`."""
    level, ends = lex.division_prefixes[prefix]
    return (not level or division.level == level) and division.name.endswith(ends)


def _units_in(text: str, cands: list[Candidate], lex: Lexicon) -> list[tuple[int, str]]:
    """Return (offset, name) of every unit the text names (定城镇 in 定城镇总工会)."""
    units = []
    for cand in cands:
        if cand.label not in (EntityType.ORG, EntityType.LOCATION, EntityType.EVENT):
            continue
        surface = text[cand.start : cand.end]
        for size in range(min(len(surface), 9), 1, -1):
            if is_unit_name(surface[:size], lex):
                units.append((cand.start, surface[:size]))
                break
    return units


def _unit_short_form(
    name: str, pos: int, doc: str, lex: Lexicon, units: list[tuple[int, str]]
) -> str:
    """镇委 in a report on 定城镇 is 定城镇委; 县委 in one on 单县 is 单县县委.

    A short form begins with a unit word (县, 镇, 高新区); it refers to the unit of
    that kind named last before it in its sentence, else the one the document
    names most often. Without such a unit it stays as written.
    """
    level = next((w for w in unit_levels(lex)[0] if name.startswith(w)), "")
    if not level or len(name) <= len(level):
        return name
    wanted = [
        (p, u)
        for p, u in units
        if u.endswith(level) and not _is_longer_level(u, level, lex)
    ]
    if not wanted:
        return name
    sentence_start = max(doc.rfind(c, 0, pos) for c in "。！？\n") + 1
    before = [u for p, u in wanted if sentence_start <= p < pos]
    unit = before[-1] if before else Counter(u for _, u in wanted).most_common(1)[0][0]
    stem = unit[: len(unit) - len(level)]
    return unit + name[len(level) :] if len(stem) >= 2 else unit + name


def _headed_short_form(
    name: str, pos: int, lex: Lexicon, owners: list[tuple[int, str]]
) -> str:
    """公司第一届工会委员会 in a company's report is that company's: the bare head
    (公司, 工会) becomes the name of the organization ending in it that the text
    named last before, else most often."""
    head = next((h for h in lex.bare_heads if name.startswith(h)), "")
    if not head:
        return name
    ends = lex.bare_heads[head]
    wanted = [(p, o) for p, o in owners if o.endswith(ends) and len(o) > len(head) + 1]
    if not wanted:
        return name
    before = [o for p, o in wanted if p < pos]
    owner = before[-1] if before else Counter(o for _, o in wanted).most_common(1)[0][0]
    return owner + name[len(head) :]


def _is_longer_level(unit: str, level: str, lex: Lexicon) -> bool:
    """Tell whether `unit` ends in a longer unit word than `level` (自治县, not 县)."""
    return any(
        len(w) > len(level) and w.endswith(level) and unit.endswith(w)
        for w in unit_levels(lex)[0]
    )


def _resolve_org(
    text: str, pos: int, doc: str, lex: Lexicon, found, units=(), owners=()
) -> str:
    if text in lex.org_aliases:
        return lex.org_aliases[text]
    prefix = next((a for a in _aliases_longest_first(lex) if text.startswith(a)), None)
    if prefix is not None and len(text) > len(prefix):
        return lex.org_aliases[prefix] + text[len(prefix) :]
    if text[0] in lex.division_prefixes and text not in lex.generic:
        division = _context_division(pos, text[0], doc, found, lex)
        if division is not None:
            text = division.name + text[1:]
    if text not in lex.generic:
        text = _unit_short_form(text, pos, doc, lex, list(units))
    text = _headed_short_form(text, pos, lex, list(owners))
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
        division = _context_division(pos, text[0], doc, found, lex)
        if division is not None:
            return division.name + text[1:]
    division = lex.division_of(text)
    return division.name if division is not None else text


def resolve_mentions(
    text: str, cands: list[Candidate], lex: Lexicon
) -> list[ResolvedMention]:
    """Give every candidate mention its canonical entity name."""
    found = _divisions_in(text, lex)
    units = _units_in(text, cands, lex)
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
    return _merge_variants(resolved, text, lex)


def _merge_variants(
    mentions: list[ResolvedMention], text: str, lex: Lexicon
) -> list[ResolvedMention]:
    """Give variants of one entity one name.

    Mentions with the same comparison key take the longest surface; a numbered
    session or congress named without its organizer (十三届五次全委会议, 十六大)
    joins the one named with it (广东省总工会十三届五次全委会议, 中国工会十六大);
    a two-character name joins the only three-character name it begins.
    """
    best: dict[tuple[EntityType, str], str] = {}
    for m in mentions:
        key = (m.label, comparison_key(m.label, m.name, lex))
        if len(m.name) > len(best.get(key, "")):
            best[key] = m.name
    _join_sessions(best, lex)
    _join_abbreviations(best, mentions, text, lex)
    persons = sorted(
        {m.name for m in mentions if m.label is EntityType.PERSON}, key=len
    )
    renamed = []
    for m in mentions:
        name = best[(m.label, comparison_key(m.label, m.name, lex))]
        if m.label is EntityType.PERSON and len(name) == 2:
            longer = [p for p in persons if len(p) == 3 and p.startswith(name)]
            name = longer[0] if len(longer) == 1 else name
        renamed.append(ResolvedMention(m.start, m.end, m.text, m.label, name))
    return renamed


def _join_abbreviations(
    best: dict[tuple[EntityType, str], str],
    mentions: list[ResolvedMention],
    text: str,
    lex: Lexicon,
) -> None:
    """《关于…的意见》（以下简称《意见》）: the short title names the same document."""
    for match in lex.pattern("abbreviation").finditer(text):
        before = [
            m for m in mentions if m.end <= match.start() and m.end >= match.start() - 2
        ]
        if not before:
            continue
        full = before[-1]
        short = (full.label, comparison_key(full.label, match.group(1), lex))
        if short in best:
            full_key = comparison_key(full.label, full.name, lex)
            best[short] = best[(full.label, full_key)]


def _join_sessions(best: dict[tuple[EntityType, str], str], lex: Lexicon) -> None:
    events = [key for label, key in best if label is EntityType.EVENT]
    numbered = lex.pattern("numbered_session_key")
    for key in events:
        if not numbered.search(key):
            continue
        fuller = [other for other in events if other != key and other.endswith(key)]
        if len(fuller) == 1:
            best[(EntityType.EVENT, key)] = best[(EntityType.EVENT, fuller[0])]


def build_entities(mentions: list[ResolvedMention]) -> list[Entity]:
    """Group resolved mentions into entities with aliases and mention offsets."""
    groups: dict[tuple[EntityType, str], list[ResolvedMention]] = {}
    for m in mentions:
        groups.setdefault((m.label, m.name), []).append(m)
    entities = []
    for (label, name), group in groups.items():
        surfaces = {re.sub(r"\s+", "", m.text) for m in group}
        surfaces |= {
            s.translate(_QUOTES) for s in surfaces if label is not EntityType.ORG
        }
        aliases = tuple(sorted(s for s in surfaces if s and s != name))
        mentions_ = tuple(sorted(Mention(m.start, m.end, m.text) for m in group))
        entities.append(Entity(label, name, aliases, mentions_))
    return entities
