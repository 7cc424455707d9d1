"""The rule data (lexicons, cue words, divisions, patterns) loaded once into one object.

Every word list is a `.txt` file of graph/resources/ (`lex.words("stop_words")`);
every construction written as a regular expression is a line of
`patterns.txt` (`lex.pattern("date_full")`), where `{list}` stands for the
words of a list, `{list:chars}` for its characters as a class and `{=name}` for
another pattern. A rule changes by editing data; code holds the mechanisms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import ResourceError
from ..io import read_jsonl, read_lines, read_pattern_lines

__all__ = ["Division", "Lexicon", "load_lexicon", "default_lexicon", "expand_patterns"]


@dataclass(frozen=True, slots=True)
class Division:
    """An administrative division: full name (浙江省), short name (浙江), level."""

    name: str
    short: str
    level: str
    abbr: str = ""  # one-character abbreviation (京, 沪, 粤), used only after 在/赴/进


@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    """Every word list the rules use; see graph/resources/ for the files."""

    org_aliases: dict[str, str]  # surface form -> canonical name
    divisions: tuple[Division, ...]
    locations: frozenset[str]
    ambiguous_places: frozenset[str]
    roles: tuple[str, ...]  # longest first
    org_suffixes: tuple[str, ...]
    bare_heads: dict[str, tuple[str, ...]]  # 学校 -> 大学, 学院: the report's own org
    subject_heads: frozenset[str]  # 学校, 公司: may stand alone as a sentence's subject
    named_suffixes: tuple[str, ...]  # 煤矿, 大学: names that need no place before them
    place_levels: tuple[str, ...]  # 县, 镇, 高新区: what a unit's name ends in
    place_posts: dict[str, tuple[str, ...]]  # 县长 -> bodies it is held in (县政府)
    model_org_suffixes: tuple[str, ...]  # let model ORG spans stand without a head
    generic: frozenset[str]
    media: frozenset[str]
    surnames: frozenset[str]
    verbs: tuple[str, ...]
    cues: dict[str, tuple[str, ...]]  # predicate -> cue words, longest first
    cue_types: dict[str, tuple[str, str]]  # predicate -> (subject, object) types
    bare_events: tuple[str, ...]  # 会议, 开幕式: the report's own event, unnamed
    hold_cues: tuple[str, ...]  # 召开, 举行: an event takes place
    election_cues: tuple[str, ...]  # 选举, 当选: a meeting gives a post
    term_bodies: tuple[str, ...]  # 执委会: with 届 and no 次, the body itself
    session_heads: tuple[str, ...]  # 第, 常务会议: a body's own sitting follows
    role_variants: dict[str, str]  # 作重要讲话 -> 讲话: the role a cue stands for
    role_rewrites: tuple[tuple[re.Pattern[str], str], ...] = ()  # in order
    short_prefixes: dict[str, str] = field(default_factory=dict)  # 团县委: 团 -> 共青团
    division_prefixes: dict[str, tuple[str, tuple[str, ...]]] = field(
        default_factory=dict
    )  # 省 -> (level, name endings): what a short form 省总工会 refers to
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)  # every .txt
    patterns: dict[str, str] = field(default_factory=dict)  # patterns.txt, expanded

    def words(self, name: str) -> tuple[str, ...]:
        """Return the word list `name` (graph/resources/<name>.txt), longest first."""
        try:
            return self.lists[name]
        except KeyError:
            raise ResourceError(f"no word list {name}.txt") from None

    def chars(self, name: str) -> str:
        """Return the one-character items of list `name` as one string."""
        return "".join(w for w in self.words(name) if len(w) == 1)

    def pattern(self, name: str) -> re.Pattern[str]:
        """Return the compiled construction `name` of patterns.txt."""
        return _compile(self, name)

    def division_of(self, text: str) -> Division | None:
        """Return the division whose full or short name is `text`."""
        return self.division_index().get(text)

    def division_index(self) -> dict[str, Division]:
        """Map every full and short division name to its division."""
        return _index_divisions(self)


@lru_cache(maxsize=8)
def _index_divisions(lex: Lexicon) -> dict[str, Division]:
    # keyed on the lexicon (hashed by identity), not on its 680 divisions
    index: dict[str, Division] = {}
    for division in lex.divisions:
        index.setdefault(division.name, division)
        index.setdefault(division.short, division)
    return index


def _longest_first(items: list[str]) -> tuple[str, ...]:
    return tuple(sorted(set(items), key=lambda s: (-len(s), s)))


def _load_orgs(path: Path) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for record in read_jsonl(path, ("label", "pattern", "id")):
        if record["label"] == "ORG":
            aliases[record["pattern"]] = record["id"]
    return aliases


def _load_cues(path: Path) -> dict[str, tuple[str, ...]]:
    cues: dict[str, tuple[str, ...]] = {}
    for record in read_jsonl(path, ("predicate", "cues")):
        if not isinstance(record["cues"], list):
            raise ResourceError(
                f"{path.name}: 'cues' of {record['predicate']} not a list"
            )
        cues[record["predicate"]] = _longest_first(record["cues"])
    return cues


_PLACEHOLDER = re.compile(r"\{(=?)([a-z_]+)(:chars)?\}")


def expand_patterns(
    raw: dict[str, str], lists: dict[str, tuple[str, ...]]
) -> dict[str, str]:
    """Expand the placeholders of every pattern; raise on unknown names or cycles.

    Examples:
        >>> expand_patterns({"a": "{=b}+", "b": "[{w:chars}]|{w}"}, {"w": ("ab", "c")})
        {'a': '(?:[c]|ab|c)+', 'b': '[c]|ab|c'}
    """
    done: dict[str, str] = {}

    def expand(name: str, seen: tuple[str, ...]) -> str:
        if name in done:
            return done[name]
        if name in seen:
            raise ResourceError(f"patterns.txt: {name} refers to itself")
        if name not in raw:
            raise ResourceError(f"patterns.txt: no pattern {name}")

        def sub(match: re.Match[str]) -> str:
            nested, word, chars = match.groups()
            if nested:
                return "(?:" + expand(word, (*seen, name)) + ")"
            if word not in lists:
                raise ResourceError(f"patterns.txt: {name} uses unknown list {word}")
            if chars:
                return "".join(re.escape(w) for w in lists[word] if len(w) == 1)
            return "|".join(re.escape(w) for w in lists[word])

        done[name] = _PLACEHOLDER.sub(sub, raw[name])
        return done[name]

    return {name: expand(name, ()) for name in raw}


@lru_cache(maxsize=256)
def _compile(lex: Lexicon, name: str) -> re.Pattern[str]:
    try:
        return re.compile(lex.patterns[name])
    except KeyError:
        raise ResourceError(f"patterns.txt: no pattern {name}") from None
    except re.error as exc:
        raise ResourceError(f"patterns.txt: {name}: {exc}") from exc


@lru_cache(maxsize=4)
def load_lexicon(folder: Path) -> Lexicon:
    """Load and validate every rule data file in `folder` (cached per folder)."""
    divisions = tuple(
        Division(r["name"], r["short"], r["level"], r.get("abbr", ""))
        for r in read_jsonl(folder / "divisions.jsonl", ("name", "short", "level"))
    )

    def words(name: str) -> list[str]:
        return read_lines(folder / name)

    lists = {
        path.stem: _longest_first(read_lines(path))
        for path in sorted(folder.glob("*.txt"))
        if path.stem != "patterns"
    }
    cues = _load_cues(folder / "cues.jsonl")
    lists |= {f"cues_{predicate}": words for predicate, words in cues.items()}
    raw = dict(read_pattern_lines(folder / "patterns.txt"))
    return Lexicon(
        org_aliases=_load_orgs(folder / "entities.jsonl"),
        divisions=divisions,
        locations=frozenset(words("locations.txt")),
        ambiguous_places=frozenset(words("ambiguous_places.txt")),
        roles=_longest_first(words("roles.txt")),
        org_suffixes=_longest_first(words("org_suffixes.txt")),
        bare_heads={
            r["head"]: tuple(r["owners"])
            for r in sorted(
                read_jsonl(folder / "bare_heads.jsonl", ("head", "owners")),
                key=lambda r: -len(r["head"]),
            )
        },
        subject_heads=frozenset(
            r["head"]
            for r in read_jsonl(folder / "bare_heads.jsonl", ("head", "subject"))
            if r["subject"]
        ),
        named_suffixes=_longest_first(words("named_suffixes.txt")),
        place_levels=_longest_first(words("place_levels.txt")),
        place_posts={
            r["post"]: tuple(r["bodies"])
            for r in read_jsonl(folder / "place_posts.jsonl", ("post", "bodies"))
        },
        model_org_suffixes=_longest_first(words("model_org_suffixes.txt")),
        generic=frozenset(words("generic.txt")),
        media=frozenset(words("media.txt")),
        surnames=frozenset(words("surnames.txt")),
        verbs=_longest_first(words("verbs.txt")),
        cues=cues,
        cue_types={
            r["predicate"]: (r["subject"], r["object"])
            for r in read_jsonl(
                folder / "cues.jsonl", ("predicate", "subject", "object", "cues")
            )
        },
        bare_events=_longest_first(words("bare_events.txt")),
        hold_cues=_longest_first(words("hold_cues.txt")),
        term_bodies=_longest_first(words("term_bodies.txt")),
        session_heads=_longest_first(words("session_heads.txt")),
        election_cues=_longest_first(words("election_cues.txt")),
        role_variants={
            r["variant"]: r["role"]
            for r in read_jsonl(folder / "role_variants.jsonl", ("variant", "role"))
        },
        role_rewrites=tuple(
            (re.compile(r["pattern"]), r["replace"])
            for r in sorted(
                read_jsonl(
                    folder / "role_rewrites.jsonl", ("order", "pattern", "replace")
                ),
                key=lambda r: r["order"],
            )
        ),
        short_prefixes={
            r["short"]: r["full"]
            for r in read_jsonl(folder / "short_prefixes.jsonl", ("short", "full"))
        },
        division_prefixes={
            r["prefix"]: (r["level"], tuple(r["ends"]))
            for r in read_jsonl(
                folder / "division_prefixes.jsonl", ("prefix", "level", "ends")
            )
        },
        lists=lists,
        patterns=expand_patterns(raw, lists),
    )


def default_lexicon() -> Lexicon:
    """Return the lexicon of the package's own graph/resources/ (cached)."""
    from ..settings import Settings

    return load_lexicon(Settings().resources)
