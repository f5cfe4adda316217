"""The agent pipeline with a fake encoder, a tiny graph and the shipped rules."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from support.agent_fakes import RULES, FakeEncoder, build_tiny_graph, make_agent
from kgagent import Agent, Document
from kgagent.errors import InputError, RuleError

DOC = ("Richard Parsons works for Time Warner. He was seen in Boston.\n"
       "Richard Parsons, the Time Warner chief from Boston, said so. Boston lies in Massachusetts.")


def _by_text(result):
    out = {}
    for d in result.decisions:
        if d.kind == "relation":
            out[(d.head.text, d.label, d.tail.text)] = d
        else:
            out[d.mention.text] = d
    return out


def test_verdicts_reasons_and_proofs(agent: Agent) -> None:
    (res,) = agent.extract(Document("d1", DOC), update_graph=False)
    d = _by_text(res)
    assert d[("Richard Parsons", "work_for", "Time Warner")].verdict == "accept"
    bad = d[("Richard Parsons", "work_for", "Boston")]
    assert bad.verdict == "reject" and "tail" in bad.reason
    assert bad.rule.startswith("shared/relations.rules:")
    facts = json.dumps(bad.proof.to_dict())
    assert 'type(\\"urn:ex:boston\\", city)' in facts and '"source": "graph"' in facts and '"source": "encoder"' in facts
    low = d[("Richard Parsons", "live_in", "Boston")]
    assert low.verdict == "reject" and "score" in low.reason and not low.hard
    # the graph confirms located_in(Boston, Massachusetts) although the encoder scored it 0.45
    conf = d[("Boston", "located_in", "Massachusetts")]
    assert conf.verdict == "accept" and conf.graph_supported
    assert d["Boston"].mention.entity == "urn:ex:boston"
    assert d["Richard Parsons"].mention.entity.startswith("https://w3id.org/kgagent/entity/new/richard_parsons-")


def test_verdict_priority_reject_over_review_over_accept(agent: Agent) -> None:
    (res,) = agent.extract("Massachusetts is not in Boston.", update_graph=False)
    rel = _by_text(res)[("Massachusetts", "located_in", "Boston")]
    # score 0.7 gives accept, the graph gives a located_in cycle: reject wins, accept is kept in `others`
    assert rel.verdict == "reject"
    reasons = [rel.reason] + [o["reason"] for o in rel.others if o["verdict"] == "reject"]
    assert any("other way round" in r for r in reasons) and any("larger place" in r for r in reasons)
    assert {"verdict": "accept", "reason": ""} in rel.others


def test_review_band_and_low_scores(agent: Agent) -> None:
    (res,) = agent.extract("Cor van der Klugt heads Philips. Smith and Acme met.", update_graph=False)
    d = _by_text(res)
    assert d[("Cor van der Klugt", "work_for", "Philips")].verdict == "review"
    assert d["Smith"].verdict == "review" and d["Acme"].verdict == "reject"


def test_ids_are_stable_content_hashes(tiny_kg) -> None:
    a = make_agent(tiny_kg).extract(Document("d1", DOC), update_graph=False)[0]
    b = make_agent(tiny_kg).extract(Document("d1", DOC), update_graph=False)[0]
    assert [x.id for x in a.decisions] == [x.id for x in b.decisions]
    assert len({x.id for x in a.decisions}) == len(a.decisions)
    assert all(x.id.startswith("d:") for x in a.decisions)
    c = make_agent(tiny_kg).extract(Document("d2", DOC), update_graph=False)[0]
    assert not {x.id for x in a.decisions} & {x.id for x in c.decisions}


def test_to_dict_is_json_with_the_decision_shape(agent: Agent) -> None:
    (res,) = agent.extract(Document("d1", DOC), update_graph=False)
    out = json.loads(json.dumps(res.to_dict()))
    rel = next(x for x in out["decisions"] if x["kind"] == "relation")
    for key in ("id", "doc", "sentence", "kind", "predicate", "head", "tail", "score", "verdict", "reason", "proof"):
        assert key in rel
    assert set(rel["head"]) >= {"text", "span", "type", "entity"}
    s, e = rel["head"]["span"]
    assert DOC[s:e] == rel["head"]["text"]


def test_extract_updates_the_graph_with_provenance_idempotently(agent: Agent) -> None:
    before = len(agent.kg)
    agent.extract([Document("d1", DOC)])
    rows = agent.kg.query("""
        PREFIX ont: <https://w3id.org/kgagent/ont/>
        SELECT ?s ?o WHERE { ?s ont:work_for ?o }""")
    assert len(rows) == 1 and "time_warner" in rows[0]["o"]
    prov = agent.kg.provenance(rows[0]["s"], "work_for", rows[0]["o"])
    assert prov and prov[0].doc == "d1" and prov[0].decision.startswith("d:") and prov[0].rule
    after = len(agent.kg)
    agent.extract([Document("d1", DOC)])
    assert len(agent.kg) == after > before


def test_extract_without_update_leaves_the_graph(agent: Agent) -> None:
    n = len(agent.kg)
    agent.extract(DOC, update_graph=False)
    assert len(agent.kg) == n


def test_sentences_are_batched_across_documents(tiny_kg) -> None:
    enc = FakeEncoder()
    agent = make_agent(tiny_kg, enc, batch_size=64)
    results = agent.extract([f"Boston is in Massachusetts number {i}." for i in range(10)], update_graph=False)
    assert len(results) == 10 and enc.calls == 1 and enc.sentences == 10
    assert [r.doc for r in results] == [f"doc-{i}" for i in range(1, 11)]


def test_validate_claims(agent: Agent) -> None:
    res = agent.validate([("Boston", "located_in", "Massachusetts"),
                          ("Massachusetts", "Located_In", "Boston"),
                          {"head": "Richard Parsons", "predicate": "work_for", "tail": "Boston", "tail_type": "location"},
                          {"head": "Richard Parsons", "predicate": "work_for", "tail": "Time Warner"}])
    assert [r.verdict for r in res] == ["accept", "reject", "reject", "review"]
    assert any("other way round" in r for r in [res[1].reason] + [o["reason"] for o in res[1].others])
    assert res[3].reason == "the graph does not confirm this claim"
    assert res[3].explain().splitlines()[0].endswith("work_for('Richard Parsons', 'Time Warner'), a claim given to "
                                                     "check (no confidence given)")
    assert res[0].rule.startswith("shared/relations.rules:") and "the graph says Boston located_in Massachusetts" in res[0].explain()
    text = res[2].explain()
    assert "rejected" in text and "Boston is a city in the graph" in text
    assert json.loads(json.dumps(res[0].to_dict()))["verdict"] == "accept"


def test_a_claims_names_are_linked_as_the_kind_the_claim_makes_them(agent: Agent) -> None:
    """Without a type given, a claim's argument is of the kind its predicate's signature implies,
    and is linked as such (as an extracted mention tagged with that kind is): in work_for the
    tail "Boston" is an organisation, not the city of that exact name (the linker never trusts an
    exact name of another kind), so the claim is not contradicted by the city; it goes to review.
    Given as a location, the city contradicts it."""
    as_org, as_place = agent.validate([("Richard Parsons", "work_for", "Boston"),
                                       {"head": "Richard Parsons", "predicate": "work_for", "tail": "Boston",
                                        "tail_type": "location"}])
    assert (as_org.verdict, as_org.reason) == ("review", "the graph does not confirm this claim")
    assert as_org.tail.label == "organization" and as_org.tail.link.score < agent.link_trusted
    assert as_place.verdict == "reject" and as_place.tail.link.score == 1.0
    # two claims of the same names are two claims when what they say of them differs
    assert as_org.id != as_place.id


def test_a_claim_names_a_class_the_signature_keeps_apart(agent: Agent) -> None:
    """capital takes a country and a city: a claim that puts a city where the country goes is
    rejected by the graph's class of it (the ontology keeps city and country apart), and its
    explanation says the claim stated the relation (not the encoder) and names it."""
    wrong, fits = agent.validate([("Boston", "capital", "Massachusetts"), ("United States", "capital", "Boston")])
    assert (wrong.verdict, wrong.reason) == ("reject", "the graph knows the head as a class this relation does not take")
    assert fits.verdict == "review" and fits.reason == "the graph does not confirm this claim"
    text = wrong.explain()
    assert "the relation capital('Boston', 'Massachusetts') is rejected" in text
    assert "the claim states capital('Boston', 'Massachusetts')  [claim]" in text and "[encoder]" not in text
    assert "Boston is a city in the graph" in text


def test_what_a_claim_states_is_the_claims_in_its_proof(agent: Agent) -> None:
    """A rule that reads a claim's names (words.rules: an honour is no employer) shows them as the
    claim's words, not as something the encoder read."""
    (res,) = agent.validate([("Jerry Rice", "work_for", "Hall of Fame", 0.99)])
    assert (res.verdict, res.reason) == ("reject", "an honour is not an employer")
    text = res.explain()
    assert "the mention reads 'Hall of Fame'  [claim]" in text and "[encoder]" not in text


