"""Ready queries, parameters, forbidden words, tables and the `kg query` command."""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import NamedNode
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from graph.cli import app
from graph.errors import InputError, OntologyError
from graph.settings import Settings
from graph.sparql.formats import format_names
from graph.sparql.params import Param, typed_literal
from graph.sparql.prefixes import PREFIX_MAP
from graph.sparql.query import (
    fill_params,
    find_forbidden,
    format_table,
    parse_ready_query,
    prepare_query,
    read_ready_queries,
    run_query,
    shorten,
)
from graph.sparql.store import open_store
from graph.sparql.table import display_width

QUERIES = Settings().queries
READY = read_ready_queries(QUERIES)
runner = CliRunner()


@pytest.fixture(scope="module")
def store(gold_output: Path):
    return open_store(gold_output)


def _rows(store, query: str, *args: str, **params: str) -> list[dict[str, str]]:
    text = prepare_query(None, name=query, params=params, args=args, folder=QUERIES)
    result = run_query(store, text)
    return [
        {
            var: term.value
            for var, term in zip(result.variables, row, strict=True)
            if term is not None
        }
        for row in result.rows
    ]


def test_every_ready_query_is_documented_and_runs(store) -> None:
    assert set(READY) >= {
        "posts-of",
        "people-in-org",
        "policies-of-org",
        "events",
        "about",
        "shared-aliases",
    }
    for ready in READY.values():
        assert ready.summary.endswith("?") or ready.summary.endswith(".")
        assert "PREFIX" not in ready.text.upper().replace("PREFLABEL", "")
        result = run_query(store, ready.text)
        assert result.kind == "select" and result.rows, ready.name


def test_posts_of_person(store) -> None:
    rows = _rows(store, "posts-of", "巨晓林")
    assert {(r["role"], r["organization"]) for r in rows} == {
        ("兼职副主席", "中华全国总工会")
    }
    assert all("巨晓林" in r["evidence"] for r in rows)
    assert {r["document"] for r in rows} == {
        "000_80d6cb6674d9bde7.txt",
        "003_5190ecaf4caf65d3.txt",
    }


def test_people_in_org_by_alias(store) -> None:
    rows = _rows(store, "people-in-org", name="全总")
    pairs = {(r["person"], r["role"]) for r in rows}
    assert {("巨晓林", "兼职副主席"), ("李建国", "主席"), ("李玉赋", "副主席")} <= pairs


def test_policies_of_org(store) -> None:
    issued = {(r["policy"], r["action"]) for r in _rows(store, "policies-of-org")}
    assert ("工会系统“七五”普法规划", "issued") in issued
    approved = {
        (r["policy"], r["action"])
        for r in _rows(store, "policies-of-org", "浙江省总工会")
    }
    assert {action for _, action in approved} == {"approved"}
    assert len(approved) == 2


def test_events_in_date_range(store) -> None:
    rows = _rows(store, "events", **{"from": "2016-04", "to": "2016-08-15"})
    by_event = {r["event"]: r for r in rows}
    assert by_event["弘扬工匠精神座谈会"]["organizer"] == "中华全国总工会"
    assert (
        by_event["庆祝“五一”国际劳动节暨全国五一劳动表彰表彰大会"]["place"]
        == "人民大会堂"
    )
    assert "全国工会干部教育培训工作会议" in by_event  # 2016-08 overlaps the range
    assert "首届中国家长节" not in by_event  # 2016-10-23
    assert all("2016" <= r["date"] <= "2016-08-15" for r in rows)


def test_about_entity_with_evidence(store) -> None:
    rows = _rows(store, "about", "巨晓林")
    posts = [r for r in rows if r["property"].endswith("holdsPositionIn")]
    assert {(r["subject"], r["object"], r["role"]) for r in posts} == {
        ("巨晓林", "中华全国总工会", "兼职副主席")
    }
    assert len(posts) == 2 and all("巨晓林" in r["evidence"] for r in posts)
    assert {"skos:prefLabel", "rdf:type", "kg:mentionedIn"} <= {
        shorten(NamedNode(r["property"])) for r in rows
    }


