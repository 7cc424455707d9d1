"""NIF 2.0: one nif:Context per document, one nif:Phrase per entity mention.

Offsets are RFC 5147 `#char=begin,end` positions in Unicode code points of
the document text, which is given whole as the context's `nif:isString`, so
`isString[beginIndex:endIndex] == anchorOf` for every phrase.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from ..errors import InputError
from ..model import DocResult
from ..rdf.build import document_iri
from ..rdf.namespaces import ENTITY_CLASSES

__all__ = ["NIF", "ITSRDF", "nif_graph", "nif_turtle"]

NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")


def nif_graph(results: Iterable[DocResult], texts: Mapping[str, str]) -> Graph:
    """Describe every document and mention in NIF 2.0.

    Raises:
        InputError: a text is missing or does not hold a mention at its offsets.
    """
    graph = Graph(bind_namespaces="none")
    graph.bind("nif", NIF)
    graph.bind("itsrdf", ITSRDF)
    graph.bind("xsd", XSD)
    for result in results:
        if result.doc not in texts:
            raise InputError(f"{result.doc}: no text for the NIF export")
        _add_document(graph, result, texts[result.doc])
    return graph


def nif_turtle(results: Iterable[DocResult], texts: Mapping[str, str]) -> str:
    """Serialize `nif_graph` as Turtle (`longturtle`, which is stable)."""
    return nif_graph(results, texts).serialize(format="longturtle")


def _string_iri(doc: str, begin: int, end: int) -> URIRef:
    return URIRef(f"{document_iri(doc)}#char={begin},{end}")


def _index(value: int) -> Literal:
    return Literal(value, datatype=XSD.nonNegativeInteger)


def _add_document(graph: Graph, result: DocResult, text: str) -> None:
    context = _string_iri(result.doc, 0, len(text))
    for cls in (NIF.Context, NIF.String, NIF.RFC5147String):
        graph.add((context, RDF.type, cls))
    graph.add((context, NIF.isString, Literal(text)))
    graph.add((context, NIF.beginIndex, _index(0)))
    graph.add((context, NIF.endIndex, _index(len(text))))
    graph.add((context, NIF.sourceUrl, document_iri(result.doc)))
    for entity in result.entities:
        ident = URIRef(entity.iri) if entity.iri else None
        for mention in entity.mentions:
            if text[mention.start : mention.end] != mention.text:
                raise InputError(
                    f"{result.doc}: mention {mention.text!r} is not at "
                    f"{mention.start}-{mention.end} of the text"
                )
            phrase = _string_iri(result.doc, mention.start, mention.end)
            for cls in (NIF.Phrase, NIF.String, NIF.RFC5147String):
                graph.add((phrase, RDF.type, cls))
            graph.add((phrase, NIF.referenceContext, context))
            graph.add((phrase, NIF.anchorOf, Literal(mention.text)))
            graph.add((phrase, NIF.beginIndex, _index(mention.start)))
            graph.add((phrase, NIF.endIndex, _index(mention.end)))
            graph.add((phrase, ITSRDF.taClassRef, ENTITY_CLASSES[entity.type][0]))
            if ident is not None:
                graph.add((phrase, ITSRDF.taIdentRef, ident))