def test_claims_checked_together_are_checked_as_if_one_by_one(agent: Agent) -> None:
    """Each claim is a document of its own to the rules: a rule that compares relations of one
    sentence (employers.rules: people listed with their posts) does not read one claim against
    another, so a file's claims get the verdicts they would get alone, whatever their batch."""
    claims = [("Hemphill", "work_for", "West Virginia State University", 0.99), ("Harris", "work_for", "Bridgemont", 0.99),
              ("Hemphill", "work_for", "Bridgemont", 0.8)]
    together = agent.validate(claims)
    alone = [agent.validate([c])[0] for c in claims]
    assert [(r.verdict, r.reason, r.others) for r in together] == [(r.verdict, r.reason, r.others) for r in alone]
    assert not any("another person listed" in o["reason"] for r in together for o in r.others)


def test_a_name_documents_gave_another_kind_is_not_the_claims(agent: Agent) -> None:
    """A claim about a name a document made an entity of is about that entity only when the claim
    makes the name of its kind: "Richard Parsons" (a person to the document) as the head of
    located_in is a place of that name, not the person (review, not 'the head is not of the
    kind'); as the head of work_for it is the person, and the document's fact confirms the claim."""
    agent.extract("Richard Parsons works for Time Warner.", update_graph=True)
    as_place, as_person = agent.validate([("Richard Parsons", "located_in", "Boston"),
                                          ("Richard Parsons", "work_for", "Time Warner")])
    assert (as_place.verdict, as_place.reason) == ("review", "the graph does not confirm this claim")
    assert as_place.head.link.is_nil
    assert as_person.verdict == "accept" and as_person.head.link.method in ("alias", "document_name")


