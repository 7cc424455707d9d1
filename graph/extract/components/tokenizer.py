"""One token per character, as spaCy's "zh" tokenizer makes them, in one pass.

spaCy's character segmentation aligns each character with the text by
slicing the rest of the text (`util.get_words_and_spaces`): quadratic in the
length of a document. The tokens are the same here: every character that is
not whitespace is a token; a single space after a token is that token's
trailing space; any other run of whitespace is a token of its own. The Doc
also keeps its text (`doc._.kg_text`, see text.py), which spaCy would rebuild
from the tokens on every `doc.text`.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc
from spacy.vocab import Vocab

__all__ = ["CharTokenizer", "char_words"]

_WHITESPACE = re.compile(r"(\s+)")


def char_words(text: str) -> tuple[list[str], list[bool]]:
    """Return the words and trailing spaces of `text`'s character tokens.

    Examples:
        >>> char_words("全总 召开  会")
        (['全', '总', '召', '开', ' ', '会'], [False, True, False, True, False, False])
    """
    words: list[str] = []
    spaces: list[bool] = []
    for index, part in enumerate(_WHITESPACE.split(text)):
        if index % 2 == 0:  # letters: a token each
            words.extend(part)
            spaces.extend([False] * len(part))
            continue
        if words and part[0] == " ":  # whitespace after a token
            spaces[-1] = True
            part = part[1:]
        if part:
            words.append(part)
            spaces.append(False)
    return words, spaces


class CharTokenizer:
    """The pipeline's tokenizer: `char_words`, and the text kept on the Doc."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words, spaces = char_words(text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc._.kg_text = text
        return doc
