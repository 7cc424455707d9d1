"""Print what extraction missed and what it added, document by document.

Usage: python scripts/misses.py --gold data/dev/gold --pred X [--only d101,d102]

Reads the reference scorer (../shared/tools/kgscore.py) for its matching rules, so
a line here is exactly a false negative (-) or false positive (+) it counts.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCORER = ROOT.parent / "shared" / "tools" / "kgscore.py"


def _scorer():
    spec = importlib.util.spec_from_file_location("kgscore", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _diff(ks, gold: dict, pred: dict) -> list[str]:
    gents, pents = gold.get("entities", []), pred.get("entities", [])
    matched = ks.match_entities(gents, pents)
    lines = []
    hit = set(matched.values())
    for gi, g in enumerate(gents):
        if gi not in hit:
            lines.append(f"  - {g['type']:8} {g['name']}  {g.get('aliases') or ''}")
    for pi, p in enumerate(pents):
        if pi not in matched:
            lines.append(f"  + {p['type']:8} {p['name']}  {p.get('aliases') or ''}")
    names = {}
    for pi, gi in matched.items():
        for k in ks.keys_of(pents[pi]):
            names.setdefault(k, gents[gi]["name"])

    def key(r: dict, translate) -> tuple:
        role = r.get("role", "") if r["predicate"] in ks.ROLE_PREDICATES else ""
        obj = r["object"] if r["predicate"] == "held_on" else translate(r["object"])
        return (translate(r["subject"]), r["predicate"], obj, ks.norm(role))

    gold_rels = {key(r, ks.norm) for r in gold.get("relations", [])}
    pred_rels = {
        key(r, lambda n: ks.norm(names.get(ks.norm(n), n)))
        for r in pred.get("relations", [])
    }
    for r in sorted(gold_rels - pred_rels, key=lambda r: r[1]):
        lines.append(f"  - {r[1]:15} {r[0]} -> {r[2]} [{r[3]}]")
    for r in sorted(pred_rels - gold_rels, key=lambda r: r[1]):
        lines.append(f"  + {r[1]:15} {r[0]} -> {r[2]} [{r[3]}]")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--pred", type=Path, required=True)
    parser.add_argument("--only", default="", help="comma-separated name prefixes")
    args = parser.parse_args()
    ks = _scorer()
    only = tuple(p for p in args.only.split(",") if p)
    for path in sorted(args.gold.glob("*.json")):
        if only and not path.name.startswith(only):
            continue
        gold = json.loads(path.read_text(encoding="utf-8"))
        pred_path = args.pred / path.name
        pred = (
            json.loads(pred_path.read_text(encoding="utf-8"))
            if pred_path.exists()
            else {}
        )
        print(path.name)
        print("\n".join(_diff(ks, gold, pred)))


if __name__ == "__main__":
    main()
