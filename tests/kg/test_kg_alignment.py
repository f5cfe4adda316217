"""Graph alignment (issue 12, item 5): twins of two sources become one, with evidence; entities
that only share a name do not; the linker then sees one candidate."""

from __future__ import annotations

import pytest
from rdflib import OWL, URIRef
from typer.testing import CliRunner

from kgagent.kg import KnowledgeGraph
from kgagent.kg.alignment import align_entities, apply_alignment, canonical_map
from kgagent.kg.vocab import ALIGNMENT_GRAPH, KGA
from kgagent_cli.main import app

from support.kg_fakes import ENT, trigram_embed

DBR = "http://dbpedia.org/resource/"
KINDS = ("person", "organization", "location")

PREFIXES = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ont: <https://w3id.org/kgagent/ont/> .
@prefix dbr: <http://dbpedia.org/resource/> .
@prefix dbo: <http://dbpedia.org/ontology/> .
"""
# a DBpedia-like source: France, United States and Paris are twins of the tiny graph's
IMPORTED = PREFIXES + """
dbr:France a ont:country ; rdfs:label "France" .
dbr:United_States a ont:country ; rdfs:label "United States" .
dbr:Paris rdfs:label "Paris" ; dbo:country dbr:France .
dbr:Texas rdfs:label "Texas" ; dbo:country dbr:United_States .
"""


def _import(kg: KnowledgeGraph, text: str, tmp_path, name: str = "imported.ttl") -> set[str]:
    known = set(kg.entities())
    (tmp_path / name).write_text(text, encoding="utf-8")
    other = KnowledgeGraph.load(tmp_path / name)
    for q in other.dataset.quads((None, None, None, None)):
        kg.dataset.add(q)
    kg.invalidate()
    return set(kg.entities()) - known


def test_twins_of_two_sources_become_one_with_evidence(tiny, tmp_path):
    new = _import(tiny, IMPORTED, tmp_path)
    report = align_entities(tiny, new, kinds=KINDS)
    pairs = {t.entity: t.canonical for t in report.twins}
    assert pairs == {DBR + "France": ENT + "france", DBR + "United_States": ENT + "usa",
                     DBR + "Paris": ENT + "paris", DBR + "Texas": ENT + "texas"}
    paris = next(t for t in report.twins if t.entity == DBR + "Paris")
    # untyped, two cities called Paris: the neighbour France decides (Paris, Texas has none)
    assert paris.neighbours == ((DBR + "France", ENT + "france"),) and paris.kinds == ()
    assert paris.runner_up is None  # Paris, Texas: an untyped name with no agreeing neighbour is no candidate
    france = next(t for t in report.twins if t.entity == DBR + "France")
    assert france.kinds == ("location",) and france.classes == "nested" and france.name == "label = label"
    assert apply_alignment(tiny, report.twins, source="imported.ttl") == 4
    assert canonical_map(tiny)[DBR + "Paris"] == ENT + "paris"
    evidence = tiny.query("SELECT ?m ?s WHERE { ?n a kga:Alignment ; kga:member ?m ; kga:nameMatch ?s }")
    assert {r["m"] for r in evidence} == set(pairs)


def test_a_shared_name_alone_merges_nothing(tiny, tmp_path):
    """Regression guard for the negative case: distinct entities with one name stay apart."""
    new = _import(tiny, PREFIXES + """
dbr:Paris_band a ont:organization ; rdfs:label "Paris" .
dbr:Texas_City a ont:city ; rdfs:label "Texas" .
dbr:Paris_unknown rdfs:label "Paris" .
dbr:Acme_film rdfs:label "Acme" .
""", tmp_path)
    report = align_entities(tiny, new, kinds=KINDS)
    assert report.twins == []
    assert report.incompatible >= 2  # an organisation is not a city; a city is not a region
    assert report.unsupported >= 2  # an untyped "Paris" / "Acme" with no agreeing neighbour


def test_two_candidates_too_close_are_ambiguous(tiny, tmp_path):
    new = _import(tiny, PREFIXES + 'dbr:Paris a ont:city ; rdfs:label "Paris" .\n', tmp_path)
    report = align_entities(tiny, new, kinds=KINDS)
    assert report.twins == [] and report.ambiguous == [DBR + "Paris"]  # Paris, France or Paris, Texas?


def test_a_cluster_never_takes_two_entities_of_one_source(tiny, tmp_path):
    new = _import(tiny, PREFIXES + """
