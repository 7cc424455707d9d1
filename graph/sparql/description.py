"""The SPARQL 1.1 Service Description of the endpoint (`GET /sparql`, no query).

It says where the endpoint is, which languages it accepts (updates only with
`--allow-update`), the result and graph formats of `graph.sparql.formats`, and
that the default graph is the store's. Written in Turtle, and in any other
graph format through pyoxigraph (no rdflib in the server either).
"""

from __future__ import annotations

from pyoxigraph import RdfFormat, parse

from .formats import FORMATS, negotiate, serialize_result
from .prefixes import PREFIX_MAP
from .store import QueryResult
from .workers import Reply

__all__ = ["SD", "describe_service", "service_turtle"]

SD = "http://www.w3.org/ns/sparql-service-description#"
_W3C_FORMATS = "http://www.w3.org/ns/formats/"


def service_turtle(endpoint: str, *, allow_update: bool) -> str:
    """Write the service description of the endpoint at URL `endpoint` in Turtle.

    Examples:
        >>> text = service_turtle("http://127.0.0.1:7878/sparql", allow_update=False)
        >>> "sd:SPARQL11Query" in text, "SPARQL11Update" in text
        (True, False)
    """
    languages = ["sd:SPARQL11Query"] + (["sd:SPARQL11Update"] if allow_update else [])
    formats = ", ".join(
        f"<{_W3C_FORMATS}{fmt.w3c}>" for fmt in FORMATS.values() if fmt.w3c
    )
    iri = endpoint.replace(">", "%3E")
    return (
        f"@prefix sd: <{SD}> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
        f"<{iri}> a sd:Service ;\n"
        f"  sd:endpoint <{iri}> ;\n"
        f"  sd:supportedLanguage {', '.join(languages)} ;\n"
        f"  sd:resultFormat {formats} ;\n"
        '  rdfs:comment "A read-only knowledge graph of Chinese news text; '
        'SERVICE and LOAD are refused."@en ;\n'
        "  sd:defaultDataset [ a sd:Dataset ;\n"
        "    sd:defaultGraph [ a sd:Graph ] ] .\n"
    )


def describe_service(
    endpoint: str, *, allow_update: bool, formats: list[str], accept: str
) -> Reply:
    """Answer the service description in the format the client asks for (or 406)."""
    fmt = negotiate("graph", formats, accept)
    if fmt is None:
        message = f"no graph format of {accept!r} fits; the description is RDF\n"
        return Reply(406, "text/plain; charset=utf-8", message.encode("utf-8"))
    text = service_turtle(endpoint, allow_update=allow_update)
    if fmt.name == "turtle":
        body = text.encode("utf-8")
    else:
        triples = tuple(q.triple for q in parse(text, format=RdfFormat.TURTLE))
        result = QueryResult("graph", triples=triples)
        body = serialize_result(result, fmt.name, prefixes={"sd": SD, **PREFIX_MAP})
    return Reply(200, f"{fmt.media_type}; charset=utf-8", body)
