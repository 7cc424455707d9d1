"""Reading documents and data files: clear errors, nothing half written."""

from __future__ import annotations

import json

import pytest

from graph.errors import InputError, OntologyError, ResourceError
from graph.io import (
    find_documents,
    read_jsonl,
    read_queries,
    read_results,
    read_text,
    write_atomic,
)
from graph.settings import Settings


def test_invalid_utf8_names_the_file(tmp_path):
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("全国总工会".encode("gbk"))
    with pytest.raises(InputError, match="gbk.txt: not valid UTF-8"):
        read_text(bad)


def test_empty_document_is_refused(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError, match="empty document"):
        read_text(empty)


def test_mixed_folder_reports_non_text_files(tmp_path):
    (tmp_path / "a.txt").write_text("国务院", encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(b"%PDF")
    docs, problems = find_documents([tmp_path, tmp_path / "missing.txt"])
    assert [d.name for d in docs] == ["a.txt"]
    assert any("b.pdf" in p for p in problems)
    assert any("missing.txt" in p for p in problems)


def test_write_atomic_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "out" / "x.json"
    write_atomic(target, "{}\n")
    write_atomic(target, "[]\n")
    assert target.read_text(encoding="utf-8") == "[]\n"
    assert [p.name for p in target.parent.iterdir()] == ["x.json"]


def test_bad_data_file_line_is_named(tmp_path):
    path = tmp_path / "entities.jsonl"
    path.write_text(
        '{"label": "ORG", "pattern": "全总", "id": "x"}\n{"label": "ORG"}\n',
        encoding="utf-8",
    )
    with pytest.raises(ResourceError, match="entities.jsonl:2: missing 'pattern'"):
        list(read_jsonl(path, ("label", "pattern", "id")))


def test_gold_files_read_as_results():
    gold = Settings().corpus.parent / "gold"
    results = read_results([gold])
    assert len(results) == 5
    raw = json.loads(sorted(gold.glob("*.json"))[0].read_text(encoding="utf-8"))
    assert results[0].doc == raw["doc"]


LIST_FILES = sorted(
    p.name for p in Settings().resources.iterdir() if p.suffix in (".txt", ".jsonl")
)


@pytest.mark.parametrize("name", LIST_FILES)
def test_data_files_are_sorted_and_unique(name):
    path = Settings().resources / name
    if path.suffix == ".txt":
        items = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")
        ]
    elif path.suffix == ".jsonl":
        items = [
            json.dumps(json.loads(line), sort_keys=True, ensure_ascii=False)
            for line in path.read_text(encoding="utf-8").splitlines()
            if line
        ]
    else:
        items = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    assert items == sorted(set(items)), f"{name} is not sorted and free of duplicates"


def test_read_queries_sorted_and_checked(tmp_path):
    (tmp_path / "b.rq").write_text("# b\nASK {}", encoding="utf-8")
    (tmp_path / "a.rq").write_text("# a\nASK {}", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a query", encoding="utf-8")
    queries = read_queries(tmp_path)
    assert list(queries) == ["a", "b"] and queries["a"] == "# a\nASK {}"
    (tmp_path / "c.rq").write_bytes("# 全总".encode("gbk"))
    with pytest.raises(OntologyError, match="c.rq: cannot read query file"):
        read_queries(tmp_path)
    with pytest.raises(OntologyError, match="no such query folder"):
        read_queries(tmp_path / "missing")