dbr:France a ont:country ; rdfs:label "France" ; dbo:capital dbr:Paris .
dbr:French_Republic a ont:country ; rdfs:label "French Republic" .
dbr:Paris rdfs:label "Paris" .
""", tmp_path)
    report = align_entities(tiny, new, kinds=KINDS)
    to_france = [t.entity for t in report.twins if t.canonical == ENT + "france"]
    assert to_france == [DBR + "France"] and report.taken == 1  # the one with an agreeing neighbour wins


def test_aligning_again_adds_nothing_and_a_third_source_joins_through_the_canonical(tiny, tmp_path):
    new = _import(tiny, IMPORTED, tmp_path)
    apply_alignment(tiny, align_entities(tiny, new, kinds=KINDS).twins)
    assert align_entities(tiny, new, kinds=KINDS).twins == []
    third = _import(tiny, '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                          '@prefix ont: <https://w3id.org/kgagent/ont/> .\n'
                          '<urn:wd:Q142> a ont:country ; rdfs:label "France" .\n', tmp_path, "third.ttl")
    twins = align_entities(tiny, third, kinds=KINDS).twins
    assert [(t.entity, t.canonical) for t in twins] == [("urn:wd:Q142", ENT + "france")]
    apply_alignment(tiny, twins)
    members = sorted(m for m, c in canonical_map(tiny).items() if c == ENT + "france")
    assert members == [DBR + "France", "urn:wd:Q142"]  # a star around the canonical entity, no chain


def test_the_linker_sees_a_cluster_as_one_candidate(tiny, tmp_path):
    new = _import(tiny, IMPORTED, tmp_path)
    before = tiny.linker(embed=trigram_embed, embed_id="trigram-128", persist=False)
    (lk,) = before.link([("France", "location")], top_k=5)
    assert {c.entity for c in lk.candidates} >= {ENT + "france", DBR + "France"}  # split between twins
    apply_alignment(tiny, align_entities(tiny, new, kinds=KINDS).twins)
    after = tiny.linker(embed=trigram_embed, embed_id="trigram-128", persist=False)
    (lk,) = after.link([("France", "location")], top_k=5)
    ents = [c.entity for c in lk.candidates]
    assert lk.entity == ENT + "france" and DBR + "France" not in ents and ents.count(ENT + "france") == 1
    (paris,) = after.link([("Paris", None)], top_k=5)
    assert DBR + "Paris" not in {c.entity for c in paris.candidates}
    assert "country" in after._entity_types(ENT + "france")
    assert after.canonical(DBR + "Texas") == ENT + "texas"


def test_alignment_survives_save_and_load(tiny, tmp_path):
    new = _import(tiny, IMPORTED, tmp_path)
    apply_alignment(tiny, align_entities(tiny, new, kinds=KINDS).twins, source="imported.ttl")
    tiny.save(tmp_path / "out" / "graph.nq.gz")
    back = KnowledgeGraph.load(tmp_path / "out")
    assert canonical_map(back) == canonical_map(tiny)
    g = back.dataset.graph(ALIGNMENT_GRAPH)
    assert (URIRef(DBR + "France"), OWL.sameAs, URIRef(ENT + "france")) in g
    assert any(True for _ in g.subjects(KGA.source, None))


def run(*args):
    return CliRunner().invoke(app, ["kg", *map(str, args)])


def test_kg_import_aligns_by_default(fixtures, tmp_path):
    (tmp_path / "dbp.ttl").write_text(IMPORTED, encoding="utf-8")
    r = run("import", fixtures / "tiny.ttl", "--graph", tmp_path / "g")
    assert r.exit_code == 0, r.output
    r = run("import", tmp_path / "dbp.ttl", "--graph", tmp_path / "g")
    assert r.exit_code == 0, r.output
    assert "aligned 4 imported entit(y/ies)" in r.stderr
    assert canonical_map(KnowledgeGraph.load(tmp_path / "g"))[DBR + "France"] == ENT + "france"
    r = run("import", tmp_path / "dbp.ttl", "--graph", tmp_path / "h", "--no-align")
    assert r.exit_code == 0 and "aligned" not in r.stderr


@pytest.mark.parametrize("name,text,line", [
    ("broken.ttl", IMPORTED + "dbr:Oops rdfs:label \"no end\n", 10),
    ("broken.nt", '<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> "x .\n', 2),
    ("broken.nq", '<urn:a> <urn:b> <urn:c> <urn:g> .\n\n<urn:a> <urn:b> .\n', 3),
])
def test_a_broken_line_in_an_imported_file_is_one_line_naming_file_and_line(fixtures, tmp_path, name, text, line):
    r = run("import", fixtures / "tiny.ttl", "--graph", tmp_path / "g")
    assert r.exit_code == 0
    before = (tmp_path / "g" / "graph.nq.gz").read_bytes()
    (tmp_path / name).write_text(text, encoding="utf-8")
    r = run("import", tmp_path / name, "--graph", tmp_path / "g")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1
    assert f"{name}:{line}: KGA201" in r.stderr
    assert (tmp_path / "g" / "graph.nq.gz").read_bytes() == before  # the graph is untouched


def test_a_qualified_name_needs_its_qualifier_among_the_neighbours(tiny, tmp_path):
    new = _import(tiny, PREFIXES + """
