"""Rule finders: pure functions from text to candidate entity spans.

Each finder scans the original string and returns `Candidate`s with offsets
into it; the spaCy component turns them into spans. Patterns are built from
the lexicons in graph/resources/, never from names of particular documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import Lexicon
from .model import EntityType

__all__ = [
    "Candidate",
    "find_candidates",
    "find_policies",
    "find_events",
    "find_orgs",
    "find_locations",
    "find_persons",
    "split_name",
]

CJK = "\u4e00-\u9fff"
# Characters that end a name when walking left from a suffix.
_STOP_CHARS = set(
    "的在了和与及同由经对把将向从是为等被并或"
    "、，。；：！？,.;:!?（）()《》“”\"'‘’—【】 \t\n\r　"
)
_STOP_WORDS = (
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
_EVENT_STOP_WORDS = ("今年", "去年", "同时", "目前", "其中", "以及")
_GOOD_ORG_STARTS = ("中共", "中国", "中华", "全国", "国家", "中央")
_BAD_STARTS = (
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
_BAD_EVENT_STARTS = (
    *_BAD_STARTS,
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
_STOP_CLASS = "的在了和与及同由经对把将向从是为等被并或、，。；：\\s\\d"
_SUB_UNIT_SUFFIXES = ("党组", "书记处", "机关", "办公厅", "办公室", "分行", "支行")
# one character of a quoted name; a print-layout line break may stand inside
_QUOTED = r"(?:[^“”\n]|\n+(?=[^“”\n#]{1,20}”))"
_PERIOD_RE = re.compile(
    r"“十[一二三四五六七八九]五”"
)  # “十三五”规划: a period, not a name
_TITLE_RE = re.compile(
    r"《((?:[^《》\n]|\n+(?=[^《》\n#]{1,20}》)|《[^《》\n]*》){1,120})》"
)
_QUOTE_RE = re.compile(r"“([^“”\n]{1,40})”")
_NUMBER = r"[〇一二三四五六七八九十\d]{1,3}"
_SESSION = rf"第?{_NUMBER}届(?:{_NUMBER}次|[一二三四五六七八九]中)?"
_PARTY_CONGRESS_RE = re.compile(
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


def _alternation(words: tuple[str, ...] | frozenset[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def _walk_left(
    text: str, end: int, limit: int, stops: tuple[str, ...], keep: str = ""
) -> int:
    """Return where a name ending at `end` starts: walk left to a stop char/word."""
    start = end
    while start > 0 and end - start < limit:
        if text[start - 1] in _STOP_CHARS and text[start - 1] not in keep:
            break
        if any(text.endswith(w, 0, start) for w in stops):
            break
        start -= 1
    return start


def find_policies(text: str, lex: Lexicon) -> list[Candidate]:
    """Find named documents: 《…》 titles, quoted plans, plans after an issuing cue."""
    found = []
    for match in _TITLE_RE.finditer(text):
        inner = match.group(1).strip()
        label = EntityType.ORG if inner in lex.media else EntityType.POLICY
        if inner:
            found.append(Candidate(match.start(1), match.end(1), label))
    words = _alternation(lex.policy_words)
    quoted = re.compile(
        rf"“{_QUOTED}{{1,30}}”(?:{words})|“{_QUOTED}{{2,30}}(?:{words})”"
    )
    for match in quoted.finditer(text):
        if not _PERIOD_RE.match(match.group()):
            found.append(Candidate(match.start(), match.end(), EntityType.POLICY))
    cues = _alternation(lex.cues["issued"])
    after_cue = re.compile(
        rf"(?:{cues})了?([{CJK}\d“” ]{{3,30}}?(?:{words}))(?=[和与及、，。；,;等]|$)"
    )
    listed = re.compile(
        rf"、([{CJK}\d“” ]{{3,30}}?(?:{words}))(?=[和与及、，。；,;等]|$)"
    )
    for match in after_cue.finditer(text):
        spans = [match.span(1)]
        while (more := listed.match(text, spans[-1][1])) is not None:
            spans.append(more.span(1))
        for start, end in spans:
            name = text[start:end]
            if _is_policy_name(name, lex):
                found.append(Candidate(start, end, EntityType.POLICY))
    return found


def _is_policy_name(name: str, lex: Lexicon) -> bool:
    return (
        len(name) >= 6
        and not name.startswith((*_BAD_STARTS, "的", *lex.cues["issued"]))
        and "等" not in name
    )


def find_events(text: str, lex: Lexicon) -> list[Candidate]:
    """Find meetings, ceremonies and campaigns (named, numbered or quoted)."""
    return [
        *_quoted_campaigns(text, lex),
        *_session_meetings(text, lex),
        *_named_meetings(text, lex),
        *_cued_campaigns(text, lex),
    ]


def _quoted_campaigns(text: str, lex: Lexicon) -> list[Candidate]:
    words = _alternation(lex.campaign_words)
    pattern = re.compile(
        rf"“{_QUOTED}{{2,40}}”(?:为主题的|主题)?(?:{words})"
        rf"|“{_QUOTED}{{2,40}}(?:{words})”"
    )
    return [
        Candidate(m.start(), m.end(), EntityType.EVENT) for m in pattern.finditer(text)
    ]


def _session_meetings(text: str, lex: Lexicon) -> list[Candidate]:
    words = _alternation(lex.event_words)
    pattern = re.compile(
        rf"{_SESSION}(?:全委[（(]扩大[)）]会议|全委[（(]扩大[)）]会|{words})"
    )
    stops = _cue_words(lex)
    found = []
    for match in pattern.finditer(text):
        start = _walk_left(text, match.start(), 8, stops)
        found.append(Candidate(start, match.end(), EntityType.EVENT))
    for match in _PARTY_CONGRESS_RE.finditer(text):
        found.append(Candidate(match.start(), match.end(), EntityType.EVENT))
    return found


def _named_meetings(text: str, lex: Lexicon) -> list[Candidate]:
    words = _alternation(lex.event_words)
    # 讲话/发言 inside a name (重要讲话精神报告会) are nouns: only organizing cues stop
    stops = (
        *lex.cues["organized"],
        *lex.cues["issued"],
        "出席",
        "参加",
        "主持",
        *lex.verbs,
        *_EVENT_STOP_WORDS,
    )
    found = []
    for match in re.finditer(rf"(?:{words})", text):
        start = _walk_left(text, match.start(), 40, stops, keep="“”‘’和与及、")
        start = _drop_listed_prefix(text, start, match.start())
        while start < match.start() and text[start] in "”’":
            start += 1
        name = text[start : match.end()]
        if name.count("“") != name.count("”") or re.search(
            r"”?等[一二三四五六七八九十\d]*[个项]?", name.split("”")[-1]
        ):
            continue
        if match.group() in ("竞赛", "大赛") and not _is_named(name, lex):
            continue
        if match.start() - start >= 2 and not name.startswith(_BAD_EVENT_STARTS):
            found.append(Candidate(start, match.end(), EntityType.EVENT, priority=0))
    return found


def _drop_listed_prefix(text: str, start: int, end: int) -> int:
    """Start after the last 、 (or 和 after an event) outside quotes (A、B会议)."""
    depth, cut = 0, start
    for pos in range(start, end):
        char = text[pos]
        depth += {"“": 1, "”": -1}.get(char, 0)
        if char == "、" and depth == 0:
            cut = pos + 1
        if char in "和与及" and depth == 0 and text[pos - 1] in "会班赛动":
            cut = pos + 1
    return cut


def _is_named(name: str, lex: Lexicon) -> bool:
    """Tell whether a competition is named (“安康杯”竞赛), not generic (劳动竞赛)."""
    if "“" in name or "杯" in name or name.startswith(("全国", "首届", "第")):
        return True
    return any(name.startswith(d) for d in lex._division_index() if len(d) >= 2)


def _cued_campaigns(text: str, lex: Lexicon) -> list[Candidate]:
    cues = _alternation(("开展", "启动", "组织开展", "举办", "发起"))
    words = _alternation(lex.campaign_words)
    pattern = re.compile(
        rf"(?:{cues})了?([{CJK}A-Za-z\d]{{4,24}}?(?:{words}))(?=[和与及、，。；,;]|$)"
    )
    found = []
    for match in pattern.finditer(text):
        name = match.group(1)
        if name.endswith(("竞赛", "大赛")) and not _is_named(name, lex):
            continue
        if not name.startswith(_BAD_STARTS) and "系列" not in name[:2]:
            found.append(Candidate(match.start(1), match.end(1), EntityType.EVENT))
    return found


@lru_cache(maxsize=4)
def _cue_words(lex: Lexicon) -> tuple[str, ...]:
    words = {w for cues in lex.cues.values() for w in cues}
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


def find_orgs(text: str, lex: Lexicon) -> list[Candidate]:
    """Find organizations: lexicon names and aliases, then names ending in a suffix."""
    found = []
    known = re.compile(_alternation(frozenset(lex.org_aliases)))
    for match in known.finditer(text):
        canonical = lex.org_aliases[match.group()]
        found.append(
            Candidate(match.start(), match.end(), EntityType.ORG, canonical, 2)
        )
    found.extend(_suffix_orgs(text, lex))
    divisions = _alternation(frozenset(lex._division_index()))
    short = re.compile(
        rf"(?:{divisions}|(?<![全各本该])[省市])总(?=[与和、，。将在要还也及等,;领]|机关)"
    )
    found.extend(
        Candidate(m.start(), m.end(), EntityType.ORG) for m in short.finditer(text)
    )
    found.extend(_short_suffix_orgs(text, lex))
    return [_trim_post_tail(text, c, lex) for c in found]


def _suffix_orgs(text: str, lex: Lexicon) -> list[Candidate]:
    stops = (*_cue_words(lex), *_STOP_WORDS, *lex.verbs)
    found = []
    for match in re.finditer(_alternation(lex.org_suffixes), text):
        start = _walk_left(text, match.start(), 18, stops)
        start = _org_start(text, start, match.start(), lex)
        while start is not None and _is_generic(text[start : match.end()], lex):
            start = _org_start(text, start + 1, match.start(), lex)
        if start is None:
            continue
        name = text[start : match.end()]
        if match.group() == "工会" and not _has_unit(name[:-2], lex):
            continue
        if match.start() - start >= 1:
            found.append(Candidate(start, match.end(), EntityType.ORG))
    return found


def _org_start(text: str, start: int, suffix_start: int, lex: Lexicon) -> int | None:
    """Move `start` to the leftmost place an organization name can begin."""
    index = lex._division_index()
    for pos in range(start, suffix_start):
        rest = text[pos:suffix_start]
        if rest.startswith(_GOOD_ORG_STARTS):
            return pos
        if rest[:1] in ("省", "市", "县") and text[pos - 1 : pos] not in "全各本该":
            return pos
        if any(rest.startswith(name) for name in index if len(name) >= 2):
            return pos
        if text.startswith(_SUB_UNIT_SUFFIXES, suffix_start) and any(
            rest.startswith(alias) for alias in lex.org_aliases if len(alias) >= 2
        ):
            return pos
    company = text[suffix_start:].startswith(
        (
            "公司",
            "有限公司",
            "股份有限公司",
            "集团",
            "大学",
            "学院",
            "银行",
            "分行",
            "支行",
        )
    )
    return start if company and suffix_start - start >= 2 else None


def _has_unit(prefix: str, lex: Lexicon) -> bool:
    """Tell whether `prefix` names an organization (X in X工会: 某某公司工会)."""
    return prefix.endswith(lex.org_suffixes) or prefix in lex.org_aliases


def _is_generic(name: str, lex: Lexicon) -> bool:
    return (
        name in lex.generic
        or name.startswith(_BAD_STARTS)
        or any(w in name for w in ("各级", "优秀", "省级", "市级", "县级", "先进"))
    )


def _short_suffix_orgs(text: str, lex: Lexicon) -> list[Candidate]:
    divisions = _alternation(frozenset(lex._division_index()))
    suffix = _alternation(lex.short_suffixes)
    pattern = re.compile(
        rf"(?:中共)?(?:{divisions}|省|市)[^{_STOP_CLASS}总干]{{0,3}}?(?:{suffix})(?![{CJK}]{{0,1}}[长员])"
    )
    found = []
    for match in pattern.finditer(text):
        if text[match.start() - 1 : match.start()] in ("全", "各", "本", "该"):
            continue
        found.append(Candidate(match.start(), match.end(), EntityType.ORG))
    return found


def _trim_post_tail(text: str, cand: Candidate, lex: Lexicon) -> Candidate:
    """Cut 党组/书记处/党委 off an organization when it begins a post (全总党组书记)."""
    name = text[cand.start : cand.end]
    for tail in ("书记处", "党组", "党委"):
        if name.endswith(tail) and len(name) > len(tail):
            cut = cand.end - len(tail)
            if any(text.startswith(r, cut) and len(r) > len(tail) for r in lex.roles):
                return Candidate(cand.start, cut, cand.label, cand.name, cand.priority)
    return cand


def find_locations(text: str, lex: Lexicon) -> list[Candidate]:
    """Find places: divisions (full or short), countries, venues after 在/于."""
    names = {d.name for d in lex.divisions} | set(lex.locations)
    names |= {d.short for d in lex.divisions if len(d.short) >= 2}
    names -= lex.ambiguous_places
    provinces = _alternation(
        frozenset(d.short for d in lex.divisions if d.level == "province")
    )
    cities = _alternation(
        frozenset(d.short for d in lex.divisions if d.level == "city")
    )
    pattern = re.compile(
        rf"(?:{provinces})(?:{cities})|{_alternation(frozenset(names))}"
    )
    found = [
        Candidate(m.start(), m.end(), EntityType.LOCATION)
        for m in pattern.finditer(text)
    ]
    venue = re.compile(
        r"(?<=[在于])([^，。、；\s在于]{2,20}?(?:会展中心|文化宫|人民大会堂|大会堂|体育馆|"
        r"体育场|展览馆|会议中心|宾馆|饭店|剧院|礼堂|纪念馆|博物馆|广场))"
    )
    found += [
        Candidate(m.start(1), m.end(1), EntityType.LOCATION, priority=2)
        for m in venue.finditer(text)
    ]
    abbrs = {d.abbr: d.name for d in lex.divisions if d.abbr}
    travel = re.compile(
        rf"(?<=[在赴进抵来])([{''.join(abbrs)}])(?=召开|举行|举办|开幕|参加|出席)"
    )
    found += [
        Candidate(m.start(1), m.end(1), EntityType.LOCATION, abbrs[m.group(1)], 2)
        for m in travel.finditer(text)
    ]
    return found


_AFTER_NAME = (
    "报道",
    "、",
    "，",
    "。",
    "；",
    "：",
    " ",
    "等",
    "同志",
    "出席",
    "主持",
    "讲话",
    "强调",
    "指出",
    "表示",
    "介绍",
    "说",
    "作",
    "在",
    "为",
    "带领",
    "和",
    "与",
    "率",
    "会见",
    "参加",
    "当选",
    "任",
    "担任",
    "的",
    "是",
    "也",
    "就",
    "对",
    "向",
    "认为",
    "摄",
    "（",
    "(",
    "\n",
    ",",
    "代表",
    "一行",
    "表彰",
    "要求",
    "希望",
    "深入",
    "到",
)


def split_name(
    text: str, start: int, lex: Lexicon, *, after_post: bool = False
) -> int | None:
    """Return where a person name starting at `start` ends, or None.

    Examples:
        >>> from graph.lexicon import load_lexicon
        >>> from graph.settings import Settings
        >>> lex = load_lexicon(Settings().resources)
        >>> s = "李玉赋带领全总"
        >>> s[:split_name(s, 0, lex)]
        '李玉赋'
    """
    sur = 2 if text[start : start + 2] in lex.surnames else 1
    if text[start : start + sur] not in lex.surnames:
        return None
    for given in (2, 1):
        end = start + sur + given
        body = text[start + sur : end]
        if (
            len(body) != given
            or not re.fullmatch(rf"[{CJK}]+", body)
            or body[-1] in "长员"
        ):
            continue
        if end == len(text) or text.startswith(_AFTER_NAME, end):
            return end
    if after_post and re.fullmatch(
        rf"[{CJK}]{{2}}", text[start + sur : start + sur + 2]
    ):
        return start + sur + 2 if text[start + sur + 1] not in "长员" else None
    return None


def find_persons(text: str, lex: Lexicon) -> list[Candidate]:
    """Find people named right after a post, in lists after it, or before a cue."""
    found = []
    roles = _alternation(lex.roles + ("记者", "本报记者", "通讯员", "同志们"))
    for match in re.finditer(rf"(?:{roles})[ 　]?", text):
        pos = match.end()
        while pos < len(text):
            end = split_name(text, pos, lex, after_post=True)
            if end is None:
                break
            found.append(Candidate(pos, end, EntityType.PERSON))
            if text[end : end + 1] != "、":
                break
            pos = end + 1
    cues = _alternation(
        ("出席", "主持", "强调", "指出", "表示", "介绍", "作工作报告", "当选")
    )
    pattern = re.compile(
        rf"(?:^|(?<=[，。；：、\s”])|(?<=代表|劳模))([{CJK}]{{2,4}}?)(?=(?:{cues}))"
    )
    for match in pattern.finditer(text):
        end = split_name(text, match.start(1), lex)
        if end == match.end(1):
            found.append(Candidate(match.start(1), end, EntityType.PERSON, priority=0))
    for match in re.finditer(r"(?=总书记|总理|委员长|同志)", text):
        for size in (3, 2):
            start = match.start() - size
            if (
                start >= 0
                and text[start] in lex.surnames
                and re.fullmatch(rf"[{CJK}]{{{size}}}", text[start : match.start()])
            ):
                found.append(
                    Candidate(start, match.start(), EntityType.PERSON, priority=0)
                )
                break
    for match in re.finditer(r"(?:选举|推选|任命|增补)", text):
        end = split_name(text, match.end(), lex, after_post=True)
        if end is not None and text[end : end + 1] == "为":
            found.append(Candidate(match.end(), end, EntityType.PERSON, priority=0))
    return found


def find_candidates(text: str, lex: Lexicon) -> list[Candidate]:
    """Run every finder; overlaps are resolved later (longest span wins)."""
    return sorted(
        find_policies(text, lex)
        + find_events(text, lex)
        + find_orgs(text, lex)
        + find_locations(text, lex)
        + find_persons(text, lex)
    )
