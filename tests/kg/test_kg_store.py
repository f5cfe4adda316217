"""KnowledgeGraph: formats, errors with file and line, atomic save, lock, SPARQL guard, provenance."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from rdflib import URIRef

from kgagent.errors import GraphError
from kgagent.kg import KnowledgeGraph
from kgagent.kg.vocab import ONT
from kgagent.schema import Provenance

from support.kg_fakes import ENT

REPO = Path(__file__).resolve().parents[2]


def _with_provenance(kg: KnowledgeGraph) -> tuple[str, str]:
    p = kg.add_entity("Jean Dupont", ["person"], provenance=Provenance("doc-1", 0, 0, 11, 0.9))
    kg.add_fact(p, "work_for", ENT + "acme", Provenance("doc-1", 0, 0, 30, 0.91, "rules/r.rules:3", "d:1",
                                                        extra={"head": "m:1", "tail": "m:2"}))
    return p, ENT + "acme"


@pytest.mark.parametrize("name", ["g.nq", "g.trig", "g.jsonld", "g.nq.gz", "g.trig.gz"])
def test_round_trip_quad_formats_keep_provenance(tiny, tmp_path, name):
    p, acme = _with_provenance(tiny)
    path = tiny.save(tmp_path / name)
    back = KnowledgeGraph.load(path)
    assert len(back) == len(tiny)
    assert back.documents() == ["doc-1"]
    (prov,) = back.provenance(p, "work_for", acme)
    assert (prov.doc, prov.sentence, prov.start, prov.end, prov.score, prov.rule, prov.decision) == (
        "doc-1", 0, 0, 30, 0.91, "rules/r.rules:3", "d:1")
    assert prov.extra == {"head": "m:1", "tail": "m:2"}
    assert back.entity(p).label == "Jean Dupont"


@pytest.mark.parametrize("name", ["g.ttl", "g.nt", "g.nt.gz", "g.rdf", "g.jsonld"])
def test_round_trip_triple_formats(tiny, tmp_path, name):
    path = tiny.save(tmp_path / name)
    back = KnowledgeGraph.load(path)
    assert len(back) == len(tiny)
    assert back.entity(ENT + "france").aliases == ("French Republic",)
    assert back.rule_facts() == tiny.rule_facts()


def test_triple_format_refuses_to_drop_provenance(tiny, tmp_path):
    _with_provenance(tiny)
    with pytest.raises(GraphError) as err:
        tiny.save(tmp_path / "g.ttl")
    assert err.value.code == "KGA202" and ".nq" in str(err.value)
    assert not (tmp_path / "g.ttl").exists()


def test_nquads_output_is_sorted_and_deterministic(tiny, tmp_path):
    a = tiny.save(tmp_path / "a.nq").read_bytes()
    b = KnowledgeGraph.load(tmp_path / "a.nq").save(tmp_path / "b.nq").read_bytes()
    assert a == b
    lines = a.decode().splitlines()
    assert lines == sorted(lines)


@pytest.mark.parametrize("name, line", [("bad_line3.ttl", 3), ("bad_line3.nt", 3), ("bad_line4.jsonld", 4)])
def test_malformed_file_names_file_and_line(fixtures, name, line):
    with pytest.raises(GraphError) as err:
        KnowledgeGraph.load(fixtures / name)
    assert err.value.code == "KGA201"
    assert err.value.location.path.endswith(name)
    assert err.value.location.line == line
    assert f"{name}:{line}" in str(err.value)


def test_unknown_format_lists_formats(fixtures):
    with pytest.raises(GraphError) as err:
        KnowledgeGraph.load(fixtures / "graph.xyz")
    msg = str(err.value)
    assert err.value.code == "KGA202"
    for suffix in (".ttl", ".nt", ".nq", ".jsonld", ".trig"):
        assert suffix in msg
    with pytest.raises(GraphError, match="KGA202 unknown graph format 'yaml'"):
        KnowledgeGraph.load(fixtures / "tiny.ttl", format="yaml")


def test_missing_file_and_empty_directory(tmp_path):
    with pytest.raises(GraphError, match="not found"):
        KnowledgeGraph.load(tmp_path / "nope.ttl")
    with pytest.raises(GraphError, match="no graph file"):
        KnowledgeGraph.load(tmp_path)


def test_atomic_save_survives_a_crash_during_write(tiny, tmp_path, monkeypatch):
    path = tiny.save(tmp_path / "graph.nq")
    before = path.read_bytes()
    tiny.add_entity("Lyon", ["city"])
    import kgagent.kg.store as store

    def crash(ds, out, fmt):
        out.write(b"<http://half> <http://written")
        raise OSError("disk full")

    monkeypatch.setattr(store, "_serialize", crash)
    with pytest.raises(OSError):
        tiny.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_atomic_save_survives_kill_9(tiny, tmp_path):
    path = tiny.save(tmp_path / "graph.nq")
    before = path.read_bytes()
    script = textwrap.dedent(f"""
        import time, kgagent.kg.store as store
        from kgagent.kg import KnowledgeGraph
        kg = KnowledgeGraph.load({str(path)!r})
        kg.add_entity("Lyon", ["city"])
        def slow(ds, out, fmt):
            out.write(b"<http://half> ")
            out.flush()
            print("writing", flush=True)
            time.sleep(30)
        store._serialize = slow
        kg.save()
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=REPO)
    assert proc.stdout.readline().strip() == b"writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert path.read_bytes() == before  # the old graph is intact
    assert len(KnowledgeGraph.load(path)) == len(tiny)  # without the dead writer's Lyon
    tiny.save(path)  # the next writer gets the lock and cleans the dead writer's temp file
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_lock_refuses_a_second_writer(tiny, tmp_path):
    path = tiny.save(tmp_path / "graph.nq")
    script = textwrap.dedent(f"""
        import time
        from kgagent.kg import KnowledgeGraph
        kg = KnowledgeGraph.load({str(path)!r}).lock()
        print("locked", flush=True)
        time.sleep(30)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=REPO)
    try:
        assert proc.stdout.readline().strip() == b"locked"
        with pytest.raises(GraphError) as err:
            tiny.save(path)
        assert err.value.code == "KGA203"
        assert f"pid {proc.pid}" in str(err.value) and "locked by another writer" in str(err.value)
    finally:
        proc.kill()
        proc.wait()
    tiny.save(path)  # the lock died with its holder


def test_own_lock_allows_own_saves(tiny, tmp_path):
    tiny.save(tmp_path / "graph.nq")
    tiny.lock(tmp_path)
    try:
        tiny.save(tmp_path / "graph.nq")
        other = KnowledgeGraph.load(tmp_path / "graph.nq")
        with pytest.raises(GraphError, match="KGA203"):
            other.save()
    finally:
        tiny.unlock()
    other.save()


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://x.org/> { ?s ?q ?r } } }",
    "LOAD <http://example.org/data.ttl>",
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }",
])
def test_sparql_guard_rejects(tiny, query):
    n = len(tiny)
    with pytest.raises(GraphError) as err:
        tiny.query(query)
    assert err.value.code == "KGA204"
    assert len(tiny) == n


def test_sparql_syntax_error(tiny):
    with pytest.raises(GraphError, match="KGA206 SPARQL syntax error at line 1"):
        tiny.query("SELEC ?x WHERE { }")


def test_sparql_select_ask_construct(tiny):
    rows = tiny.query("""PREFIX ont: <https://w3id.org/kgagent/ont/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?l WHERE { ?c a ont:country ; rdfs:label ?l } ORDER BY ?l""")
    assert rows == [{"l": "France"}, {"l": "United States"}]
    assert tiny.query("ASK { ?s <https://w3id.org/kgagent/ont/capital> ?o }") is True
    assert tiny.query("ASK { ?s <https://w3id.org/kgagent/ont/kill> ?o }") is False
    triples = tiny.query("""CONSTRUCT { <https://w3id.org/kgagent/entity/france> <http://ex.org/contains> ?s }
        WHERE { ?s <https://w3id.org/kgagent/ont/located_in> <https://w3id.org/kgagent/entity/france> }""")
    assert sorted(triples) == sorted([(ENT + "france", "http://ex.org/contains", ENT + "paris"),
                                      (ENT + "france", "http://ex.org/contains", ENT + "idf")])


def test_sparql_sees_named_graphs_and_can_address_them(tiny):
    p, acme = _with_provenance(tiny)
    q = f"ASK {{ <{p}> <{ONT.work_for}> <{acme}> }}"
    assert tiny.query(q) is True
    rows = tiny.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{p}> <{ONT.work_for}> <{acme}> }} }}")
    assert rows == [{"g": "https://w3id.org/kgagent/doc/doc-1"}]


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_sparql_time_limit_stops_the_query(tiny, engine):
    import threading

    for i in range(60):
        tiny.add(URIRef(f"http://n/{i}"), URIRef("http://p"), URIRef(f"http://n/{i + 1}"))
    tiny.query("ASK { ?s ?p ?o }", engine=engine)  # build the snapshot outside the timed call
    def workers() -> set[threading.Thread]:  # the query workers alive (other tests' threads come and go)
        return {w for w in threading.enumerate() if w.name == "kgagent-sparql"}

    before = workers()
    t = time.perf_counter()
    with pytest.raises(GraphError) as err:
        # a streaming cross product (no aggregate): both engines produce rows one by one,
        # so the worker is stopped between two rows
        tiny.query("SELECT * WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h . ?i ?t ?j }",
                   timeout=0.3, engine=engine)
    assert err.value.code == "KGA205"
    assert time.perf_counter() - t < 5
    # stopped at its next bytecode: within moments alone, but two suites on two cores once took
    # past 5 s to give the worker its turn
    deadline = time.perf_counter() + 30
    while workers() - before and time.perf_counter() < deadline:
        time.sleep(0.05)
    assert workers() - before == set()  # the worker thread is gone, not burning CPU


