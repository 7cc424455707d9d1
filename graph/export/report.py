"""The merge report: every merge and non-merge of entities, with its reason."""

from __future__ import annotations

from collections.abc import Iterable

from ..merge import MergeRecord

__all__ = ["MERGE_COLUMNS", "merges_tsv"]

MERGE_COLUMNS = ("decision", "type", "iri", "name", "other", "reason", "documents")


def merges_tsv(records: Iterable[MergeRecord]) -> str:
    """Write the records as tab-separated lines under a header, sorted.

    `other` is the surface form merged into `name` (or the name merged
    across documents), or the IRI of the namesake kept apart; `documents`
    are separated by "|".

    Examples:
        >>> merges_tsv([]).split("\\t")[:3]
        ['decision', 'type', 'iri']
    """
    lines = ["\t".join(MERGE_COLUMNS)]
    for record in sorted(records):
        cells = (
            record.decision,
            record.type.value,
            record.iri,
            record.name,
            record.other,
            record.reason,
            "|".join(record.documents),
        )
        lines.append("\t".join(_cell(c) for c in cells))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split())  # a tab or line break would break the row
