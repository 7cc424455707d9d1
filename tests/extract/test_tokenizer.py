"""The pipeline's character tokens are exactly those of spaCy's "zh" tokenizer."""

from __future__ import annotations

from pathlib import Path

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.extract.components.tokenizer import CharTokenizer, char_words
from graph.extract.nlp import make_nlp
from graph.settings import Settings

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"

SPACY_ZH = spacy.blank("zh")
# letters, and every kind of whitespace the two could treat differently
PIECES = st.sampled_from(
    ["全", "总", "a", " ", "  ", "\n", "\n\n", "\t", "\u3000", "\xa0"]
)


def _spacy_tokens(text: str) -> tuple[list[str], list[bool]]:
    doc = SPACY_ZH.make_doc(text)
    return [t.text for t in doc], [bool(t.whitespace_) for t in doc]


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_same_tokens_as_spacy_zh(text: str) -> None:
    assert char_words(text) == _spacy_tokens(text)


def test_real_report_tokens_and_text() -> None:
    tokenizer = CharTokenizer(SPACY_ZH.vocab)
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        doc = tokenizer(text)
        assert ([t.text for t in doc], [bool(t.whitespace_) for t in doc]) == (
            _spacy_tokens(text)
        )
        assert doc.text == text and doc._.kg_text == text


def test_pipeline_uses_it_and_has_no_sentencizer() -> None:
    nlp = make_nlp(Settings(use_ner=False))
    assert isinstance(nlp.tokenizer, CharTokenizer)
    assert "sentencizer" not in nlp.pipe_names
    doc = nlp("全总召开会议。 巨晓林出席。")
    assert doc._.kg_text == doc.text == "全总召开会议。 巨晓林出席。"
