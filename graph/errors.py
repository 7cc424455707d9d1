"""Errors raised by the library; the CLI turns them into one-line messages."""

from __future__ import annotations

__all__ = [
    "KGError",
    "ResourceError",
    "OntologyError",
    "InputError",
    "QueryError",
    "ForbiddenError",
]


class KGError(Exception):
    """Base class of every error the library raises on purpose."""


class ResourceError(KGError):
    """A data file (lexicon, pattern list, model) is missing or malformed."""


class OntologyError(KGError):
    """The ontology, shapes or a query file is missing or malformed."""


class InputError(KGError):
    """A user-supplied document or path cannot be read."""


class QueryError(KGError):
    """A SPARQL query is malformed (it does not parse)."""


class ForbiddenError(KGError):
    """A request the SPARQL endpoint refuses (it would fetch from the network)."""