def test_provenance_and_remove_document_exactly(tiny):
    acme, paris = ENT + "acme", ENT + "paris"
    p = tiny.add_entity("Jean Dupont", ["person"], provenance=Provenance("d1", 0, 0, 11, 0.9))
    q = tiny.add_entity("Marie Curie", ["person"], provenance=Provenance("d2", 0, 0, 11, 0.8))
    tiny.add_fact(p, "work_for", acme, Provenance("d1", 0, 0, 30, 0.9))
    tiny.add_fact(p, "work_for", acme, Provenance("d2", 3, 5, 40, 0.7))  # d2 supports it too
    tiny.add_fact(p, "live_in", paris, Provenance("d1", 1, 0, 20, 0.8))  # only d1
    tiny.add_fact(q, "live_in", paris, Provenance("d2", 0, 0, 20, 0.8))  # only d2
    tiny.add_fact(paris, "located_in", ENT + "france", Provenance("d1", 2, 0, 9, 0.99))  # also curated
    assert len(tiny.provenance(p, "work_for", acme)) == 2
    assert tiny.documents() == ["d1", "d2"]

    removed = tiny.remove_document("d1")
    assert tiny.query(f"ASK {{ <{p}> <{ONT.live_in}> <{paris}> }}") is False  # only d1 held it
    assert tiny.query(f"ASK {{ <{p}> <{ONT.work_for}> <{acme}> }}") is True  # d2 holds it
    assert tiny.query(f"ASK {{ <{paris}> <{ONT.located_in}> <{ENT}france> }}") is True  # curated
    assert tiny.entity(p).label == "Jean Dupont"  # d2's fact keeps its subject described
    assert [x.doc for x in tiny.provenance(p, "work_for", acme)] == ["d2"]
    assert removed == 1  # exactly the live_in fact
    assert tiny.documents() == ["d2"]

    removed = tiny.remove_document("d2")
    assert tiny.entity(p) is None and tiny.entity(q) is None
    assert tiny.documents() == []
    assert tiny.remove_document("d2") == 0
    assert tiny.entity(paris).label == "Paris"