def test_facts_about_names_with_where_each_came_from(agent: Agent) -> None:
    """Agent.facts: a name is linked as the predicate makes it (as a claim's is); the curated
    graph's facts have no sources, an extraction's name its document, sentence and decision."""
    boston = agent.facts("Boston")
    assert (boston.head.entity, boston.head.method, boston.unknown) == ("urn:ex:boston", "alias", [])
    assert [(f.predicate, f.object_label, f.curated, f.sources) for f in boston.facts] == [
        ("located_in", "Massachusetts", True, ()), ("located_in", "United States", True, ())]
    assert [f.subject_label for f in agent.facts(None, "Located_In", "Massachusetts").facts] == ["Boston"]
    # Boston is a city: as the head of work_for (a person) it names nothing the graph knows
    as_person = agent.facts("Boston", "work_for")
    assert as_person.head.is_nil and as_person.unknown == ["Boston"] and as_person.facts == []
    assert agent.facts("Richard Parsons", "work_for").unknown == ["Richard Parsons"]
    (res,) = agent.extract(Document("d9", "Richard Parsons works for Time Warner."), update_graph=True)
    (job,) = agent.facts(None, "work_for", "Time Warner").facts
    assert (job.subject_label, job.curated) == ("Richard Parsons", False)
    (src,) = job.sources
    accepted = [d for d in res.decisions if d.kind == "relation" and d.verdict == "accept"]
    assert (src.doc, src.sentence, src.decision) == ("d9", 0, accepted[0].id)
    assert agent.facts("urn:ex:boston", "located_in", "urn:ex:ma").facts[0].object_label == "Massachusetts"
    assert json.loads(json.dumps(agent.facts("Richard Parsons").to_dict()))["facts"][0]["sources"][0]["doc"] == "d9"


