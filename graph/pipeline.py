"""Run the stages over documents: read -> nlp -> extract -> graph -> files.

Documents stream through the extraction: each is read, extracted (in this
process, in worker processes or on a Dask cluster: graph/parallel.py) and
comes back in input order; `kg extract` writes each as JSON and forgets it.
`kg build` keeps the results, since giving entities their corpus-wide
identity (graph/merge.py) needs all of them, then writes the graph files one
document at a time (graph/dataset.py) while a second process writes the JSON
and the linking exports. Memory holds the results once, and, to sort
graph.nt, the lines of the merged graph.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import ResultCache, cache_folder, pipeline_version
from .chunks import extract_text, split_chunks
from .errors import InputError, NothingToReadError
from .io import (
    Document,
    dump_json,
    find_documents,
    read_text,
    write_atomic,
    write_results,
)
from .model import DocResult, EntityType
from .outputs import OUTPUT_NAMES, staged_output
from .parallel import (
    Task,
    available_cores,
    choose_workers,
    map_ordered,
    open_executor,
    run_beside,
)
from .progress import Progress
from .settings import Settings

if TYPE_CHECKING:
    from .export import Linked

__all__ = [
    "Extraction",
    "BuildReport",
    "extract_paths",
    "extract_text",
    "split_chunks",
    "build_outputs",
]

logger = logging.getLogger(__name__)


class Extraction:
    """The results of the documents under `inputs`, in input order, as they finish.

    Iterate once. `problems` lists the inputs that were skipped (found ones
    at once, unreadable ones as they are met); `extracted` and `reused` count
    the documents extracted and those taken from `cache`.
    """

    def __init__(
        self,
        inputs: Iterable[Path],
        settings: Settings,
        *,
        cache: ResultCache | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.documents, self.problems = find_documents(inputs)
        self.settings = settings
        self.cache = cache
        self.progress = progress or Progress()
        self.extracted = 0
        self.reused = 0
        self.workers = 0

    def __iter__(self) -> Iterator[DocResult]:
        if not self.documents:
            return
        count, size = self._to_extract()
        self.workers = choose_workers(self.settings.workers, count, size)
        keys: deque[str | None] = deque()
        self.progress.stage("extracting", total=len(self.documents))
        with open_executor(self.settings, self.workers) as (submit, window, count):
            self.workers = count
            tasks = self._tasks(keys)
            for result in map_ordered(submit, tasks, window=window):
                key = keys.popleft()
                if key is not None and self.cache is not None:
                    self.cache.put(key, result)
                self.progress.advance()
                yield result
        self.progress.close()

    def _to_extract(self) -> tuple[int, int]:
        """Count the documents (and bytes) the cache does not hold.

        With a cache this reads every document once more, so that a build
        that changes one document starts no worker processes for it.
        """
        if self.cache is None:
            return len(self.documents), sum(_size(d.path) for d in self.documents)
        count = size = 0
        for document in self.documents:
            try:
                text = read_text(document.path)
            except InputError:
                continue  # reported by the pass that extracts
            if not self.cache.has(self.cache.key(text)):
                count += 1
                size += _size(document.path)
        return count, size

    def _tasks(self, keys: deque[str | None]) -> Iterator[Task | DocResult]:
        for document in self.documents:
            try:
                text = read_text(document.path)
            except InputError as exc:
                self.problems.append(str(exc))
                self.progress.advance()
                continue
            hit = self._cached(document, text, keys)
            if hit is not None:
                self.reused += 1
                yield hit
            else:
                self.extracted += 1
                yield Task(document.name, text)

    def _cached(
        self, document: Document, text: str, keys: deque[str | None]
    ) -> DocResult | None:
        if self.cache is None:
            keys.append(None)
            return None
        key = self.cache.key(text)
        hit = self.cache.get(key, document.name)
        keys.append(None if hit is not None else key)
        return hit


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def extract_paths(
    inputs: Iterable[Path], settings: Settings, *, progress: Progress | None = None
) -> tuple[list[DocResult], list[str]]:
    """Extract every document under `inputs`; unreadable ones become problems."""
    extraction = Extraction(inputs, settings, progress=progress)
    results = list(extraction)
    return results, extraction.problems


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What `build_outputs` did: per document (name, entities, relations), and more."""

    documents: list[tuple[str, int, int]]
    problems: list[str]
    written: dict[str, Path]
    extracted: int = 0
    reused: int = 0
    workers: int = 1
    triples: int = 0
    quads: int = 0


