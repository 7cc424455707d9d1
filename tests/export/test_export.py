"""Linking exports on the sample corpus and on a BOM + CRLF copy of it.

Each export is read back by a real consumer: pynif (NIF), rdflib and pyld
(JSON-LD), spaCy's DocBin and InMemoryLookupKB.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import spacy
from pyld import jsonld
from pynif import NIFCollection
from rdflib import Graph
from rdflib.compare import isomorphic
from spacy.tokens import DocBin
from typer.testing import CliRunner

from graph.cli import app
from graph.export import (
    docbin_bytes,
    jsonld_text,
    linked_docs,
    load_kb,
    merges_tsv,
    nif_turtle,
    read_context,
    read_texts,
    write_kb,
)
from graph.export.docbin import DOCBIN_ATTRS
from graph.merge import identify_documents, merge_documents
from graph.model import OFFSET_CONVENTION, DocResult
from graph.pipeline import extract_paths
from graph.rdf.build import build_graph
from graph.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]
CORPUS = PROJECT / "data" / "corpus"
runner = CliRunner()


@pytest.fixture(scope="module")
def bom_crlf_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copy the corpus with a UTF-8 BOM and CRLF line ends."""
    folder = tmp_path_factory.mktemp("bom_crlf")
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
        (folder / path.name).write_bytes(data)
    return folder


@pytest.fixture(scope="module", params=["plain", "bom_crlf"])
def linked(request, corpus_results, bom_crlf_corpus):
    """Return (identified results, texts) of one version of the corpus."""
    if request.param == "plain":
        folder, results = CORPUS, corpus_results
    else:
        folder = bom_crlf_corpus
        results, problems = extract_paths([folder], Settings(use_ner=False))
        assert not problems
        assert any("\r\n" in t for t in read_texts([folder], results).values())
    texts = read_texts([folder], results)
    identified, merges = identify_documents(results, texts)
    return identified, texts, merges


def _mentions(results: list[DocResult]) -> set[tuple[str, int, int, str]]:
    return {
        (r.doc, m.start, m.end, e.iri)
        for r in results
        for e in r.entities
        for m in e.mentions
    }


def test_nif_phrases_are_exact_slices_of_the_context(linked, tmp_path):
    results, texts, _ = linked
    path = tmp_path / "nif.ttl"
    path.write_text(nif_turtle(results, texts), encoding="utf-8")
    collection = NIFCollection.load(str(path))
    assert len(collection.contexts) == len(results)
    found = set()
    by_hash = {r.sha256: r.doc for r in results}
    for context in collection.contexts:
        doc = by_hash[hashlib.sha256(context.mention.encode("utf-8")).hexdigest()]
        assert context.mention == texts[doc]
        assert (context.beginIndex, context.endIndex) == (0, len(texts[doc]))
        for phrase in context.phrases:
            begin, end = phrase.beginIndex, phrase.endIndex
            assert context.mention[begin:end] == phrase.mention
            assert phrase.original_uri.endswith(
                f"#char={phrase.beginIndex},{phrase.endIndex}"
            )
            assert phrase.taClassRef
            found.add((doc, phrase.beginIndex, phrase.endIndex, phrase.taIdentRef))
    # one phrase per mention (a span two entities share keeps one of them here)
    spans = {(d, b, e) for d, b, e, _ in _mentions(results)}
    assert {(d, b, e) for d, b, e, _ in found} == spans
    assert found <= _mentions(results)


def test_per_document_json_is_self_contained(linked):
    results, texts, _ = linked
    spans = 0
    for result in results:
        text = texts[result.doc]
        data = result.to_dict()
        assert data["text"] == {
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "offsets": OFFSET_CONVENTION,
        }
        entities = data["entities"]
        forms = {e["name"]: {m["text"] for m in e["mentions"]} for e in entities}
        assert all(e["iri"].startswith("https://w3id.org/zh-kg/") for e in entities)
        for rel in data["relations"]:
            assert text[rel["start"] : rel["end"]] == rel["evidence"]
            for end in ("subject", "object"):
                if f"{end}_start" in rel:
                    spans += 1
                    surface = text[rel[f"{end}_start"] : rel[f"{end}_end"]]
                    assert surface in forms[rel[end]]
        assert DocResult.from_dict(json.loads(json.dumps(data))) == result
    assert spans > len(results)


