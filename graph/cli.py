"""The `kg` command line: each subcommand is a thin wrapper over one library call."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from .errors import KGError, NothingToReadError
from .progress import Progress
from .settings import Settings
from .sparql.formats import format_names

__all__ = ["app"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Build knowledge graphs from Chinese news and policy text.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
logger = logging.getLogger(__name__)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("graph")
        except PackageNotFoundError:  # a source tree that was never installed
            number = "unknown"
        typer.echo(f"kg {number}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Build knowledge graphs from Chinese news and policy text."""


Inputs = Annotated[
    list[Path] | None,
    typer.Argument(help="Documents (.txt or .html) and/or folders of them."),
]
OutDir = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")]
NoNer = Annotated[
    bool, typer.Option("--no-ner", help="Rules and lexicons only; skip the NER model.")
]


def _setup(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _fail(exc: KGError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(1)


def _report(problems: list[str]) -> None:
    for line in problems:
        typer.echo(f"warning: {line}", err=True)


def _summarize(documents: list[tuple[str, int, int]], problems: list[str]) -> None:
    """Print the problems, then one line per document."""
    _report(problems)
    for name, entities, relations in documents:
        typer.echo(f"{name}: {entities} entities, {relations} relations")


Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-w",
        min=1,
        help="Extraction processes, each loading the pipeline once (default: the "
        "cores available; 1 for an input under 1 MB).",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        help="Extract on a Dask cluster: its scheduler, tcp://HOST:PORT "
        "(pip install 'graph[cluster]').",
    ),
]


def _progress() -> Progress:
    from .progress import make_progress

    return make_progress(sys.stderr)


@app.command()
def extract(
    inputs: Inputs = None,
    out: OutDir = Path("output/json"),
    no_ner: NoNer = False,
    workers: Workers = None,
    scheduler: Scheduler = None,
    verbose: Verbose = False,
) -> None:
    """Extract entities and relations; write one <document>.json per document.

    Each JSON file is written as its document finishes, in input order.
    """
    from .errors import InputError
    from .io import write_results
    from .pipeline import Extraction

    _setup(verbose)
    settings = Settings(use_ner=not no_ner, workers=workers, scheduler=scheduler)
    documents: list[tuple[str, int, int]] = []
    try:
        extraction = Extraction(
            inputs or [settings.corpus], settings, progress=_progress()
        )
        for result in extraction:
            if not documents and out.exists() and not out.is_dir():
                raise InputError(f"{out}: --out is not a folder")
            write_results([result], out)
            documents.append((result.doc, len(result.entities), len(result.relations)))
        if not documents:
            raise NothingToReadError(extraction.problems)
    except NothingToReadError as exc:
        _report(exc.problems)
        raise _fail(exc) from exc
    except OSError as exc:
        raise _fail(InputError(f"{out}: cannot write ({exc.strerror})")) from exc
    except KGError as exc:
        raise _fail(exc) from exc
    _summarize(documents, extraction.problems)
    typer.echo(f"wrote {len(documents)} JSON files to {out}")


@app.command()
def build(
    inputs: Inputs = None,
    out: OutDir = Path("output"),
    no_ner: NoNer = False,
    store: Annotated[
        bool, typer.Option("--store/--no-store", help="Also write a SPARQL store.")
    ] = True,
    quads: Annotated[
        bool | None,
        typer.Option(
            "--quads/--no-quads",
            help="Also write named graphs: graph.nq, graph.trig, shards/ "
            "(default: with the store).",
        ),
    ] = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    cache: Annotated[
        Path | None,
        typer.Option(
            help="Folder of the per-document cache (default: one per --out "
            "under $XDG_CACHE_HOME/graph/results).",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Extract every document again.")
    ] = False,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate",
            help="Check the graph against ontology/shapes.ttl (SHACL, pyshacl); "
            "a graph that does not conform is an error and replaces nothing.",
        ),
    ] = False,
    verbose: Verbose = False,
) -> None:
    """Extract, then write graph.ttl, graph.nt, json/, graph.html (and store/).

    With the store (or --quads) also graph.nq, graph.trig and shards/: each
    document's facts in a named graph of its own. Unchanged documents are
    taken from the cache.
    """
    from .pipeline import build_outputs

    _setup(verbose)
    settings = Settings(
        use_ner=not no_ner,
        out=out,
        workers=workers,
        scheduler=scheduler,
        cache=cache,
        use_cache=not no_cache,
    )
    started = time.perf_counter()
    try:
        report = build_outputs(
            inputs or [settings.corpus],
            settings,
            with_store=store,
            with_quads=quads,
            validate=validate,
            progress=_progress(),
        )
    except NothingToReadError as exc:
        _report(exc.problems)
        raise _fail(exc) from exc
    except KGError as exc:
        raise _fail(exc) from exc
    _summarize(report.documents, report.problems)
    for label, path in report.written.items():
        typer.echo(f"{label}: {path}")
    if validate:
        typer.echo(f"SHACL: the graph conforms to {settings.shapes.name}")
    typer.echo(
        f"extracted {report.extracted}, reused {report.reused} from the cache, "
        f"{report.workers} worker(s)"
    )
    typer.echo(f"built in {time.perf_counter() - started:.1f} s")


