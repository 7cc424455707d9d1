"""Rule finders: pure functions from text to candidate entity spans.

Every finder has one signature, `(text, lex) -> list[Candidate]`, and stands
in `FINDERS`, one per entity type. Each scans the original string and returns
`Candidate`s with offsets into it; the spaCy component turns them into spans.
Patterns are built from the lexicons in graph/resources/, never from names of
particular documents.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ...model import EntityType
from ..lexicon import Lexicon
from ..records import Candidate
from .names import (
    find_locations,
    find_orgs,
    is_headless_org_name,
    is_org_name,
    is_place_name,
)
from .persons import find_persons, split_name
from .titles import find_events, find_policies

__all__ = [
    "FINDERS",
    "Finder",
    "Candidate",
    "find_candidates",
    "find_policies",
    "find_events",
    "find_orgs",
    "find_locations",
    "find_persons",
    "split_name",
    "is_headless_org_name",
    "is_org_name",
    "is_place_name",
]


logger = logging.getLogger(__name__)

Finder = Callable[[str, Lexicon], list[Candidate]]

FINDERS: dict[EntityType, Finder] = {
    EntityType.POLICY: find_policies,
    EntityType.EVENT: find_events,
    EntityType.ORG: find_orgs,
    EntityType.LOCATION: find_locations,
    EntityType.PERSON: find_persons,
}


def find_candidates(text: str, lex: Lexicon) -> list[Candidate]:
    """Run every finder; overlaps are resolved later (longest span wins)."""
    found: list[Candidate] = []
    for label, finder in FINDERS.items():
        cands = finder(text, lex)
        logger.debug("%s finder: %d candidates", label.value, len(cands))
        found += cands
    return sorted(found)
