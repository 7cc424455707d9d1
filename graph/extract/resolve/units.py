"""Short forms of units and of the report's own organization (镇委, 公司工会)."""

from __future__ import annotations

from collections import Counter

from ...model import EntityType
from ..finders.base import is_unit_name, unit_levels
from ..lexicon import Lexicon
from ..records import Candidate

__all__ = ["units_in", "unit_short_form", "headed_short_form"]


def units_in(text: str, cands: list[Candidate], lex: Lexicon) -> list[tuple[int, str]]:
    """Return (offset, name) of every unit the text names (定城镇 in 定城镇总工会)."""
    units = []
    for cand in cands:
        if cand.label not in (EntityType.ORG, EntityType.LOCATION, EntityType.EVENT):
            continue
        surface = text[cand.start : cand.end]
        # 政协梅山县第九届委员会, 共青团周至县委: the unit follows the body's prefix
        prefix = next(
            (w for w in lex.words("unit_body_prefixes") if surface.startswith(w)), ""
        )
        surface = surface[len(prefix) :]
        for size in range(min(len(surface), 9), 1, -1):
            if is_unit_name(surface[:size], lex):
                units.append((cand.start + len(prefix), surface[:size]))
                break
    return units


def unit_short_form(
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


def headed_short_form(
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
