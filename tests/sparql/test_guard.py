"""The SPARQL guard: no SERVICE or LOAD gets past it, whatever the spelling around it.

The fuzz tests run every text the guard lets through on a real pyoxigraph store,
with SERVICE and LOAD aimed at a loopback listener that this module starts: the
listener must never see a connection.
"""

from __future__ import annotations

import socket
import sys
import unicodedata
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import QueryBoolean, Store

from graph.errors import ForbiddenError, QueryError
from graph.sparql.guard import (
    MAX_DEPTH,
    check_depth,
    check_query,
    check_update,
    find_keywords,
    is_query_syntax,
    nesting_depth,
)
from graph.sparql.query import PREFIX_MAP

if TYPE_CHECKING:
    from conftest import Listener


def _spaces() -> list[str]:
    """Every Unicode space, separator, control and format character."""
    kinds = ("Zs", "Zl", "Zp", "Cc", "Cf")
    return [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if chr(code).isspace() or unicodedata.category(chr(code)) in kinds
    ]


SPACES = _spaces()
ESCAPES = [
    "\\u3000",
    "\\U00003000",
    "\\u00A0",
    "\\u0020",
    "\\u0009",
    "\\u000A",
    "\\u003E",
    "\\u003C",
    "\\u0022",
    "\\u0027",
    "\\u0023",
    "\\u005C",
    "\\u007B",
    "\\u007D",
    "\\t",
    "\\n",
    "\\",
]
DELIMITERS = ["#", '"', "'", "'''", '"""', "<", ">", "{", "}", "\n", " "]
PIECE = st.one_of(
    st.sampled_from(SPACES), st.sampled_from(ESCAPES), st.sampled_from(DELIMITERS)
)
JUNK = st.lists(PIECE, max_size=5).map("".join)
SERVICE = st.sampled_from(["SERVICE", "service", "SeRvIcE", "SERVICE SILENT"])
LOAD = st.sampled_from(["LOAD", "load", "LoAd", "LOAD SILENT"])
QUERIES = [
    "SELECT * {{ OPTIONAL {{ ?a ?b <http://x/{junk}#> }}"
    " {kw} <{url}> {{ ?x ?y ?z }} }}",
    'SELECT ?x {{ ?a ?b "{junk}" . {kw} <{url}> {{ ?x ?y ?z }} }}',
    "SELECT ?x {{ ?a ?b '''{junk}''' {kw} <{url}> {{ ?x ?y ?z }} }}",
    "SELECT ?x {{ ?a ?b <http://x/{junk}> }} # {junk}\nSELECT {{ {kw} <{url}> {{}} }}",
    "SELECT ?x {{ ?a ?b 1{kw}<{url}>{{ ?x ?y ?z }} }} # {junk}",
    "SELECT ?x {{ VALUES ?s {{ <{url}> }} {kw} ?s {{ ?x ?y <http://x/{junk}> }} }}",
    "ASK {{ FILTER(?a <?b{junk}) {kw} <{url}> {{ ?x ?y ?z }} }}",
]
UPDATES = [
    'INSERT DATA {{ <http://a/s> <http://a/p> "{junk}" }} ; {kw} <{url}x.nt>',
    "INSERT DATA {{ <http://a/s> <http://a/p> <http://x/{junk}#> }} ;\n{kw} <{url}>",
    "DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p <http://x/{junk}>"
    " {kw} <{url}> {{ ?s ?p ?o }} }}",
    "CLEAR SILENT GRAPH <http://x/{junk}> ; {kw} <{url}> INTO GRAPH <http://g/>",
]


def _run_query(text: str) -> None:
    try:
        result = Store().query(text, prefixes=PREFIX_MAP)
        if not isinstance(result, QueryBoolean):
            list(result)
    except (SyntaxError, OSError, ValueError):
        pass


def _run_update(text: str) -> None:
    try:
        Store().update(text, prefixes=PREFIX_MAP)
    except (SyntaxError, OSError, ValueError):
        pass


def test_listener_sees_an_unguarded_service(listener: Listener) -> None:
    """Without the guard the engine does fetch: the fuzz tests below can fail."""
    before = listener.hits
    _run_query(f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}")
    assert listener.hits > before


FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(template=st.sampled_from(QUERIES), junk=JUNK, kw=SERVICE)
def test_no_query_fetches(
    listener: Listener, template: str, junk: str, kw: str
) -> None:
    text = template.format(junk=junk, kw=kw, url=listener.url)
    try:
        check_query(text, prefixes=PREFIX_MAP)
    except (ForbiddenError, QueryError):
        return
    before = listener.hits
    _run_query(text)
    assert listener.hits == before, text


@FUZZ
@given(template=st.sampled_from(UPDATES), junk=JUNK, kw=st.one_of(SERVICE, LOAD))
def test_no_update_fetches(
    listener: Listener, template: str, junk: str, kw: str
) -> None:
    text = template.format(junk=junk, kw=kw, url=listener.url)
    try:
        check_update(text, prefixes=PREFIX_MAP)
    except (ForbiddenError, QueryError):
        return
    before = listener.hits
    _run_update(text)
    assert listener.hits == before, text


