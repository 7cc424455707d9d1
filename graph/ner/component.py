"""The spaCy pipeline component ``kg_msra_ner``: MSRA-trained PER/LOC/ORG tagger.

``spacy.load("graph/models/msra_ner")`` finds the factory through the
``spacy_factories`` entry point (or once this module is imported). The weights
are written and read by the component's own ``to_disk``/``from_disk``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans, minibatch

from graph.ner.model import NerModel

__all__ = ["MsraNer", "make_msra_ner"]

logger = logging.getLogger(__name__)


@Language.factory(
    "kg_msra_ner",
    default_config={"batch_size": 256},
    assigns=["doc.ents"],
)
def make_msra_ner(nlp: Language, name: str, batch_size: int) -> MsraNer:
    """Create the MSRA NER component (weights come from ``from_disk``)."""
    return MsraNer(nlp, name, batch_size=batch_size)


class MsraNer:
    """Set ``doc.ents`` to the PER, LOC and ORG spans the ONNX tagger finds."""

    def __init__(self, nlp: Language, name: str = "kg_msra_ner", batch_size: int = 256):
        """Start without weights; call :meth:`from_disk` or :meth:`set_model`."""
        self.nlp = nlp
        self.name = name
        self.batch_size = batch_size
        self.model: NerModel | None = None

    def set_model(self, model: NerModel) -> None:
        """Use an already loaded model."""
        self.model = model

    def _require_model(self) -> NerModel:
        """Return the model or fail clearly when no weights were loaded."""
        if self.model is None:
            raise ValueError(
                f"{self.name}: no weights loaded (use spacy.load on a model dir)"
            )
        return self.model

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Return the (start char, end char, label) entity spans of a text.

        Callers that already hold a tokenized Doc (``kg_model_ner``) use this
        to skip tokenizing the text a second time.
        """
        return self._require_model().predict([text])[0]

    def __call__(self, doc: Doc) -> Doc:
        """Tag one document."""
        return self._set_ents(doc, self.find(doc.text))

    def pipe(
        self, stream: Iterable[Doc], *, batch_size: int | None = None
    ) -> Iterator[Doc]:
        """Tag documents in batches, running one model call per batch."""
        model = self._require_model()
        for docs in minibatch(stream, size=batch_size or self.batch_size):
            found = model.predict([doc.text for doc in docs])
            for doc, spans in zip(docs, found, strict=True):
                yield self._set_ents(doc, spans)

    @staticmethod
    def _set_ents(doc: Doc, spans: list[tuple[int, int, str]]) -> Doc:
        """Align character spans to tokens and store them as ``doc.ents``."""
        ents: list[Span] = []
        for start, end, label in spans:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None and span.text.strip():
                ents.append(span)
        doc.ents = filter_spans(ents)
        return doc

    def to_disk(
        self, path: str | os.PathLike[str], *, exclude: Iterable[str] = ()
    ) -> None:
        """Write the model files into the component's folder."""
        self._require_model().save(Path(path))

    def from_disk(
        self, path: str | os.PathLike[str], *, exclude: Iterable[str] = ()
    ) -> MsraNer:
        """Read the model files from the component's folder."""
        self.model = NerModel.load(Path(path))
        return self

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None
    ) -> None:
        """Do nothing: the component is trained by scripts/train_ner.py, not spaCy."""
