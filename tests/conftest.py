"""Shared fixtures: the graph built from the gold answer keys, written to disk once."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from graph.io import read_results
from graph.rdf.build import build_graph, serialize
from graph.sparql.store import write_store

PROJECT = Path(__file__).resolve().parent.parent
GOLD = PROJECT / "data" / "gold"


@pytest.fixture(scope="session")
def gold_graph() -> Graph:
    """Return the graph of the hand-made gold files (stable, unlike extraction)."""
    return build_graph(read_results([GOLD]))


@pytest.fixture(scope="session")
def gold_output(gold_graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return an output folder with graph.ttl, graph.nt and store/ of the gold graph."""
    folder = tmp_path_factory.mktemp("gold_output")
    (folder / "graph.ttl").write_text(serialize(gold_graph, "turtle"), encoding="utf-8")
    (folder / "graph.nt").write_text(serialize(gold_graph, "nt"), encoding="utf-8")
    write_store(gold_graph, folder / "store")
    return folder


CORPUS = PROJECT / "data" / "corpus"


@pytest.fixture(scope="session")
def rules_nlp():
    """Return the extraction pipeline without the NER model (rules and lexicons)."""
    from graph.extract.nlp import make_nlp
    from graph.settings import Settings

    return make_nlp(Settings(use_ner=False))


@pytest.fixture(scope="session")
def corpus_results():
    """Return the extraction of the sample corpus (rules only), made once."""
    from graph.pipeline import extract_paths
    from graph.settings import Settings

    results, problems = extract_paths([CORPUS], Settings(use_ner=False))
    assert not problems
    return results


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from tests/data/ (review the diff, then commit)",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


class Listener:
    """A loopback TCP listener that counts the connections it accepts."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/"
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.socket.close()


@pytest.fixture(scope="session")
def listener() -> Iterator[Listener]:
    """Start a loopback listener for SERVICE and LOAD to aim at; stop it at the end."""
    server = Listener()
    yield server
    server.close()
