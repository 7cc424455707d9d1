"""kg_entities: rule candidates (+ NER spans) -> non-overlapping labelled spans."""

from __future__ import annotations

import logging
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from ...model import EntityType
from ..finders import (
    Candidate,
    find_candidates,
    find_orgs,
    is_headless_org_name,
    is_org_name,
    is_place_name,
)
from ..finders.base import is_unit_name
from ..lexicon import Lexicon, load_lexicon
from .text import doc_text

__all__ = [
    "EntityFinder",
    "make_entity_finder",
    "select_candidates",
    "is_plausible",
    "NER_LABELS",
]

logger = logging.getLogger(__name__)

# Labels of the statistical model mapped to ours.
NER_LABELS = {
    "PER": EntityType.PERSON,
    "ORG": EntityType.ORG,
    "LOC": EntityType.LOCATION,
}


def select_candidates(cands: list[Candidate]) -> list[Candidate]:
    """Keep non-overlapping candidates: longest first, then higher priority.

    Examples:
        >>> a = Candidate(0, 4, EntityType.ORG)
        >>> b = Candidate(0, 2, EntityType.LOCATION)
        >>> select_candidates([a, b]) == [a]
        True
    """
    taken: list[Candidate] = []
    used: set[int] = set()
    for cand in sorted(cands, key=lambda c: (-c.length, -c.priority, c.start)):
        if cand.length <= 0 or used.intersection(range(cand.start, cand.end)):
            logger.debug(
                "candidate %s at %d-%d dropped: a longer or surer one overlaps it",
                cand.label.value,
                cand.start,
                cand.end,
            )
            continue
        taken.append(cand)
        used.update(range(cand.start, cand.end))
    return sorted(taken)


def _model_candidates(doc: Doc, text: str, lex: Lexicon) -> list[Candidate]:
    """Turn the NER model's spans in doc.ents into candidates the rules may lack."""
    cands = [
        Candidate(ent.start_char, ent.end_char, NER_LABELS[ent.label_], priority=0)
        for ent in doc.ents
        if ent.label_ in NER_LABELS
    ]
    kept = []
    for cand in cands:
        if is_plausible(cand, text[cand.start : cand.end], lex):
            kept.append(cand)
        else:
            logger.debug(
                "model %s %r rejected: not shaped like a name of its type",
                cand.label.value,
                text[cand.start : cand.end],
            )
    return kept


def is_plausible(cand: Candidate, text: str, lex: Lexicon) -> bool:
    """Tell whether a model span looks like a name of its type.

    People need a known surname and two to four characters; organizations must
    be names the rules accept whole (the model's ORG spans are often groups or
    run into the next word); places must be known or end like one.

    Examples:
        >>> from graph.settings import Settings
        >>> lex = load_lexicon(Settings().resources)
        >>> is_plausible(Candidate(0, 3, EntityType.PERSON), "巨晓林", lex)
        True
        >>> is_plausible(Candidate(0, 4, EntityType.ORG), "各级工会", lex)
        False
    """
    if text in lex.generic or len(text) < 2 or not text.isalnum():
        return False
    if cand.label is EntityType.PERSON:
        surname = text[:2] if text[:2] in lex.surnames else text[:1]
        return surname in lex.surnames and 2 <= len(text) <= 4
    if cand.label is EntityType.ORG:
        return is_org_name(text, lex) or is_headless_org_name(text, lex)
    return is_place_name(text, lex)


