"""Tests for the shipped MSRA NER model (graph/models/msra_ner) and its trainer."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("onnxruntime")
spacy = pytest.importorskip("spacy")

import graph.ner.component  # noqa: E402,F401  (registers kg_msra_ner if not installed)
from graph.ner import MODEL_DIR  # noqa: E402
from graph.ner.data import spans_to_tags, tags_to_spans  # noqa: E402
from graph.ner.model import split_chunks  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = "全国总工会十六届四次执委会选举巨晓林为中华全国总工会兼职副主席。"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make any attempt to open a network connection fail."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access attempted in an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    """Load the shipped pipeline once for the module."""
    return spacy.load(MODEL_DIR)


def test_model_dir_is_small_and_complete() -> None:
    """The shipped pipeline directory has its files and stays well under 50 MB."""
    files = [p for p in MODEL_DIR.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"config.cfg", "meta.json", "model.onnx", "tables.npz", "crf.npz"} <= names
    assert sum(p.stat().st_size for p in files) < 50_000_000


def test_loads_from_repo_path_offline(no_network: None) -> None:
    """spacy.load on the repo path works with the network cut off, and tags text."""
    nlp = spacy.load(MODEL_DIR)
    assert nlp.pipe_names == ["kg_msra_ner"]
    doc = nlp(SEED)
    assert len(doc.ents) > 0


def test_seed_sentence_entities(nlp: spacy.language.Language) -> None:
    """The model finds the person and the full organisation name in the seed text."""
    found = {(ent.text, ent.label_) for ent in nlp(SEED).ents}
    assert ("巨晓林", "PER") in found
    assert ("中华全国总工会", "ORG") in found
    assert {label for _, label in found} <= {"PER", "LOC", "ORG"}


def test_offsets_align_in_long_text(nlp: spacy.language.Language) -> None:
    """Entities in a long multi-sentence text keep offsets into the original text."""
    text = ("新华社北京电  " + SEED + "\n\n") * 6 + "李玉赋在湖北宜昌出席会议，" * 20
    doc = nlp(text)
    assert len(doc.ents) >= 12
    for ent in doc.ents:
        assert text[ent.start_char : ent.end_char] == ent.text
    persons = [e for e in doc.ents if e.text == "巨晓林" and e.label_ == "PER"]
    assert len(persons) == 6


def test_pipe_matches_single_calls(nlp: spacy.language.Language) -> None:
    """Batch processing finds the same entities as one document at a time.

    The int8 encoder quantizes activations per batch, so a rare span may move
    between the two ways; the seed sentence and an empty text must agree.
    """
    texts = [SEED, "国务院总理李克强在上海考察。", "", "中国人民银行发布公告。" * 3]
    batched = [_spans(doc) for doc in nlp.pipe(texts)]
    single = [_spans(nlp(text)) for text in texts]
    assert batched[0] == single[0]
    assert batched[2] == single[2] == []
    same = sum(len(set(b) & set(s)) for b, s in zip(batched, single, strict=True))
    total = sum(len(set(b) | set(s)) for b, s in zip(batched, single, strict=True))
    assert same >= 0.8 * total


def _spans(doc: spacy.tokens.Doc) -> list[tuple[int, int, str]]:
    """Return a document's entities as (start char, end char, label)."""
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def test_split_chunks_bounds() -> None:
    """Chunks cover the text in order and respect the length limit."""
    text = "我们在北京，" * 60 + "。他说" + "啊" * 400
    chunks = split_chunks(text, max_len=150)
    assert all(len(c) <= 150 for _, c in chunks)
    assert "".join(c for _, c in chunks) == text
    for offset, chunk in chunks:
        assert text[offset : offset + len(chunk)] == chunk


def test_tag_round_trip() -> None:
    """Spans survive conversion to BMES tags and back."""
    spans = [(0, 3, "PER"), (4, 5, "LOC"), (6, 13, "ORG")]
    assert tags_to_spans(spans_to_tags(15, spans)) == spans


TRAIN_DEPS = ("torch", "onnx", "jieba", "tqdm")
MISSING = [name for name in TRAIN_DEPS if importlib.util.find_spec(name) is None]


@pytest.mark.skipif(bool(MISSING), reason=f"training extra not installed: {MISSING}")
def test_quick_training_end_to_end(tmp_path: Path) -> None:
    """`train_ner.py --quick` writes a pipeline that spacy.load reads and runs."""
    out = tmp_path / "quick_ner"
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "train_ner.py"),
        "--quick",
        "--out",
        str(out),
        "--cache-dir",
        str(ROOT / "data" / "cache"),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "config.cfg").exists()
    assert (out / "kg_msra_ner" / "model.onnx").exists()
    quick = spacy.load(out)
    doc = quick(SEED)
    assert {ent.label_ for ent in doc.ents} <= {"PER", "LOC", "ORG"}
    assert "dev micro F1" in result.stdout
