"""Variants of one entity get one name: comparison keys, sessions, abbreviations."""

from __future__ import annotations

from ...model import EntityType
from ..lexicon import Lexicon, default_lexicon
from ..records import ResolvedMention

__all__ = ["QUOTES", "comparison_key", "merge_variants"]

QUOTES = str.maketrans("", "", "“”‘’\"'《》「」『』 \u3000\n\t")


def comparison_key(label: EntityType, text: str, lex: Lexicon | None = None) -> str:
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
    lex = lex or default_lexicon()
    key = text.translate(QUOTES)
    suffix = lex.words("meeting_suffix")[0]  # 执委会会议 and 执委会议 are 执委会
    if label is EntityType.EVENT and key.endswith(suffix) and len(key) > 4:
        key = key[: -len(suffix)] if key[-3] == suffix[0] else key[:-1]
    if label is EntityType.ORG and not key.endswith(lex.words("term_keep_ends")):
        # 市五届人大常委会 is 市人大常委会: the term does not make another body
        key = lex.pattern("org_term").sub("", key)
    return key


def merge_variants(
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