def test_facts_by_pattern_with_their_sources(tiny):
    """kg.facts: the relations between entities matching a pattern, each once, whether the curated
    graph holds it and every sentence an extraction accepted it from; never a description (label,
    type, alias), the ontology, a provenance record or owl:sameAs."""
    paris, france, acme = ENT + "paris", ENT + "france", ENT + "acme"
    p = tiny.add_entity("Jean Dupont", ["person"], provenance=Provenance("d1", 0, 0, 11, 0.9))
    tiny.add_fact(p, "work_for", acme, Provenance("d1", 0, 0, 30, 0.9, "rules/r.rules:3", "d:1"))
    tiny.add_fact(p, "work_for", acme, Provenance("d2", 3, 5, 40, 0.7, "rules/r.rules:3", "d:2"))
    tiny.add_fact(paris, "located_in", france, Provenance("d1", 2, 0, 9, 0.99))  # curated too
    tiny.add(URIRef(paris), URIRef("http://www.w3.org/2002/07/owl#sameAs"), URIRef("http://dbpedia.org/resource/Paris"))

    (job,) = tiny.facts(subject=p)
    assert (job.subject_label, job.predicate, job.object, job.curated) == ("Jean Dupont", "work_for", acme, False)
    assert [(s.doc, s.sentence, s.score, s.decision) for s in job.sources] == [("d1", 0, 0.9, "d:1"), ("d2", 3, 0.7, "d:2")]
    about_paris = tiny.facts(subject=paris)
    assert {(f.predicate, f.object) for f in about_paris} == {("located_in", ENT + "idf"), ("located_in", france)}
    (in_france,) = [f for f in about_paris if f.object == france]
    assert in_france.curated and [s.doc for s in in_france.sources] == ["d1"]
    assert [f.subject for f in tiny.facts(predicate="capital", obj=paris)] == [france]
    assert tiny.facts(subject=paris, predicate="work_for") == []
    everything = tiny.facts()
    assert len(everything) == len(set((f.subject, f.predicate, f.object) for f in everything))
    assert not {f.predicate for f in everything} & {"label", "type", "altLabel", "sameAs"}
    assert everything == sorted(everything, key=lambda f: (f.predicate, f.subject_label, f.object_label,
                                                          f.subject, f.object))
    assert job.to_dict()["sources"][1]["doc"] == "d2"