def test_facts_of_a_relation_the_ontology_does_not_have(agent: Agent) -> None:
    from kgagent.errors import InputError

    with pytest.raises(InputError, match="KGA416 .*no relation 'works_at'.*work_for"):
        agent.facts("Boston", "works_at")


def test_validate_bad_claims(agent: Agent) -> None:
    from kgagent.errors import InputError

    with pytest.raises(InputError):
        agent.validate([("Boston", "located_in")])
    with pytest.raises(InputError):
        agent.validate([{"head": "Boston", "tail": "Texas"}])


def test_reload_rules_changes_a_verdict(tiny_kg, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    agent = make_agent(tiny_kg, rules=rules)
    key = ("Richard Parsons", "work_for", "Time Warner")
    assert _by_text(agent.extract(Document("d1", DOC), update_graph=False)[0])[key].verdict == "accept"
    f = rules / "thresholds.rules"
    f.write_text(f.read_text().replace("threshold(relation_accept_over_model, 0.0).",
                                          "threshold(relation_accept_over_model, 0.45)."))
    agent.reload_rules()
    d = _by_text(agent.extract(Document("d1", DOC), update_graph=False)[0])[key]
    assert d.verdict == "review" and "unsure" in d.reason
    f.write_text(f.read_text() + "\nbroken(X :- .\n")
    with pytest.raises(RuleError):
        agent.reload_rules()
    assert _by_text(agent.extract(Document("d1", DOC), update_graph=False)[0])[key].verdict == "review"


def test_concurrent_extract_equals_sequential(tiny_kg) -> None:
    agent = make_agent(tiny_kg)
    docs = [Document(f"d{i}", DOC if i % 2 else "Massachusetts is not in Boston. Smith met Acme.") for i in range(12)]
    seq = [agent.extract(d, update_graph=False)[0].to_dict() for d in docs]
    for r in seq:
        r.pop("timings")
    with ThreadPoolExecutor(4) as pool:
        par = list(pool.map(lambda d: agent.extract(d, update_graph=False)[0].to_dict(), docs))
    for r in par:
        r.pop("timings")
    assert par == seq
    # updating the graph, each document sees what was committed before it (so concurrent calls
    # see it in the order they commit): the graph ends with every document's entities and facts
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda d: agent.extract(d, update_graph=True), docs))
    again = make_agent(build_tiny_graph())
    again.extract(docs, update_graph=True)
    assert set(agent.kg.entities()) == set(again.kg.entities()) > set(build_tiny_graph().entities())


def test_load_refuses_missing_rules_and_graph(tiny_kg, tmp_path: Path) -> None:
    from kgagent.errors import InputError

    with pytest.raises(InputError, match="KGA408"):
        Agent.load(model=FakeEncoder(), kg=tiny_kg, rules=tmp_path / "nope")
    with pytest.raises(InputError, match="KGA409"):
        Agent.load(model=FakeEncoder(), kg=tmp_path / "nograph", rules=RULES)


