"""kg_aliases: give every entity mention its canonical name and build entities."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ..lexicon import Lexicon, load_lexicon
from ..resolve import build_entities, resolve_mentions
from .text import doc_text

__all__ = ["AliasResolver", "make_alias_resolver"]


class AliasResolver:
    """Resolve short forms and variants to one entity per real-world thing."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        cands = doc._.kg_candidates or []
        mentions = resolve_mentions(doc_text(doc), cands, self.lexicon)
        doc._.kg_mentions = mentions
        doc._.kg_entities = build_entities(mentions)
        return doc


@Language.factory(
    "kg_aliases",
    default_config={"resources": ""},
    requires=["doc._.kg_candidates"],
    assigns=["doc._.kg_mentions", "doc._.kg_entities"],
)
def make_alias_resolver(nlp: Language, name: str, *, resources: str) -> AliasResolver:
    """Create the alias resolver from the data files in `resources`."""
    from ...settings import Settings

    return AliasResolver(
        load_lexicon(Path(resources) if resources else Settings().resources)
    )
