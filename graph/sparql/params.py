"""Parameters of ready queries: found in the text, typed by their default, checked.

A parameter is a one-value inline data block, `VALUES ?name { "巨晓林"@zh }`:
the value is the default, so the file runs as it is. Its *type* is the
default's: a language-tagged or plain string takes any text, `xsd:date`
(or `xsd:gYearMonth`, `xsd:gYear`) takes a date at any of those precisions,
`xsd:integer`, `xsd:decimal` and `xsd:boolean` take what their lexical forms
allow. `fill_params` swaps in an escaped literal of that type, so a value can
never change the query's structure, and a value of the wrong type is a
one-line `InputError` instead of a query that silently matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ..errors import InputError

__all__ = ["Param", "find_params", "typed_literal", "fill_params"]

_PARAM_RE = re.compile(
    r'VALUES\s+\?(?P<name>\w+)\s*\{\s*"(?P<value>(?:[^"\\\n]|\\.)*)"'
    r"(?P<suffix>@[A-Za-z][A-Za-z0-9-]*|\^\^\S+?)?\s*\}"
)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE_TYPES = ("date", "gYearMonth", "gYear")
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_KINDS = {
    "date": "date",
    "gYearMonth": "date",
    "gYear": "date",
    "integer": "integer",
    "decimal": "decimal",
    "boolean": "boolean",
}
_LEXICAL = {
    "integer": (re.compile(r"[+-]?\d+"), "an integer (42)"),
    "decimal": (re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"), "a decimal number (4.2)"),
    "boolean": (re.compile(r"true|false"), "true or false"),
}


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter: its name, default, and the default's tag or datatype."""

    name: str
    default: str
    suffix: str = ""

    @property
    def datatype(self) -> str:
        """Return the local name of an `xsd:` datatype ('' for strings)."""
        if not self.suffix.startswith("^^"):
            return ""
        iri = self.suffix[2:].strip("<>")
        for head in ("xsd:", _XSD):
            if iri.startswith(head):
                return iri[len(head) :]
        return iri

    @property
    def kind(self) -> str:
        """Say what the parameter takes: text, date, integer, decimal or boolean.

        Examples:
            >>> Param("from", "0001-01-01", "^^xsd:date").kind
            'date'
            >>> Param("name", "巨晓林", "@zh").kind
            'text'
        """
        return _KINDS.get(self.datatype, "text")


def find_params(text: str) -> tuple[Param, ...]:
    """List the parameters of a query text, in the order they appear.

    Examples:
        >>> find_params('SELECT * { VALUES ?n { "a"@zh } VALUES ?d { "2016"^^xsd:gYear } }')
        (Param(name='n', default='a', suffix='@zh'), Param(name='d', default='2016', suffix='^^xsd:gYear'))
    """  # noqa: E501
    found = _PARAM_RE.finditer(text)
    return tuple(Param(m["name"], m["value"], m["suffix"] or "") for m in found)


def _escape(value: str) -> str:
    return "".join(_ESCAPES.get(char, char) for char in value)


def _date_literal(param: Param, value: str) -> str:
    match = _DATE_RE.fullmatch(value.strip())
    problem = f"parameter {param.name!r} takes a date (2016, 2016-09 or 2016-09-27)"
    if match is None:
        raise InputError(f"{problem}, not {value!r}")
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise InputError(f"{problem}, not {value!r} (no such date)") from None
    datatype = _DATE_TYPES[0 if day else 1 if month else 2]
    return f'"{match[0]}"^^xsd:{datatype}'


def typed_literal(param: Param, value: str) -> str:
    """Write `value` as a SPARQL literal of the parameter's type, or refuse it.

    Examples:
        >>> typed_literal(Param("to", "9999-12-31", "^^xsd:date"), "2016-08")
        '"2016-08"^^xsd:gYearMonth'
        >>> typed_literal(Param("name", "x", "@zh"), 'a "b"')
        '"a \\\\"b\\\\""@zh'

    Raises:
        InputError: the value is not of the parameter's type (`2016-13` for a date).
    """
    if param.kind == "date":
        return _date_literal(param, value)
    if param.kind in _LEXICAL:
        pattern, what = _LEXICAL[param.kind]
        if not pattern.fullmatch(value.strip()):
            raise InputError(f"parameter {param.name!r} takes {what}, not {value!r}")
        return f'"{value.strip()}"{param.suffix}'
    return f'"{_escape(value)}"{param.suffix}'


def fill_params(text: str, params: Mapping[str, str], args: Sequence[str] = ()) -> str:
    """Replace parameter defaults by `params` (by name) and `args` (in order).

    Examples:
        >>> fill_params('VALUES ?n { "a"@zh }', {}, ['say "hi"'])
        'VALUES ?n { "say \\\\"hi\\\\""@zh }'
    """
    found = {param.name: param for param in find_params(text)}
    names = list(found)
    if len(args) > len(names):
        raise InputError(f"{len(args)} values given for parameters {names or 'none'}")
    values = dict(zip(names, args, strict=False)) | dict(params)
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise InputError(f"unknown parameter {unknown[0]!r}; this query takes {names}")
    literals = {name: typed_literal(found[name], v) for name, v in values.items()}

    def swap(match: re.Match[str]) -> str:
        if match["name"] not in literals:
            return match[0]
        return f"VALUES ?{match['name']} {{ {literals[match['name']]} }}"

    return _PARAM_RE.sub(swap, text)