@app.command("export")
def export_cmd(
    inputs: Inputs = None,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="nif|jsonld|docbin|kb|merges."),
    ] = "nif",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="File (a folder for kb); default output/<its name>."
        ),
    ] = None,
    no_ner: NoNer = False,
    verbose: Verbose = False,
) -> None:
    """Extract, then write one linking export (NIF, JSON-LD, spaCy DocBin or KB)."""
    from .errors import InputError
    from .export import EXPORTS, Linked, read_texts, write_export
    from .merge import identify_documents
    from .pipeline import extract_paths

    _setup(verbose)
    settings = Settings(use_ner=not no_ner)
    try:
        if fmt not in EXPORTS:
            raise InputError(f"--format {fmt}: not one of {', '.join(EXPORTS)}")
        sources = inputs or [settings.corpus]
        results, problems = extract_paths(sources, settings)
        if not results:
            raise NothingToReadError(problems)
        texts = read_texts(sources, results)
        identified, merges = identify_documents(results, texts)
        path = out or settings.out / EXPORTS[fmt].filename
        write_export(fmt, Linked(identified, texts, merges), path)
    except NothingToReadError as exc:
        _report(exc.problems)
        raise _fail(exc) from exc
    except OSError as exc:
        raise _fail(InputError(f"{out}: cannot write ({exc.strerror})")) from exc
    except KGError as exc:
        raise _fail(exc) from exc
    _summarize([(r.doc, len(r.entities), len(r.relations)) for r in results], problems)
    typer.echo(f"{fmt}: {path}")


@app.command("eval")
def evaluate_cmd(
    inputs: Inputs = None,
    gold: Annotated[
        Path | None,
        typer.Option(
            help="Folder of gold *.json files (default: score the sample and the "
            "dev set, each against its own keys)."
        ),
    ] = None,
    pred: Annotated[
        Path | None,
        typer.Option(help="Score this folder of predictions instead of extracting."),
    ] = None,
    no_ner: NoNer = False,
    verbose: Verbose = False,
) -> None:
    """Score extraction against gold files: P/R/F1 per type, per predicate, overall."""
    from .evaluate import EVAL_SETS, evaluate, format_scores
    from .io import read_results
    from .pipeline import extract_paths
    from .settings import PROJECT_DIR

    _setup(verbose)
    settings = Settings(use_ner=not no_ner)
    if gold is None and not inputs and pred is None:
        sets = {
            name: ([PROJECT_DIR / docs], PROJECT_DIR / keys)
            for name, (docs, keys) in EVAL_SETS.items()
            if (PROJECT_DIR / keys).is_dir()
        }
    else:
        sets = {"": (list(inputs or [settings.corpus]), gold or Path("data/gold"))}
    for name, (docs, keys) in sets.items():
        try:
            golds = read_results([keys])
            if pred is not None:
                results = read_results([pred])
            else:
                results, problems = extract_paths(docs, settings)
                _report(problems)
        except KGError as exc:
            raise _fail(exc) from exc
        if name:
            typer.echo(f"## {name}: {docs[0]} against {keys}")
        typer.echo(format_scores(evaluate(golds, results)))


def _view_page_path(folder: Path, focus: str | None) -> Path:
    """Default page of `kg view`: never graph.html, which `kg build` writes."""
    if not focus:
        return folder / "view.html"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in focus.strip())
    return folder / f"view-{safe or 'focus'}.html"


