"""Write answers: SPARQL JSON/XML/CSV/TSV results, and compacted JSON-LD graphs.

Which writer runs is decided by the registry of `graph.sparql.formats`. Like
the store, this module imports pyoxigraph only (no rdflib).
"""

from __future__ import annotations

import csv
import io
import json
import re
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from .store import QueryResult, Term

__all__ = ["write_results", "compact_jsonld"]

_SPARQL_NS = "http://www.w3.org/2005/sparql-results#"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# Characters outside XML 1.0's Char production (not even a reference can hold them).
_NOT_XML = re.compile(r"[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def write_results(result: QueryResult, fmt: str) -> str:
    """Write a SELECT or ASK result as SPARQL `json`, `xml`, `csv` or `tsv`."""
    writer = {"json": _to_json, "xml": _to_xml, "csv": _to_csv, "tsv": _to_tsv}[fmt]
    return writer(result)


def _curie(iri: str, prefixes: dict[str, str]) -> str:
    """Write an IRI as prefix:local when a prefix covers it (longest wins).

    Examples:
        >>> _curie("https://schema.org/Person", {"schema": "https://schema.org/"})
        'schema:Person'
        >>> _curie("http://x.org/a", {"schema": "https://schema.org/"})
        'http://x.org/a'
    """
    best = max(
        (item for item in prefixes.items() if iri.startswith(item[1])),
        key=lambda item: len(item[1]),
        default=None,
    )
    if best is None or not iri[len(best[1]) :]:
        return iri
    return f"{best[0]}:{iri[len(best[1]) :]}"


def _node_id(term: Term, prefixes: dict[str, str]) -> str:
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return _curie(term.value, prefixes) if isinstance(term, NamedNode) else str(term)


def _jsonld_value(term: Term, prefixes: dict[str, str]) -> object:
    if not isinstance(term, Literal):
        return {"@id": _node_id(term, prefixes)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == _XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": _curie(term.datatype.value, prefixes)}


def compact_jsonld(triples: tuple[Triple, ...], prefixes: dict[str, str]) -> str:
    """Write triples as compacted JSON-LD: a `@context` of the prefixes, a `@graph`.

    Nodes and their properties are sorted, so the output is deterministic.

    Examples:
        >>> s, p = NamedNode("https://schema.org/a"), NamedNode("https://schema.org/b")
        >>> print(compact_jsonld((Triple(s, p, Literal("x")),),
        ...                      {"schema": "https://schema.org/"}), end="")
        {"@context": {"schema": "https://schema.org/"}, "@graph": [{"@id": "schema:a", "schema:b": ["x"]}]}
    """  # noqa: E501
    nodes: dict[str, dict[str, list]] = {}
    for triple in triples:
        node = nodes.setdefault(_node_id(triple.subject, prefixes), {})
        if triple.predicate.value == _RDF_TYPE and not isinstance(
            triple.object, Literal
        ):
            node.setdefault("@type", []).append(_node_id(triple.object, prefixes))
            continue
        key = _curie(triple.predicate.value, prefixes)
        node.setdefault(key, []).append(_jsonld_value(triple.object, prefixes))
    graph = []
    for node_id in sorted(nodes):
        props = nodes[node_id]
        item: dict[str, object] = {"@id": node_id}
        for key in sorted(props):
            item[key] = sorted(props[key], key=_sort_key)
        graph.append(item)
    data = {"@context": dict(sorted(prefixes.items())), "@graph": graph}
    return json.dumps(data, ensure_ascii=False) + "\n"


def _sort_key(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _bound(
    names: tuple[str, ...], row: tuple[Term | None, ...]
) -> list[tuple[str, Term]]:
    return [
        (name, term) for name, term in zip(names, row, strict=True) if term is not None
    ]


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _to_json(result: QueryResult) -> str:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
    bindings = [
        {name: _json_term(term) for name, term in _bound(result.variables, row)}
        for row in result.rows
    ]
    data = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(data, ensure_ascii=False) + "\n"


def _xml_text(text: str) -> str:
    """Escape text for XML 1.0, which cannot hold most control characters at all.

    They become U+FFFD, so that the document stays well-formed.

    Examples:
        >>> _xml_text("a\\x01<b>\\tc")
        'a\ufffd&lt;b&gt;\\tc'
    """
    return escape(_NOT_XML.sub("\ufffd", text))


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            lang = quoteattr(term.language)
            return f"<literal xml:lang={lang}>{_xml_text(term.value)}</literal>"
        return (
            f"<literal datatype={quoteattr(term.datatype.value)}>"
            f"{_xml_text(term.value)}</literal>"
        )
    return f"<literal>{_xml_text(str(term))}</literal>"


def _to_xml(result: QueryResult) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<sparql xmlns="{_SPARQL_NS}">']
    if result.kind == "ask":
        lines += ["<head/>", f"<boolean>{str(result.boolean).lower()}</boolean>"]
        return "\n".join(lines + ["</sparql>", ""])
    lines.append("<head>")
    lines += [f"<variable name={quoteattr(name)}/>" for name in result.variables]
    lines += ["</head>", "<results>"]
    for row in result.rows:
        lines.append("<result>")
        lines += [
            f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
            for name, term in _bound(result.variables, row)
        ]
        lines.append("</result>")
    return "\n".join(lines + ["</results>", "</sparql>", ""])


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return term.value if isinstance(term, (NamedNode, Literal)) else str(term)


def _to_csv(result: QueryResult) -> str:
    if result.kind == "ask":
        return f"{str(result.boolean).lower()}\r\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    writer.writerows([_csv_value(term) for term in row] for row in result.rows)
    return buffer.getvalue()


def _to_tsv(result: QueryResult) -> str:
    if result.kind == "ask":
        return f"{str(result.boolean).lower()}\n"
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    for row in result.rows:
        cells = ("" if term is None else str(term).replace("\t", "\\t") for term in row)
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"
