"""Errors raised by the library; the CLI turns them into one-line messages."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "KGError",
    "ResourceError",
    "OntologyError",
    "InputError",
    "NothingToReadError",
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


class NothingToReadError(InputError):
    """No document could be read, so nothing is built and nothing is replaced."""

    def __init__(self, problems: list[str], out: Path | None = None) -> None:
        kept = f"; {out} left as it was" if out is not None else ""
        super().__init__(f"no readable document in the inputs{kept}")
        self.problems = list(problems)


class QueryError(KGError):
    """A SPARQL query is malformed (it does not parse)."""


class ForbiddenError(KGError):
    """A request the SPARQL endpoint refuses (it would fetch from the network)."""