@app.command()
def view(
    graph_path: Annotated[
        Path,
        typer.Argument(
            metavar="GRAPH",
            help="graph.ttl / graph.nt, or a folder holding graph.ttl.",
        ),
    ] = Path("output"),
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="HTML file to write (default GRAPH's folder: view.html, or "
            "view-<focus>.html with --focus; never graph.html unless named).",
        ),
    ] = None,
    focus: Annotated[
        str | None,
        typer.Option(help="Show the neighbourhood of this entity (name or alias)."),
    ] = None,
    hops: Annotated[
        int, typer.Option(min=0, help="Radius of the --focus neighbourhood.")
    ] = 2,
    max_nodes: Annotated[
        int | None,
        typer.Option(min=1, help="Most entities on the page (default 400)."),
    ] = None,
    types: Annotated[
        str | None,
        typer.Option(help="Entity types to show, e.g. PERSON,ORG (default all)."),
    ] = None,
    export: Annotated[
        Path | None,
        typer.Option(
            help="Write the entities shown first and their relations as "
            "FILE.gexf or FILE.graphml (networkx) instead of the page "
            "(as well as the page with --out).",
        ),
    ] = None,
    isolated: Annotated[
        bool, typer.Option(help="Keep entities without relations in --export.")
    ] = False,
    verbose: Verbose = False,
) -> None:
    """Write an offline HTML explorer of a graph: all of it, or around --focus."""
    from rdflib import Graph
    from rdflib.exceptions import ParserError
    from rdflib.plugin import PluginException

    from .errors import InputError
    from .io import write_atomic
    from .view.html import DEFAULT_MAX_NODES, render_view
    from .view.network import export_view
    from .view.select import select_view

    _setup(verbose)
    source = graph_path / "graph.ttl" if graph_path.is_dir() else graph_path
    try:
        if not source.is_file():
            raise InputError(f"{source}: no such graph file")
        if export is not None and export.suffix.lower() not in (".gexf", ".graphml"):
            raise InputError(f"{export}: --export needs a .gexf or .graphml file")
        try:
            graph = Graph().parse(source)
        except (SyntaxError, ValueError, ParserError, PluginException) as exc:
            raise InputError(f"{source}: not a Turtle/N-Triples graph ({exc})") from exc
        chosen = select_view(
            graph,
            focus=focus,
            hops=hops,
            max_nodes=max_nodes or DEFAULT_MAX_NODES,
            types=set(filter(None, types.split(","))) if types else None,
        )
        if export is not None:
            write_atomic(export, export_view(chosen, export.suffix, isolated=isolated))
            typer.echo(f"{source}: {export.suffix[1:]} export -> {export}")
        if export is None or out is not None:
            page = out or _view_page_path(source.parent, focus)
            if page.is_dir():
                raise InputError(f"{page}: --out is a folder, not an HTML file")
            html = render_view(chosen, source=str(graph_path))
            write_atomic(page, html)
            typer.echo(f"{source}: {len(graph)} triples -> {page}")
    except OSError as exc:
        name = out or export or exc.filename
        raise _fail(InputError(f"{name}: cannot write ({exc.strerror})")) from exc
    except KGError as exc:
        raise _fail(exc) from exc


Source = Annotated[
    Path,
    typer.Argument(help="A store folder, a .ttl/.nt graph, or an output folder."),
]


@app.command("query")
def query_cmd(
    source: Source,
    texts: Annotated[
        list[str] | None,
        typer.Argument(help="SPARQL text or a .rq file, then parameter values."),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", "-n", help="A ready query (graph/ontology/queries/)."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Parameter key=value (repeatable)."),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="table, or SELECT/ASK: "
            + "|".join(format_names("results"))
            + "; CONSTRUCT/DESCRIBE: "
            + "|".join(format_names("graph")),
        ),
    ] = "table",
    ambiguous: Annotated[
        int,
        typer.Option(
            "--ambiguous-width",
            min=1,
            max=2,
            envvar="KG_AMBIGUOUS_WIDTH",
            help="Columns your terminal gives ambiguous characters such as “ ” … "
            "(2 in terminals set up for CJK).",
        ),
    ] = 1,
    verbose: Verbose = False,
) -> None:
    """Run SPARQL (SELECT, ASK, CONSTRUCT, DESCRIBE) and print the answer."""
    from .sparql.query import answer_query

    _setup(verbose)
    settings = Settings()
    values = list(texts or [])
    query = None if name or not values else values.pop(0)
    try:
        text = answer_query(
            source,
            query,
            fmt=fmt,
            name=name,
            params=param or [],
            args=values,
            folder=settings.queries,
            ambiguous=ambiguous,
        )
    except KGError as exc:
        raise _fail(exc) from exc
    typer.echo(text, nl=False)


@app.command()
def serve(
    source: Source,
    host: Annotated[
        str, typer.Option(help="Address to bind (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.")] = 7878,
    timeout: Annotated[
        float, typer.Option(help="Time limit per query, seconds.")
    ] = 10.0,
    max_rows: Annotated[
        int, typer.Option(help="Most rows or triples per answer.")
    ] = 10000,
    workers: Annotated[int, typer.Option(help="Query worker processes.")] = 2,
    allow_update: Annotated[
        bool, typer.Option("--allow-update", help="Accept SPARQL UPDATE (not LOAD).")
    ] = False,
    cors: Annotated[
        str | None, typer.Option(help="Let pages of this origin query (CORS).")
    ] = None,
    verbose: Verbose = False,
) -> None:
    """Serve a SPARQL 1.1 endpoint at /sparql and a query page at /."""
    import signal

    from .sparql.server import make_server

    _setup(verbose)
    settings = Settings()
    try:
        server = make_server(
            source,
            host=host,
            port=port,
            timeout=timeout,
            max_rows=max_rows,
            workers=workers,
            allow_update=allow_update,
            queries=settings.queries,
            cors=cors,
        )
    except (KGError, OSError) as exc:
        raise _fail(KGError(str(exc))) from exc
    signal.signal(signal.SIGTERM, _interrupt)
    typer.echo(f"SPARQL endpoint: {server.url}sparql  (query page: {server.url})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopping")
    finally:
        server.server_close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:  # pragma: no cover - console entry for `python -m graph`
    sys.exit(app())
