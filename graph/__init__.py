"""Knowledge graphs from Chinese news and policy text.

The stages as plain functions, imported on first use (so that importing the
package is cheap and loads neither spaCy nor rdflib):

    make_nlp, extract       text -> Doc -> DocResult        (graph.extract)
    build_graph, serialize  DocResults -> rdflib Graph      (graph.rdf)
    run_query               SPARQL on a store or a graph    (graph.sparql)
    render_html             the offline explorer            (graph.view)
    evaluate                P/R/F1 against answer keys      (graph.evaluate)
"""

from __future__ import annotations

from .lazy import lazy_exports

__version__ = "0.1.0"
__all__ = [
    "__version__",
    "make_nlp",
    "extract",
    "build_graph",
    "serialize",
    "run_query",
    "render_html",
    "evaluate",
]

_HOMES = {
    "make_nlp": "extract",
    "extract": "extract",
    "build_graph": "rdf",
    "serialize": "rdf",
    "run_query": "sparql",
    "render_html": "view",
    "evaluate": "evaluate",
}

__getattr__ = lazy_exports(__name__, _HOMES)
