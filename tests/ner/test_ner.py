"""Tests for the shipped MSRA NER model (graph/models/msra_ner) and its trainer."""

from __future__ import annotations

import importlib.util
import itertools
import json
import random
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
spacy = pytest.importorskip("spacy")

import graph.ner.component  # noqa: E402,F401  (registers kg_msra_ner if not installed)
from graph.ner import MODEL_DIR  # noqa: E402
from graph.ner.augment import join_names, joined_copies  # noqa: E402
from graph.ner.data import TAGS, spans_to_tags, tags_to_spans  # noqa: E402
from graph.ner.decode import PathDecoder, allowed_transitions, viterbi  # noqa: E402
from graph.ner.features import Lexicon, normalize_text  # noqa: E402
from graph.ner.model import NerModel, split_chunks  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
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


def test_names_run_together_are_split(nlp: spacy.language.Language) -> None:
    """A list of names with its separators gone gives one PER span per name."""
    doc = nlp("出席会议的有王汉斌彭珮云何鲁丽等。")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("王汉斌", "PER"),
        ("彭珮云", "PER"),
        ("何鲁丽", "PER"),
    ]


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


TEXTS = [
    SEED,
    "出席会议的有王汉斌彭珮云何鲁丽等。",
    "ＡＢＣ公司在北京大学召开会议",
    "中",
    "国务院总理李克强在上海考察，并看望了中国科学院的科研人员。",
]


def _lexicon_reference(lex: Lexicon, text: str) -> set[tuple[int, int, int]]:
    """Return (start, end, category) of every lexicon word in text, by brute force."""
    return {
        (i, j, lex.words[text[i:j]])
        for i in range(len(text))
        for j in range(i + 2, min(len(text), i + lex.max_len) + 1)
        if text[i:j] in lex.words
    }


def test_lexicon_flags_mark_every_word_and_only_words(
    nlp: spacy.language.Language,
) -> None:
    """The vectorized matcher flags exactly the words a brute-force scan finds."""
    lex = nlp.get_pipe("kg_msra_ner").model.featurizer.lexicon
    for text in map(normalize_text, TEXTS):
        flags = lex.features(text)
        expected = np.zeros_like(flags)
        for start, end, cat in _lexicon_reference(lex, text):
            expected[start, 3 * cat] = 1
            expected[start + 1 : end - 1, 3 * cat + 1] = 1
            expected[end - 1, 3 * cat + 2] = 1
        assert (flags == expected).all(), text
    assert lex.features("北京大学")[:, :12].any()


def test_texts_encoded_together_as_if_alone(nlp: spacy.language.Language) -> None:
    """Joined texts share no bigram or lexicon word across their border."""
    featurizer = nlp.get_pipe("kg_msra_ner").model.featurizer
    joined = featurizer.encode_many(TEXTS)
    alone = [featurizer.encode(text) for text in TEXTS]
    for part in range(3):
        assert (joined[part] == np.concatenate([a[part] for a in alone])).all()
    # "北京" split over two texts is no word and no known bigram
    _, bigrams, lex = featurizer.encode_many(["去北", "京"])
    assert not lex.any()
    assert bigrams[1, 1] != featurizer.bigram_ids.get("北京", -1)


def _best_path(
    em: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray
) -> list[int]:
    """Return the highest-scoring tag path by trying every one."""
    length, k = em.shape
    best, best_path = -np.inf, []
    for path in itertools.product(range(k), repeat=length):
        score = (
            start[path[0]] + end[path[-1]] + sum(em[t, p] for t, p in enumerate(path))
        )
        score += sum(trans[a, b] for a, b in itertools.pairwise(path))
        if score > best:
            best, best_path = score, list(path)
    return best_path


def test_viterbi_finds_the_best_path_of_each_padded_row() -> None:
    """Each row of a batch of mixed lengths decodes to its brute-force best path."""
    rng = np.random.default_rng(7)
    k = 3
    trans, start, end = rng.normal(size=(k, k)), rng.normal(size=k), rng.normal(size=k)
    lengths = np.array([2, 5, 1, 4, 5, 3])
    em = rng.normal(size=(len(lengths), 5, k))
    paths = viterbi(em, trans, start, end, lengths)
    for row, n in enumerate(lengths):
        assert paths[row, :n].tolist() == _best_path(em[row, :n], trans, start, end)
        assert (paths[row, n:] == paths[row, n - 1]).all()


