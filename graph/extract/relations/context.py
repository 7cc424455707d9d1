"""What a report is about: its main event and the bodies named as holding it.

Chinese reports name their event once (…大会在X隆重召开) and then refer to it
by a bare word (出席会议, 会议审议通过了…, 主持开幕式); those references, and
the facts stated with them, belong to the main event.
"""

from __future__ import annotations

from ...model import EntityType
from ..lexicon import Lexicon
from ..records import ResolvedMention, Sentence

__all__ = ["main_event", "holders_in_name"]


def main_event(sentences: list[Sentence], lex: Lexicon) -> ResolvedMention | None:
    """Return the report's main event: in the headline, else stated as taking place.

    The headline is a short first line without final punctuation; otherwise the
    first event of a sentence that says it takes place (召开, 举行, 开幕) is it.
    """
    if not sentences:
        return None
    first = sentences[0]
    line = first.text.strip()
    if first.of(EntityType.EVENT) and len(line) <= 40 and line[-1:] not in "。！？；":
        return min(first.of(EntityType.EVENT), key=lambda m: m.start)
    for sent in sentences:
        events = sent.of(EntityType.EVENT)
        if events and any(cue in sent.text for cue in lex.hold_cues):
            return min(events, key=lambda m: m.start)
    return None


def holders_in_name(
    event: ResolvedMention, orgs: list[ResolvedMention]
) -> list[ResolvedMention]:
    """Return the organizations that begin an event's name (县政府常务会议 → 县政府).

    A meeting named after its body (X第N次会议, X常务会议) is held by that body.
    """
    return [org for org in orgs if org.start == event.start and org.end < event.end]
