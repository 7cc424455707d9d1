"""Benchmark the ready SPARQL queries: rdflib's engine against the pyoxigraph store.

Builds a synthetic graph (>= 1M triples by default) shaped like the real one
(people, organizations, memberships with evidence, events with dates and
places, policies) through `graph.rdf.build_graph`, then times the load of the
same N-Triples file, each ready query (median of a few runs) and a 1-hop lookup.
rdflib runs in a forked child that is killed after `--rdflib-timeout` seconds.

    python scripts/bench_sparql.py [--docs 2100] [--seed 7] [--rdflib-timeout 60]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph
import rdflib
from rdflib import Graph, URIRef

from graph.io import write_section
from graph.model import DocResult, Entity, EntityType, Predicate, Relation
from graph.rdf.build import build_graph
from graph.rdf.namespaces import PREFIXES
from graph.settings import Settings
from graph.sparql.query import fill_params, read_ready_queries, run_query
from graph.sparql.store import load_file

logger = logging.getLogger("bench_sparql")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁"
GIVEN = "晓林明华建国伟强军平志刚海波红英玉兰桂芳秀云春光德文"
PLACES = [
    "北京",
    "上海",
    "天津",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "广西",
    "宁夏",
    "新疆",
    "西藏",
    "内蒙古",
]
ORG_KINDS = [
    ("省总工会", "省总"),
    ("省委", "省委"),
    ("省人社厅", "人社厅"),
    ("省发改委", "发改委"),
    ("省教育厅", "教育厅"),
]
ROLES = ["主席", "副主席", "兼职副主席", "党组书记", "书记处书记", "委员", "常委"]
EVENT_KINDS = ["劳动和技能竞赛", "表彰大会", "工作会议", "座谈会", "主题宣传活动"]
TOPICS = ["职工权益保障", "技能人才培养", "农民工服务", "困难职工帮扶", "劳模评选"]
RUNS = 5


def _name(index: int, length: int) -> str:
    chars = [SURNAMES[index % len(SURNAMES)]]
    index //= len(SURNAMES)
    for _ in range(length):
        chars.append(GIVEN[index % len(GIVEN)])
        index //= len(GIVEN)
    return "".join(chars)


def _org(index: int) -> tuple[str, tuple[str, ...]]:
    if index == 0:
        return "中华全国总工会", ("全总", "全国总工会")
    place, (kind, short) = PLACES[index % 30], ORG_KINDS[(index // 30) % 5]
    branch = index // 150
    name = f"{place}{kind}" + (f"第{branch}分会" if branch else "")
    return name, (short,)


def _date(rng: random.Random) -> str:
    year, month, day = rng.randint(2010, 2020), rng.randint(1, 12), rng.randint(1, 28)
    precision = rng.random()
    if precision < 0.05:
        return f"{year}"
    return f"{year}-{month:02d}" if precision < 0.2 else f"{year}-{month:02d}-{day:02d}"


def make_doc(number: int, rng: random.Random, *, people: int, orgs: int) -> DocResult:
    """Make one synthetic document's result: posts, events, policies, evidence."""
    persons = ["巨晓林"] * (number % 50 == 0) + [
        _name(rng.randrange(people), 2) for _ in range(12)
    ]
    organizations = [_org(0)] + [_org(rng.randrange(1, orgs)) for _ in range(3)]
    events = [
        f"{PLACES[rng.randrange(30)]}{rng.choice(EVENT_KINDS)}（{number}-{i}）"
        for i in range(3)
    ]
    policies = [
        f"关于{rng.choice(TOPICS)}的实施意见（{number}-{i}号）" for i in range(3)
    ]
    places = rng.sample(PLACES, 2)
    entities = [Entity(EntityType.PERSON, p) for p in dict.fromkeys(persons)]
    entities += [Entity(EntityType.ORG, n, a) for n, a in dict.fromkeys(organizations)]
    entities += [Entity(EntityType.EVENT, e) for e in events]
    entities += [Entity(EntityType.POLICY, p) for p in policies]
    entities += [Entity(EntityType.LOCATION, p) for p in places]
    relations = []

    def add(subject: str, predicate: Predicate, obj: str, role: str = "") -> None:
        start = rng.randrange(5000)
        evidence = f"{subject}{role}{obj}，{rng.choice(TOPICS)}工作取得新进展。"
        relations.append(
            Relation(
                subject, predicate, obj, role, evidence, start, start + len(evidence)
            )
        )

    for person in persons:
        add(
            person,
            Predicate.HOLDS_POSITION,
            rng.choice(organizations)[0],
            rng.choice(ROLES),
        )
        add(person, Predicate.PARTICIPATED_IN, rng.choice(events), "出席")
    for event in events:
        add(rng.choice(organizations)[0], Predicate.ORGANIZED, event)
        add(event, Predicate.HELD_ON, _date(rng))
        add(event, Predicate.HELD_IN, rng.choice(places))
    for policy in policies:
        verb = Predicate.ISSUED if rng.random() < 0.8 else Predicate.APPROVED
        add(rng.choice(organizations)[0], verb, policy)
    return DocResult(f"doc{number:06d}.txt", tuple(entities), tuple(relations))


