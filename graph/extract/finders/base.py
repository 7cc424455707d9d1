"""What every rule finder shares: the Candidate record, stop lists, name walking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ...model import EntityType
from ..lexicon import Lexicon

__all__ = [
    "BAD_EVENT_STARTS",
    "BAD_STARTS",
    "CJK",
    "EVENT_STOP_WORDS",
    "GOOD_ORG_STARTS",
    "NUMBER",
    "PARTY_CONGRESS_RE",
    "PERIOD_RE",
    "QUOTED",
    "SESSION",
    "STOP_CHARS",
    "STOP_CLASS",
    "STOP_WORDS",
    "SUB_UNIT_SUFFIXES",
    "TITLE_RE",
    "Candidate",
    "alternation",
    "alias_pattern",
    "unit_levels",
    "is_unit_name",
    "division_pattern",
    "walk_left",
    "cue_words",
]

CJK = "\u4e00-\u9fff"
# Characters that end a name when walking left from a suffix.
STOP_CHARS = set(
    "的在了和与及同由经对把将向从是为等被并或"
    "、，。；：！？,.;:!?（）()《》“”\"'‘’—【】 \t\n\r　"
)
STOP_WORDS = (
    "选举产生",
    "产生",
    "选举",
    "带领",
    "领导",
    "推动",
    "支持",
    "指导",
    "要求",
    "通过",
    "按照",
    "根据",
    "围绕",
    "成立",
    "组建",
    "加强",
    "深化",
    "积极",
    "认真",
    "深入",
    "大力",
    "全面",
    "进一步",
    "其中",
    "目前",
    "今年",
    "去年",
    "同时",
    "以及",
    "还",
    "也",
    "都",
    "已",
    "均",
)
EVENT_STOP_WORDS = ("今年", "去年", "同时", "目前", "其中", "以及")
GOOD_ORG_STARTS = ("中共", "中国", "中华", "全国", "国家", "中央")
BAD_STARTS = (
    "各级",
    "各地",
    "基层",
    "地方",
    "有关",
    "相关",
    "全省",
    "全市",
    "全区",
    "各",
    "本",
    "该",
    "此",
    "这",
    "其",
    "一",
    "多",
    "广大",
    "所有",
)
BAD_EVENT_STARTS = (
    *BAD_STARTS,
    "要",
    "正式",
    "本次",
    "此次",
    "这次",
    "上次",
    "会议",
    "重要",
    "有关",
    "召开",
    "参加",
    "出席",
    "主持",
)
STOP_CLASS = "的在了和与及同由经对把将向从是为等被并或、，。；：\\s\\d"
SUB_UNIT_SUFFIXES = ("党组", "书记处", "机关", "办公厅", "办公室", "分行", "支行")
# one character of a quoted name; a print-layout line break may stand inside
QUOTED = r"(?:[^“”\n]|\n+(?=[^“”\n#]{1,20}”))"
PERIOD_RE = re.compile(
    r"“十[一二三四五六七八九]五”"
)  # “十三五”规划: a period, not a name
TITLE_RE = re.compile(
    r"《((?:[^《》\n]|\n+(?=[^《》\n#]{1,20}》)|《[^《》\n]*》){1,120})》"
)
NUMBER = r"[〇一二三四五六七八九十\d]{1,3}"
SESSION = rf"第?{NUMBER}届(?:{NUMBER}次|[一二三四五六七八九]中)?"
PARTY_CONGRESS_RE = re.compile(
    r"(?:党的|中共|中国工会|中国共产党第)?十[一二三四五六七八九]大(?![学型量力多])"
)


@dataclass(frozen=True, slots=True, order=True)
class Candidate:
    """A span found by a rule: `name` is set when a lexicon fixes the canonical."""

    start: int
    end: int
    label: EntityType
    name: str = ""
    priority: int = 1

    @property
    def length(self) -> int:
        return self.end - self.start


@lru_cache(maxsize=512)
def alternation(words: tuple[str, ...] | frozenset[str]) -> str:
    """Return a regex alternative of `words`, longest first (cached: rules reuse it)."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


@lru_cache(maxsize=4)
def division_pattern(lex: Lexicon) -> re.Pattern[str]:
    """Match any division name of two characters or more (浙江, 浙江省)."""
    return re.compile(
        alternation(frozenset(n for n in lex.division_index() if len(n) >= 2))
    )


@lru_cache(maxsize=4)
def alias_pattern(lex: Lexicon) -> re.Pattern[str]:
    """Match any organization name or alias of the lexicon (全总, 国务院)."""
    return re.compile(alternation(frozenset(lex.org_aliases)))


@lru_cache(maxsize=4)
def unit_levels(lex: Lexicon) -> tuple[tuple[str, ...], str]:
    """Return the unit words (县, 高新区) and the one-character ones as a class."""
    single = "".join(w for w in lex.place_levels if len(w) == 1)
    return lex.place_levels, single


def is_unit_name(name: str, lex: Lexicon) -> bool:
    """Tell whether `name` is shaped like a unit's name: 定城镇, 单县, 紫竹高新区.

    Provinces are all in the lexicon, so a unit named by its shape alone is a
    city, county, town, district or zone; its stem has one to four letters and
    no division name (审查浙江省 is no unit).

    Examples:
        >>> from graph.extract.lexicon import load_lexicon
        >>> from graph.settings import Settings
        >>> lex = load_lexicon(Settings().resources)
        >>> [is_unit_name(n, lex) for n in ("定城镇", "全县", "县")]
        [True, False, False]
    """
    levels, _ = unit_levels(lex)
    level = next((w for w in levels if name.endswith(w)), "")
    stem = name[: len(name) - len(level)]
    return (
        bool(level)
        and lex.division_of(name) is None
        and not any(
            name.endswith(d.name) for d in lex.divisions if d.level == "province"
        )
        and 1 <= len(stem) <= 4
        and re.fullmatch(rf"[{CJK}]+", stem) is not None
        and not name.startswith(BAD_STARTS)
        and stem[0] not in "的在和与及等各全本该每到于对向从把被将为是了由"
        and not any(c in stem[1:] for c in "任为在于由和与及的是了")
        and not any(w in stem for w in levels if len(w) > 1)
        and division_pattern(lex).search(stem) is None
    )


def walk_left(
    text: str, end: int, limit: int, stops: tuple[str, ...], keep: str = ""
) -> int:
    """Return where a name ending at `end` starts: walk left to a stop char/word."""
    by_length = _by_length(stops)
    start = end
    while start > 0 and end - start < limit:
        if text[start - 1] in STOP_CHARS and text[start - 1] not in keep:
            break
        if any(text[start - n : start] in words for n, words in by_length):
            break
        start -= 1
    return start


@lru_cache(maxsize=64)
def _by_length(words: tuple[str, ...]) -> tuple[tuple[int, frozenset[str]], ...]:
    """Group stop words by length, so a walk tests one slice per length."""
    lengths = sorted({len(w) for w in words if w})
    return tuple((n, frozenset(w for w in words if len(w) == n)) for n in lengths)


@lru_cache(maxsize=4)
def cue_words(lex: Lexicon) -> tuple[str, ...]:
    words = {w for cues in lex.cues.values() for w in cues}
    return tuple(sorted(words, key=lambda w: (-len(w), w)))
