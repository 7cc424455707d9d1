"""The kg command line: extract, build, eval, and bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli import app

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "data" / "corpus"
GOLD = PROJECT / "data" / "gold"
runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built")
    result = runner.invoke(app, ["build", str(CORPUS), "--out", str(out), "--no-ner"])
    assert result.exit_code == 0, result.output
    return out


def test_build_writes_every_output(built):
    for name in ("graph.ttl", "graph.nt", "graph.html", "summary.json"):
        assert (built / name).stat().st_size > 0
    assert (built / "store").is_dir()
    assert len(list((built / "json").glob("*.json"))) == 5


def test_build_json_is_in_the_gold_format(built):
    data = json.loads(
        (built / "json" / "003_5190ecaf4caf65d3.txt.json").read_text("utf-8")
    )
    assert data["doc"] == "003_5190ecaf4caf65d3.txt"
    assert {"type", "name", "aliases"} <= set(data["entities"][0])
    assert {"subject", "predicate", "object", "evidence"} <= set(data["relations"][0])


def test_query_answers_posts_of_a_person(built):
    result = runner.invoke(
        app,
        [
            "query",
            str(built / "graph.ttl"),
            "--name",
            "posts-of",
            "巨晓林",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["results"]["bindings"]
    posts = {(r["role"]["value"], r["organization"]["value"]) for r in rows}
    assert ("兼职副主席", "中华全国总工会") in posts


def test_extract_bad_files_are_named_and_others_still_written(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(CORPUS / "003_5190ecaf4caf65d3.txt", docs)
    (docs / "bad.txt").write_bytes("工会".encode("gb18030") + b"\xff\xfe")
    (docs / "empty.txt").write_text("", encoding="utf-8")
    (docs / "notes.pdf").write_bytes(b"%PDF")
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(docs), "--out", str(out), "--no-ner"])
    assert result.exit_code == 0
    assert "bad.txt: not UTF-8" in result.output
    assert "empty.txt: empty document" in result.output
    assert "notes.pdf: skipped" in result.output
    assert [p.name for p in out.iterdir()] == ["003_5190ecaf4caf65d3.txt.json"]


def test_extract_nothing_readable_exits_1(tmp_path):
    result = runner.invoke(
        app, ["extract", str(tmp_path / "missing"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


def test_eval_prints_rows_per_type_and_predicate(tmp_path):
    result = runner.invoke(app, ["eval", "--gold", str(GOLD), "--pred", str(GOLD)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.split()[:2] == ["entity", "PERSON"] for line in lines)
    assert any(line.split()[:2] == ["relation", "holds_position"] for line in lines)
    all_rows = [line for line in lines if line.split()[1:2] == ["ALL"]]
    assert [row.split()[4] for row in all_rows] == ["1.000", "1.000"]


def test_view_out_that_cannot_be_written_is_one_line(built, tmp_path):
    for out in (tmp_path, Path("/proc/kg-no/page.html")):
        result = runner.invoke(app, ["view", str(built), "--out", str(out)])
        assert result.exit_code == 1
        assert result.output.count("error:") == 1 and str(out) in result.output


def test_build_names_documents_by_their_path_under_the_input(tmp_path):
    docs = tmp_path / "docs"
    (docs / "a").mkdir(parents=True)
    shutil.copy(CORPUS / "003_5190ecaf4caf65d3.txt", docs / "a" / "news.txt")
    shutil.copy(CORPUS / "004_44905d992f41ca12.txt", docs)
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(docs), "--out", str(out), "--no-ner"])
    assert result.exit_code == 0, result.output
    assert "a/news.txt: " in result.output
    folder = out / "json"
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.json"))
    assert files == ["004_44905d992f41ca12.txt.json", "a/news.txt.json"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["documents"] == ["004_44905d992f41ca12.txt", "a/news.txt"]