def test_about_lists_incoming_facts(store) -> None:
    rows = _rows(store, "about", "全总")
    incoming = {
        (r["subject"], r["role"])
        for r in rows
        if r["object"] == "中华全国总工会" and r["property"].endswith("holdsPositionIn")
    }
    assert ("巨晓林", "兼职副主席") in incoming


def test_shared_aliases(store) -> None:
    rows = {r["alias"]: r for r in _rows(store, "shared-aliases")}
    assert set(rows["省委"]["entities"].split("、")) == {"中共浙江省委", "中共山西省委"}
    assert rows["省总工会"]["count"] == "6"


def test_parameter_is_escaped_as_literal(store) -> None:
    text = fill_params(READY["posts-of"].text, {"name": '"@zh } ?person ?p ?o . {'})
    assert run_query(store, text).rows == ()
    assert 'VALUES ?name { "\\"@zh } ?person ?p ?o . {"@zh }' in text


@pytest.mark.parametrize(
    ("params", "args", "message"),
    [
        ({"nom": "x"}, (), "unknown parameter 'nom'"),
        ({}, ("a", "b"), "2 values given"),
    ],
)
def test_bad_parameters(params: dict, args: tuple, message: str) -> None:
    with pytest.raises(InputError, match=message):
        fill_params(READY["posts-of"].text, params, args)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("SELECT * { ?s ?p ?o }", "must start with"),
        ("# ok\nPREFIX x: <y>\nSELECT * { ?s ?p ?o }", "has PREFIX lines"),
    ],
)
def test_malformed_ready_query(text: str, problem: str) -> None:
    with pytest.raises(OntologyError, match=problem):
        parse_ready_query("bad", text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * { ?s ?p ?o }", None),
        ('SELECT * { ?s ?p "INSERT DATA" } # DROP ALL', None),
        ("SELECT * { ?s <http://x/delete#LOAD> ?add }", None),
        ("SELECT * { ?s ex:clear ?o }", None),
        ("INSERT DATA { <a> <b> <c> }", "INSERT"),
        ("delete where { ?s ?p ?o }", "DELETE"),
        ("LOAD <http://example.org/x>", "LOAD"),
        ("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ],
)
def test_find_forbidden(text: str, expected: str | None) -> None:
    assert find_forbidden(text) == expected


def test_table_aligns_wide_characters(store) -> None:
    text = prepare_query(None, name="posts-of", folder=QUERIES)
    lines = format_table(run_query(store, text)).splitlines()
    assert lines[0].split() == ["role", "organization", "evidence", "document"]
    assert lines[2].startswith("兼职副主席  中华全国总工会  ")
    assert lines[-1] == "(2 rows)"


def test_run_query_on_rdflib_graph(gold_graph: Graph) -> None:
    result = run_query(gold_graph, "ASK { ?p a schema:Person }")
    assert result.kind == "ask" and result.boolean


def _invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_cli_table(gold_output: Path) -> None:
    result = _invoke("query", gold_output, "--name", "posts-of", "巨晓林")
    assert result.exit_code == 0, result.output
    assert "兼职副主席  中华全国总工会" in result.output


def test_cli_json_with_param(gold_output: Path) -> None:
    result = _invoke(
        "query",
        gold_output / "graph.ttl",
        "-n",
        "people-in-org",
        "--param",
        "name=全总",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["head"]["vars"] == ["person", "role", "evidence", "document"]
    people = {b["person"]["value"] for b in data["results"]["bindings"]}
    assert "巨晓林" in people


def test_cli_csv_from_rq_file(gold_output: Path, tmp_path: Path) -> None:
    path = tmp_path / "persons.rq"
    path.write_text(
        "# People.\nSELECT ?name { ?p a schema:Person ; "
        "skos:prefLabel ?name } ORDER BY ?name",
        encoding="utf-8",
    )
    result = _invoke("query", gold_output / "store", path, "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["name"] and ["巨晓林"] in rows


def test_cli_construct_as_turtle(gold_output: Path) -> None:
    query = "CONSTRUCT { ?p a schema:Person } WHERE { ?p skos:prefLabel '巨晓林'@zh }"
    result = _invoke("query", gold_output, query, "-f", "turtle")
    assert result.exit_code == 0, result.output
    assert len(Graph().parse(data=result.output, format="turtle")) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SELECT * {"], "error: bad query"),
        (["missing.rq"], "missing.rq: cannot read query file"),
        (["-n", "nope"], "no ready query 'nope'"),
        (["ASK { ?s ?p ?o }", "-f", "turtle"], "cannot be written as turtle"),
        (["ASK { ?s ?p ?o }", "-f", "yaml"], "unknown format 'yaml'"),
    ],
)
def test_cli_errors(gold_output: Path, args: list[str], message: str) -> None:
    result = _invoke("query", gold_output, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_missing_source(tmp_path: Path) -> None:
    result = _invoke("query", tmp_path / "nothing", "ASK { ?s ?p ?o }")
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


@pytest.mark.parametrize("as_file", [False, True])
def test_cli_refuses_deep_nesting(
    gold_output: Path, tmp_path: Path, as_file: bool
) -> None:
    """The engine would crash on it (a segfault): a one-line error instead."""
    query = "SELECT * " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000
    if as_file:
        (tmp_path / "deep.rq").write_text(query, encoding="utf-8")
        query = str(tmp_path / "deep.rq")
    command = [sys.executable, "-m", "graph", "query", str(gold_output), query]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = (done.stdout + done.stderr).splitlines()
    assert lines == ["error: query nested 3000 levels deep; the limit is 128"]


def test_app_help_and_version() -> None:
    for flag in ("-h", "--help"):
        result = _invoke(flag)
        assert result.exit_code == 0 and "query" in result.output
    assert _invoke("query", "-h").exit_code == 0
    version = _invoke("--version")
    assert version.exit_code == 0
    assert version.output.strip() == f"kg {importlib.metadata.version('graph')}"


@pytest.mark.parametrize(
    ("fmt", "parse_as"),
    [("jsonld", "json-ld"), ("json-ld", "json-ld"), ("rdfxml", "xml")],
)
def test_cli_construct_as_jsonld_and_rdfxml(
    gold_output: Path, gold_graph: Graph, fmt: str, parse_as: str
) -> None:
    query = "CONSTRUCT { ?m ?p ?o } WHERE { ?m a org:Membership ; ?p ?o }"
    result = _invoke("query", gold_output, query, "-f", fmt)
    assert result.exit_code == 0, result.output
    expected = gold_graph.query(query).graph
    assert len(expected) > 20
    assert isomorphic(Graph().parse(data=result.output, format=parse_as), expected)


def test_cli_jsonld_is_compacted_with_the_prefixes(gold_output: Path) -> None:
    query = "CONSTRUCT { ?p a schema:Person ; skos:prefLabel ?n } WHERE { ?p a schema:Person ; skos:prefLabel ?n }"  # noqa: E501
    data = json.loads(_invoke("query", gold_output, query, "-f", "jsonld").output)
    assert data["@context"]["schema"] == "https://schema.org/"
    assert set(data["@context"]) == set(PREFIX_MAP)
    person = next(
        n
        for n in data["@graph"]
        if n.get("skos:prefLabel") == [{"@value": "巨晓林", "@language": "zh"}]
    )
    assert person["@id"].startswith("person:") and person["@type"] == ["schema:Person"]


def test_every_suggested_format_is_accepted(gold_output: Path) -> None:
    """The formats an error names are exactly the ones that then work."""
    wrong = _invoke(
        "query", gold_output, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "-f", "csv"
    )
    assert wrong.exit_code == 1
    suggested = wrong.output.split("use one of ", 1)[1].strip().split(", ")
    assert suggested == format_names("graph")
    for fmt in suggested:
        result = _invoke(
            "query", gold_output, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "-f", fmt
        )
        assert result.exit_code == 0 and result.output.strip(), fmt
    wide = runner.invoke(app, ["query", "-h"], env={"COLUMNS": "300"})
    assert "|".join(format_names("graph")) in wide.output


def test_long_inline_query_is_no_file_name(gold_output: Path) -> None:
    query = "SELECT ?n { ?p skos:prefLabel ?n . " + "# padding\n" * 60 + "} LIMIT 1"
    assert len(query.encode()) > 600
    result = _invoke("query", gold_output, query, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "n"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "foo",
            "parameter 'from' takes a date (2016, 2016-09 or 2016-09-27), not 'foo'",
        ),
        ("2016-13", "not '2016-13' (no such date)"),
        ("2016-02-30", "not '2016-02-30' (no such date)"),
        ("16-04", "not '16-04'"),
    ],
)
def test_cli_date_parameter_is_checked(
    gold_output: Path, value: str, message: str
) -> None:
    result = _invoke("query", gold_output, "-n", "events", "--param", f"from={value}")
    assert result.exit_code == 1
    assert (
        result.output.splitlines() == [f"error: {message}"] or message in result.output
    )
    assert len(result.output.splitlines()) == 1


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("2016", '"2016"^^xsd:gYear'),
        ("2016-04", '"2016-04"^^xsd:gYearMonth'),
        ("2016-04-12", '"2016-04-12"^^xsd:date'),
    ],
)
def test_date_parameter_keeps_its_precision(value: str, literal: str) -> None:
    text = fill_params(READY["events"].text, {"from": value})
    assert f"VALUES ?from {{ {literal} }}" in text


