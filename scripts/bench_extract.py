#!/usr/bin/env python3
"""Score and time extraction on the sample corpus, with and without the NER model.

Writes the table, with the command that produced it, to docs/BENCHMARKS.md
(section `bench_extract`).

    python scripts/bench_extract.py [--corpus data/corpus] [--gold data/gold]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from graph.evaluate import evaluate
from graph.extract.nlp import has_ner_model
from graph.io import read_results, write_section
from graph.pipeline import build_outputs, extract_paths
from graph.settings import PROJECT_DIR, Settings

LABELS = [
    ("entity", t) for t in ("PERSON", "ORG", "LOCATION", "POLICY", "EVENT", "ALL")
] + [
    ("relation", p)
    for p in (
        "holds_position",
        "issued",
        "approved",
        "organized",
        "participated_in",
        "held_on",
        "held_in",
        "ALL",
    )
]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=PROJECT_DIR / "data" / "corpus",
        help="folder of .txt documents (default: the sample corpus)",
    )
    parser.add_argument(
        "--gold",
        type=Path,
        default=PROJECT_DIR / "data" / "gold",
        help="folder of gold *.json answer keys",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        default=PROJECT_DIR / "docs" / "BENCHMARKS.md",
        help="file whose bench_extract section is rewritten",
    )
    return parser.parse_args(argv)


def score(corpus: Path, gold: Path, use_ner: bool) -> tuple[dict, float]:
    started = time.perf_counter()
    results, problems = extract_paths([corpus], Settings(use_ner=use_ner))
    elapsed = time.perf_counter() - started
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return evaluate(read_results([gold]), results), elapsed


def time_large_document(corpus: Path, copies: int = 10) -> tuple[int, float]:
    """Time rules-only extraction of one document made of `copies` x the corpus."""
    text = "\n\n".join(
        p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))
    )
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "large.txt"
        big.write_text("\n\n".join([text] * copies), encoding="utf-8")
        started = time.perf_counter()
        extract_paths([big], Settings(use_ner=False))
        return len(text) * copies, time.perf_counter() - started


def time_build(corpus: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        build_outputs([corpus], Settings(out=Path(tmp), use_cache=False))
        return time.perf_counter() - started


def render(
    runs: dict[str, tuple[dict, float]],
    build_seconds: float,
    chars: int,
    large: tuple[int, float],
) -> str:
    names = list(runs)
    lines = [
        "## Extraction quality (sample corpus against the gold answer keys)",
        "",
        "Command: `python scripts/bench_extract.py` (scores with graph/evaluate.py, "
        "the rules of docs/GUIDELINES.md)",
        "",
        "| kind | label | " + " | ".join(f"{n} P / R / F1" for n in names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for kind, label in LABELS:
        cells = []
        for name in names:
            row = runs[name][0].get((kind, label))
            cells.append(
                f"{row.precision:.3f} / {row.recall:.3f} / **{row.f1:.3f}**"
                if row
                else "–"
            )
        lines.append(f"| {kind} | {label} | " + " | ".join(cells) + " |")
    lines += ["", "| run | extraction time | chars/s |", "|---|---|---|"]
    for name, (_, seconds) in runs.items():
        lines.append(f"| {name} | {seconds:.2f} s | {chars / seconds:,.0f} |")
    lines += [
        f"| one document of {large[0]:,} characters (corpus x10), rules only "
        f"| {large[1]:.2f} s | {large[0] / large[1]:,.0f} |",
        "",
        f"`kg build` on the sample corpus ({chars:,} characters, 5 documents, "
        f"all outputs including the store): **{build_seconds:.1f} s**.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    chars = sum(len(p.read_text(encoding="utf-8")) for p in args.corpus.glob("*.txt"))
    runs = {"rules only": score(args.corpus, args.gold, use_ner=False)}
    if has_ner_model(Settings()):
        runs["rules + NER model"] = score(args.corpus, args.gold, use_ner=True)
    section = render(
        runs, time_build(args.corpus), chars, time_large_document(args.corpus)
    )
    print(section)
    write_section(args.markdown, "bench_extract", section)
    print(f"\nwrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
