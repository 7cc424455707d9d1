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


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("中华全国总工会召开会议。", "gbk"),
        ("中华全国总工会召开会议。𠀀", "gb18030"),
        ("中華全國總工會召開會議。", "big5"),
        ("中华全国总工会召开会议。", "utf-16"),
        ("中华全国总工会召开会议。", "utf-8-sig"),
    ],
)
def test_chinese_encodings_are_decoded(tmp_path, text, codec):
    path = tmp_path / f"{codec}.txt"
    path.write_bytes(text.encode(codec))
    assert read_text(path) == text


def test_undecodable_bytes_name_the_file(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x80\xff\xfe\xff" * 4)
    with pytest.raises(InputError, match="bad.txt: not UTF-8"):
        read_text(bad)
    binary = tmp_path / "zeros.txt"
    binary.write_bytes(b"abc\x00\x00def")
    with pytest.raises(InputError, match="zeros.txt: binary file"):
        read_text(binary)


def test_html_is_reduced_to_its_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>全总新闻</title><style>h1{color:red}"
        "</style><script>var x = '<h1>假</h1>';</script></head><body><h1>全总召开会议"
        "</h1><p>巨晓林&nbsp;出席。</p><!-- 注释 --></body></html>",
        encoding="utf-8",
    )
    text = read_text(page)
    assert text == "全总新闻\n\n全总召开会议\n\n巨晓林\xa0出席。"
    assert "<" not in text and "color" not in text and "假" not in text


def test_invisible_characters_are_removed(tmp_path):
    path = tmp_path / "zw.txt"
    path.write_text("\ufeff中华\ufeff全国\u200b总工会\u00ad\u200d。", encoding="utf-8")
    assert read_text(path) == "中华全国总工会。"


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
    assert docs[0].path == tmp_path / "a.txt"
    assert any("b.pdf" in p for p in problems)
    assert any("missing.txt" in p for p in problems)


def test_same_file_name_in_two_folders_gives_two_documents(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text(folder, encoding="utf-8")
    (tmp_path / "x.txt").write_text("top", encoding="utf-8")
    docs, problems = find_documents([tmp_path])
    assert [d.name for d in docs] == ["a/x.txt", "b/x.txt", "x.txt"] and not problems
    docs, _ = find_documents([tmp_path / "a", tmp_path / "b", tmp_path / "a"])
    assert [d.name for d in docs] == ["a/x.txt", "b/x.txt"]
    docs, _ = find_documents([tmp_path / "a" / "x.txt", tmp_path / "b" / "x.txt"])
    assert [d.name for d in docs] == ["a/x.txt", "b/x.txt"]


def test_odd_paths_get_one_line_each(tmp_path):
    import os

    (tmp_path / "good.txt").write_text("国务院", encoding="utf-8")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    docs, problems = find_documents([tmp_path, tmp_path / "pipe.txt"])
    assert [d.name for d in docs] == ["good.txt"]
    expected = {
        "dangling.txt": "dangling symbolic link",
        "loop": "symbolic link loop",
        "up": "symbolic link loop",
        "pipe.txt": "not a regular file (FIFO)",
        ".hidden.txt": "hidden",
    }
    for name, reason in expected.items():
        assert sum(name in p and reason in p for p in problems) >= 1, (name, problems)
    assert len(problems) == 6  # the FIFO twice: found in the folder and named
    with pytest.raises(InputError, match="not a regular file"):
        read_text(tmp_path / "pipe.txt")


def test_write_atomic_follows_the_umask(tmp_path):
    import os
    import stat

    from graph.io import file_mode

    target = tmp_path / "x.txt"
    write_atomic(target, "x")
    assert stat.S_IMODE(target.stat().st_mode) == file_mode()
    old = os.umask(0o022)
    os.umask(old)
    assert file_mode() == 0o666 & ~old


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
