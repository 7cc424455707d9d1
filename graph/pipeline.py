"""Run the stages over documents: read -> nlp -> extract -> graph -> files."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from spacy.language import Language
from tqdm import tqdm

from .errors import InputError, NothingToReadError
from .export import EXPORTS, Linked, read_texts, write_export
from .extract.nlp import make_nlp
from .extract.result import extract, link_result
from .io import dump_json, find_documents, read_text, write_atomic, write_results
from .merge import identify_documents, merge_documents
from .model import DocResult, Entity, EntityType, Mention, Relation
from .outputs import OUTPUT_NAMES, staged_output
from .rdf.build import build_graph, serialize
from .settings import Settings
from .text import working_text

__all__ = ["extract_paths", "extract_text", "split_chunks", "build_outputs"]

logger = logging.getLogger(__name__)


def extract_paths(
    inputs: Iterable[Path], settings: Settings
) -> tuple[list[DocResult], list[str]]:
    """Extract every document under `inputs`; unreadable ones become problems."""
    docs, problems = find_documents(inputs)
    results: list[DocResult] = []
    if not docs:
        return results, problems
    nlp = make_nlp(settings)
    bar = tqdm(docs, desc="extracting", unit="doc", disable=not sys.stderr.isatty())
    for document in bar:
        try:
            text = read_text(document.path)
        except InputError as exc:
            problems.append(str(exc))
            continue
        results.append(
            extract_text(nlp, text, document.name, chunk_chars=settings.chunk_chars)
        )
    return results, problems


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
    result = result if work == text else _surface(result, text, work)
    return link_result(result, text)  # ident: IRIs, subject/object spans, sha256


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


def build_outputs(
    inputs: Iterable[Path], settings: Settings, *, with_store: bool = True
) -> tuple[list[DocResult], list[str], dict[str, Path]]:
    """Extract, then write RDF, per-document JSON, the HTML view and the store.

    The whole set is written into a folder beside `settings.out` and swapped
    in at once (graph/outputs.py), so OUT always holds one complete set.

    Raises:
        NothingToReadError: no document could be read; OUT is left untouched.
        InputError: OUT cannot be written.
    """
    from .view.html import render_html

    out = settings.out
    inputs = list(inputs)  # ident: read twice (extraction, then the texts)
    with staged_output(out) as stage:
        results, problems = extract_paths(inputs, settings)
        if not results:
            raise NothingToReadError(problems, out)
        texts = read_texts(inputs, results)  # ident: the texts offsets count in
        results, merges = identify_documents(results, texts)  # ident: corpus IRIs
        graph = build_graph(merge_documents(results))
        write_results(results, stage.path / OUTPUT_NAMES["json"])
        write_atomic(stage.path / OUTPUT_NAMES["turtle"], serialize(graph, "turtle"))
        write_atomic(stage.path / OUTPUT_NAMES["ntriples"], serialize(graph, "nt"))
        write_atomic(stage.path / OUTPUT_NAMES["html"], render_html(graph))
        linked = Linked(results, texts, merges)  # ident: linking exports
        for name in EXPORTS:  # ident: nif, jsonld, docbin, kb, merges
            write_export(name, linked, stage.path / OUTPUT_NAMES[name])  # ident
        summary = dump_json(_summary(results, len(graph)))
        write_atomic(stage.path / OUTPUT_NAMES["summary"], summary)
        if with_store:
            from .sparql.store import write_store

            write_store(graph, stage.path / OUTPUT_NAMES["store"])
        stage.commit()
    written = {
        label: out / name
        for label, name in OUTPUT_NAMES.items()
        if label != "summary" and (with_store or label != "store")
    }
    return results, problems, written


def _summary(results: list[DocResult], triples: int) -> dict[str, object]:
    return {
        "documents": [r.doc for r in results],
        "entities": sum(len(r.entities) for r in results),
        "relations": sum(len(r.relations) for r in results),
        "triples": triples,
    }
