"""A word a domain derives from a name ("Houston-based") is linked as the name is: the ontology's
``derived_suffixes`` (real news: Reuters-128's "Houston-based Cain Chemical" gave
orgbased_in(Cain Chemical, Houston-based), rejected because the word was no place to the rules)."""

from __future__ import annotations

import pytest

import support.agent_fakes as fakes
from kgagent.domain.ontology import Ontology
from kgagent.kg import KnowledgeGraph
from support.agent_fakes import build_tiny_graph, trigram_embed


def test_the_ontology_reads_derived_suffixes_and_says_what_is_wrong_with_them() -> None:
    onto, problems = Ontology.from_toml_text('[ontology]\nderived_suffixes = ["-based", " -born "]\n', "o.toml")
    assert problems == [] and onto.derived_suffixes == ("-based", "-born")
    assert Ontology.from_toml_text(onto.to_toml())[0].derived_suffixes == onto.derived_suffixes
    for text in ('[ontology]\nderived_suffixes = "-based"\n', '[ontology]\nderived_suffixes = ["-based", ""]\n',
                 '[ontology]\nderived_suffixes = ["based on"]\n'):
        (p,) = Ontology.from_toml_text(text, "bad.toml")[1]
        assert p.code == "KGA610" and "derived_suffixes" in str(p) and p.location.line == 2, str(p)


def _linker(kg: KnowledgeGraph, suffixes=("-based",)):
    return kg.linker(embed=lambda t: trigram_embed(t), embed_id="tri", persist=False, kinds={"location"},
                     derived_suffixes=suffixes, nil_threshold=0.9)


def test_a_derived_word_is_linked_as_its_name_unless_the_graph_has_the_whole_word() -> None:
    kg = KnowledgeGraph()
    kg.add_class("location")
    houston = kg.add_entity("Houston", ["location"], iri="urn:ex:houston")
    links = _linker(kg).link([("Houston-based", None), ("HOUSTON-BASED", "location"), ("-based", None)])
    assert [lk.entity for lk in links] == [houston, houston, None]
    assert links[0].method == "alias" and links[0].score >= 0.9  # trusted: the word says the place
    assert _linker(kg, ()).link([("Houston-based", None)])[0].entity is None  # a domain without the ending
    whole = kg.add_entity("Houston-based", ["location"], iri="urn:ex:whole")  # a name the graph has wins
    assert _linker(kg).link([("Houston-based", None)])[0].entity == whole


def test_the_news_domain_links_a_based_word_and_accepts_the_organisation_based_there(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from kgagent import Agent
    from kgagent.domain import Domain

    monkeypatch.setitem(fakes.NAMES, "Boston-based", ("Other", 0.9))
    monkeypatch.setitem(fakes.RELATIONS, ("Philips", "OrgBased_In", "Boston-based"), 0.9)
    kg = build_tiny_graph()
    domain = Domain.load()
    assert "-based" in domain.linker_options()["derived_suffixes"]
    linker = kg.linker(embed=trigram_embed, embed_id="trigram-64", persist=False, **domain.linker_options())
    agent = Agent.load(model=fakes.FakeEncoder(), kg=kg, rules=fakes.RULES, linker=linker)
    (res,) = agent.extract("The Boston-based Philips unit said sales rose.")
    (word,) = [d for d in res.decisions if d.kind == "entity" and d.mention.text == "Boston-based"]
    assert word.label == "other" and word.mention.entity == "urn:ex:boston"  # its class stays, its link says where
    (rel,) = [d for d in res.decisions if d.kind == "relation"]
    assert rel.verdict == "accept", rel.reason
    # the same words, without the ending in the domain: the word is no place, and the relation falls
    plain = kg.linker(embed=trigram_embed, embed_id="trigram-64", persist=False,
                      **{**domain.linker_options(), "derived_suffixes": ()})
    (res,) = Agent.load(model=fakes.FakeEncoder(), kg=kg, rules=fakes.RULES, linker=plain).extract(
        "The Boston-based Philips unit said sales rose.")
    (rel,) = [d for d in res.decisions if d.kind == "relation"]
    assert rel.verdict == "reject" and "kind" in rel.reason
