"""Builds that lose nothing, and input that is read right (issue 12).

Each bad input of the issue is one row; then a kill test (SIGKILL a build at
several moments: OUT is always the complete old set or the complete new one)
and a property test over random documents.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal
from typer.testing import CliRunner

from graph.cli import app
from graph.errors import InputError
from graph.io import read_text
from graph.model import EntityType

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "data" / "corpus"
DOC = CORPUS / "003_5190ecaf4caf65d3.txt"
KG = [sys.executable, "-m", "graph"]
runner = CliRunner()


def _build(inputs: list[Path], out: Path, *extra: str):
    args = ["build", *map(str, inputs), "--out", str(out), "--no-ner", *extra]
    return runner.invoke(app, args)


def _fingerprint(out: Path) -> dict[str, str]:
    """Hash every file of an output set; the store by its sorted content."""
    prints = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if rel == "store" or not path.is_file() or rel.startswith("store/"):
            continue
        prints[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    if (out / "store").is_dir():
        store = pyoxigraph.Store.read_only(str(out / "store"))
        lines = sorted(str(q.triple) for q in store.quads_for_pattern(None, None, None))
        prints["store/"] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return prints


@pytest.fixture(scope="module")
def old_out(tmp_path_factory) -> Path:
    """A complete build of the sample corpus, copied by each test that needs it."""
    out = tmp_path_factory.mktemp("old") / "OUT"
    assert _build([CORPUS], out).exit_code == 0
    return out


def _copy(old: Path, tmp_path: Path) -> Path:
    out = tmp_path / "OUT"
    shutil.copytree(old, out)
    return out


# -- item 3: nothing to read replaces nothing ---------------------------------


def _undecodable(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"\x80\xff\xfe\xff" * 8)
    (folder / "b.txt").write_bytes(b"")
    return folder


NOTHING = {
    "missing folder": lambda tmp: tmp / "no" / "such" / "folder",
    "empty folder": lambda tmp: (tmp / "empty").mkdir() or tmp / "empty",
    "undecodable files": lambda tmp: _undecodable(tmp / "bad"),
}


@pytest.mark.parametrize("case", sorted(NOTHING))
def test_nothing_to_read_leaves_the_old_outputs(case, old_out, tmp_path):
    out = _copy(old_out, tmp_path)
    before = _fingerprint(out)
    result = _build([NOTHING[case](tmp_path)], out)
    assert result.exit_code == 1
    assert "error: no readable document" in result.output
    assert "Traceback" not in result.output
    assert _fingerprint(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("command", ["build", "extract"])
def test_out_that_is_a_file_or_unwritable_is_one_line(command, tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    for out in (a_file, Path("/proc/kg-cannot-write-here")):
        args = [command, str(DOC), "--out", str(out), "--no-ner"]
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        errors = [line for line in result.output.splitlines() if "error" in line]
        assert len(errors) == 1 and str(out) in errors[0], result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert a_file.read_text(encoding="utf-8") == "x"


def test_out_holding_a_foreign_folder_is_refused(tmp_path):
    out = tmp_path / "OUT"
    (out / "mine").mkdir(parents=True)
    result = _build([DOC], out)
    assert result.exit_code == 1
    assert "holds the folder mine/" in result.output
    assert [p.name for p in out.iterdir()] == ["mine"]


# -- item 4: a long document is read in chunks ----------------------------------


def test_two_million_characters_are_read_in_chunks(tmp_path):
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    base = "\n\n".join(texts)
    big = (base * (2_000_000 // len(base) + 1))[:2_000_000]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "big.txt").write_text(big, encoding="utf-8")
    shutil.copy(DOC, docs)
    out = tmp_path / "out"
    # VmHWM is the peak of this process's own memory (ru_maxrss would count
    # the parent's too: Linux carries it across fork and exec)
    script = (
        "import re, sys\n"
        "from graph.cli import app\n"
        "try:\n"
        "    app(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    status = open('/proc/self/status').read()\n"
        "    kb = int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n"
        "    print(f'peak {kb // 1024}', file=sys.stderr)\n"
        "    raise\n"
    )
    args = ["extract", str(docs), "--out", str(out), "--no-ner"]
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    peak_mb = int(done.stderr.rsplit("peak ", 1)[1].split()[0])
    assert peak_mb < 600, f"peak memory {peak_mb} MB"  # 2M chars in one Doc: GBs
    data = json.loads((out / "big.txt.json").read_text(encoding="utf-8"))
    mentions = [m for e in data["entities"] for m in e["mentions"]]
    assert max(m["end"] for m in mentions) > 1_900_000  # the last chunk counts
    assert all(big[m["start"] : m["end"]] == m["text"] for m in mentions)
    assert all(big[r["start"] : r["end"]].strip() for r in data["relations"])
    assert (out / f"{DOC.name}.json").is_file()


# -- item 5: literals with line and page separators -----------------------------

SEPARATORS = ["\u2028", "\u2029", "\x85", "\v", "\f", "\x1c", "\x1d", "\x1e"]


@pytest.mark.parametrize("sep", SEPARATORS, ids=[f"U+{ord(s):04X}" for s in SEPARATORS])
def test_separators_inside_literals_keep_graph_files_valid(sep):
    from graph.model import DocResult, Entity, Predicate, Relation
    from graph.rdf.build import build_graph, serialize

    evidence = f"全国总工会副主席{sep}巨晓林出席。"
    result = DocResult(
        doc=f"sep{sep}.txt",
        entities=(
            Entity(EntityType.PERSON, f"巨{sep}晓林"),
            Entity(EntityType.ORG, "中华全国总工会"),
        ),
        relations=(
            Relation(
                f"巨{sep}晓林",
                Predicate.HOLDS_POSITION,
                "中华全国总工会",
                role="副主席",
                evidence=evidence,
                start=0,
                end=len(evidence),
            ),
        ),
    )
    graph = build_graph([result])
    nt, ttl = serialize(graph, "nt"), serialize(graph, "turtle")
    assert sep not in nt and len(nt.splitlines()) == len(graph)
    for data, fmt in ((nt, "nt"), (ttl, "turtle")):
        again = Graph().parse(data=data, format=fmt)
        assert len(again) == len(graph)
        assert evidence in {str(o) for o in again.objects()}
        quads = pyoxigraph.parse(
            data.encode("utf-8"),
            pyoxigraph.RdfFormat.N_TRIPLES
            if fmt == "nt"
            else pyoxigraph.RdfFormat.TURTLE,
        )
        assert evidence in {q.object.value for q in quads}


@pytest.mark.parametrize("sep", SEPARATORS, ids=[f"U+{ord(s):04X}" for s in SEPARATORS])
def test_separators_in_a_document_build_a_valid_graph(sep, tmp_path):
    doc = tmp_path / "sep.txt"
    doc.write_text(
        f"全国总工会党组书记、副主席李玉赋{sep}出席会议并讲话。{sep}中华全国总工会印发"
        f"《关于加强{sep}职工服务的意见》。",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert _build([doc], out).exit_code == 0
    nt = (out / "graph.nt").read_text(encoding="utf-8")
    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    first, second = Graph().parse(data=nt, format="nt"), Graph().parse(data=ttl)
    assert len(first) == len(second) == len(nt.splitlines()) > 10
    for data, fmt in ((nt, "N_TRIPLES"), (ttl, "TURTLE")):
        quads = pyoxigraph.parse(
            data.encode("utf-8"), getattr(pyoxigraph.RdfFormat, fmt)
        )
        assert len(list(quads)) == len(first)


# -- item 6: same file name in two folders ---------------------------------------


def test_same_name_in_two_folders_is_two_documents(tmp_path):
    for folder, text in (
        ("a", "国务院印发《甲方案》。"),
        ("b", "国务院印发《乙方案》。"),
    ):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["extract", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out)]
    )
    assert result.exit_code == 0 and "wrote 2 JSON files" in result.output
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert files == ["a/x.txt.json", "b/x.txt.json"]
    docs = {json.loads(p.read_text("utf-8"))["doc"] for p in out.rglob("*.json")}
    assert docs == {"a/x.txt", "b/x.txt"}
    built = tmp_path / "built"
    assert _build([tmp_path], built).exit_code == 0
    graph = Graph().parse(built / "graph.nt")
    names = {str(o) for o in graph.objects() if isinstance(o, Literal) and "x.txt" in o}
    assert names == {"a/x.txt", "b/x.txt"}


# -- item 7: the set is replaced as a whole, stale files go ----------------------


def test_rebuild_removes_stale_files_and_keeps_foreign_ones(old_out, tmp_path):
    out = _copy(old_out, tmp_path)
    (out / "json" / "gone.txt.json").write_text("{}", encoding="utf-8")
    (out / ".store.new-abc").mkdir()
    (out / ".gitkeep").write_text("", encoding="utf-8")
    result = _build([DOC], out, "--no-store")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        ".gitkeep",
        "docs.spacy",
        "graph.html",
        "graph.jsonld",
        "graph.nt",
        "graph.ttl",
        "json",
        "kb",
        "merges.tsv",
        "nif.ttl",
        "summary.json",
    ]
    assert [p.name for p in (out / "json").iterdir()] == [f"{DOC.name}.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["OUT"]  # no staging left


def _kill_build(inputs: list[Path], out: Path, delay: float) -> int | None:
    args = [*KG, "build", *map(str, inputs), "--out", str(out), "--no-ner"]
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=PROJECT
    )
    try:
        return proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        return None


def test_sigkill_leaves_the_old_set_or_the_new_set(old_out, tmp_path):
    new_inputs = [CORPUS / "000_80d6cb6674d9bde7.txt", DOC]
    reference = tmp_path / "new"
    started = time.monotonic()
    assert _kill_build(new_inputs, reference, 120) == 0
    duration = time.monotonic() - started
    old, new = _fingerprint(old_out), _fingerprint(reference)
    assert old != new
    seen = set()
    for share in (0.3, 0.5, 0.65, 0.75, 0.82, 0.88, 0.93, 0.97, 1.02):
        out = tmp_path / "run" / "OUT"
        shutil.rmtree(out.parent, ignore_errors=True)
        out.parent.mkdir()
        shutil.copytree(old_out, out)
        _kill_build(new_inputs, out, duration * share)
        state = _fingerprint(out)
        assert state in (old, new), f"mix after a kill at {share:.0%} of the build"
        seen.add("old" if state == old else "new")
    assert "old" in seen  # early kills must not touch OUT
    # the next build clears what killed builds left beside OUT
    assert _kill_build(new_inputs, out, 120) == 0
    assert _fingerprint(out) == new
    assert [p.name for p in out.parent.iterdir()] == ["OUT"]


# -- item 9: permissions follow the umask ---------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_outputs_follow_the_umask(umask, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    os.chmod(out, 0o700)
    args = [*KG, "build", str(DOC), "--out", str(out), "--no-ner"]
    done = subprocess.run(
        args, capture_output=True, timeout=120, umask=umask, cwd=PROJECT, check=False
    )
    assert done.returncode == 0, done.stderr
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            assert mode == 0o777 & ~umask, path
        elif path.parent.name != "store":  # RocksDB chooses its own file modes
            assert mode == 0o666 & ~umask, path
        assert mode & 0o044 == 0o044, path  # readable by the group and others


# -- item 10: every skipped path gets one line -----------------------------------


def test_odd_paths_are_named_and_the_rest_is_built(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(DOC, docs)
    (docs / "loop").symlink_to(docs / "loop")
    (docs / "dangling.txt").symlink_to(docs / "gone.txt")
    (docs / "back").symlink_to(docs)
    os.mkfifo(docs / "pipe.txt")
    out = tmp_path / "out"
    result = _build([docs], out)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "warning" in line]
    for name in ("loop", "dangling.txt", "back", "pipe.txt"):
        assert sum(f"/{name}:" in line for line in warnings) == 1, (name, warnings)
    assert len(warnings) == 4


# -- item 11: text normalisation and encodings -----------------------------------


def _entities(tmp_path: Path, text: str | bytes, name: str = "doc.txt") -> dict:
    doc = tmp_path / name
    if isinstance(text, bytes):
        doc.write_bytes(text)
    else:
        doc.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(doc), "--out", str(out), "--no-ner"])
    assert result.exit_code == 0, result.output
    data = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    document = read_text(doc)
    for entity in data["entities"]:
        for m in entity["mentions"]:
            assert document[m["start"] : m["end"]] == m["text"]
    return {(e["type"], e["name"]): e for e in data["entities"]}


SENTENCE = "中华全国总工会党组书记、副主席李玉赋出席会议。全总副主席巨晓林讲话。"
NORMALISED = {
    "BOM inside a name": SENTENCE.replace("中华全国", "中华\ufeff全国"),
    "zero-width space": SENTENCE.replace("巨晓林", "巨\u200b晓林"),
    "zero-width joiner": SENTENCE.replace("李玉赋", "李\u200d玉赋"),
    "soft hyphen": SENTENCE.replace("总工会", "总\u00ad工会"),
    "Traditional": "中華全國總工會黨組書記、副主席李玉賦出席會議。"
    "全總副主席巨曉林講話。",
}


@pytest.mark.parametrize("case", sorted(NORMALISED))
def test_invisible_characters_and_traditional_script(case, tmp_path):
    entities = _entities(tmp_path, NORMALISED[case])
    orgs = {name for kind, name in entities if kind == "ORG"}
    assert orgs == {"中华全国总工会"}
    people = {name for kind, name in entities if kind == "PERSON"}
    assert {"李玉赋", "巨晓林"} <= people
    assert "全总" in entities[("ORG", "中华全国总工会")]["aliases"]


@pytest.mark.parametrize(
    "codec", ["utf-16", "utf-16-be", "gbk", "gb18030", "big5", "utf-8-sig"]
)
def test_chinese_encodings_give_the_same_entities(codec, tmp_path):
    text = NORMALISED["Traditional"] if codec == "big5" else SENTENCE
    raw = text.encode(codec)
    if codec == "utf-16-be":
        raw = b"\xfe\xff" + raw
    entities = _entities(tmp_path, raw)
    assert ("ORG", "中华全国总工会") in entities
    assert ("PERSON", "巨晓林") in entities


def test_spaces_and_emoji_end_names(tmp_path):
    text = (
        "今天🎉全国劳动模范表彰大会在北京召开。全总召开👍十六届四次执委会会议。"
        "全国\u3000总工会副主席巨晓林\u00a0出席。"
    )
    entities = _entities(tmp_path, text)
    names = [name for _, name in entities]
    assert all("🎉" not in n and "👍" not in n and " " not in n for n in names), names
    events = {name for kind, name in entities if kind == "EVENT"}
    assert {"全国劳动模范表彰大会", "十六届四次执委会会议"} <= events
    assert ("PERSON", "巨晓林") in entities


def test_html_gives_text_not_tags(tmp_path):
    page = (
        "<!DOCTYPE html><html><head><title>新闻</title>"
        "<style>h1 { color: red }</style><script>var s = '<h1>全国总工会</h1>';"
        "</script></head><body><h1>全国总工会召开十六届四次执委会会议</h1>"
        "<p>全国总工会副主席巨晓林出席&amp;讲话。</p></body></html>"
    )
    for name in ("page.html", "page.txt"):
        entities = _entities(tmp_path, page, name)
        names = [n for _, n in entities]
        assert names and all("<" not in n and ">" not in n for n in names), names
        assert not any("color" in n or "var" in n for n in names)
        assert ("PERSON", "巨晓林") in entities


# -- property: random documents never crash, offsets exact, output valid ----------

FRAGMENTS = [
    "中华全国总工会",
    "全总",
    "副主席",
    "巨晓林",
    "出席会议并讲话。",
    "印发《关于加强职工服务的意见》",
    "2016年4月12日",
    "在北京召开",
    "中華全國總工會",
    "\n\n",
    "。",
    "、",
]
ODD = "\u2028\u2029\x85\v\f\x1c\x1d\x1e\u00a0\u3000\u200b\ufeff\u00ad🎉<>&\"'\\ＡＢ１"
CHARS = st.sampled_from(list(ODD) + list("全国工会主席李王张省市委员会议召开的和在"))
DOCUMENTS = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(CHARS, min_size=1, max_size=8)),
    min_size=1,
    max_size=30,
).map("".join)


@lru_cache(maxsize=1)
def _rules_nlp():
    from graph.extract.nlp import make_nlp
    from graph.settings import Settings

    return make_nlp(Settings(use_ner=False))


@lru_cache(maxsize=1)
def _shapes() -> Path:
    from graph.settings import Settings

    return Settings().shapes


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=DOCUMENTS, codec=st.sampled_from(["utf-8", "utf-16", "gb18030"]))
def test_random_documents(document, codec, tmp_path):
    from graph.merge import merge_documents
    from graph.pipeline import extract_text
    from graph.rdf.build import build_graph, serialize
    from graph.rdf.shapes import validate_graph

    path = tmp_path / "random.txt"
    path.write_bytes(document.encode(codec))
    try:
        text = read_text(path)
    except InputError as exc:  # only an empty document may be refused
        assert "empty document" in str(exc)
        return
    result = extract_text(_rules_nlp(), text, "random.txt", chunk_chars=40)
    for entity in result.entities:
        assert isinstance(entity.type, EntityType)
        for m in entity.mentions:
            assert text[m.start : m.end] == m.text
    graph = build_graph(merge_documents([result]))
    nt, ttl = serialize(graph, "nt"), serialize(graph, "turtle")
    assert len(Graph().parse(data=nt, format="nt")) == len(graph)
    assert len(Graph().parse(data=ttl, format="turtle")) == len(graph)
    for data, fmt in ((nt, "N_TRIPLES"), (ttl, "TURTLE")):
        parsed = pyoxigraph.parse(
            data.encode("utf-8"), getattr(pyoxigraph.RdfFormat, fmt)
        )
        assert len(list(parsed)) == len(graph)
    conforms, report = validate_graph(graph, _shapes())
    assert conforms, report