def test_parameter_types_come_from_the_defaults() -> None:
    kinds = {(q, p.name): p.kind for q, r in READY.items() for p in r.params}
    assert kinds[("events", "from")] == kinds[("events", "to")] == "date"
    assert kinds[("posts-of", "name")] == "text"
    with pytest.raises(InputError, match="takes an integer"):
        typed_literal(Param("n", "3", "^^xsd:integer"), "three")
    assert typed_literal(Param("n", "3", "^^xsd:integer"), " 42") == '"42"^^xsd:integer'


def _column_starts(line: str, ambiguous: int) -> list[int]:
    """Display columns where each cell of a table line starts."""
    starts, column, previous = [], 0, " "
    for index, char in enumerate(line):
        if (
            char != " "
            and previous == " "
            and line[max(0, index - 2) : index] in ("  ", "")
        ):
            starts.append(column)
        column += display_width(char, ambiguous=ambiguous)
        previous = char
    return starts


@pytest.mark.parametrize("ambiguous", [1, 2])
def test_table_aligns_ambiguous_width_characters(store, ambiguous: int) -> None:
    query = (
        'SELECT ?a ?b { VALUES (?a ?b) { ("“五一”劳动节" "x") ("全总" "y") '
        '("a…b·c" "z") ("plain" "w") } }'
    )
    lines = format_table(run_query(store, query), ambiguous=ambiguous).splitlines()
    second = {_column_starts(line, ambiguous)[1] for line in lines[2:-1]}
    assert len(second) == 1, lines
    assert second == {_column_starts(lines[0], ambiguous)[1]}


def test_cli_ambiguous_width_option(gold_output: Path) -> None:
    query = 'SELECT ?a ?b { VALUES (?a ?b) { ("“一”" "x") ("全总" "y") } }'
    narrow = _invoke("query", gold_output, query).output.splitlines()
    wide = _invoke(
        "query", gold_output, query, "--ambiguous-width", "2"
    ).output.splitlines()
    assert narrow[2] == "“一”  x" and narrow[3] == "全总  y"
    assert wide[2] == "“一”  x" and wide[3] == "全总    y"


def test_cut_answers_say_so(store) -> None:
    result = run_query(store, "SELECT ?s { ?s ?p ?o }", max_rows=3)
    assert result.truncated
    assert format_table(result).splitlines()[-1] == (
        "(3 rows shown; the answer was cut at 3 rows)"
    )


def test_prefix_map_equals_the_namespaces() -> None:
    """The workers' plain-string prefixes are the ones rdf/namespaces.py declares."""
    from graph.rdf.namespaces import PREFIXES

    assert PREFIX_MAP == {name: str(space) for name, space in PREFIXES.items()}
