"""Golden files: tests/data/<name>.txt -> tests/golden/<name>.json and .ttl.

The extraction runs with rules only, so retraining the NER model does not move
these files; `pytest --update-golden` rewrites them, and every change is
reviewed in its diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic

from graph.extract.result import extract
from graph.io import dump_json, read_text
from graph.rdf.build import build_graph, serialize

HERE = Path(__file__).resolve().parents[1]
INPUTS = sorted((HERE / "data").glob("*.txt"))


@pytest.mark.parametrize("source", INPUTS, ids=[p.stem for p in INPUTS])
def test_golden_output(source: Path, rules_nlp, update_golden: bool) -> None:
    result = extract(rules_nlp(read_text(source)), source.name)
    graph = build_graph([result])
    json_path = HERE / "golden" / f"{source.stem}.json"
    ttl_path = HERE / "golden" / f"{source.stem}.ttl"
    if update_golden or not json_path.exists():
        json_path.write_text(dump_json(result.to_dict()), encoding="utf-8")
        ttl_path.write_text(serialize(graph, "turtle"), encoding="utf-8")
    expected = json.loads(json_path.read_text(encoding="utf-8"))
    assert result.to_dict() == expected
    golden_graph = Graph().parse(ttl_path, format="turtle")
    if not isomorphic(graph, golden_graph):
        _, only_new, only_old = graph_diff(graph, golden_graph)
        pytest.fail(f"graph differs: +{len(only_new)} -{len(only_old)} triples")