def test_issue_query_is_refused_with_every_space(listener: Listener) -> None:
    """The issue's query, with each space raw and escaped: refused, or not SPARQL."""
    refused = 0
    for space in SPACES:
        for spelling in (space, f"\\u{ord(space):04X}", f"\\U{ord(space):08X}"):
            text = (
                f"SELECT ?x {{ OPTIONAL {{ ?a ?b <http://x/{spelling}#> }} "
                f"SERVICE <{listener.url}> {{ ?x ?y ?z }} }}"
            )
            if is_query_syntax(text):
                with pytest.raises(ForbiddenError, match="^SERVICE is not allowed"):
                    check_query(text)
                refused += 1
            else:  # the engine refuses the IRI itself: nothing runs
                with pytest.raises(SyntaxError):
                    Store().query(text)
    assert refused >= 2 * len(["\u3000", "\u00a0"])  # U+3000 and NBSP, at least


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?x { OPTIONAL { ?a ?b <http://x/\u3000#> } "
        "SERVICE <http://127.0.0.1:9/> { ?x ?y ?z } }",
        "SELECT ?x { OPTIONAL { ?a ?b <http://x/\\u3000#> } "
        "service <http://127.0.0.1:9/> { ?x ?y ?z } }",
        "SELECT * { ?s ?p 1SERVICE<http://127.0.0.1:9/>{} }",
        "SELECT * { VALUES ?e { <http://127.0.0.1:9> } "
        "SERVICE SILENT ?e { ?s ?p ?o } }",
        "ASK { { SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }",
    ],
)
def test_service_queries_are_refused(text: str) -> None:
    with pytest.raises(ForbiddenError, match="^SERVICE is not allowed"):
        check_query(text)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        (
            'INSERT DATA { <http://a/s> <http://a/p> "x" } ; '
            "LOAD <http://127.0.0.1:9999/x.nt>",
            "LOAD",
        ),
        (
            "CLEAR ALL ; load silent <http://127.0.0.1:9/> INTO GRAPH <http://g/>",
            "LOAD",
        ),
        (
            "DELETE { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            "SERVICE",
        ),
        (
            "INSERT DATA { <http://a/s> <http://a/p> 1 } ; INSERT { ?s ?p ?o } "
            "WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            "SERVICE",
        ),
    ],
)
def test_network_updates_are_refused(text: str, word: str) -> None:
    with pytest.raises(ForbiddenError, match=f"^{word} is not allowed"):
        check_update(text)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * { ?s <http://x/service> "load SERVICE" } # service',
        "SELECT * { ?s schema:serviceType ?o ; ?p 'download' }",
        'SELECT * { ?s ?p "x"@en-service }',
        "SELECT ?load ?service { ?load ?service <service:x> }",
    ],
)
def test_words_in_data_pass(text: str) -> None:
    check_query(text, prefixes=PREFIX_MAP)
    _run_query(text)


def test_update_with_words_in_data_runs() -> None:
    store = Store()
    text = 'INSERT DATA { <http://x/load> <http://x/service> "LOAD SERVICE" }'
    check_update(text)
    store.update(text)
    assert len(store) == 1


def test_bad_update_with_a_word_in_data_is_a_bad_update() -> None:
    with pytest.raises(QueryError, match="^bad update: error at 1:"):
        check_update('INSERT DATA { <http://a/s> <http://a/p> "load" ')


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("SELECT * { ?s ?p ?o }", 1),
        ('SELECT * { ?s ?p "((((((((" } # {{{{{{{{', 1),
        ("SELECT * { ?s ?p <http://x/#> { ?a ?b ?c } }", 2),
        ("SELECT (((1)) AS ?x) { [ ?p [ ?q ?r ] ] }", 3),
        ("SELECT * { << << ?s ?p ?o >> ?q ?r >> ?t ?u }", 3),
        ("SELECT * { FILTER(?a <((((1>2) }", 6),  # as if `<` were an operator
    ],
)
def test_nesting_depth(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


@pytest.mark.parametrize("opening", ["{ ", "(", "[ ?p ", "<< "])
def test_deep_nesting_is_refused(opening: str) -> None:
    text = "SELECT * " + opening * 3000 + " ?s ?p ?o"
    with pytest.raises(
        QueryError, match=f"3000 levels deep; the limit is {MAX_DEPTH}$"
    ):
        check_depth(text)


def test_depth_limit_lets_ordinary_nesting_run() -> None:
    text = "SELECT * " + "{ " * MAX_DEPTH + "?s ?p ?o" + " }" * MAX_DEPTH
    check_query(text)
    assert list(Store().query(text)) == []


def test_find_keywords_reads_iris_with_spaces() -> None:
    text = "SELECT * { ?a ?b <http://x/\u3000#> } SERVICE <http://y/> { }"
    assert find_keywords(text) == ["SERVICE"]


@pytest.mark.skipif(sys.platform != "linux", reason="network namespaces are Linux's")
def test_worker_has_no_network(listener: Listener) -> None:
    """A process isolated like a query worker cannot reach even loopback."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    result = context.Queue()
    process = context.Process(target=_connect_isolated, args=(listener.url, result))
    process.start()
    process.join(60)
    problem, connected = result.get(timeout=5)
    if problem:
        pytest.skip(f"no network namespace here: {problem}")
    assert connected is False


def _connect_isolated(url: str, result) -> None:
    from graph.sparql.workers import isolate_network

    problem = isolate_network()
    port = int(url.rsplit(":", 1)[1].strip("/"))
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        result.put((problem, True))
    except OSError:
        result.put((problem, False))
