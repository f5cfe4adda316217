"""The public functions of ``kgagent.kg`` given arguments of the wrong kind, found by fuzzing:
each used to end in a bare TypeError, AttributeError or ValueError from inside (or, worse, to
take a string for a list of its characters, or write an IRI no parser reads back); now a
GraphError KGA211 saying which argument and what it is."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from kgagent.errors import GraphError
from kgagent.kg import KnowledgeGraph
from kgagent.kg.nquads import QuadBuffer
from kgagent.kg.vocab import new_iri, term_iri
from kgagent.schema import Provenance

P = Provenance(doc="d1", sentence=0, start=0, end=5, score=0.9)
PARIS = "https://w3id.org/kgagent/entity/paris"


def _kga211(fn, *words: str) -> GraphError:
    with pytest.raises(GraphError) as err:
        fn()
    assert err.value.code == "KGA211", err.value
    for w in words:
        assert w in err.value.message, err.value.message
    return err.value


@pytest.mark.parametrize(("path", "words"), [
    (5, "the graph path must be a path (str or pathlib.Path), not int"),
    (b"graph.ttl", "not bytes"),
    ("", "the graph path must not be empty"),
])
def test_load_with_a_path_that_is_no_path(path, words: str) -> None:
    _kga211(lambda: KnowledgeGraph.load(path), words)


def test_load_and_save_with_a_format_that_is_no_string(tiny_dir: Path, tmp_path: Path) -> None:
    """format=5 was AttributeError: 'int' object has no attribute 'lower'."""
    _kga211(lambda: KnowledgeGraph.load(tiny_dir, format=5), "a graph format must be a string", "not int")
    kg = KnowledgeGraph.load(tiny_dir)
    _kga211(lambda: kg.save(tmp_path / "x.nq", format=5), "not int")


def test_save_to_an_empty_path_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    """save("") wrote graph.nq.gz into the working directory (Path("") is ".")."""
    monkeypatch.chdir(tmp_path)
    kg = KnowledgeGraph()
    kg.add_entity("Lyon", ["city"])
    _kga211(lambda: kg.save(""), "the path to save to must not be empty")
    _kga211(lambda: kg.save(5), "not int")
    assert list(tmp_path.iterdir()) == []


def test_add_entity_with_types_given_as_one_string(tiny: KnowledgeGraph) -> None:
    """types="city" became the types c, i, t and y, without a word."""
    _kga211(lambda: tiny.add_entity("Lyon", "city"), "an entity's types must be a list of strings, not str",
            "write ['city']")
    assert tiny.entity_types(tiny.add_entity("Lyon", ["city"])) == {"city"}


@pytest.mark.parametrize(("call", "words"), [
    (lambda kg: kg.add_entity(5, ["city"]), "an entity's label must be a string, not int"),
    (lambda kg: kg.add_entity("a\ud800b", ["city"]), "an entity's label is not text: a lone surrogate"),
    (lambda kg: kg.add_entity("X", None), "an entity's types must be a list of strings, not NoneType"),
    (lambda kg: kg.add_entity("X", ["not a name"]), "not a vocabulary name or IRI: 'not a name'"),
    (lambda kg: kg.add_entity("X", [5]), "each of an entity's types must be a string, not int"),
    (lambda kg: kg.add_entity("X", ["city"], aliases=None), "an entity's aliases must be a list"),
    (lambda kg: kg.add_entity("X", ["city"], aliases=[5]), "each of an entity's aliases must be a string"),
    (lambda kg: kg.add_entity("X", ["city"], provenance={"doc": "d"}), "a provenance must be a"),
    (lambda kg: kg.add_entity("X", ["city"], iri="urn:a b"), "an entity's IRI cannot hold ' ' (U+0020)"),
    (lambda kg: kg.add_fact("urn:a", "bad pred", "urn:b", P), "not a vocabulary name or IRI: 'bad pred'"),
    (lambda kg: kg.add_fact(None, "located_in", "urn:b", P), "a fact's subject must be a string, not NoneType"),
    (lambda kg: kg.add_fact("urn:a", "located_in", "urn:b c", P), "a fact's object cannot hold ' '"),
    (lambda kg: kg.add_fact("urn:a", "located_in", "urn:b", {"doc": "d"}), "a provenance must be a"),
    (lambda kg: kg.add_alias(PARIS, None), "an alias must be a string, not NoneType"),
    (lambda kg: kg.add_mention(PARIS, P, short_names="Par"), "short names must be a list of strings"),
    (lambda kg: kg.remove_document(None), "a document id must be a string, not NoneType"),
    (lambda kg: kg.entity(5), "an IRI must be a string, not int"),
    (lambda kg: kg.entity_types(None), "an IRI must be a string"),
    (lambda kg: kg.related(5), "an IRI must be a string"),
    (lambda kg: kg.prior(5), "an IRI must be a string"),
    (lambda kg: kg.facts(subject=5), "a subject must be a string, not int"),
    (lambda kg: kg.facts(predicate="bad pred"), "not a vocabulary name or IRI"),
    (lambda kg: kg.provenance(None, "located_in", PARIS), "a subject must be a string"),
    (lambda kg: kg.neighbourhood(PARIS), "the IRIs must be a list of strings, not str"),
    (lambda kg: kg.add_class("bad name"), "not a vocabulary name or IRI"),
    (lambda kg: kg.add_class("good", parent="bad name"), "not a vocabulary name or IRI"),
    (lambda kg: kg.add_relation("r", "bad dom", None), "not a vocabulary name or IRI"),
    (lambda kg: kg.add_ontology(None), "add_ontology needs a kgagent.domain.Ontology, not NoneType"),
    (lambda kg: kg.linker(5), "the embedding model must be a path"),
    (lambda kg: kg.query("ASK {}", timeout=math.nan), "above 0, not nan"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_graph_methods_refuse_arguments_of_the_wrong_kind(tiny: KnowledgeGraph, call, words: str) -> None:
    before = len(tiny)
    _kga211(lambda: call(tiny), words)
    assert len(tiny) == before  # nothing half added


def test_an_iri_with_a_space_is_never_written(tiny: KnowledgeGraph, tmp_path: Path) -> None:
    """add_fact("urn:a b", ...) was taken: the saved N-Quads held <urn:a b>, which no parser reads."""
    _kga211(lambda: tiny.add_fact("urn:a b", "located_in", PARIS, P), "a fact's subject cannot hold ' '")
    tiny.save(tmp_path / "g.nq")
    assert len(KnowledgeGraph.load(tmp_path / "g.nq")) == len(tiny)


def test_the_quad_buffer_refuses_the_same() -> None:
    buf = QuadBuffer()
    _kga211(lambda: buf.add_entity("Aspirin", "drug"), "write ['drug']")
    _kga211(lambda: buf.add_fact("urn:a", "treats", "urn:b", {"doc": "d"}), "a provenance")
    assert buf.nquads() == ""


def test_vocabulary_names_and_iris() -> None:
    assert str(term_iri("located_in")).endswith("/ont/located_in")
    assert str(new_iri("urn:t/[1]")) == "urn:t/[1]"  # N-Triples allows '['
    _kga211(lambda: term_iri(None), "a vocabulary name or IRI must be a string, not NoneType")
    _kga211(lambda: new_iri(""), "an IRI must not be empty")
    _kga211(lambda: new_iri('urn:a"b'), "cannot hold '\"'")


@pytest.fixture
def linker(tiny: KnowledgeGraph, embed, tmp_path: Path):
    from kgagent.kg import Linker

    return Linker(tiny, embed=embed, index_dir=tmp_path / "index")


@pytest.mark.parametrize(("call", "words"), [
    (lambda lk: lk.link("Paris"), "mentions must be a list of (text, type or None) pairs, not str"),
    (lambda lk: lk.link(["Paris"]), "mention 0 must be a (text, type or None) pair, not 'Paris'"),
    (lambda lk: lk.link([(None, None)]), "the text of mention 0 must be a string, not NoneType"),
    (lambda lk: lk.link([("Paris", 5)]), "the type of mention 0 must be a string, not int"),
    (lambda lk: lk.link([("Pa\ud800ris", None)]), "the text of mention 0 is not text: a lone surrogate"),
    (lambda lk: lk.link([("Paris", None)], top_k=0), "top_k must be at least 1, not 0"),
    (lambda lk: lk.link([("Paris", None)], top_k=-1), "top_k must be at least 1, not -1"),
    (lambda lk: lk.link([("Paris", None)], top_k="3"), "top_k must be a whole number, not str"),
    (lambda lk: lk.add_entities(PARIS), "the IRIs to add must be a list of strings, not str"),
    (lambda lk: lk.cohere(None), "cohere needs a list of the Links that link() returned"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_linker_refuses_arguments_of_the_wrong_kind(linker, call, words: str) -> None:
    """link("Paris") was "not enough values to unpack", top_k=0 an IndexError, top_k=-1 taken,
    add_entities(one IRI) looked for the entities "h", "t", "p", ..."""
    _kga211(lambda: call(linker), words)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"nil_threshold": math.nan}, "nil_threshold must be a number, not nan"),
    ({"embed": 5}, "embed must be a function, not int"),
    ({"kinds": "person"}, "kinds must be a list of strings, not str"),
])
def test_linker_options_of_the_wrong_kind(tiny: KnowledgeGraph, embed, tmp_path: Path, kwargs, words) -> None:
    from kgagent.kg import Linker

    options = {"embed": embed, "index_dir": tmp_path / "index", **kwargs}
    _kga211(lambda: Linker(tiny, **options), words)
    _kga211(lambda: Linker(None, embed=embed), "the graph must be a kgagent.kg.KnowledgeGraph, not NoneType")


def _two_new_people(kg: KnowledgeGraph) -> None:
    kg.add_entity("Jean Dupont", ["person"], provenance=Provenance("d1", 0, 0, 4, 0.9))
    kg.add_entity("Jean Dupond", ["person"], provenance=Provenance("d2", 0, 0, 4, 0.9))


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"threshold": 2}, "threshold must be a number in (0, 1], not 2"),
    ({"threshold": math.nan}, "threshold must be a number in (0, 1], not nan"),
    ({"threshold": 0}, "threshold must be a number in (0, 1], not 0"),
    ({"threshold": "0.5"}, "threshold must be a number, not str"),
    ({"kinds": "person"}, "kinds must be a list of strings, not str"),
    ({"iris": PARIS}, "iris must be a list of strings, not str"),
])
def test_resolution_refuses_arguments_of_the_wrong_kind(tiny: KnowledgeGraph, embed, kwargs, words) -> None:
    """threshold=2 (or nan) merged nothing without a word, threshold=0 merged everyone, "0.5" was a
    TypeError, kinds="person" took the kinds p, e, r, s, o, n."""
    from kgagent.kg import resolve_new_entities

    _two_new_people(tiny)
    before = len(tiny)
    _kga211(lambda: resolve_new_entities(tiny, embed, **kwargs), words)
    _kga211(lambda: resolve_new_entities(None, embed), "the graph must be a kgagent.kg.KnowledgeGraph")
    _kga211(lambda: resolve_new_entities(tiny, None), "embed must be a function, not NoneType")
    assert len(tiny) == before