def test_min_relation_score_sets_what_the_rules_see(tiny_kg) -> None:
    enc = FakeEncoder()
    enc.config.relation_threshold = 0.5
    agent = make_agent(tiny_kg, enc, min_relation_score=0.3)
    assert agent.encoder_threshold == 0.5 and enc.config.relation_threshold == 0.5  # the encoder is not changed
    (res,) = agent.extract("Cor van der Klugt heads Philips. Richard Parsons lives in Boston.", update_graph=False)
    preds = {(d.head.text, d.label): d.verdict for d in res.decisions if d.kind == "relation"}
    # 0.4 is shown to the rules; live_in(Parsons, Boston) at 0.2 is not
    assert preds == {("Cor van der Klugt", "work_for"): "review", ("Richard Parsons", "work_for"): "reject"}
    assert agent.fingerprint()["min_relation_score"] == "0.3"


def test_explanations_name_graph_neighbours(tiny_kg) -> None:
    """A proof that uses the graph's 'Boston located_in Massachusetts' names Massachusetts by its
    label even though the sentence never mentions it."""
    from kgagent.explain import explain_decision

    agent = make_agent(tiny_kg)
    (res,) = agent.extract("Boston is in Texas.", update_graph=False)
    rel = next(d for d in res.decisions if d.kind == "relation")
    data = rel.to_dict()
    assert data["labels"].get("urn:ex:ma") == "Massachusetts"
    text = explain_decision(data)
    assert "Massachusetts" in text and "urn:ex:ma" not in text


def test_warm_up_loads_the_encoder_and_the_mention_embedder(tiny_kg) -> None:
    """warm_up runs the encoder once and embeds once (an alias hit alone would leave the
    embedding model unloaded until the first document)."""
    seen: list[list[str]] = []
    enc = FakeEncoder()
    proposed: list[list[str]] = []
    original = enc.propose

    def propose(sentences, *args, **kw):
        proposed.append(list(sentences))
        return original(sentences, *args, **kw)

    enc.propose = propose  # type: ignore[method-assign]

    def embed(texts):
        seen.append(list(texts))
        from support.agent_fakes import trigram_embed

        return trigram_embed(texts)

    linker = tiny_kg.linker(embed=embed, embed_id="spy", persist=False)
    agent = Agent.load(model=enc, kg=tiny_kg, rules=RULES, linker=linker)
    seen.clear()
    agent.warm_up()
    assert proposed and ["kgagent warm-up"] in seen
    calls = (len(proposed), len(seen))
    agent.warm_up()  # `kgagent extract` warms up before run_extraction does: the second is free
    assert (len(proposed), len(seen)) == calls


def test_a_relation_inferred_from_others_is_accepted_and_explained_by_name(tiny_kg) -> None:
    """live_in(Parsons, Massachusetts) at 0.3 follows from live_in(Parsons, Boston), which the
    encoder is sure of, and the graph's Boston-in-Massachusetts (the news domain's geography
    rules); the proof names the other relation and mention, not their ids."""
    from support.agent_fakes import ScoredFakeEncoder

    from kgagent.explain import explain_decision

    enc = ScoredFakeEncoder({"Richard Parsons": {"Peop": 0.95}, "Boston": {"Loc": 0.97}, "Massachusetts": {"Loc": 0.96}},
                            {("Richard Parsons", "Boston"): {"Live_In": 0.9},
                             ("Richard Parsons", "Massachusetts"): {"Live_In": 0.3}})
    agent = make_agent(tiny_kg, enc, min_relation_score=0.2)
    (res,) = agent.extract("Richard Parsons lives in Boston, Massachusetts.", update_graph=False)
    d = _by_text(res)
    inferred = d[("Richard Parsons", "live_in", "Massachusetts")]
    assert inferred.verdict == "accept" and inferred.rule.startswith("shared/relations.rules:")
    assert "inferred" in json.dumps(inferred.proof.to_dict())
    data = inferred.to_dict()
    boston = d["Boston"].mention.id
    assert data["labels"][boston] == "Boston"
    assert inferred.head.id not in data["labels"] and inferred.tail.id not in data["labels"]
    text = explain_decision(data)
    assert "live_in('Richard Parsons', 'Boston')" in text and boston not in text
    # without the sure relation nothing follows: the low one is rejected on its score
    enc.pairs[("Richard Parsons", "Boston")] = {"Live_In": 0.1}
    (res,) = agent.extract("Richard Parsons lives in Boston, Massachusetts.", update_graph=False)
    assert _by_text(res)[("Richard Parsons", "live_in", "Massachusetts")].verdict == "reject"


