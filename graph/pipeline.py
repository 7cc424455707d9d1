"""Run the stages over documents: read -> nlp -> extract -> graph -> files.

Documents stream through: each is read, extracted (in this process, in
worker processes or on a Dask cluster: graph/parallel.py), written as JSON
and forgotten; the graph files are then written one document at a time from
that JSON (graph/dataset.py). Memory holds the documents in flight and the
names of the entities, not the corpus.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from spacy.language import Language

from .cache import ResultCache, cache_folder, pipeline_version
from .errors import InputError, NothingToReadError
from .extract.result import extract
from .io import (
    Document,
    dump_json,
    find_documents,
    read_text,
    write_atomic,
    write_results,
)
from .model import DocResult, Entity, EntityType, Mention, Relation
from .outputs import OUTPUT_NAMES, staged_output
from .parallel import Task, choose_workers, map_ordered, open_executor
from .progress import Progress
from .settings import Settings
from .text import working_text

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
        size = sum(_size(doc.path) for doc in self.documents)
        self.workers = choose_workers(self.settings.workers, len(self.documents), size)
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


def extract_text(
    nlp: Language, text: str, name: str, *, chunk_chars: int = 100_000
) -> DocResult:
    """Extract one document's text, in chunks when it is long.

    The pipeline reads the working text (graph/text.py), which has the same
    length as `text`; mention texts are then taken from `text` itself, so
    `text[m.start:m.end] == m.text` for every mention.
    """
    work = working_text(text)
    parts = []
    for start, end in split_chunks(work, chunk_chars):
        parts.append(_shift(extract(nlp(work[start:end]), name), start))
    result = parts[0] if len(parts) == 1 else _join(name, parts)
    return result if work == text else _surface(result, text, work)


_BREAKS = (re.compile(r"\n[ \t]*\n"), re.compile(r"\n"), re.compile(r"[。！？；!?]"))


def split_chunks(text: str, limit: int) -> list[tuple[int, int]]:
    """Cut `text` into spans of at most `limit` characters that cover it all.

    A span ends after the last blank line before the limit, else after the
    last line break, else after the last sentence end, else at the limit.

    Examples:
        >>> split_chunks("ab\\n\\ncd\\nef", 6)
        [(0, 4), (4, 9)]
        >>> split_chunks("abcdef", 4)
        [(0, 4), (4, 6)]
    """
    spans = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = limit
        for pattern in _BREAKS:
            ends = [m.end() for m in pattern.finditer(window)]
            if ends:
                cut = ends[-1]
                break
        spans.append((start, start + cut))
        start += cut
    spans.append((start, len(text)))
    return spans


def _shift(result: DocResult, offset: int) -> DocResult:
    if offset == 0:
        return result
    entities = tuple(
        replace(
            e,
            mentions=tuple(
                Mention(m.start + offset, m.end + offset, m.text) for m in e.mentions
            ),
        )
        for e in result.entities
    )
    relations = tuple(
        replace(r, start=r.start + offset, end=r.end + offset) if r.start >= 0 else r
        for r in result.relations
    )
    return DocResult(doc=result.doc, entities=entities, relations=relations)


def _join(name: str, parts: list[DocResult]) -> DocResult:
    """Merge chunk results: one entity per (type, name), one relation per fact."""
    entities: dict[tuple[EntityType, str], Entity] = {}
    relations: dict[tuple[str, str, str, str], Relation] = {}
    for part in parts:
        for entity in part.entities:
            old = entities.get((entity.type, entity.name))
            if old is not None:
                entity = replace(
                    old,
                    aliases=tuple(sorted(set(old.aliases) | set(entity.aliases))),
                    mentions=tuple(sorted(set(old.mentions) | set(entity.mentions))),
                )
            entities[(entity.type, entity.name)] = entity
        for rel in part.relations:
            relations.setdefault(rel.key, rel)  # parts come in text order
    return DocResult(
        doc=name, entities=tuple(entities.values()), relations=tuple(relations.values())
    )


def _surface(result: DocResult, text: str, work: str) -> DocResult:
    """Take mention texts (and evidence) from the document text, not the working one."""

    def mention(m: Mention) -> Mention:
        if work[m.start : m.end] != m.text:
            logger.debug("%s: mention %r not at %d", result.doc, m.text, m.start)
            return m
        return Mention(m.start, m.end, text[m.start : m.end])

    def relation(r: Relation) -> Relation:
        at = work.find(r.evidence, r.start, r.end) if r.start >= 0 else -1
        if at < 0 or not r.evidence:
            return r
        return replace(r, evidence=text[at : at + len(r.evidence)])

    entities = tuple(
        replace(e, mentions=tuple(sorted(mention(m) for m in e.mentions)))
        for e in result.entities
    )
    relations = tuple(relation(r) for r in result.relations)
    return DocResult(doc=result.doc, entities=entities, relations=relations)


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
    extra: dict[str, object] = field(default_factory=dict)


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
        documents, names = _write_json(extraction, stage.path / OUTPUT_NAMES["json"])
        if not documents:
            raise NothingToReadError(extraction.problems, out)
        counts = write_dataset(
            [name for name, _, _ in documents],
            stage.path,
            with_store=with_store,
            with_quads=quads,
            progress=progress,
            names=names,
            shapes=settings.shapes if validate else None,
        )
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


def _write_json(
    extraction: Extraction, folder: Path
) -> tuple[list[tuple[str, int, int]], dict[tuple[EntityType, str], str]]:
    """Write each result as it comes; count names for the merge; keep only counts."""
    from .shards import NameCounter

    counter = NameCounter()
    documents = []
    for result in extraction:
        write_results([result], folder)
        counter.add(result)
        documents.append((result.doc, len(result.entities), len(result.relations)))
    return documents, counter.names()