def make_graph(docs: int, seed: int) -> Graph:
    """Build the synthetic graph deterministically from `seed`."""
    rng = random.Random(seed)
    people, orgs = max(1000, docs * 6), max(200, docs // 2)
    return build_graph(make_doc(n, rng, people=people, orgs=orgs) for n in range(docs))


QUERY_PARAMS = {
    "posts-of": {"name": "巨晓林"},
    "people-in-org": {"name": "全总"},
    "policies-of-org": {"name": "中华全国总工会"},
    "events": {"from": "2016-04", "to": "2016-08-15"},
    "about": {"name": "巨晓林"},
}


def _seconds(func) -> tuple[float, object]:
    started = time.perf_counter()
    value = func()
    return time.perf_counter() - started, value


def _median_runs(func, runs: int, budget: float) -> tuple[float, int]:
    times = []
    for _ in range(runs):
        elapsed, value = _seconds(func)
        times.append(elapsed)
        if sum(times) > budget:
            break
    return statistics.median(times), len(value)  # type: ignore[arg-type]


def _rdflib_child(conn, graph: Graph, text: str, runs: int, budget: float) -> None:
    namespaces = {k: str(v) for k, v in PREFIXES.items()}
    conn.send(
        _median_runs(lambda: list(graph.query(text, initNs=namespaces)), runs, budget)
    )


def time_rdflib(graph: Graph, text: str, timeout: float) -> tuple[float | None, int]:
    """Time a query on rdflib in a forked child; None when over `timeout`."""
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    child = context.Process(
        target=_rdflib_child, args=(theirs, graph, text, 3, timeout / 3)
    )
    child.start()
    answer = ours.recv() if ours.poll(timeout) else None
    child.kill()
    child.join()
    return answer if answer is not None else (None, -1)


def time_lookups(store, graph: Graph, subjects: list[URIRef]) -> dict[str, float]:
    """Median latency of a 1-hop lookup (all edges of one entity), in ms."""

    def on_store(iri: URIRef) -> int:
        return len(run_query(store, f"SELECT ?p ?o {{ <{iri}> ?p ?o }}").rows)

    def on_rdflib(iri: URIRef) -> int:
        return len(list(graph.query(f"SELECT ?p ?o {{ <{iri}> ?p ?o }}")))

    store_ms = [_seconds(lambda i=iri: on_store(i))[0] * 1000 for iri in subjects]
    rdflib_ms = [_seconds(lambda i=iri: on_rdflib(i))[0] * 1000 for iri in subjects]
    return {
        "store": statistics.median(store_ms),
        "rdflib": statistics.median(rdflib_ms),
    }


def _fmt(value: float | None, timeout: float) -> str:
    if value is None:
        return f"> {timeout:g} s (stopped)"
    return f"{value * 1000:,.1f} ms" if value < 10 else f"{value:,.1f} s"


def run(docs: int, seed: int, timeout: float) -> tuple[list[str], dict[str, float]]:
    """Run every measurement; return the markdown lines and headline figures."""
    elapsed, graph = _seconds(lambda: make_graph(docs, seed))
    triples = len(graph)
    logger.warning("built %d triples in %.1f s", triples, elapsed)
    work = Path(tempfile.mkdtemp(prefix="bench-sparql-"))
    nt = work / "graph.nt"
    nt.write_bytes(graph.serialize(format="nt11", encoding="utf-8"))
    rdflib_load, rdflib_graph = _seconds(lambda: Graph().parse(nt, format="nt"))
    store_load, store = _seconds(lambda: load_file(nt, work / "store"))
    logger.warning("loaded: rdflib %.1f s, store %.1f s", rdflib_load, store_load)
    lines = [
        f"| load {triples:,} triples (N-Triples) | {rdflib_load:,.1f} s | "
        f"{store_load:,.1f} s | {rdflib_load / store_load:,.0f}x | |"
    ]
    ratios = []
    for name, ready in read_ready_queries(Settings().queries).items():
        text = fill_params(ready.text, QUERY_PARAMS.get(name, {}))
        store_time, rows = _median_runs(
            lambda t=text: run_query(store, t).rows, RUNS, 60
        )
        rdf_time, rdf_rows = time_rdflib(rdflib_graph, text, timeout)
        ratio = (rdf_time or timeout) / store_time
        ratios.append(ratio)
        speedup = f"{'> ' if rdf_time is None else ''}{ratio:,.0f}x"
        lines.append(
            f"| {name} | {_fmt(rdf_time, timeout)} | {_fmt(store_time, 0)} | "
            f"{speedup} | {rows} |"
        )
        logger.warning(
            "%s: rdflib %s, store %.4f s, rows %d/%d",
            name,
            rdf_time,
            store_time,
            rows,
            rdf_rows,
        )
    rng = random.Random(seed)
    sample = rng.sample(sorted({s for s in graph.subjects() if "/person/" in s}), 200)
    hop = time_lookups(store, rdflib_graph, [URIRef(s) for s in sample])
    lines.append(
        f"| 1-hop lookup (median of 200 people) | {hop['rdflib']:.2f} ms | "
        f"{hop['store']:.2f} ms | {hop['rdflib'] / hop['store']:,.0f}x | |"
    )
    figures = {
        "triples": triples,
        "median_ratio": statistics.median(ratios),
        "hop_ms": hop["store"],
    }
    return lines, figures


def render(lines: list[str], figures: dict[str, float], command: str) -> str:
    """Lay out the benchmark section as markdown."""
    head = [
        "## SPARQL: rdflib engine vs pyoxigraph store",
        "",
        f"Command: `{command}`",
        "",
        f"Synthetic graph of {figures['triples']:,} triples; median of up to "
        f"{RUNS} runs (rdflib: up to 3). Median speed-up over the ready queries: "
        f"**{figures['median_ratio']:,.0f}x**; 1-hop lookup on the store: "
        f"**{figures['hop_ms']:.2f} ms**.",
        "",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"rdflib {rdflib.__version__}, pyoxigraph {pyoxigraph.__version__}. rdflib "
        "runs over the time limit are stopped; their speed-up is a lower bound.",
        "",
        "| step | rdflib | pyoxigraph store | speed-up | rows |",
        "|---|---:|---:|---:|---:|",
    ]
    return "\n".join(head + lines) + "\n"


def main() -> None:
    """Parse arguments, run the benchmark, print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rdflib-timeout", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=Path("docs/BENCHMARKS.md"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    lines, figures = run(args.docs, args.seed, args.rdflib_timeout)
    command = "python " + " ".join(["scripts/bench_sparql.py", *sys.argv[1:]])
    section = render(lines, figures, command)
    sys.stdout.write(section)
    write_section(args.out, "bench_sparql", section)


if __name__ == "__main__":
    main()
