"""NIF 2.0: one nif:Context per document, one nif:Phrase per entity mention.

Offsets are RFC 5147 `#char=begin,end` positions in Unicode code points of
the document text, which is given whole as the context's `nif:isString`, so
`isString[beginIndex:endIndex] == anchorOf` for every phrase.

The triples are made one document at a time and written by pyoxigraph's
Turtle serializer as they come (rdflib's took minutes on a million
characters, and held the whole graph).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from ..errors import InputError
from ..io import open_atomic
from ..model import DocResult
from ..rdf.build import document_iri
from ..rdf.namespaces import ENTITY_CLASSES

__all__ = ["NIF", "ITSRDF", "PREFIXES", "nif_triples", "nif_turtle", "write_nif"]

NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
ITSRDF = "http://www.w3.org/2005/11/its/rdf#"
_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_XSD_INDEX = NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
PREFIXES = {
    "nif": NIF,
    "itsrdf": ITSRDF,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _nif(name: str) -> NamedNode:
    return NamedNode(NIF + name)


_CONTEXT_TYPES = [_nif("Context"), _nif("String"), _nif("RFC5147String")]
_PHRASE_TYPES = [_nif("Phrase"), _nif("String"), _nif("RFC5147String")]
_IS_STRING, _BEGIN, _END = _nif("isString"), _nif("beginIndex"), _nif("endIndex")
_SOURCE, _CONTEXT, _ANCHOR = (
    _nif("sourceUrl"),
    _nif("referenceContext"),
    _nif("anchorOf"),
)
_CLASS_REF = NamedNode(ITSRDF + "taClassRef")
_IDENT_REF = NamedNode(ITSRDF + "taIdentRef")


def nif_triples(
    results: Iterable[DocResult], texts: Mapping[str, str]
) -> Iterator[Triple]:
    """Describe every document and mention in NIF 2.0, document by document.

    Raises:
        InputError: a text is missing or does not hold a mention at its offsets.
    """
    for result in results:
        if result.doc not in texts:
            raise InputError(f"{result.doc}: no text for the NIF export")
        yield from _document(result, texts[result.doc])


def nif_turtle(results: Iterable[DocResult], texts: Mapping[str, str]) -> str:
    """Serialize `nif_triples` as Turtle (same input, same bytes)."""
    triples = nif_triples(results, texts)
    return serialize(triples, format=RdfFormat.TURTLE, prefixes=PREFIXES).decode()


def write_nif(
    results: Iterable[DocResult], texts: Mapping[str, str], path: Path
) -> None:
    """Write the NIF Turtle of `results` to `path` (atomically, streamed)."""
    with open_atomic(path) as sink:
        serialize(
            nif_triples(results, texts), sink, RdfFormat.TURTLE, prefixes=PREFIXES
        )


def _string_iri(doc: str, begin: int, end: int) -> NamedNode:
    return NamedNode(f"{document_iri(doc)}#char={begin},{end}")


def _index(value: int) -> Literal:
    return Literal(str(value), datatype=_XSD_INDEX)


def _document(result: DocResult, text: str) -> Iterator[Triple]:
    context = _string_iri(result.doc, 0, len(text))
    for cls in _CONTEXT_TYPES:
        yield Triple(context, _RDF_TYPE, cls)
    yield Triple(context, _IS_STRING, Literal(text))
    yield Triple(context, _BEGIN, _index(0))
    yield Triple(context, _END, _index(len(text)))
    yield Triple(context, _SOURCE, NamedNode(str(document_iri(result.doc))))
    for entity in result.entities:
        ident = NamedNode(entity.iri) if entity.iri else None
        type_ref = NamedNode(str(ENTITY_CLASSES[entity.type][0]))
        for mention in entity.mentions:
            if text[mention.start : mention.end] != mention.text:
                raise InputError(
                    f"{result.doc}: mention {mention.text!r} is not at "
                    f"{mention.start}-{mention.end} of the text"
                )
            phrase = _string_iri(result.doc, mention.start, mention.end)
            for cls in _PHRASE_TYPES:
                yield Triple(phrase, _RDF_TYPE, cls)
            yield Triple(phrase, _CONTEXT, context)
            yield Triple(phrase, _ANCHOR, Literal(mention.text))
            yield Triple(phrase, _BEGIN, _index(mention.start))
            yield Triple(phrase, _END, _index(mention.end))
            yield Triple(phrase, _CLASS_REF, type_ref)
            if ident is not None:
                yield Triple(phrase, _IDENT_REF, ident)
