"""The stages import downwards only: checked in fresh interpreters on sys.modules."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import graph.extract

PACKAGE = Path(graph.extract.__file__).resolve().parent.parent
LATER_STAGES = ("graph.rdf", "graph.sparql", "graph.view")


def _loaded_after(code: str) -> list[str]:
    """Run `code` in a new interpreter; return the modules it left loaded."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _extract_modules() -> list[str]:
    found = pkgutil.walk_packages([str(PACKAGE / "extract")], prefix="graph.extract.")
    return sorted(info.name for info in found)


def test_extract_modules_are_found() -> None:
    names = _extract_modules()
    assert "graph.extract.nlp" in names and len(names) > 10


def test_extraction_never_imports_rdf_sparql_or_view() -> None:
    names = _extract_modules()
    loaded = _loaded_after("\n".join(f"import {name}" for name in names))
    assert set(names) <= set(loaded)
    assert [m for m in loaded if m.startswith(LATER_STAGES)] == []


@pytest.mark.parametrize("module", ["graph.sparql.workers", "graph.cli"])
def test_query_workers_start_without_rdflib(module: str) -> None:
    # A worker is spawned: it imports graph.sparql.workers and the main
    # module (graph.cli under `kg serve`), and neither may pull rdflib in.
    loaded = _loaded_after(f"import {module}")
    assert module in loaded
    assert [m for m in loaded if m == "rdflib" or m.startswith("rdflib.")] == []


def test_answering_every_kind_and_format_needs_no_rdflib(gold_output: Path) -> None:
    # What a worker runs for a job, run here in one fresh interpreter.
    code = (
        "from pathlib import Path\n"
        "from graph.sparql.workers import _answer\n"
        "from graph.sparql.prefixes import PREFIX_MAP\n"
        "from graph.sparql.store import open_store\n"
        f"store = open_store(Path({str(gold_output / 'store')!r}))\n"
        "jobs = [('SELECT ?s { ?s ?p ?o } LIMIT 3', f) "
        "for f in ('json', 'xml', 'csv', 'tsv')]\n"
        "jobs += [('CONSTRUCT { ?s ?p ?o } { ?s a schema:Person ; ?p ?o }', f) "
        "for f in ('turtle', 'ntriples', 'rdfxml', 'jsonld')]\n"
        "jobs += [('ASK { ?s ?p ?o }', 'json'), "
        "('DESCRIBE ?p { ?p a schema:Person } LIMIT 1', 'turtle')]\n"
        "for text, fmt in jobs:\n"
        "    job = {'kind': 'query', 'text': text, 'formats': [fmt], 'max_rows': 9}\n"
        "    reply = _answer(store, job, PREFIX_MAP)\n"
        "    assert reply.status == 200, (text, fmt, reply.body)\n"
        "    assert reply.body, (text, fmt)\n"
    )
    loaded = _loaded_after(code)
    assert "graph.sparql.workers" in loaded
    assert [m for m in loaded if m.startswith("rdflib")] == []
