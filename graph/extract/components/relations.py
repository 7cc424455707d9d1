"""kg_relations: typed relations between the resolved mentions of a Doc."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ..lexicon import Lexicon, load_lexicon
from ..relations.document import find_relations
from .text import doc_text

__all__ = ["RelationFinder", "make_relation_finder"]


class RelationFinder:
    """Find holds_position, issued, approved, organized and event relations."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        mentions = doc._.kg_mentions or []
        doc._.kg_relations = find_relations(doc_text(doc), list(mentions), self.lexicon)
        return doc


@Language.factory(
    "kg_relations",
    default_config={"resources": ""},
    requires=["doc._.kg_mentions"],
    assigns=["doc._.kg_relations"],
)
def make_relation_finder(nlp: Language, name: str, *, resources: str) -> RelationFinder:
    """Create the relation finder from the data files in `resources`."""
    from ...settings import Settings

    return RelationFinder(
        load_lexicon(Path(resources) if resources else Settings().resources)
    )