def test_label_map_names_each_encoder_label_in_the_ontology_first_of_several(tiny_kg) -> None:
    class TwoSources(FakeEncoder):  # a model trained on CoNLL04 and CoNLL-2003 labels
        entity_labels = ["LOC", "Loc", "MISC", "Peop"]
        relation_labels = ["Live_In"]

    got = make_agent(tiny_kg, TwoSources()).label_map()
    assert got == {"entity": {"location": "LOC", "misc": "MISC", "person": "Peop"}, "relation": {"live_in": "Live_In"}}


def test_label_map_of_an_encoder_not_loaded_yet_reads_its_config(tiny_kg, tmp_path) -> None:
    """Ray's start-up asks for the label map on a worker that never extracts: no weights loaded."""
    import json

    from kgagent.agent import _LazyEncoder

    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"entity_labels": ["Loc", "Peop"], "relation_labels": ["Live_In"]}))
    agent = make_agent(tiny_kg)
    agent._encoder = _LazyEncoder(model, agent.domain)
    assert agent.label_map() == {"entity": {"location": "Loc", "person": "Peop"}, "relation": {"live_in": "Live_In"}}
    assert isinstance(agent._encoder, _LazyEncoder)  # still not loaded (it could not be: no weights there)


def test_a_mention_in_review_enters_the_graph_neither_alone_nor_through_a_relation(tiny_kg) -> None:
    """The relation waits with its unsure argument (review), so an accepted fact never brings a
    mention into the graph that the rules held back."""
    from support.agent_fakes import ScoredFakeEncoder

    enc = ScoredFakeEncoder({"Smith": {"Peop": 0.3}, "Boston": {"Loc": 0.97}}, {("Smith", "Boston"): {"Live_In": 0.95}})
    agent = make_agent(tiny_kg, enc)
    (res,) = agent.extract("Smith lives in Boston.", update_graph=False)
    d = _by_text(res)
    assert d["Smith"].verdict == "review"
    rel = d[("Smith", "live_in", "Boston")]
    assert rel.verdict == "review" and "head mention is in review" in rel.reason
    assert not res.delta.facts and all(e.label != "Smith" for e in res.delta.entities)


def test_the_same_claim_twice_is_two_decisions(agent: Agent) -> None:
    """Before: two equal claims of one call got one decision id (a caller keying verdicts by id lost
    one). Each claim's place is part of its id: its position in the list, or the ``places`` given
    (a file's line numbers); the relation the rules decide is one, so the verdicts agree."""
    claim = ("Boston", "located_in", "Massachusetts")
    first, other, again = agent.validate([claim, ("Massachusetts", "located_in", "Boston"), claim])
    assert len({first.id, other.id, again.id}) == 3
    assert first.relation == again.relation and first.verdict == again.verdict == "accept"
    assert agent.validate([claim])[0].id == first.id  # deterministic: the same place, the same id
    at_lines = agent.validate([claim, claim], places=[4, 9])
    assert at_lines[0].id != at_lines[1].id and agent.validate([claim], places=[9])[0].id == at_lines[1].id
    with pytest.raises(InputError, match="one place per claim") as err:
        agent.validate([claim, claim], places=[4])
    assert err.value.code == "KGA411"