class EntityFinder:
    """Find entity mentions with rules and merge in the NER model's spans."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        rules = select_candidates(find_candidates(text, self.lexicon))
        model = _model_candidates(doc, text, self.lexicon)
        # the model fills gaps: where a rule found something, the rule wins, but
        # a place inside a model's organization name (中国 in 中国新闻网)
        # does not block that name
        orgs = [m for m in model if m.label is EntityType.ORG]
        used = {
            i
            for c in rules
            if not (c.label is EntityType.LOCATION and any(_inside(c, m) for m in orgs))
            for i in range(c.start, c.end)
        }
        extra = [c for c in model if not used.intersection(range(c.start, c.end))]
        chosen = [c for c in select_candidates(rules + extra) if _is_valid(c, text)]
        spans = []
        for cand in chosen:
            span = doc.char_span(
                cand.start,
                cand.end,
                label=cand.label.value,
                kb_id=cand.name,
                alignment_mode="expand",
            )
            if span is not None:
                spans.append(span)
        doc.ents = filter_spans(spans)  # "expand" alignment may make spans touch
        model_bodies = _bodies_of_meetings(orgs, chosen)
        bodies = _bodies_of_sessions(text, chosen, model_bodies, self.lexicon)
        # a committee named by its unit (共青团X县委) wins over a model span (共青团)
        starts = {b.start for b in bodies}
        bodies += [b for b in model_bodies if b.start not in starts]
        doc._.kg_candidates = chosen + bodies
        return doc


def _bodies_of_meetings(
    orgs: list[Candidate], chosen: list[Candidate]
) -> list[Candidate]:
    """Return model ORG spans that begin a chosen event's name, as extra mentions.

    A meeting is often named after the body that holds it
    (X领导小组第三十二次会议); the event keeps its whole name and the
    organization is a mention of its own, nested in it.
    """
    events = [c for c in chosen if c.label is EntityType.EVENT]
    return [
        org
        for org in orgs
        if org not in chosen
        and any(ev.start == org.start and org.end < ev.end for ev in events)
    ]


def _bodies_of_sessions(
    text: str, chosen: list[Candidate], known: list[Candidate], lex: Lexicon
) -> list[Candidate]:
    """Return the rule-found bodies whose own sitting an event's name states.

    县政府常务会议 and 市五届人大常委会第二十九次会议 begin with the body that
    holds them; the body becomes a mention of its own, nested in the event.
    """
    found = []
    for event in (c for c in chosen if c.label is EntityType.EVENT):
        name = text[event.start : event.end]
        committee = _committee_of_plenum(name, lex)
        if committee is not None:
            size, canonical = committee
            found.append(
                Candidate(event.start, event.start + size, EntityType.ORG, canonical)
            )
            continue
        if any(k.start == event.start for k in known):
            continue
        heads = [
            c
            for c in find_orgs(name, lex)
            if c.start == 0
            and c.end < len(name)
            and name.startswith(lex.session_heads, c.end)
        ]
        if heads:
            head = max(heads, key=lambda c: c.end)
            found.append(
                Candidate(
                    event.start, event.start + head.end, EntityType.ORG, head.name
                )
            )
    return found


def _committee_of_plenum(name: str, lex: Lexicon) -> tuple[int, str] | None:
    """共青团周至县第十六届三次全委会 is held by 共青团周至县委: (span size, name)."""
    prefix = next(
        (p for p in lex.words("committee_prefixes") if name.startswith(p)), ""
    )
    if not prefix:
        return None
    session = lex.pattern("session").search(name, len(prefix))
    if session is None or not is_unit_name(name[len(prefix) : session.start()], lex):
        return None
    return session.start(), name[: session.start()] + lex.words("party_committee")[0]


def _inside(inner: Candidate, outer: Candidate) -> bool:
    """Tell whether `inner` lies within `outer` and is shorter."""
    return outer.start <= inner.start and inner.end <= outer.end and inner != outer


def _is_valid(cand: Candidate, text: str) -> bool:
    name = text[cand.start : cand.end].strip()
    return len(name) >= 2 or cand.label is EntityType.LOCATION


@Language.factory(
    "kg_entities",
    default_config={"resources": ""},
    assigns=["doc.ents", "doc._.kg_candidates"],
)
def make_entity_finder(nlp: Language, name: str, *, resources: str) -> EntityFinder:
    """Create the rule-based entity finder from the data files in `resources`."""
    from ...settings import Settings

    folder = Path(resources) if resources else Settings().resources
    return EntityFinder(load_lexicon(folder))
