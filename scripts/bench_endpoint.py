"""Benchmark the SPARQL endpoint under bursts: concurrent queries, slow clients.

Serves the graph of the gold answer keys with `python -m graph serve` on a free
loopback port, then measures: bursts of 100 concurrent GET queries (wall time
of the whole burst, answers checked), 1,000 queries from 100 clients, and a
query answered while 200 clients hold half-sent requests (with the server's
thread count meanwhile). Writes its section of docs/BENCHMARKS.md.

    python scripts/bench_endpoint.py [--rounds 5] [--out docs/BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import starlette
import uvicorn

from graph.io import read_results, write_section
from graph.rdf.build import build_graph

GOLD = Path(__file__).resolve().parent.parent / "data" / "gold"
QUERY = "SELECT ?n {{ ?p a schema:Person ; skos:prefLabel ?n }} ORDER BY ?n LIMIT {}"


def _start(graph: Path) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "graph", "serve", str(graph), "--port", "0"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    for line in proc.stdout:  # type: ignore[union-attr]
        if "SPARQL endpoint:" in line:
            return proc, line.split()[2]
        if time.monotonic() > deadline:
            break
    proc.kill()
    raise SystemExit("the endpoint did not start")


def _ask(url: str, number: int) -> bool:
    query = QUERY.format(number % 20 + 1)
    request = urllib.request.Request(
        f"{url}?{urlencode({'query': query})}", headers={"Accept": "text/csv"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        rows = response.read().decode("utf-8").splitlines()
    return response.status == 200 and len(rows) == number % 20 + 2


def _burst(url: str, requests: int, clients: int) -> tuple[float, int]:
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        good = sum(pool.map(lambda n: _ask(url, n), range(requests)))
    return time.perf_counter() - started, good


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def _slow_clients(url: str, pid: int, count: int) -> tuple[int, int, float]:
    before = _threads(pid)
    host, port = url.split("/")[2].rsplit(":", 1)
    held = [socket.create_connection((host, int(port))) for _ in range(count)]
    for conn in held:
        conn.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
    time.sleep(0.5)
    threads = _threads(pid)
    started = time.perf_counter()
    assert _ask(url, 5)
    latency = time.perf_counter() - started
    for conn in held:
        conn.close()
    return before, threads, latency


def run(rounds: int) -> list[str]:
    """Serve the gold graph and measure; return the markdown lines."""
    work = Path(tempfile.mkdtemp(prefix="bench-endpoint-"))
    graph = work / "graph.nt"
    graph.write_bytes(
        build_graph(read_results([GOLD])).serialize(format="nt11", encoding="utf-8")
    )
    proc, url = _start(graph)
    try:
        _burst(url, 20, 20)  # warm up both workers
        bursts = [_burst(url, 100, 100) for _ in range(rounds)]
        many, many_good = _burst(url, 1000, 100)
        before, threads, latency = _slow_clients(url, proc.pid, 200)
    finally:
        proc.terminate()
        proc.wait(30)
    times = [elapsed for elapsed, _ in bursts]
    good = min(count for _, count in bursts)
    return [
        f"| 100 concurrent queries (median of {rounds} bursts) | "
        f"{statistics.median(times):.2f} s (max {max(times):.2f} s) | "
        f"{good}/100 correct |",
        f"| 1,000 queries from 100 clients | {many:.2f} s "
        f"({1000 / many:,.0f} queries/s) | {many_good}/1000 correct |",
        f"| one query while 200 clients hold half-sent requests | "
        f"{latency * 1000:.0f} ms | server threads: {threads} "
        f"({before} before them) |",
    ]


def render(lines: list[str], command: str) -> str:
    """Lay out the benchmark section as markdown."""
    head = [
        "## SPARQL endpoint under bursts",
        "",
        f"Command: `{command}`",
        "",
        "`kg serve` of the gold graph (2 worker processes) on loopback. Before the",
        "move to uvicorn (listen backlog 5, a thread per connection, no deadlines),",
        "100 concurrent GETs took 55-61 s with up to 49 timeouts, and 200 slow",
        "clients held 183 threads.",
        "",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"starlette {starlette.__version__}, uvicorn {uvicorn.__version__}.",
        "",
        "| load | time | answers |",
        "|---|---:|---|",
    ]
    return "\n".join(head + lines) + "\n"


def main() -> None:
    """Parse arguments, run the benchmark, print and write the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("docs/BENCHMARKS.md"))
    args = parser.parse_args()
    section = render(run(args.rounds), "python scripts/bench_endpoint.py")
    sys.stdout.write(section)
    write_section(args.out, "bench_endpoint", section)


if __name__ == "__main__":
    main()
