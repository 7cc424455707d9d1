"""Bytes -> the document text, and the same-length working text the rules read.

The *document text* is what every offset refers to: the bytes decoded once
(BOM, then strict UTF-8, then GB18030, then Big5), HTML reduced to its text,
and invisible characters (zero-width, BOM, soft hyphen, bidi marks, variation
selectors) removed. The *working text* has exactly the same length: spaces of
every width become " ", line and page separators become "\\n", emoji and other
symbols become " " (so a name stops there), full-width letters and digits
become ASCII and Traditional characters become Simplified, always one
character for one character. Names come from the working text; mentions keep
their offsets, so `document_text[start:end]` is the surface form.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser

from .errors import InputError

__all__ = [
    "HTML_SUFFIXES",
    "decode_bytes",
    "is_html",
    "html_to_text",
    "clean_text",
    "working_text",
    "to_simplified",
]

logger = logging.getLogger(__name__)

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Tried in order when there is no BOM and the bytes are not UTF-8. GB18030 is
# the superset of GBK and GB2312; Big5 (cp950 adds the Windows extensions).
_LEGACY = ("gb18030", "cp950")
# Below this share of CJK characters a legacy decoding is taken for mojibake.
_MIN_SCORE = 0.7


def decode_bytes(raw: bytes, *, name: str) -> str:
    """Decode a document's bytes: BOM, strict UTF-8, then GB18030 or Big5.

    Of the legacy encodings that decode the bytes, the one whose text looks
    most like Chinese wins (GB18030 on a tie): Big5 bytes also decode as
    GB18030, but into kana, Greek and private-use characters.

    Examples:
        >>> decode_bytes("中華全國總工會".encode("big5"), name="x")
        '中華全國總工會'

    Raises:
        InputError: no encoding fits, or the text holds NUL bytes (binary).
    """
    text = _decode(raw, name)
    if "\x00" in text:
        raise InputError(f"{name}: binary file (NUL bytes), not a text document")
    return text


def _decode(raw: bytes, name: str) -> str:
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name}: not valid {codec.upper()} (byte {exc.start})"
                ) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_error = exc.start
    best: tuple[float, str] | None = None
    for codec in _LEGACY:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _chinese_score(text)
        if best is None or score > best[0]:
            best = (score, text)
            logger.debug("%s: decoded as %s (score %.2f)", name, codec, score)
    if best is None or best[0] < _MIN_SCORE:
        raise InputError(
            f"{name}: not UTF-8 (byte {first_error}), UTF-16, GB18030 or Big5"
        )
    return best[1]


def _chinese_score(text: str) -> float:
    """Share of non-ASCII characters that are CJK ideographs or CJK punctuation.

    Spaces, controls, separators and emoji say nothing about the encoding and
    are not counted.
    """
    wide = [c for c in text if ord(c) > 0x7F and not _is_neutral(c)]
    if not wide:
        return 1.0
    return sum(1 for c in wide if _is_cjk_text(c)) / len(wide)


def _is_neutral(char: str) -> bool:
    return ord(char) >= 0x1F000 or unicodedata.category(char)[0] in "ZC"


def _is_cjk_text(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
        or 0x2010 <= code <= 0x2027
        or code in (0xB7, 0xA0)
    )


_HTML_START = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


def is_html(text: str, suffix: str = "") -> bool:
    """Tell whether a document is HTML, by its suffix or its first tag.

    Examples:
        >>> is_html("<!DOCTYPE html><p>工会</p>"), is_html("工会 <b>")
        (True, False)
    """
    return suffix.lower() in HTML_SUFFIXES or bool(_HTML_START.match(text[:4096]))


_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "svg"}
)
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th "
    "title tr ul".split()
)


class _TextParser(HTMLParser):
    """Collect the text of a page: no tags, no scripts or styles, blocks as lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping.append(tag)
        self.pre += tag == "pre"
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            # close up to the matching tag (pages often leave tags unclosed)
            while self.skipping and self.skipping.pop() != tag:
                pass
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data if self.pre else re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(markup: str) -> str:
    """Reduce HTML to its visible text: one line per block, scripts and styles gone.

    Examples:
        >>> html_to_text("<head><style>p{}</style><title>标题</title></head>"
        ...     "<body><p>全国&amp;总工会</p><script>x()</script></body>")
        '标题\\n\\n全国&总工会'
    """
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _is_invisible(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) == "Cf"
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or code == 0x034F
    )


