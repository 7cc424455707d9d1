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


def test_extract_with_two_workers_writes_the_same_json_in_input_order(tmp_path):
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        args = ["extract", str(CORPUS), "--out", str(out), "--no-ner"]
        result = runner.invoke(app, [*args, "--workers", workers])
        assert result.exit_code == 0, result.output
        names = [line.split(":")[0] for line in result.output.splitlines()]
        docs = [n for n in names if n.endswith(".txt")]
        assert docs == sorted(p.name for p in CORPUS.glob("*.txt"))
        outs.append({p.name: p.read_bytes() for p in out.glob("*.json")})
    assert outs[0] == outs[1] and len(outs[0]) == 5


def test_build_shows_progress_per_stage_when_piped(tmp_path):
    args = ["build", str(CORPUS), "--out", str(tmp_path / "o"), "--no-ner"]
    result = runner.invoke(app, [*args, "--no-cache", "--no-store"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for stage in ("extracting", "building the graph", "writing the HTML view"):
        assert any(line.startswith(f"{stage}: done in ") for line in lines), stage
    assert "extracting: 5 documents ..." in lines
    assert not (tmp_path / "o" / "graph.nq").exists()  # quads go with the store


def test_build_reuses_the_cache_on_a_second_run(tmp_path):
    args = ["build", str(CORPUS), "--out", str(tmp_path / "o"), "--no-ner"]
    args += ["--cache", str(tmp_path / "cache"), "--no-store"]
    first = runner.invoke(app, args)
    second = runner.invoke(app, args)
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert "extracted 5, reused 0 from the cache" in first.output
    assert "extracted 0, reused 5 from the cache" in second.output


def test_build_validate_checks_the_graph_with_shacl(tmp_path):
    args = ["build", str(CORPUS), "--out", str(tmp_path / "o"), "--no-ner"]
    result = runner.invoke(app, [*args, "--no-cache", "--no-store", "--validate"])
    assert result.exit_code == 0, result.output
    assert "SHACL: the graph conforms to shapes.ttl" in result.output
    assert "validating with SHACL: done in" in result.output
