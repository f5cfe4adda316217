"""A word after a name that says its class ("Helmand province", "Washington state") is linked as
the name, to an entity of that class: the ontology's class key ``kind_words`` (news writes the
word, no source does: the shipped graph left "Hebei province", "Punjab state" and "Helmand
province" NIL, so the geography rules could say nothing about them)."""

from __future__ import annotations

from rdflib import URIRef

from kgagent.domain import Domain
from kgagent.domain.ontology import Ontology
from kgagent.kg import KnowledgeGraph
from kgagent.kg.vocab import term_iri
from support.agent_fakes import trigram_embed

ONTOLOGY = """
[classes.location]
[classes.region]
subclass_of = "location"
kind_words = ["province", " State "]
[classes.river]
subclass_of = "location"
[classes.organization]
"""


def test_the_ontology_reads_kind_words_and_says_what_is_wrong_with_them() -> None:
    onto, problems = Ontology.from_toml_text(ONTOLOGY, "o.toml")
    assert problems == [] and onto.classes["region"].kind_words == ("province", "state")
    assert onto.kind_words() == {"province": "region", "state": "region"}
    assert Ontology.from_toml_text(onto.to_toml())[0].kind_words() == onto.kind_words()  # kgagent init writes it
    for text in ('[classes.region]\nkind_words = "province"\n', '[classes.region]\nkind_words = ["the province"]\n'):
        (p,) = Ontology.from_toml_text(text, "bad.toml")[1]
        assert p.code == "KGA610" and "kind_words" in str(p) and p.location.line == 2, str(p)
    twice = ONTOLOGY + '[classes.city]\nsubclass_of = "location"\nkind_words = ["state"]\n'
    (p,) = Ontology.from_toml_text(twice, "twice.toml")[1]
    assert p.code == "KGA617" and "'state'" in str(p) and p.location.line == 11, str(p)


def _graph() -> tuple[KnowledgeGraph, dict[str, str]]:
    kg = KnowledgeGraph()
    kg.add_ontology(Ontology.from_toml_text(ONTOLOGY)[0])
    ids = {"region": kg.add_entity("Helmand", ["region"], iri="urn:ex:helmand"),
           "river": kg.add_entity("Helmand", ["river"], iri="urn:ex:helmand-river"),
           "whole": kg.add_entity("Free State", ["region"], iri="urn:ex:free-state")}
    kg.add(URIRef(ids["river"]), term_iri("flows_through"), URIRef(ids["region"]))  # the river: more prominent
    return kg, ids


def _linker(kg: KnowledgeGraph, words: dict[str, str] | None):
    return kg.linker(embed=trigram_embed, embed_id="tri", persist=False, kinds={"location", "organization"},
                     kind_words=words, nil_threshold=0.9)


def test_a_name_with_a_kind_word_is_linked_to_an_entity_of_that_class() -> None:
    kg, ids = _graph()
    onto = Ontology.from_toml_text(ONTOLOGY)[0]
    links = _linker(kg, onto.kind_words()).link([("Helmand province", "location"), ("HELMAND PROVINCE", None),
                                                 ("Helmand state", "region"), ("province", "location")])
    assert [lk.entity for lk in links] == [ids["region"], ids["region"], ids["region"], None]  # not the river
    assert links[0].method == "alias" and links[0].score >= 0.9  # trusted: the words say which
    assert _linker(kg, None).link([("Helmand province", "location")])[0].entity is None  # without the key: NIL
    # a mention of another kind is not made the region ("Ohio State" the university)
    assert _linker(kg, onto.kind_words()).link([("Helmand State", "organization")])[0].entity is None
    # a name the graph has whole wins: "Free State" is a region's own name, not "Free" in a state
    assert _linker(kg, onto.kind_words()).link([("Free State", "location")])[0].entity == ids["whole"]


def test_the_news_domain_links_a_province_and_a_state_written_as_news_writes_them() -> None:
    domain = Domain.load()
    words = domain.linker_options()["kind_words"]
    assert words["province"] == "region" and words["state"] == "region" and not {"county", "department"} & set(words)
    kg = KnowledgeGraph()
    kg.add_ontology(domain.ontology)
    wa = kg.add_entity("Washington", ["region"], iri="urn:ex:wa")
    dc = kg.add_entity("Washington", ["city"], iri="urn:ex:dc")
    linker = kg.linker(embed=trigram_embed, embed_id="tri", persist=False, **domain.linker_options())
    assert [lk.entity for lk in linker.link([("Washington state", "location"), ("Washington County", "location")])] \
        == [wa, None]
    assert linker.link([("Washington", "location")])[0].entity in (wa, dc)  # the bare name: either, as before
