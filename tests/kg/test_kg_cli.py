"""``kgagent kg ...`` commands: output and exit codes, one-line errors."""

from __future__ import annotations

from collections import defaultdict

import json
import shutil

import pytest
from typer.testing import CliRunner

from kgagent.kg import KnowledgeGraph
from kgagent.schema import Provenance
from kgagent_cli.main import app

from support.kg_fakes import ENT


def run(*args):
    return CliRunner().invoke(app, ["kg", *map(str, args)])


def _no_traceback(result):
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_stats(tiny_dir):
    r = run("stats", "--graph", tiny_dir)
    assert r.exit_code == 0
    assert "entities: 8" in r.stdout and "city" in r.stdout
    r = run("stats", "--graph", tiny_dir, "--json")
    assert json.loads(r.stdout)["entities_by_type"]["country"] == 2


def test_query_formats(tiny_dir, tmp_path):
    q = ("SELECT ?l WHERE { ?c a <https://w3id.org/kgagent/ont/country> ; "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l")
    r = run("query", q, "--graph", tiny_dir, "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout) == [{"l": "France"}, {"l": "United States"}]
    r = run("query", q, "--graph", tiny_dir, "--format", "tsv")
    assert r.stdout.splitlines() == ["l", "France", "United States"]
    r = run("query", q, "--graph", tiny_dir)
    assert "United States" in r.stdout and "2 row(s)" in r.stdout
    long = "SELECT ?s WHERE { ?s ?p ?o " + "FILTER(?s != <http://example.org/x>) " * 10 + "} LIMIT 1"
    r = run("query", long, "--graph", tiny_dir, "--format", "json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 1
    f = tmp_path / "q.rq"
    f.write_text("ASK { ?s <https://w3id.org/kgagent/ont/capital> ?o }")
    r = run("query", f, "--graph", tiny_dir)
    assert r.exit_code == 0 and r.stdout.strip() == "yes"


@pytest.mark.parametrize("q, code", [("DELETE WHERE { ?s ?p ?o }", "KGA204"),
                                     ("SELECT * WHERE { SERVICE <http://x.org/> { ?s ?p ?o } }", "KGA204"),
                                     ("LOAD <http://x.org/d.ttl>", "KGA204"),
                                     ("SELECT WHERE", "KGA206")])
def test_query_rejections_exit_1_with_one_line(tiny_dir, q, code):
    r = run("query", q, "--graph", tiny_dir)
    assert r.exit_code == 1
    assert r.stderr.startswith(f"error: {code}")
    _no_traceback(r)


def test_malformed_graph_names_file_and_line(fixtures):
    r = run("stats", "--graph", fixtures / "bad_line3.ttl")
    assert r.exit_code == 1
    assert "bad_line3.ttl:3: KGA201" in r.stderr
    _no_traceback(r)
    r = run("stats", "--graph", fixtures / "graph.xyz")
    assert r.exit_code == 1 and "KGA202" in r.stderr and ".ttl" in r.stderr


def test_export_keeps_provenance_and_refuses_lossy_formats(tiny_dir, tmp_path):
    kg = KnowledgeGraph.load(tiny_dir)
    p = kg.add_entity("Jean", ["person"], provenance=Provenance("d1", 0, 0, 4, 0.9))
    kg.add_fact(p, "work_for", ENT + "acme", Provenance("d1", 0, 0, 20, 0.9, "r:1", "d:1"))
    kg.save(tiny_dir / "graph.nq")
    (tiny_dir / "graph.ttl").unlink()
    r = run("export", tmp_path / "out.trig", "--graph", tiny_dir)
    assert r.exit_code == 0, r.output
    assert KnowledgeGraph.load(tmp_path / "out.trig").provenance(p, "work_for", ENT + "acme")[0].rule == "r:1"
    r = run("export", tmp_path / "out.ttl", "--graph", tiny_dir)
    assert r.exit_code == 1 and "KGA202" in r.stderr
    r = run("remove-doc", "d1", "--graph", tiny_dir)
    assert r.exit_code == 0 and "3 fact(s)" in r.stdout  # the fact, Jean's label and type
    assert KnowledgeGraph.load(tiny_dir).documents() == []
    r = run("remove-doc", "d1", "--graph", tiny_dir)
    assert r.exit_code == 1 and "KGA207" in r.stderr


def test_import_into_a_new_graph(fixtures, tmp_path):
    r = run("import", fixtures / "tiny.ttl", "--graph", tmp_path / "g")
    assert r.exit_code == 0, r.output
    assert KnowledgeGraph.load(tmp_path / "g").stats()["entities"] == 8
    r = run("import", fixtures / "bad_line3.nt", "--graph", tmp_path / "g")
    assert r.exit_code == 1 and "bad_line3.nt:3" in r.stderr


def test_link_with_a_local_model(tiny_dir, tiny_st):
    r = run("link", "Ville Lumière", "Acme", "--graph", tiny_dir, "--embedder", tiny_st, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [o["entity"] for o in out] == [ENT + "paris", ENT + "acme"] and out[0]["method"] == "alias"
    r = run("link", "Paris", "--type", "Peop", "--graph", tiny_dir, "--embedder", tiny_st, "--nil-threshold", "0.99")
    assert r.exit_code == 0 and "Paris" in r.stdout
    r = run("link", "x", "--graph", tiny_dir, "--embedder", tiny_dir / "nope")
    assert r.exit_code == 1 and "KGA209" in r.stderr


def test_resolve_dry_run(tiny_dir, tiny_st):
    """Names merge only where one says the other as the ontology lets a person's name shorten
    (its last words): "Dupont" may be Jean Dupont, "Jean" (first words) may not, Marie Durand is
    another person; each merge shows the labels and how the names agree."""
    kg = KnowledgeGraph.load(tiny_dir)
    for i, name in enumerate(["Jean Dupont", "Jean Dupont", "Dupont", "Marie Durand", "Jean"]):
        kg.add_entity(name, ["person"], provenance=Provenance(f"d{i}", 0, 0, 4, 0.9))
        kg.add_entity("Lyon", ["location"], provenance=Provenance(f"d{i}", 0, 10, 14, 0.9))  # one story's company
    kg.save(tiny_dir / "graph.nq")
    (tiny_dir / "graph.ttl").unlink()
    r = run("resolve", "--graph", tiny_dir, "--embedder", tiny_st, "--threshold", "0.1", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "1 merge(s) (dry run)" in r.stdout
    (line,) = [x for x in r.stdout.splitlines() if " <- " in x]
    assert line.startswith("Jean Dupont <") and "Dupont <" in line.split(" <- ")[1] and "(last, " in line
    assert "Marie" not in line and "Jean <" not in line.split(" <- ")[1]  # a first name alone: not a person's short name
    assert len([e for e in KnowledgeGraph.load(tiny_dir).entities() if "/new/" in e]) == 5  # 4 people, Lyon


def test_import_webnlg(fixtures, tmp_path):
    r = run("import-webnlg", fixtures / "webnlg", "--out", tmp_path / "w", "--splits", "dev")
    assert r.exit_code == 0, r.output
    kg = KnowledgeGraph.load(tmp_path / "w")
    labels = {kg.entity(e).label for e in kg.entities()}
    assert labels == {"Abilene Regional Airport", "Abilene, Texas", "Texas"}  # no literal 2194.0
    assert kg.entity("http://dbpedia.org/resource/Abilene,_Texas").aliases == ("Abilene",)
    r = run("import-webnlg", tmp_path / "nothing", "--out", tmp_path / "w2")
    assert r.exit_code == 1 and "KGA201" in r.stderr


def test_build_default_small(tmp_path):
    r = run("build-geonames", "--out", tmp_path / "g", "--no-index", "--min-population", "5000000")
    assert r.exit_code == 0, r.output
    kg = KnowledgeGraph.load(tmp_path / "g")
    s = kg.stats()
    # 252 countries and the 4 that are no more in the news domain's place_names.toml
    assert s["entities_by_type"]["country"] == 252 + 4 and s["entities_by_type"]["region"] > 3000
    assert s["entities_by_type"]["continent"] == 7
    f = kg.rule_facts()
    assert ("work_for", "person", "organization") in f["signature"] and ("capital",) in f["functional"]
    tokyo = [e for e in kg.entities() if kg.entity(e).label == "Tokyo" and "city" in kg.entity(e).types]
    assert tokyo and any(t[1] == "located_in" for t in kg.rule_facts(tokyo)["triple"])
    # a US state's (and D.C.'s) postal code is its code, as a country's ISO code is: "Boston, MA";
    # not an outlying area's ("PR" is Puerto Rico's own ISO code: the graph's country)
    codes = defaultdict(set)
    for iri, code in kg.code_table():
        codes[code].add(kg.entity(iri).label)
    assert {"Massachusetts", "Morocco"} <= codes["MA"] and "Montana" in codes["MT"]
    assert "District of Columbia" in codes["DC"] and codes["PR"] == {"Puerto Rico"}
    # a city the domain's place_names.toml names is kept whatever its population (Venice: 51,000)
    venice = kg.entity(ENT + "geonames/3164603")
    assert venice is not None and venice.label == "Venice" and "city" in venice.types
    assert "Cologne" in kg.entity(ENT + "geonames/2886242").aliases
    assert (ENT + "geonames/2910831", "Hanover") in set(kg.own_name_table())  # Hannover's English name
