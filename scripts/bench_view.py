"""Benchmark the HTML explorer on a synthetic 5,000-entity graph in headless Chromium.

Usage: python scripts/bench_view.py [--entities 5000] [--runs 3] [--size-entities
12000] [--no-write]

The graph is deterministic and shaped like the real one: people hold posts in
organizations, organizations issue and approve policies and organize events,
people take part in events, events have a place and a date; a few organizations
are hubs. The default view (the most connected entities) is rendered, then the
time from navigation start until the network has stabilized and stopped its
physics is read from the page (`window.kgReadyAt`), and the time a search over
the whole graph takes to bring in an entity that is not shown. The page carries an
index of every entity and relation, so its size is measured too, on a larger
graph (`--size-entities`, like the 11,920-entity graph of issue 13). The result
goes into the bench_view section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import statistics
import sys
import time

from screenshot import ROOT, open_page

from graph.io import write_section
from graph.model import DocResult, Entity, EntityType, Predicate, Relation
from graph.rdf.build import build_graph
from graph.view.html import DEFAULT_MAX_NODES, render_html
from graph.view.select import select_view

__all__ = ["synthetic_results", "main"]

logger = logging.getLogger("bench_view")

SHARES = {  # share of each type among the entities, as in the gold files
    EntityType.PERSON: 0.30,
    EntityType.ORG: 0.24,
    EntityType.POLICY: 0.20,
    EntityType.EVENT: 0.18,
    EntityType.LOCATION: 0.08,
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红晓林振东"
PLACES = (
    "北京上海天津重庆河北山西辽宁吉林江苏浙江安徽福建江西"
    "山东河南湖北湖南广东广西海南四川贵州云南陕西甘肃"
)
DATA = re.compile(r'<script type="application/json" id="kg-data">(.*?)</script>', re.S)
ROLES = ["主席", "副主席", "兼职副主席", "书记处书记", "党组书记", "秘书长", "委员"]


def _names(rng: random.Random, count: int, make) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < count:
        names.setdefault(make(rng, len(names)), None)
    return list(names)


def _pools(rng: random.Random, total: int) -> dict[EntityType, list[str]]:
    def place(r: random.Random, i: int) -> str:
        return (
            r.choice(PLACES[::2])
            + r.choice(PLACES[1::2])
            + ("" if i < 30 else f"{i}区")
        )

    makers = {
        EntityType.PERSON: lambda r, i: (
            r.choice(SURNAMES) + "".join(r.sample(GIVEN, 2))
        ),
        EntityType.ORG: lambda r, i: f"{place(r, i)}第{i}工会委员会",
        EntityType.POLICY: lambda r, i: f"《关于推进第{i}项职工服务工作的意见》",
        EntityType.EVENT: lambda r, i: f"第{i}次全国职工代表工作会议",
        EntityType.LOCATION: place,
    }
    return {t: _names(rng, round(total * s), makers[t]) for t, s in SHARES.items()}


def _relation(rng: random.Random, pools: dict[EntityType, list[str]]) -> Relation:
    def hub(kind: EntityType) -> str:  # a few very connected entities, like 全总
        names = pools[kind]
        return names[min(int(rng.paretovariate(1.2)) - 1, len(names) - 1)]

    def pick(kind: EntityType) -> str:
        return rng.choice(pools[kind])

    person, event = EntityType.PERSON, EntityType.EVENT
    kind = rng.choice(list(Predicate))
    subject, obj, role = {
        Predicate.HOLDS_POSITION: (
            pick(person),
            hub(EntityType.ORG),
            rng.choice(ROLES),
        ),
        Predicate.ISSUED: (hub(EntityType.ORG), pick(EntityType.POLICY), ""),
        Predicate.APPROVED: (hub(EntityType.ORG), pick(EntityType.POLICY), ""),
        Predicate.ORGANIZED: (hub(EntityType.ORG), pick(event), ""),
        Predicate.PARTICIPATED_IN: (pick(person), pick(event), "出席"),
        Predicate.HELD_ON: (pick(event), f"2016-{rng.randint(1, 12):02d}", ""),
        Predicate.HELD_IN: (pick(event), hub(EntityType.LOCATION), ""),
    }[kind]
    evidence = f"{subject}{role}{obj}，这是一条用于基准测试的证据句。"
    return Relation(subject, kind, obj, role=role, evidence=evidence)


def synthetic_results(entities: int = 5000, *, seed: int = 7) -> list[DocResult]:
    """Build deterministic documents that mention `entities` distinct entities."""
    rng = random.Random(seed)
    pools = _pools(rng, entities)
    types = {name: kind for kind, names in pools.items() for name in names}
    relations = [_relation(rng, pools) for _ in range(entities * 3 // 2)]
    results = []
    for number in range(0, len(relations), 20):
        chunk = relations[number : number + 20]
        named = {n for r in chunk for n in (r.subject, r.object) if n in types}
        if number == 0:  # make sure every entity is mentioned somewhere
            named |= set(types)
        results.append(DocResult(
            doc=f"synthetic_{number // 20:04d}.txt",
            entities=tuple(Entity(types[n], n) for n in sorted(named)),
            relations=tuple(chunk),
        ))  # fmt: skip
    return results


def page_size(entities: int) -> tuple[float, float, int]:
    """Return the page's size and its data's size in MB, and its relation count."""
    html = render_html(build_graph(synthetic_results(entities)))
    found = DATA.search(html)
    data = found.group(1) if found else ""
    return len(html.encode()) / 1e6, len(data.encode()) / 1e6, data.count('"ev":')


def _search_ms(page, name: str) -> float:
    return page.evaluate(
        "name => { const t = performance.now(); const box ="
        " document.getElementById('kg-search'); box.value = name;"
        " box.dispatchEvent(new Event('input')); return performance.now() - t; }",
        name,
    )


def _section(
    command: str,
    entities: int,
    nodes: int,
    times: tuple[float, float],
    ready: list[float],
    extra: tuple[float, int, tuple[float, float, int], float],
) -> str:
    build_s, render_s = times
    small_mb, large, (large_mb, data_mb, relations), search_ms = extra
    return "\n".join([
        "## HTML view",
        "",
        f"`{command}` (headless Debian Chromium, 2 shared CPU cores):",
        "",
        f"- synthetic graph: {entities:,} entities; the view shows the {nodes}"
        f" most connected (default `max_nodes` = {DEFAULT_MAX_NODES})",
        f"- `build_graph`: {build_s:.1f} s; `render_html`: {render_s:.1f} s",
        f"- page open → network stabilized and physics stopped: median"
        f" **{statistics.median(ready):.1f} s** over {len(ready)} runs"
        f" ({', '.join(f'{r:.1f}' for r in ready)} s); goal < 5 s",
        f"- search for an entity that is not shown, bring it in with its"
        f" neighbours: {search_ms:.0f} ms",
        f"- page size (it indexes every entity and relation): {small_mb:.1f} MB"
        f" for {entities:,} entities; {large_mb:.1f} MB for {large:,} entities"
        f" and {relations:,} relations, {data_mb:.1f} MB of it data (the rest is"
        " vis-network and the page's code)",
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Build, render and time the default view; print and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES)
    parser.add_argument("--size-entities", type=int, default=12000)
    parser.add_argument("--no-write", action="store_true", help="Do not touch docs/.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    graph = build_graph(synthetic_results(args.entities))
    build_s, started = time.perf_counter() - started, time.perf_counter()
    html = render_html(graph, max_nodes=args.max_nodes)
    render_s = time.perf_counter() - started
    hidden = sorted(
        e.name for e in select_view(graph, max_nodes=args.max_nodes).others
    )[0]
    ready, searches = [], []
    for _ in range(args.runs):
        with open_page(html) as page:
            ready.append(page.evaluate("window.kgReadyAt") / 1000)
            nodes = len(page.evaluate("kg.visibleGraph().nodes"))
            searches.append(_search_ms(page, hidden))
    command = " ".join(["python scripts/bench_view.py", *(argv or sys.argv[1:])])
    large = page_size(args.size_entities)
    extra = (len(html.encode()) / 1e6, args.size_entities, large,
             statistics.median(searches))  # fmt: skip
    section = _section(command, args.entities, nodes, (build_s, render_s), ready, extra)
    logger.info("%s", section)
    if not args.no_write:
        write_section(ROOT / "docs" / "BENCHMARKS.md", "bench_view", section)
    return 0 if statistics.median(ready) < 5 else 1


if __name__ == "__main__":
    sys.exit(main())