def test_path_decoder_agrees_with_tag_by_tag_decoding() -> None:
    """Legal paths give tags_to_spans' spans; a broken path falls back to it."""
    ok_start, ok_trans, ok_end = allowed_transitions(TAGS)
    neg = np.where(ok_trans, 0.0, -1e4)
    rng = np.random.default_rng(3)
    em = rng.normal(scale=3.0, size=(8, 12, len(TAGS)))
    lengths = np.array([12, 3, 7, 1, 12, 5, 9, 2])
    paths = viterbi(
        em, neg, np.where(ok_start, 0.0, -1e4), np.where(ok_end, 0.0, -1e4), lengths
    )
    inside = np.arange(12)[None, :] < lengths[:, None]
    expected = [
        (row, s, e, lab)
        for row in range(len(lengths))
        for s, e, lab in tags_to_spans([TAGS[t] for t in paths[row, : lengths[row]]])
    ]
    decoder = PathDecoder(TAGS)
    assert decoder.spans(paths, inside) == expected
    assert expected
    broken = np.array([[TAGS.index(t) for t in ("B-PER", "E-ORG", "S-LOC", "O")]])
    assert decoder.spans(broken, np.ones((1, 4), bool)) == [(0, 2, 3, "LOC")]


def test_texts_taken_in_rounds_each_get_their_spans(
    nlp: spacy.language.Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With tiny rounds, every text still gets its own entities at its offsets."""
    import graph.ner.model as model_module

    model = nlp.get_pipe("kg_msra_ner").model
    texts = [SEED, "", "他说：" + SEED, "国务院总理李克强在上海考察。"]
    whole = model.predict(texts)
    monkeypatch.setattr(model_module, "_ROUND_CHARS", 10)
    rounds = model.predict(texts)
    assert len(rounds) == len(texts) and rounds[1] == []
    assert (15, 18, "PER") in rounds[0] and (18, 21, "PER") in rounds[2]
    for text, spans in zip(texts, rounds, strict=True):
        assert all(0 <= s < e <= len(text) for s, e, _ in spans)
    assert rounds[0] == whole[0]


def test_kg_pipeline_does_not_tokenize_twice() -> None:
    """kg_model_ner tags the outer Doc's text without running the inner tokenizer."""
    import graph.extract.components  # noqa: F401  (registers kg_model_ner)

    outer = spacy.blank("zh")
    ner = outer.add_pipe("kg_model_ner", config={"path": str(MODEL_DIR)})

    def refuse(text: str) -> None:
        raise AssertionError("the NER pipeline tokenized the text again")

    ner.model.tokenizer = refuse
    doc = outer(SEED)
    assert ("巨晓林", "PER") in {(e.text, e.label_) for e in doc.ents}


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


needs_training = pytest.mark.skipif(
    bool(MISSING), reason=f"training extra not installed: {MISSING}"
)


def run_script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run scripts/<name> with the MSRA cache of the repo; fail with its stderr."""
    cmd = [sys.executable, str(ROOT / "scripts" / name), *args]
    cmd += ["--cache-dir", str(ROOT / "data" / "cache")]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Train two tiny models that differ only in their seed."""
    root = tmp_path_factory.mktemp("quick_ner")
    runs: dict[str, Any] = {}
    for seed in ("13", "5"):
        out = root / f"seed{seed}"
        result = run_script(
            "train_ner.py", "--quick", "--seed", seed, "--out", str(out)
        )
        runs[seed] = (out, result)
    return runs


@needs_training
def test_quick_training_end_to_end(quick_runs: dict[str, Any]) -> None:
    """`train_ner.py --quick` writes a pipeline that spacy.load reads and runs."""
    out, result = quick_runs["13"]
    assert (out / "config.cfg").exists()
    assert (out / "kg_msra_ner" / "model.onnx").exists()
    quick = spacy.load(out)
    doc = quick(SEED)
    assert {ent.label_ for ent in doc.ents} <= {"PER", "LOC", "ORG"}
    assert "dev micro F1" in result.stdout


@needs_training
def test_combine_writes_ensemble_chosen_on_dev(
    quick_runs: dict[str, Any], tmp_path: Path
) -> None:
    """combine_ner.py scores both members and their ensemble, and writes the best."""
    out = tmp_path / "ensemble"
    members = [str(quick_runs[seed][0]) for seed in ("13", "5")]
    result = run_script("combine_ner.py", *members, "--out", str(out))
    choice = json.loads(result.stdout)
    assert set(choice["micro_f1"]) == {"seed 13", "seed 5", "ensemble"}
    best = max(choice["micro_f1"].values())
    # the default tolerance lets a single network win when almost as good
    assert choice["micro_f1"][choice["chosen"]] >= best - 0.0006
    if choice["chosen"] == "ensemble":
        assert all(
            f1 < best - 0.0004
            for name, f1 in choice["micro_f1"].items()
            if name != "ensemble"
        )
    model = NerModel.load(out / "kg_msra_ner")
    assert len(model.encoders) == (2 if choice["chosen"] == "ensemble" else 1)
    assert spacy.load(out)(SEED).text == SEED


@needs_training
def test_distill_trains_one_network_from_an_ensemble(
    quick_runs: dict[str, Any], tmp_path: Path
) -> None:
    """distill_ner.py writes one network that learned from a two-network teacher."""
    teacher = tmp_path / "teacher"
    members = [str(quick_runs[seed][0]) for seed in ("13", "5")]
    run_script("combine_ner.py", *members, "--out", str(teacher))
    ensemble = NerModel.load(teacher / "kg_msra_ner")
    out = tmp_path / "student"
    result = run_script(
        "distill_ner.py", "--quick", "--teacher", str(teacher), "--out", str(out)
    )
    assert "dev micro F1" in result.stdout
    student = NerModel.load(out / "kg_msra_ner")
    assert len(student.encoders) == 1
    assert student.config["teacher"]["encoders"] == len(ensemble.encoders)
    assert student.config["hyperparameters"]["kd_weight"] > 0
    assert student.featurizer.chars == ensemble.featurizer.chars
    assert "Distilled from an ensemble" in (out / "README.md").read_text("utf-8")
    assert spacy.load(out)(SEED).text == SEED


def test_ensemble_of_one_encoder_twice_decodes_like_it(
    nlp: spacy.language.Language,
) -> None:
    """Summing scores of identical encoders doubles them and keeps every path."""
    single = nlp.get_pipe("kg_msra_ner").model
    twice = NerModel(
        single.featurizer, [single.encoders[0], single.encoders[0]], single.config
    )
    texts = [SEED, "陈锡联段君毅出席了在北京人民大会堂举行的会议。"]
    assert twice.predict(texts) == single.predict(texts)


def test_ensemble_round_trips_through_disk(
    nlp: spacy.language.Language, tmp_path: Path
) -> None:
    """An ensemble saves one file set per encoder and loads back the same."""
    single = nlp.get_pipe("kg_msra_ner").model
    pair = NerModel(single.featurizer, [single.encoders[0]] * 2, single.config)
    pair.save(tmp_path)
    assert (tmp_path / "model-1.onnx").exists()
    loaded = NerModel.load(tmp_path)
    assert len(loaded.encoders) == 2
    assert loaded.predict([SEED]) == pair.predict([SEED])


@pytest.mark.parametrize(
    ("example", "joined"),
    [
        (
            ("出席会议的有陈锡联、段君毅。", [(6, 9, "PER"), (10, 13, "PER")]),
            "出席会议的有陈锡联段君毅。",
        ),
        (
            (
                "北京、上海和张三，李四",
                [(0, 2, "LOC"), (3, 5, "LOC"), (6, 8, "PER"), (9, 11, "PER")],
            ),
            "北京、上海和张三李四",
        ),
    ],
)
def test_join_names_drops_only_separators_between_names(
    example: tuple[str, list], joined: str
) -> None:
    """Separators between two person names go; others stay; spans keep their text."""
    text, spans = example
    out = join_names(example, random.Random(1), keep=0.0)
    assert out is not None
    new_text, new_spans = out
    assert new_text == joined
    assert [new_text[s:e] for s, e, _ in new_spans] == [text[s:e] for s, e, _ in spans]
    assert [label for *_, label in new_spans] == [label for *_, label in spans]


def test_joined_copies_only_from_name_lists() -> None:
    """Only sentences with a separated name list give copies, each one joined."""
    examples = [
        ("张三、李四、王五到会。", [(0, 2, "PER"), (3, 5, "PER"), (6, 8, "PER")]),
        ("张三和李四到会。", [(0, 2, "PER"), (3, 5, "PER")]),
        ("在北京、上海。", [(1, 3, "LOC"), (4, 6, "LOC")]),
    ]
    copies = joined_copies(examples, 3, seed=7)
    assert len(copies) == 3
    assert all(text.startswith("张三") and len(text) < 11 for text, _ in copies)