def test_entity_and_ids_are_stable(tiny):
    a = tiny.add_entity("Lyon", ["city"], aliases=["Lugdunum"])
    assert a == tiny.add_entity("Lyon", ["city"])
    e = tiny.entity(a)
    assert (e.label, e.aliases, e.types) == ("Lyon", ("Lugdunum",), ("city",))
    assert tiny.entity(ENT + "nobody") is None
    with pytest.raises(GraphError, match="KGA207"):
        tiny.add_entity("  ", ["city"])


def test_rule_facts_content(tiny):
    f = tiny.rule_facts()
    assert {("city", "city"), ("city", "location"), ("location", "location"), ("region", "location")} <= f["subclass"]
    assert ("location", "city") not in f["subclass"]
    assert f["signature"] == {("located_in", "location", "location"), ("work_for", "person", "organization"),
                              ("capital", "country", "city")}
    assert f["functional"] == {("capital",)}
    assert (ENT + "paris", "city") in f["type"]
    assert (ENT + "paris", "located_in", ENT + "idf") in f["triple"]
    assert (ENT + "france", "capital", ENT + "paris") in f["triple"]
    assert (ENT + "idf", "Île-de-France") in f["label"]


def test_rule_facts_neighbourhood_is_small_and_fast(tiny):
    f = tiny.rule_facts([ENT + "paris_tx"])
    assert {t[0] for t in f["type"]} == {ENT + "paris_tx", ENT + "texas", ENT + "usa"}
    assert f["triple"] == {(ENT + "paris_tx", "located_in", ENT + "texas"), (ENT + "texas", "located_in", ENT + "usa")}
    assert ("city", "location") in f["subclass"]  # the ontology always comes whole
    t = time.perf_counter()
    for _ in range(20):
        tiny.rule_facts([ENT + "paris", ENT + "acme", ENT + "hilton"])
    assert (time.perf_counter() - t) / 20 < 0.05


