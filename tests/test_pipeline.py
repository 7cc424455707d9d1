"""The build engine: workers, Dask, streaming, named graphs, incremental builds."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path

import pyoxigraph
import pytest

from graph.cache import pipeline_version
from graph.errors import InputError, KGError, OntologyError
from graph.merge import merge_documents
from graph.model import DocResult
from graph.parallel import Task, choose_workers, map_ordered, run_beside
from graph.pipeline import build_outputs, extract_paths
from graph.progress import make_progress
from graph.rdf.build import build_graph, document_iri, serialize
from graph.settings import Settings
from graph.sparql.store import execute, open_store

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "data" / "corpus"
RULES = Settings(use_ner=False, use_cache=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The sample articles, plus their paragraphs as documents of their own."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in sorted(CORPUS.glob("*.txt")):
        shutil.copy(path, folder)
    text = (CORPUS / "003_5190ecaf4caf65d3.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n") if len(p.strip()) > 40][:4]
    for number, paragraph in enumerate(paragraphs):
        (folder / f"para_{number}.txt").write_text(paragraph, encoding="utf-8")
    return folder


def _fingerprint(out: Path) -> dict[str, str]:
    """Hash every output file; the store by its sorted quads.

    graph.html is left out: its community colours come from networkx's
    Louvain, whose result changes with Python's hash seed from one process
    to the next (graph/view/network.py), whatever the build engine does.
    """
    prints = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and rel != "graph.html" and not rel.startswith("store/"):
            prints[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    store = pyoxigraph.Store.read_only(str(out / "store"))
    quads = sorted(store.dump(format=pyoxigraph.RdfFormat.N_QUADS).split(b"\n"))
    prints["store/"] = hashlib.sha256(b"\n".join(quads)).hexdigest()
    return prints


def _build(corpus: Path, out: Path, **changes) -> object:
    settings = replace(RULES, out=out, **changes)
    return build_outputs([corpus], settings)


@pytest.fixture(scope="module")
def one_worker(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("one") / "out"
    report = _build(corpus, out, workers=1)
    assert report.workers == 1 and report.extracted == 9
    return out


def test_two_workers_write_the_same_bytes_as_one(corpus, one_worker, tmp_path):
    report = _build(corpus, tmp_path / "out", workers=2)
    assert report.workers == 2
    assert _fingerprint(tmp_path / "out") == _fingerprint(one_worker)


def test_a_dask_cluster_writes_the_same_bytes_as_one_worker(
    corpus, one_worker, tmp_path
):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        report = _build(corpus, tmp_path / "out", scheduler=cluster.scheduler_address)
    assert report.workers == 2
    assert _fingerprint(tmp_path / "out") == _fingerprint(one_worker)


def test_the_streamed_graph_is_the_merged_graph_of_all_results(corpus, one_worker):
    from graph.export import read_texts
    from graph.merge import identify_documents

    results, _ = extract_paths([corpus], RULES)
    identified, _ = identify_documents(results, read_texts([corpus], results))
    expected = serialize(build_graph(merge_documents(identified)), "nt")
    assert (one_worker / "graph.nt").read_text(encoding="utf-8") == expected


def test_each_document_says_its_facts_in_its_own_named_graph(one_worker):
    from graph.io import read_results

    saying = sorted(
        str(document_iri(r.doc))
        for r in read_results([one_worker / "json"])
        if any(
            (rel.subject, rel.role) == ("巨晓林", "兼职副主席") for rel in r.relations
        )
    )
    assert saying  # the sample corpus says it
    store = open_store(one_worker)
    answer = execute(
        store,
        """SELECT DISTINCT ?g { GRAPH ?g {
             ?m org:member ?p ; org:role/skos:prefLabel "兼职副主席"@zh .
             ?p skos:prefLabel "巨晓林"@zh } } ORDER BY ?g""",
        prefixes={
            "org": "http://www.w3.org/ns/org#",
            "skos": "http://www.w3.org/2004/02/skos/core#",
        },
    )
    graphs = [row[0].value for row in answer.rows]
    assert graphs == saying


def test_the_default_graph_still_answers_the_ready_queries(one_worker):
    from graph.sparql.query import answer_query

    text = answer_query(
        one_worker,
        None,
        fmt="csv",
        name="posts-of",
        params=[],
        args=["巨晓林"],
        folder=Settings().queries,
    )
    assert "兼职副主席,中华全国总工会" in text


def test_shards_concatenate_into_the_named_graphs_and_union_to_the_graph(one_worker):
    shards = sorted((one_worker / "shards").rglob("*.nq"))
    assert len(shards) == 9
    triples: set[str] = set()
    named = []
    for shard in shards:
        doc = shard.relative_to(one_worker / "shards").as_posix()[: -len(".nq")]
        suffix = f" <{document_iri(doc)}> ."
        lines = shard.read_text(encoding="utf-8").splitlines()
        assert lines and all(line.endswith(suffix) for line in lines)
        triples.update(line[: -len(suffix)] + " ." for line in lines)
        named.extend(lines)
    default = (one_worker / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert triples == set(default)
    nquads = (one_worker / "graph.nq").read_text(encoding="utf-8").splitlines()
    assert nquads == default + named
    trig = pyoxigraph.Dataset(pyoxigraph.parse(path=str(one_worker / "graph.trig")))
    assert len(trig) == len(nquads)


def test_turtle_written_by_pyoxigraph_is_the_default_graph(one_worker):
    from rdflib import Graph
    from rdflib.compare import isomorphic

    turtle = Graph().parse(one_worker / "graph.ttl", format="turtle")
    ntriples = Graph().parse(one_worker / "graph.nt", format="nt")
    assert isomorphic(turtle, ntriples)


def test_a_one_document_change_re_extracts_that_document_only(corpus, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(corpus, docs)
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = _build(docs, out, use_cache=True, cache=cache)
    assert (first.extracted, first.reused) == (9, 0)
    again = _build(docs, out, use_cache=True, cache=cache)
    assert (again.extracted, again.reused) == (0, 9)
    edited = docs / "para_1.txt"
    edited.write_text(
        edited.read_text(encoding="utf-8") + "全国总工会副主席李玉赋出席会议。",
        encoding="utf-8",
    )
    (docs / "new.txt").write_text(
        "中华全国总工会印发《关于加强职工服务的意见》。", encoding="utf-8"
    )
    shutil.copy(CORPUS / "004_44905d992f41ca12.txt", docs / "copy.txt")  # same text
    third = _build(docs, out, use_cache=True, cache=cache)
    assert (third.extracted, third.reused) == (2, 9)
    assert "copy.txt" in [name for name, _, _ in third.documents]
    assert _build(docs, tmp_path / "full", use_cache=False).extracted == 11
    assert _fingerprint(out) == _fingerprint(tmp_path / "full")
    assert len(list(cache.rglob("*.json"))) == 10  # the old para_1 entry is gone


def test_the_cache_key_changes_with_resources_and_switches(tmp_path):
    resources = tmp_path / "resources"
    shutil.copytree(Settings().resources, resources)
    base = Settings(use_ner=False, resources=resources)
    before = pipeline_version(base)
    assert pipeline_version(replace(base, chunk_chars=500)) != before
    first = sorted(p for p in resources.iterdir() if p.suffix == ".txt")[0]
    first.write_text(first.read_text(encoding="utf-8") + "新词\n", encoding="utf-8")
    assert pipeline_version(base) != before
    assert pipeline_version(replace(base, use_ner=True)) != pipeline_version(base)


def test_results_come_back_in_input_order_with_a_bounded_window():
    lock = threading.Lock()
    running, peak = [0], [0]

    def work(task: Task) -> DocResult:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05 if int(task.name) % 3 == 0 else 0.001)  # finish out of order
        with lock:
            running[0] -= 1
        return DocResult(doc=task.name)

    tasks = [Task(str(n), "") for n in range(30)]
    with ThreadPoolExecutor(8) as pool:
        names = [
            r.doc for r in map_ordered(lambda t: pool.submit(work, t), tasks, window=4)
        ]
    assert names == [str(n) for n in range(30)]
    assert peak[0] <= 5


def test_cache_hits_are_passed_through_in_their_place():
    hit = DocResult(doc="b")
    tasks = [Task("a", ""), hit, Task("c", "")]
    with ThreadPoolExecutor(2) as pool:
        out = list(
            map_ordered(lambda t: pool.submit(DocResult, t.name), tasks, window=2)
        )
    assert [r.doc for r in out] == ["a", "b", "c"] and out[1] is hit


@pytest.mark.parametrize(
    ("requested", "documents", "size", "expected"),
    [(None, 10, 1000, 1), (3, 2, 10**9, 2), (2, 50, 10, 2), (1, 50, 10**9, 1)],
)
def test_choose_workers(requested, documents, size, expected):
    assert choose_workers(requested, documents, size) == expected


def test_progress_without_a_terminal_prints_lines_per_stage_and_every_n():
    stream = io.StringIO()
    progress = make_progress(stream, every=2)
    progress.stage("extracting", total=5)
    for _ in range(5):
        progress.advance()
    progress.stage("writing")
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "extracting: 5 documents ..."
    assert [line.split(" (")[0] for line in lines[1:3]] == [
        "extracting: 2/5",
        "extracting: 4/5",
    ]
    assert lines[3].startswith("extracting: done in ")
    assert lines[4] == "writing: ..." and lines[5].startswith("writing: done in ")


def test_a_graph_that_does_not_conform_replaces_nothing(corpus, one_worker, tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <https://schema.org/> .
<urn:shape> a sh:NodeShape ; sh:targetClass schema:Person ;
  sh:property [ sh:path schema:birthDate ; sh:minCount 1 ;
                sh:message "a person without a birth date" ] .
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    shutil.copytree(one_worker, out)
    before = _fingerprint(out)
    settings = replace(RULES, out=out, shapes=shapes)
    with pytest.raises(OntologyError, match="a person without a birth date"):
        build_outputs([corpus], settings, validate=True)
    assert _fingerprint(out) == before
    assert build_outputs(
        [corpus], replace(settings, shapes=Settings().shapes), validate=True
    ).triples == len((out / "graph.nt").read_text(encoding="utf-8").splitlines())


def test_default_caches_of_output_folders_that_are_gone_are_removed(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    doc = tmp_path / "doc.txt"
    doc.write_text("全国总工会副主席李玉赋出席会议并讲话。", encoding="utf-8")
    root = tmp_path / "xdg" / "graph" / "results"
    first = build_outputs([doc], replace(RULES, out=tmp_path / "a", use_cache=True))
    assert first.extracted == 1
    (owner,) = root.iterdir()
    assert (owner / "OUT").read_text(encoding="utf-8").strip() == str(tmp_path / "a")
    assert len(list(owner.rglob("*.json"))) == 1
    again = build_outputs([doc], replace(RULES, out=tmp_path / "a", use_cache=True))
    assert again.reused == 1
    shutil.rmtree(tmp_path / "a")
    build_outputs([doc], replace(RULES, out=tmp_path / "b", use_cache=True))
    (left,) = root.iterdir()
    assert (left / "OUT").read_text(encoding="utf-8").strip() == str(tmp_path / "b")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_is_a_bar_per_stage():
    stream = _Terminal()
    progress = make_progress(stream)
    progress.stage("extracting", total=3)
    for _ in range(3):
        progress.advance()
    progress.stage("writing")
    progress.close()
    text = stream.getvalue()
    assert "\r" in text and "extracting: 100%" in text and "3/3" in text
    assert "writing: 100%" in text


def test_a_build_with_everything_cached_starts_no_worker(corpus, tmp_path):
    cache = tmp_path / "cache"
    first = _build(corpus, tmp_path / "a", workers=2, use_cache=True, cache=cache)
    assert first.workers == 2
    again = _build(corpus, tmp_path / "a", workers=2, use_cache=True, cache=cache)
    assert (again.workers, again.extracted, again.reused) == (1, 0, 9)


def _write_pid(path: Path) -> None:
    path.write_text(str(os.getpid()), encoding="utf-8")


def _fail_with_input_error() -> None:
    raise InputError("a.txt: mention '全总' is not at 3-5 of the text")


@pytest.mark.parametrize("enabled", [True, False])
def test_a_stage_beside_runs_in_its_own_process_only_when_enabled(enabled, tmp_path):
    marker = tmp_path / "pid"
    with run_beside(partial(_write_pid, marker), enabled=enabled):
        pass
    assert (marker.read_text(encoding="utf-8") != str(os.getpid())) is enabled


def test_an_error_beside_comes_back_with_its_class_and_message():
    with pytest.raises(InputError, match="is not at 3-5"):
        with run_beside(_fail_with_input_error, enabled=True):
            pass


def _die() -> None:
    os.kill(os.getpid(), 9)


def test_a_stage_beside_that_dies_is_an_error_that_says_so():
    with pytest.raises(KGError, match="the process writing the exports ended .*-9"):
        with run_beside(_die, enabled=True, name="writing the exports"):
            pass


def test_a_failing_body_stops_the_stage_beside(tmp_path):
    marker = tmp_path / "late"
    started = time.monotonic()
    with pytest.raises(RuntimeError):
        with run_beside(partial(_sleep_then_write, marker), enabled=True):
            raise RuntimeError("the graph files failed")
    assert time.monotonic() - started < 5 and not marker.exists()


def _sleep_then_write(path: Path) -> None:
    time.sleep(10)
    path.write_text("too late", encoding="utf-8")


def _fresh(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_workers_are_forked_unless_the_process_holds_model_state():
    ask = "from graph.parallel import _start_method; print(_start_method())"
    assert _fresh(ask) == "fork"
    assert _fresh(f"import onnxruntime\n{ask}") == "spawn"
    assert (
        _fresh(
            f"import threading, time\n"
            f"threading.Thread(target=time.sleep, args=(2,)).start()\n{ask}"
        )
        == "spawn"
    )


def test_a_progress_bar_starts_no_thread():
    code = (
        "import io, threading\n"
        "from graph.progress import make_progress\n"
        "class T(io.StringIO):\n"
        "    def isatty(self): return True\n"
        "p = make_progress(T())\n"
        "p.stage('extracting', total=3); p.advance()\n"
        "print(threading.active_count())"
    )
    assert _fresh(code) == "1"
