"""kg_model_ner: the slot for a statistical NER model (PER/LOC/ORG -> doc.ents)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from .text import doc_text

__all__ = ["ModelNER", "make_model_ner"]

logger = logging.getLogger(__name__)


class ModelNER:
    """Run a separately trained spaCy pipeline and copy its entities onto the Doc."""

    def __init__(self, model: Language) -> None:
        self.model = model
        # a pipeline whose only component can tag plain text (kg_msra_ner's
        # `find`) is called on the text itself: no second tokenization
        only = model.pipeline[0][1] if len(model.pipeline) == 1 else None
        self._find: Callable[[str], list[tuple[int, int, str]]] | None = getattr(
            only, "find", None
        )

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        if self._find is not None:
            found = self._find(text)
        else:
            found = [
                (e.start_char, e.end_char, e.label_) for e in self.model(text).ents
            ]
        spans = [
            doc.char_span(start, end, label=label, alignment_mode="expand")
            for start, end, label in found
        ]
        doc.ents = filter_spans([s for s in spans if s is not None])
        return doc


@Language.factory("kg_model_ner", default_config={"path": ""}, assigns=["doc.ents"])
def make_model_ner(nlp: Language, name: str, *, path: str) -> ModelNER:
    """Load the NER pipeline at `path` (a spaCy pipeline directory)."""
    from ...errors import ResourceError

    if not Path(path).is_dir():
        raise ResourceError(
            f"{path}: no NER model there (train it: scripts/train_ner.py)"
        )
    try:
        import graph.ner.component  # noqa: F401  (registers the kg_msra_ner factory)
    except ImportError as exc:
        raise ResourceError(
            f"{path}: the NER model needs {exc.name}; install it"
        ) from exc
    return ModelNER(spacy.load(path))