def test_subclass_closure_is_transitive_and_updates(tiny):
    tiny.add_class("capital_city", "city")
    f = tiny.rule_facts([])
    assert {("capital_city", "capital_city"), ("capital_city", "city"), ("capital_city", "location")} <= f["subclass"]
    assert tiny.superclasses("capital_city") == {"capital_city", "city", "location"}


def test_networkx_view(tiny):
    assert tiny.shortest_path(ENT + "paris_tx", ENT + "usa") == [
        (ENT + "paris_tx", "located_in", ENT + "texas"), (ENT + "texas", "located_in", ENT + "usa")]
    assert tiny.shortest_path(ENT + "paris", ENT + "usa") == []
    assert tiny.neighbourhood([ENT + "idf"]) == {ENT + "idf", ENT + "paris", ENT + "france"}


def test_oxigraph_store_same_answers(tiny_dir):
    mem = KnowledgeGraph.load(tiny_dir)
    ox = KnowledgeGraph.load(tiny_dir, store="oxigraph")
    try:
        assert (tiny_dir / "oxigraph").is_dir()
        q = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s ?l"
        assert ox.query(q) == mem.query(q)
        assert ox.rule_facts() == mem.rule_facts()
        p = ox.add_entity("Jean", ["person"], provenance=Provenance("d1", 0, 0, 4, 0.9))
        ox.add_fact(p, "work_for", ENT + "acme", Provenance("d1", 0, 0, 9, 0.9))
        assert ox.documents() == ["d1"]
        assert ox.remove_document("d1") == 1 + 2  # the fact and Jean's label and type
        with pytest.raises(GraphError, match="KGA204"):
            ox.query("INSERT DATA { <http://a> <http://b> <http://c> }")
    finally:
        ox.close()


def test_stats(tiny):
    s = tiny.stats()
    assert s["entities"] == 8 and s["entities_by_type"]["city"] == 2 and s["classes"] == 6


def test_both_sparql_engines_agree_and_prefixes_are_predeclared(tiny):
    p, acme = _with_provenance(tiny)
    q = """SELECT ?x ?c WHERE { ?x a ont:city ; ont:located_in ?c . ?c a ont:country } ORDER BY ?x ?c"""
    rows = tiny.query(q)
    assert rows == tiny.query(q, engine="rdflib") == [{"x": ENT + "paris", "c": ENT + "france"}]
    q = "SELECT ?s ?d WHERE { ?s a rdf:Statement ; kga:doc ?d ; kga:score ?sc FILTER(?sc > 0.5) }"
    assert tiny.query(q) == tiny.query(q, engine="rdflib") and len(tiny.query(q)) == 1
    assert tiny.query(q, raw=True)[0]["d"].__class__.__name__ == "Literal"
    with pytest.raises(GraphError, match="KGA206"):
        tiny.query(q, engine="jena")


def test_query_snapshot_follows_changes(tiny):
    q = "SELECT ?l WHERE { ?e a ont:city ; rdfs:label ?l } ORDER BY ?l"
    assert [r["l"] for r in tiny.query(q)] == ["Paris", "Paris"]
    tiny.add_entity("Lyon", ["city"])
    assert [r["l"] for r in tiny.query(q)] == ["Lyon", "Paris", "Paris"]


def test_oxigraph_store_is_never_silently_stale(tiny_dir):
    KnowledgeGraph.load(tiny_dir, store="oxigraph").close()
    kg = KnowledgeGraph.load(tiny_dir)
    kg.add_entity("Lyon", ["city"])
    time.sleep(0.01)
    kg.save(tiny_dir / "graph.ttl")
    with pytest.raises(GraphError) as err:
        KnowledgeGraph.load(tiny_dir, store="oxigraph")
    assert err.value.code == "KGA210" and "remove" in str(err.value)
    import shutil

    shutil.rmtree(tiny_dir / "oxigraph")
    ox = KnowledgeGraph.load(tiny_dir, store="oxigraph")
    assert ox.query("ASK { ?e rdfs:label \"Lyon\" }") is True
    ox.add_entity("Nice", ["city"])
    ox.save()  # saving from the store brings file and store back in step
    ox.close()
    again = KnowledgeGraph.load(tiny_dir, store="oxigraph")
    assert again.query("ASK { ?e rdfs:label \"Nice\" }") is True
    again.close()