def build_outputs(
    inputs: Iterable[Path],
    settings: Settings,
    *,
    with_store: bool = True,
    with_quads: bool | None = None,
    validate: bool = False,
    progress: Progress | None = None,
) -> BuildReport:
    """Extract, then write JSON, RDF (N-Triples, Turtle, and with quads
    N-Quads, TriG and per-document shards), the HTML view and the store.

    The whole set is written into a folder beside `settings.out` and swapped
    in at once (graph/outputs.py), so OUT always holds one complete set.
    Quads default to `with_store`: the store is loaded from them. `validate`
    checks the graph against the SHACL shapes (pyshacl) before the swap.

    Raises:
        NothingToReadError: no document could be read; OUT is left untouched.
        InputError: OUT cannot be written.
        OntologyError: with `validate`, the graph does not conform.
    """
    from .dataset import write_dataset

    progress = progress or Progress()
    quads = with_store if with_quads is None else with_quads
    cache = _open_cache(settings)
    out = settings.out
    with staged_output(out) as stage:
        extraction = Extraction(inputs, settings, cache=cache, progress=progress)
        results = list(extraction)
        if not results:
            raise NothingToReadError(extraction.problems, out)
        documents = [(r.doc, len(r.entities), len(r.relations)) for r in results]
        linked, names = _identify(inputs, results, progress)
        del results
        # unless --workers 1: a forked child writes the JSON (with the corpus
        # IRIs) and the linking exports while this process writes the graph
        # files from the same results
        beside = settings.workers != 1 and available_cores() > 1
        if beside:
            progress.stage("writing the linking exports (beside the graph)")
            progress.close()
        exports = partial(
            _write_exports, linked, stage.path, Progress() if beside else progress
        )
        with run_beside(exports, enabled=beside, name="writing the linking exports"):
            counts = write_dataset(
                linked.results,
                stage.path,
                with_store=with_store,
                with_quads=quads,
                progress=progress,
                names=names,
                shapes=settings.shapes if validate else None,
            )
        del exports, linked
        summary = {
            "documents": [name for name, _, _ in documents],
            "entities": sum(n for _, n, _ in documents),
            "relations": sum(n for _, _, n in documents),
            "triples": counts[0],
        }
        write_atomic(stage.path / OUTPUT_NAMES["summary"], dump_json(summary))
        progress.stage("swapping the output folder")
        stage.commit()
        progress.close()
    if cache is not None:
        cache.prune()
    skip = {"summary"} | (set() if with_store else {"store"})
    if not quads:
        skip |= {"nquads", "trig", "shards"}
    written = {k: out / n for k, n in OUTPUT_NAMES.items() if k not in skip}
    return BuildReport(
        documents=documents,
        problems=extraction.problems,
        written=written,
        extracted=extraction.extracted,
        reused=extraction.reused,
        workers=extraction.workers,
        triples=counts[0],
        quads=counts[1],
    )


def _open_cache(settings: Settings) -> ResultCache | None:
    if not settings.use_cache:
        return None
    return ResultCache(cache_folder(settings), pipeline_version(settings))


def _identify(
    inputs: list[Path], results: list[DocResult], progress: Progress
) -> tuple[Linked, dict[tuple[EntityType, str], str]]:
    """Give entities their corpus-wide identity; return what the exports need.

    Namesakes stay apart unless the documents say they are one (graph/merge.py).
    Returns the identified results (in input order) with their texts and
    merges, and the merged names of the graph.
    """
    from .export import Linked, read_texts
    from .merge import identify_documents
    from .shards import NameCounter

    progress.stage("identifying entities across documents")
    texts = read_texts(inputs, results)
    results, merges = identify_documents(results, texts)
    counter = NameCounter()
    for result in results:
        counter.add(result)
    progress.close()
    return Linked(results, texts, merges), counter.names()


def _write_exports(linked: Linked, folder: Path, progress: Progress) -> None:
    """Write the JSON (with the corpus IRIs), NIF, JSON-LD, DocBin, KB and the
    merge report of `linked`."""
    from .export import EXPORTS, write_export

    progress.stage("writing the linking exports")
    write_results(linked.results, folder / OUTPUT_NAMES["json"])
    for name in EXPORTS:
        write_export(name, linked, folder / OUTPUT_NAMES[name])
    progress.close()
