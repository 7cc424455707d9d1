#!/usr/bin/env python3
"""Score and time extraction on the sample and dev sets, with and without the NER model.

The dev set is also scored in its two halves: the reports the rules were chosen
on and the ones held out (graph.evaluate.DEV_HELD_OUT). Writes the tables, with
the command that produced them, to docs/BENCHMARKS.md (section `bench_extract`).

    python scripts/bench_extract.py [--corpus data/corpus] [--gold data/gold]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from graph.evaluate import DEV_HELD_OUT, EVAL_SETS, evaluate
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
    scores, elapsed = score_parts(corpus, gold, use_ner)
    return scores[""], elapsed


def score_parts(
    corpus: Path, gold: Path, use_ner: bool, held_out: tuple[str, ...] = ()
) -> tuple[dict[str, dict], float]:
    """Score the whole set, and with `held_out` its halves (tuning, held out)."""
    started = time.perf_counter()
    results, problems = extract_paths([corpus], Settings(use_ner=use_ner))
    elapsed = time.perf_counter() - started
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    golds = read_results([gold])
    scores = {"": evaluate(golds, results)}
    if held_out:
        for name, keep in (("tuning", False), ("held out", True)):

            def part(items, keep=keep):
                return [r for r in items if r.doc.startswith(held_out) == keep]

            scores[name] = evaluate(part(golds), part(results))
    return scores, elapsed


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


def render_set(title: str, runs: dict[str, dict]) -> list[str]:
    """One table of P / R / F1 per label, a column per run."""
    names = list(runs)
    lines = [
        f"### {title}",
        "",
        "| kind | label | " + " | ".join(f"{n} P / R / F1" for n in names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for kind, label in LABELS:
        cells = []
        for name in names:
            row = runs[name].get((kind, label))
            cells.append(
                f"{row.precision:.3f} / {row.recall:.3f} / **{row.f1:.3f}**"
                if row
                else "–"
            )
        lines.append(f"| {kind} | {label} | " + " | ".join(cells) + " |")
    return lines + [""]


def render(
    runs: dict[str, tuple[dict, float]],
    build_seconds: float,
    chars: int,
    large: tuple[int, float],
    sets: dict[str, dict[str, dict]] | None = None,
) -> str:
    lines = [
        "## Extraction quality (sample and dev sets against their answer keys)",
        "",
        "Command: `python scripts/bench_extract.py` (scores with graph/evaluate.py, "
        "the rules of docs/GUIDELINES.md; the same figures as "
        "`python ../shared/tools/kgscore.py`)",
        "",
    ]
    for title, set_runs in (sets or {}).items():
        lines += render_set(title, set_runs)
    lines += [
        "### Speed on the sample corpus",
        "",
    ]
    lines += ["| run | extraction time | chars/s |", "|---|---|---|"]
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
    sets: dict[str, dict[str, dict]] = {}
    for name, (docs, keys) in EVAL_SETS.items():
        if not (PROJECT_DIR / keys).is_dir():
            continue
        held = DEV_HELD_OUT if name == "dev" else ()
        for run, use_ner in (("rules only", False), ("rules + NER model", True)):
            if use_ner and not has_ner_model(Settings()):
                continue
            parts, _ = score_parts(
                PROJECT_DIR / docs, PROJECT_DIR / keys, use_ner, held
            )
            for part, scores in parts.items():
                title = f"{name} set ({docs})" if not part else f"{name} set, {part}"
                sets.setdefault(title, {})[run] = scores
    section = render(
        runs, time_build(args.corpus), chars, time_large_document(args.corpus), sets
    )
    print(section)
    write_section(args.markdown, "bench_extract", section)
    print(f"\nwrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