def test_fast_parse_gives_the_terms_rdflib_gives(tmp_path):
    """The Oxigraph path (each distinct term made once, quads added to the store directly) loads
    the same quads as rdflib's own parser: a literal repeated in two graphs, language tags, a
    typed literal, blank nodes shared within the file; and an explicit xsd:string, which RDF 1.1
    makes the plain literal (rdflib keeps the datatype: the one difference, as before)."""
    from rdflib import BNode, Dataset, Literal
    from rdflib.compare import isomorphic

    from kgagent.kg import fileio

    text = textwrap.dedent("""\
        <http://e/a> <http://p/label> "Paris" <http://g/1> .
        <http://e/a> <http://p/label> "Paris" <http://g/2> .
        <http://e/b> <http://p/label> "Paris" <http://g/2> .
        <http://e/a> <http://p/label> "Paris"@fr <http://g/1> .
        <http://e/a> <http://p/label> "Paris"@en .
        <http://e/a> <http://p/pop> "2100000"^^<http://www.w3.org/2001/XMLSchema#integer> .
        <http://e/a> <http://p/pop> "2100000" .
        <http://e/a> <http://p/in> _:r <http://g/1> .
        _:r <http://p/label> "Ile-de-France" <http://g/1> .
        """)
    fast, slow = Dataset(default_union=True), Dataset(default_union=True)
    fileio.parse_into(fast, text, "nquads", tmp_path / "g.nq")
    slow.parse(data=text, format="nquads")
    assert len(fast) == len(slow) == 8  # a's "Paris" in two graphs is one triple of the union
    for g in slow.graphs():
        assert isomorphic(fast.graph(g.identifier), g), g.identifier
    pop = {(o.datatype, o.value) for o in fast.objects(URIRef("http://e/a"), URIRef("http://p/pop"))}
    assert pop == {(None, "2100000"), (URIRef("http://www.w3.org/2001/XMLSchema#integer"), 2100000)}
    labels = set(fast.objects(URIRef("http://e/a"), URIRef("http://p/label")))
    assert labels == {Literal("Paris"), Literal("Paris", lang="fr"), Literal("Paris", lang="en")}
    region = next(fast.objects(URIRef("http://e/a"), URIRef("http://p/in")))
    assert isinstance(region, BNode)
    assert next(fast.objects(region, URIRef("http://p/label"))) == Literal("Ile-de-France")
    assert len(list(fast.quads((None, None, None, None)))) == len(list(slow.quads((None, None, None, None)))) == 9
    typed = Dataset(default_union=True)
    fileio.parse_into(typed, '<http://e/a> <http://p/note> "x"^^<http://www.w3.org/2001/XMLSchema#string> .\n',
                      "nquads", tmp_path / "s.nq")
    assert list(typed.objects(URIRef("http://e/a"), URIRef("http://p/note"))) == [Literal("x")]


def test_documents_come_in_the_order_of_their_numbers():
    """documents() sorted ids as text: corpus#10 before corpus#2, and kg remove-doc's list of the
    documents there read that way."""
    from kgagent.kg import KnowledgeGraph

    kg = KnowledgeGraph()
    kg.add_class("thing")
    for doc in ("corpus#10", "corpus#2", "corpus#1", "b", "a²", "corpus#١٢"):  # ١٢: Arabic-Indic 12
        kg.add_entity(f"E {doc}", ["thing"], provenance=Provenance(doc, 0, 0, 1, 0.9))
    assert kg.documents() == ["a²", "b", "corpus#1", "corpus#2", "corpus#10", "corpus#١٢"]