def test_jsonld_loads_in_rdflib_and_pyld(linked):
    results, _, _ = linked
    text = jsonld_text(results)
    data = json.loads(text)
    assert data["@context"] == read_context()
    keys = {k for node in data["@graph"] for k in node}
    assert {"id", "type", "name", "mentionedIn"} <= keys
    assert not {k for k in keys if k.startswith("http")}
    expected = build_graph(merge_documents(results))
    assert isomorphic(Graph().parse(data=text, format="json-ld"), expected)
    quads = jsonld.to_rdf(data, {"format": "application/n-quads"})
    assert len(set(quads.splitlines())) == len(expected)
    assert jsonld_text(list(reversed(results))) == text


def test_docbin_ents_carry_entity_iris(linked):
    results, texts, _ = linked
    nlp = spacy.blank("zh")
    docs = list(DocBin().from_bytes(docbin_bytes(results, texts)).get_docs(nlp.vocab))
    assert len(docs) == len(results)
    mentions = _mentions(results)
    ents = 0
    for doc in docs:
        name = doc.user_data["doc"]
        assert doc.user_data == {"doc": name}  # nothing of the pipeline's own
        assert doc.text == texts[name]
        assert [t.text for t in doc] == [t.text for t in nlp.make_doc(doc.text)]
        for ent in doc.ents:
            ents += 1
            assert (name, ent.start_char, ent.end_char, ent.kb_id_) in mentions
            assert ent.label_ in {"PERSON", "ORG", "POLICY", "EVENT", "LOCATION"}
    assert ents > 100


@pytest.mark.parametrize("count", [0, 1, None])
def test_the_streamed_docbin_is_the_bytes_spacy_writes(linked, count):
    results, texts, _ = linked
    results = results[:count]
    nlp = spacy.blank("zh")
    spacy_bin = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True)
    for doc in linked_docs(results, texts, nlp.vocab):
        spacy_bin.add(doc)
    assert docbin_bytes(results, texts) == spacy_bin.to_bytes()


def test_kb_loads_with_spacy_and_ranks_aliases(linked, tmp_path):
    results, _, _ = linked
    write_kb(results, tmp_path / "kb")
    kb = load_kb(tmp_path / "kb")
    iris = {e.iri for r in results for e in r.entities}
    assert kb.get_size_entities() == len(iris)
    acftu = "https://w3id.org/zh-kg/resource/organization/中华全国总工会"
    (candidate,) = kb.get_alias_candidates("全总")
    assert (candidate.entity_, candidate.prior_prob) == (acftu, pytest.approx(1.0))
    assert kb.get_vector(acftu) == [0.0, 1.0, 0.0, 0.0, 0.0]
    for alias in kb.get_alias_strings():
        assert sum(c.prior_prob for c in kb.get_alias_candidates(alias)) <= 1.0001


def test_merge_report_lists_each_decision(linked):
    _, _, merges = linked
    lines = merges_tsv(merges).splitlines()
    assert lines[0].split("\t")[0] == "decision"
    assert len(lines) == len(merges) + 1
    assert all(len(line.split("\t")) == 7 for line in lines)
    assert any("\tlexicon alias\t" in line and "\t全总\t" in line for line in lines)


def test_kg_export_writes_one_format(tmp_path):
    for name, text in (
        ("a.txt", "北京市总工会主席王建国出席会议。"),
        ("b.txt", "广东省人民政府副省长王建国出席活动。"),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = tmp_path / "merges.tsv"
    args = ["export", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--no-ner"]
    result = runner.invoke(app, [*args, "--format", "merges", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "kept apart\tPERSON" in out.read_text(encoding="utf-8")
    bad = runner.invoke(app, [*args, "--format", "rdfxml"])
    assert bad.exit_code == 1
    assert "not one of" in bad.output


def test_kg_build_writes_every_export(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("全总主席王建国出席会议。", encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", str(tmp_path / "in"), "--no-ner", "--no-store", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    for name in ("nif.ttl", "graph.jsonld", "docs.spacy", "merges.tsv"):
        assert (out / name).is_file(), name
    assert load_kb(out / "kb").get_size_entities() >= 2
    data = json.loads((out / "json" / "a.txt.json").read_text(encoding="utf-8"))
    assert {e["iri"] for e in data["entities"]} >= {
        "https://w3id.org/zh-kg/resource/organization/中华全国总工会"
    }
