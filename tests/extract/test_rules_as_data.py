"""Rules are data: no Chinese words in code; every list or pattern it names exists."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from graph.extract.lexicon import load_lexicon
from graph.settings import Settings

PACKAGE = Path(__file__).resolve().parents[2] / "graph"
SOURCES = sorted(PACKAGE.rglob("*.py"))
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# Numerals may stand in code (NUMBER-like classes, 十三五): they are not words.
ALLOWED = set("〇一二三四五六七八九十百千万")


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr):
                value = body[0].value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    lines.update(range(value.lineno, value.end_lineno + 1))
    return lines


def _chinese_literals(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    docs = _docstring_lines(ast.parse(source))
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.STRING or token.start[0] in docs:
            continue
        words = {c for c in CJK.findall(token.string) if c not in ALLOWED}
        if words:
            found.append(f"{path.name}:{token.start[0]}: {token.string[:40]}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_chinese_words_in_code(path):
    assert _chinese_literals(path) == []


def test_the_check_sees_a_chinese_literal(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""文档。"""\nX = "三"\nWORDS = ("召开", "举行")\n', encoding="utf-8"
    )
    assert [line.split(":")[1] for line in _chinese_literals(sample)] == ["3", "3"]


# lex.words("x"), lex.chars("x"), lex.pattern("x"), lex.patterns["x"] in the code
_USES = re.compile(
    r"""lex\.(words|chars|pattern)\(\s*["']([a-z_]+)["']|lex\.patterns\[["']([a-z_]+)["']\]"""
)


def _uses() -> set[tuple[str, str]]:
    found = set()
    for path in SOURCES:
        for kind, name, raw in _USES.findall(path.read_text(encoding="utf-8")):
            found.add(("pattern" if raw else kind, name or raw))
    return found


def test_every_list_and_pattern_the_code_names_exists():
    lex = load_lexicon(Settings().resources)
    uses = _uses()
    assert len(uses) > 40  # the scan finds the rules' data
    for kind, name in sorted(uses):
        if kind == "pattern":
            assert name in lex.patterns, f"patterns.txt has no {name}"
        else:
            assert name in lex.lists, f"graph/resources/{name}.txt is missing"


def test_every_pattern_compiles():
    lex = load_lexicon(Settings().resources)
    for name in lex.patterns:
        assert lex.pattern(name).pattern == lex.patterns[name]