dbr:Paris_Texas a ont:city ; rdfs:label "Paris, Texas" ; <http://www.w3.org/2004/02/skos/core#altLabel> "Paris" .
dbr:Paris_Ontario a ont:city ; rdfs:label "Paris, Ontario" ; <http://www.w3.org/2004/02/skos/core#altLabel> "Paris" .
""", tmp_path)
    report = align_entities(tiny, new, kinds=KINDS)
    assert [(t.entity, t.canonical) for t in report.twins] == [(DBR + "Paris_Texas", ENT + "paris_tx")]
    assert report.twins[0].neighbours == (("Texas (qualifier)", ENT + "texas"),)


def test_a_tie_between_places_of_one_class_goes_to_the_far_more_populous(tiny, tmp_path):
    from rdflib import XSD, Literal

    tiny.add(URIRef(ENT + "paris"), KGA.population, Literal(2_100_000, datatype=XSD.integer))
    tiny.add(URIRef(ENT + "paris_tx"), KGA.population, Literal(25_000, datatype=XSD.integer))
    new = _import(tiny, PREFIXES + 'dbr:Paris a ont:city ; rdfs:label "Paris" .\n', tmp_path)
    (twin,) = align_entities(tiny, new, kinds=KINDS).twins
    assert twin.canonical == ENT + "paris" and twin.prominence == pytest.approx(0.192, abs=1e-3)  # log10(84) / 10


@pytest.mark.slow
def test_webnlg_beside_the_shipped_graph_finds_its_geonames_twins(fixtures, tmp_path):
    """The real path: a WebNLG graph (DBpedia names) imported into a copy of the news graph."""
    import shutil

    from kgagent.kg.store import default_graph_dir

    shutil.copy(default_graph_dir() / "graph.nq.gz", tmp_path / "graph.nq.gz")
    r = run("import-webnlg", fixtures / "webnlg", "--out", tmp_path / "w", "--splits", "dev")
    assert r.exit_code == 0, r.output
    r = run("import", tmp_path / "w" / "graph.nq.gz", "--graph", tmp_path)
    assert r.exit_code == 0, r.output
    kg = KnowledgeGraph.load(tmp_path)
    twins = {m: kg.entity(c) for m, c in canonical_map(kg).items()}
    assert twins[DBR + "Texas"].label == "Texas" and "region" in twins[DBR + "Texas"].types
    abilene = twins[DBR + "Abilene,_Texas"]  # its qualifier Texas is the GeoNames Abilene's state
    assert abilene.label == "Abilene" and "city" in abilene.types
    assert DBR + "Abilene_Regional_Airport" not in twins
