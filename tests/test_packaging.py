"""The wheel: built from the tree, installed in a fresh venv, `kg query` and `kg serve`.

Offline: the wheel is built without build isolation (the project venv's
setuptools) and installed with `--no-deps --no-index` into a venv whose
`.pth` file appends the project venv's site-packages, so the dependencies
come from there while `graph` comes from the wheel alone. Everything runs
from a folder outside the repository, so the source tree cannot stand in for
what the wheel lacks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def _run(command: list[str], cwd: Path, timeout: float = 240) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel of the working tree."""
    out = tmp_path_factory.mktemp("wheel")
    # A copy of what the wheel is made of: an in-tree build/ of an earlier run
    # could otherwise hand stale files to the wheel.
    tree = out / "src"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    shutil.copytree(PROJECT / "graph", tree / "graph", ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT / name, tree / name)
    command = [sys.executable, "-m", "pip", "wheel", str(tree), "--no-deps"]
    _run([*command, "--no-build-isolation", "-q", "-w", str(out)], cwd=out)
    (found,) = out.glob("graph-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the wheel into a fresh venv; return its bin/ folder."""
    root = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(root)
    python = root / "bin" / "python"
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        cwd=root,
    ).strip()
    ours = sysconfig.get_path("purelib")
    # A plain path line: the project venv's own .pth files (the editable
    # install of graph) are not processed, so only the wheel provides graph.
    (Path(purelib) / "deps.pth").write_text(ours + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    _run([*pip, "--no-deps", "--no-index", str(wheel)], cwd=root)
    return root / "bin"


def test_wheel_carries_ontology_shapes_queries_and_page_assets(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("kg.ttl", "shapes.ttl", "queries/posts-of.rq", "queries/events.rq"):
        assert f"graph/ontology/{name}" in names
    assert "graph/resources/query_page.js" in names
    assert any(n.startswith("graph/sparql/static/codemirror") for n in names)


def test_installed_graph_comes_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    where = _run(
        [str(installed / "python"), "-c", "import graph; print(graph.__file__)"],
        cwd=tmp_path,
    )
    assert str(installed.parent) in where and str(PROJECT) not in where


def test_installed_kg_query_runs_a_ready_query(
    installed: Path, gold_output: Path, tmp_path: Path
) -> None:
    kg = str(installed / "kg")
    command = [kg, "query", str(gold_output), "-n", "posts-of", "巨晓林"]
    out = _run(command, cwd=tmp_path)
    assert "中华全国总工会" in out and re.search(r"\(\d+ rows?\)", out)
    assert _run([kg, "--version"], cwd=tmp_path).strip().endswith("0.1.0")


def test_installed_kg_serve_answers(
    installed: Path, gold_output: Path, tmp_path: Path
) -> None:
    command = [str(installed / "kg"), "serve", str(gold_output), "--port", "0"]
    proc = subprocess.Popen(
        [*command, "--workers", "1"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        line = ""
        while "SPARQL endpoint:" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line and proc.poll() is not None:
                break
        assert "SPARQL endpoint:" in line, proc.stderr.read()  # type: ignore[union-attr]
        base = line.split()[2].removesuffix("sparql")
        with urllib.request.urlopen(base, timeout=30) as page:
            html = page.read().decode("utf-8")
        assert "posts-of" in html and "CodeMirror" in html
        query = "ASK { ?m a org:Membership }"
        url = f"{base}sparql?query={urllib.request.quote(query)}"
        with urllib.request.urlopen(url, timeout=30) as answer:
            assert b'"boolean": true' in answer.read()
    finally:
        proc.terminate()
        proc.wait(30)
