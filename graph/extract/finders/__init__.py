"""Rule finders: pure functions from text to candidate entity spans.

Each finder scans the original string and returns `Candidate`s with offsets
into it; the spaCy component turns them into spans. Patterns are built from
the lexicons in graph/resources/, never from names of particular documents.
"""

from __future__ import annotations

from ..lexicon import Lexicon
from .base import Candidate
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


def find_candidates(text: str, lex: Lexicon) -> list[Candidate]:
    """Run every finder; overlaps are resolved later (longest span wins)."""
    return sorted(
        find_policies(text, lex)
        + find_events(text, lex)
        + find_orgs(text, lex)
        + find_locations(text, lex)
        + find_persons(text, lex)
    )