def clean_text(text: str) -> str:
    """Remove invisible characters (zero-width, BOM, soft hyphen, bidi marks).

    Examples:
        >>> clean_text("中华\\ufeff全国\\u200b总工会\\u00ad")
        '中华全国总工会'
    """
    table = {ord(c): None for c in set(text) if _is_invisible(c)}
    return text.translate(table) if table else text


_LINE_BREAKS = frozenset("\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_KEPT_CONTROLS = frozenset("\t\n\r")
# Symbols that stand for digits or bullets inside Chinese text (二○一六年).
_KEPT_SYMBOLS = frozenset("○◯")


@lru_cache(maxsize=65536)
def _working_char(char: str) -> str:
    if char in _LINE_BREAKS:
        return "\n"
    category = unicodedata.category(char)
    if category == "Cc":
        return char if char in _KEPT_CONTROLS else " "
    if category == "Zs":
        return " "
    if category in ("So", "Sk", "Co", "Cs", "Me") and char not in _KEPT_SYMBOLS:
        return " " if ord(char) > 0x7F else char
    code = ord(char)
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return unicodedata.normalize("NFKC", char)
    return to_simplified(char)


def working_text(text: str) -> str:
    """Map `text` one character for one character to the text the rules read.

    A line holding Traditional-only characters is also converted by OpenCC's
    phrase tables (關於 -> 关于, where 於 alone is kept: it is Simplified
    too), when that keeps the line's length.

    Examples:
        >>> working_text("中華全國總工會\u3000ＡＢ１\u2028🎉会")
        '中华全国总工会 AB1\\n 会'
        >>> working_text("關於乾隆")
        '关于乾隆'
    """
    table = {}
    traditional = set()
    for char in set(text):
        mapped = _working_char(char)
        if mapped != char:
            table[ord(char)] = mapped
            if mapped == to_simplified(char):
                traditional.add(char)
    result = text.translate(table) if table else text
    if traditional:
        result = _convert_phrases(text, result, traditional)
    if len(result) != len(text):  # pragma: no cover - guarded above
        raise AssertionError("working text must keep the length of the text")
    return result


def _convert_phrases(text: str, mapped: str, traditional: set[str]) -> str:
    converter = _converter()
    if converter is None:
        return mapped
    lines = mapped.split("\n")
    start = 0
    for number, line in enumerate(lines):
        original = text[start : start + len(line)]
        start += len(line) + 1
        if traditional.isdisjoint(original):
            continue
        converted = converter.convert(original)  # type: ignore[attr-defined]
        if len(converted) == len(line):
            # the one-character mapping still decides spaces, symbols and widths
            triples = zip(original, line, converted, strict=True)
            lines[number] = "".join(m if m != o else c for o, m, c in triples)
    return "\n".join(lines)


@lru_cache(maxsize=1)
def _converter() -> object | None:
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a runtime dependency
        logger.warning("opencc is not installed; Traditional text is read as is")
        return None
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def to_simplified(char: str) -> str:
    """Convert one Traditional-only character to its Simplified form.

    A character of GB2312 (the Simplified standard set) is kept even when
    OpenCC would change it (乾 stays 乾), and so is one whose conversion is not
    exactly one character.

    Examples:
        >>> to_simplified("國"), to_simplified("乾"), to_simplified("a")
        ('国', '乾', 'a')
    """
    if not 0x3400 <= ord(char) <= 0x9FFF and not 0xF900 <= ord(char) <= 0xFAFF:
        return char
    try:
        char.encode("gb2312")
        return char
    except UnicodeEncodeError:
        pass
    converter = _converter()
    if converter is None:
        return char
    converted = converter.convert(char)  # type: ignore[attr-defined]
    return converted if len(converted) == 1 else char
