"""make_nlp: the one place where the order of the pipeline is set."""

from __future__ import annotations

import logging

import spacy
from spacy.language import Language

from ..settings import Settings
from . import components  # noqa: F401  (registers the kg_* factories)
from .components.tokenizer import CharTokenizer

__all__ = ["make_nlp", "has_ner_model"]

logger = logging.getLogger(__name__)


def has_ner_model(settings: Settings) -> bool:
    """Tell whether the trained NER model is present where settings say."""
    return (settings.ner_model / "config.cfg").is_file()


def make_nlp(settings: Settings | None = None) -> Language:
    """Build the pipeline: character tokens, NER model, entities, aliases, relations.

    Sentences are the rules' own (extract/sentences.py), so there is no
    sentencizer; the tokens are spaCy's "zh" character tokens, made in one
    pass (components/tokenizer.py).
    """
    settings = settings or Settings()
    nlp = spacy.blank("zh")
    nlp.tokenizer = CharTokenizer(nlp.vocab)
    if settings.use_ner and has_ner_model(settings):
        nlp.add_pipe("kg_model_ner", config={"path": str(settings.ner_model)})
    elif settings.use_ner:
        logger.warning(
            "no NER model at %s; people and places come from rules only",
            settings.ner_model,
        )
    resources = {"resources": str(settings.resources)}
    nlp.add_pipe("kg_entities", config=resources)
    nlp.add_pipe("kg_aliases", config=resources)
    nlp.add_pipe("kg_relations", config=resources)
    return nlp
