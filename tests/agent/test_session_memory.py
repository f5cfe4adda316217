"""What extraction added is known to later documents: within a library session
(``extract(..., update_graph=True)`` gives the linker the new entities' names), and across runs
(a mention linked to an entity an earlier document introduced writes a mention record, so the
corpus memory's votes keep growing)."""

from __future__ import annotations

import json

from support.agent_fakes import ScoredFakeEncoder, make_agent
from kgagent import Document
from kgagent.memory import TypeMemory
from kgagent.proofs import walk

CLASSES = {"Digital Communications": {"Org": 0.95}, "James Ottinger": {"Peop": 0.96}, "Ottinger": {"Peop": 0.9}}
PAIRS = {("James Ottinger", "Digital Communications"): {"Work_For": 0.9}}
# the second document's reading of the relation is unsure: only the graph can vouch for it
WEAK = {("James Ottinger", "Digital Communications"): {"Work_For": 0.45}}
FIRST = "Digital Communications named James Ottinger president."
SECOND = "James Ottinger spoke for Digital Communications. Ottinger left."


def _decision(res, text: str):
    return next(d for d in res.decisions if d.kind == "entity" and d.mention.text == text)


def _relation(res):
    return next(d for d in res.decisions if d.kind == "relation")


def test_a_session_links_a_later_document_to_what_an_earlier_one_added(tiny_kg) -> None:
    agent = make_agent(tiny_kg, ScoredFakeEncoder(CLASSES, PAIRS, nested=False))
    (first,) = agent.extract(Document("d1", FIRST))
    ottinger = _decision(first, "James Ottinger").mention.entity
    assert _decision(first, "James Ottinger").mention.link.is_nil and _relation(first).verdict == "accept"
    assert agent.linker.knows(ottinger)
    agent.encoder.pairs = WEAK  # the same encoder, unsure this time
    (second,) = agent.extract(Document("d2", SECOND))
    full, short = _decision(second, "James Ottinger"), _decision(second, "Ottinger")
    assert not full.mention.link.is_nil and full.mention.link.entity == ottinger
    assert short.mention.entity == ottinger and short.mention.short_for is not None
    # the graph now holds work_for from the first document: the unsure reading is accepted for it
    rel = _relation(second)
    assert rel.verdict == "accept" and "graph" in {p.source for p in walk(rel.proof)}, (rel.rule, rel.proof)
    # no second entity: the mentions are records of the first document's entities
    assert second.delta.entities == []
    assert sorted((iri, r.short_name) for iri, r in second.delta.mentions) == [
        (_decision(first, "Digital Communications").mention.entity, ""), (ottinger, ""), (ottinger, "Ottinger")]
    assert second.delta.to_dict()["mentions"][-1]["short_name"] == "Ottinger"
    memory = TypeMemory.from_graph(agent.kg)
    assert memory.votes_for("James Ottinger") == {"person": 2} and memory.votes_for("Ottinger") == {"person": 1}
    assert memory.votes_ == TypeMemory.from_results([first, second]).votes_


def test_without_update_graph_each_document_is_decided_against_the_same_graph(tiny_kg) -> None:
    agent = make_agent(tiny_kg, ScoredFakeEncoder(CLASSES, WEAK, nested=False))
    first, second = agent.extract([Document("d1", FIRST), Document("d2", SECOND)], update_graph=False)
    assert _decision(second, "James Ottinger").mention.link.is_nil
    assert _relation(second).verdict != "accept"
    assert not agent.linker.knows(_decision(first, "James Ottinger").mention.entity)
    # both documents mint the same entities for the names and classes, each as new entities of its own
    assert {e.iri for e in first.delta.entities} == {e.iri for e in second.delta.entities} and second.delta.mentions == []


def test_a_later_run_over_the_grown_graph_adds_records_to_the_corpus_memory(tiny_kg) -> None:
    """A run over a graph that an earlier run's entities were merged into: the linker is built
    anew and knows them; the mentions that link to them are recorded, so the memory's votes for
    a name count every document that accepted it, not only the first."""
    first_run = make_agent(tiny_kg, ScoredFakeEncoder(CLASSES, PAIRS, nested=False))
    first_run.extract([Document("d1", FIRST)])
    later = make_agent(tiny_kg, ScoredFakeEncoder(CLASSES, PAIRS, nested=False))
    (res,) = later.extract([Document("d2", SECOND)], update_graph=False)
    assert res.delta.entities == [] and len(res.delta.mentions) == 3
    assert TypeMemory.from_graph(tiny_kg).votes_for("James Ottinger") == {"person": 1}  # d1's only
    later.commit(res)
    assert TypeMemory.from_graph(tiny_kg).votes_for("James Ottinger") == {"person": 2}
    assert TypeMemory.from_graph(tiny_kg).votes_for("James Ottinger", doc="d2") == {"person": 1}


def test_a_rejected_mention_of_an_earlier_documents_entity_takes_only_its_record(tiny_kg) -> None:
    from kgagent.review.graph_update import drop_decisions

    agent = make_agent(tiny_kg, ScoredFakeEncoder(CLASSES, PAIRS, nested=False))
    first, second = agent.extract([Document("d1", FIRST), Document("d2", SECOND)])
    full = _decision(second, "James Ottinger")
    report = drop_decisions(agent.kg, {full.id})
    assert (report.decisions, report.entities) == (1, 0)  # d1 still describes the entity
    assert agent.kg.entity(full.mention.entity).label == "James Ottinger"
    assert TypeMemory.from_graph(agent.kg).votes_for("James Ottinger") == {"person": 1}
    report = drop_decisions(agent.kg, {_decision(first, "James Ottinger").id})
    assert (report.decisions, report.entities) == (1, 0)  # d1's relation still uses it


def test_a_session_links_by_name_never_by_similarity_to_what_documents_added(tiny_kg) -> None:
    """A later "7.13 percent" is not the earlier "7.12 percent", however alike the two names:
    the session's new entities are known to the linker by their names only."""
    numbers = {"7.12 percent": {"Other": 0.9}, "7.13 percent": {"Other": 0.9}}
    agent = make_agent(tiny_kg, ScoredFakeEncoder(numbers, {}, nested=False))
    (first,) = agent.extract(Document("d1", "Rates rose 7.12 percent."))
    earlier = _decision(first, "7.12 percent").mention.entity
    assert agent.linker.knows(earlier) and earlier not in {iri for iri, _ in agent.linker.index.rows}
    (second,) = agent.extract(Document("d2", "Rates rose 7.13 percent. They had risen 7.12 percent."))
    assert _decision(second, "7.13 percent").mention.link.is_nil
    assert _decision(second, "7.12 percent").mention.link.entity == earlier


def test_initials_become_a_name_of_the_entity_a_surname_does_not(tiny_kg) -> None:
    """"KDP" beside "Kurdistan Democratic Party" is a name of the party anywhere (an alias, in
    the graph and for the linker); "Ottinger" beside "James Ottinger" is his only there."""
    classes = {**CLASSES, "Kurdistan Democratic Party": {"Org": 0.95}, "KDP": {"Org": 0.9}}
    agent = make_agent(tiny_kg, ScoredFakeEncoder(classes, {}, nested=False))
    (first,) = agent.extract(Document("d1", "The Kurdistan Democratic Party (KDP) met. James Ottinger came. "
                                            "Ottinger spoke."))
    party = _decision(first, "Kurdistan Democratic Party").mention.entity
    assert _decision(first, "KDP").mention.entity == party
    assert agent.kg.entity(party).aliases == ("KDP",)
    (second,) = agent.extract(Document("d2", "KDP leaders met. Ottinger left."))
    assert _decision(second, "KDP").mention.link.entity == party
    assert _decision(second, "Ottinger").mention.link.is_nil
    # a later run, its linker built anew over the grown graph, knows the name too
    later = make_agent(tiny_kg, ScoredFakeEncoder(classes, {}, nested=False))
    (third,) = later.extract(Document("d3", "KDP leaders met."), update_graph=False)
    assert _decision(third, "KDP").mention.link.entity == party


def test_a_company_named_without_its_legal_form_is_a_name_of_it_anywhere(tiny_kg) -> None:
    """"Montedison" beside "Montedison SPA" (the news ontology's name_suffixes) becomes an alias
    of the company, so a later document's "Montedison" alone is that company."""
    classes = {"Montedison SPA": {"Org": 0.9}, "Montedison": {"Org": 0.8, "Peop": 0.15}}
    agent = make_agent(tiny_kg, ScoredFakeEncoder(classes, {}, nested=False))
    (first,) = agent.extract(Document("d1", "Montedison SPA reported a profit. Montedison said so."))
    company = _decision(first, "Montedison SPA").mention.entity
    short = _decision(first, "Montedison")
    assert short.mention.entity == company and short.mention.short_for["part"] == "stem"
    assert agent.kg.entity(company).aliases == ("Montedison",)
    (second,) = agent.extract(Document("d2", "Montedison fell."))
    assert _decision(second, "Montedison").mention.link.entity == company


def test_a_later_documents_bare_company_name_finds_the_company_an_earlier_one_named_in_full(tiny_kg) -> None:
    """No document gives both forms: the linker itself knows an organisation by its stem (the
    news ontology's name_suffixes), so the session's second document links "Montedison" to the
    first's "Montedison SPA", and a later run over the grown graph does too."""
    from kgagent import Agent
    from kgagent.domain import Domain
    from support.agent_fakes import RULES, trigram_embed

    classes = {"Montedison SPA": {"Org": 0.9}, "Montedison": {"Org": 0.8, "Peop": 0.15}}

    def agent_as_the_domain_links():  # the domain's linker options, as Agent.load gives them
        linker = tiny_kg.linker(embed=trigram_embed, embed_id="trigram-64", persist=False,
                                **Domain.load().linker_options())
        return Agent.load(model=ScoredFakeEncoder(classes, {}, nested=False), kg=tiny_kg, rules=RULES, linker=linker)

    agent = agent_as_the_domain_links()
    (first,) = agent.extract(Document("d1", "Montedison SPA reported a profit."))
    company = _decision(first, "Montedison SPA").mention.entity
    (second,) = agent.extract(Document("d2", "Montedison fell."))
    assert _decision(second, "Montedison").mention.link.entity == company
    (third,) = agent_as_the_domain_links().extract(Document("d3", "Montedison rose."), update_graph=False)
    assert _decision(third, "Montedison").mention.link.entity == company


def test_initials_given_in_a_later_document_name_the_earlier_entity(tiny_kg) -> None:
    classes = {"Kurdistan Democratic Party": {"Org": 0.95}, "KDP": {"Org": 0.9}}
    agent = make_agent(tiny_kg, ScoredFakeEncoder(classes, {}, nested=False))
    (first,) = agent.extract(Document("d1", "The Kurdistan Democratic Party met."))
    party = _decision(first, "Kurdistan Democratic Party").mention.entity
    (second,) = agent.extract(Document("d2", "The Kurdistan Democratic Party (KDP) met again."))
    assert [(i, r.short_name, r.alias) for i, r in second.delta.mentions] == [(party, "", False), (party, "KDP", True)]
    assert agent.kg.entity(party).aliases == ("KDP",)
    (third,) = agent.extract(Document("d3", "KDP leaders met."))
    assert _decision(third, "KDP").mention.link.entity == party


def test_a_rejected_initials_mention_takes_its_alias_with_it(tiny_kg) -> None:
    from kgagent.review.graph_update import drop_decisions

    classes = {"Kurdistan Democratic Party": {"Org": 0.95}, "KDP": {"Org": 0.9}}
    agent = make_agent(tiny_kg, ScoredFakeEncoder(classes, {}, nested=False))
    (res,) = agent.extract(Document("d1", "The Kurdistan Democratic Party (KDP) met. KDP leaders spoke."))
    kdps = [d for d in res.decisions if d.kind == "entity" and d.mention.text == "KDP"]
    party = kdps[0].mention.entity
    assert len(kdps) == 2 and agent.kg.entity(party).aliases == ("KDP",)
    drop_decisions(agent.kg, {kdps[0].id})
    assert agent.kg.entity(party).aliases == ("KDP",)  # the other mention still gives it
    drop_decisions(agent.kg, {kdps[1].id})
    assert agent.kg.entity(party).aliases == () and agent.kg.entity(party).label == "Kurdistan Democratic Party"


def test_two_runs_of_kgagent_extract_with_the_first_imported_share_one_entity_and_its_votes(
        monkeypatch, tmp_path, graph_dir) -> None:
    """The terminal's way: extract, `kg import` the output, extract more with `--memory graph`.
    The second run links the name to the first run's entity, records its mentions, and once
    imported the memory counts both runs."""
    import json

    from typer.testing import CliRunner

    from kgagent.kg import KnowledgeGraph
    from kgagent_cli.main import app
    from support.agent_fakes import patch_cli_agent

    patch_cli_agent(monkeypatch, lambda: ScoredFakeEncoder(CLASSES, PAIRS, nested=False))
    run = CliRunner()
    (tmp_path / "c1.txt").write_text(FIRST + "\n")
    (tmp_path / "c2.txt").write_text(SECOND + "\n")
    for args in (["extract", str(tmp_path / "c1.txt"), "--out", str(tmp_path / "o1"), "--graph", str(graph_dir)],
                 ["kg", "import", str(tmp_path / "o1"), "--graph", str(graph_dir)],
                 ["extract", str(tmp_path / "c2.txt"), "--out", str(tmp_path / "o2"), "--graph", str(graph_dir),
                  "--memory", "graph"],
                 ["kg", "import", str(tmp_path / "o2"), "--graph", str(graph_dir)]):
        r = run.invoke(app, args)
        assert r.exit_code == 0, (args, r.output)
        if "--memory" in args:
            assert "mentions of entities earlier runs introduced 3" in " ".join(r.output.split())
    first = [json.loads(x) for x in (tmp_path / "o1" / "decisions.jsonl").read_text().splitlines()]
    second = [json.loads(x) for x in (tmp_path / "o2" / "decisions.jsonl").read_text().splitlines()]
    entity = next(d["entity"] for d in first if d["kind"] == "entity" and d["text"] == "James Ottinger")
    full = next(d for d in second if d["kind"] == "entity" and d["text"] == "James Ottinger")
    short = next(d for d in second if d["kind"] == "entity" and d["text"] == "Ottinger")
    assert full["linked"] and full["entity"] == short["entity"] == entity
    summaries = [json.loads((tmp_path / o / "summary.json").read_text()) for o in ("o1", "o2")]
    assert [s["known_entity_mentions"] for s in summaries] == [0, 3]  # both names and the company
    assert [s["entities_added"] for s in summaries] == [2, 0]
    memory = TypeMemory.from_graph(KnowledgeGraph.load(graph_dir))
    assert memory.votes_for("James Ottinger") == {"person": 2} and memory.votes_for("Ottinger") == {"person": 1}


def test_a_word_of_no_kind_does_not_take_the_kind_of_a_documents_place(tiny_kg) -> None:
    """An earlier sentence's "Soviet" was accepted as a place; this one's "Soviet", tagged of no
    particular kind, is not that entity (one accepted mention's class is all that is known of
    it), so it does not become a place: located_in(Boston, Soviet) is rejected for its tail's
    kind, as it is without the earlier document."""
    from kgagent import Agent
    from support.agent_fakes import RULES, trigram_embed

    first = {"Soviet": {"Loc": 0.9}, "Boston": {"Loc": 0.95}}
    # the linker as the agent makes it: the untyped class is not type-checked
    linker = tiny_kg.linker(embed=trigram_embed, embed_id="trigram-64", persist=False, untyped="other")
    agent = Agent.load(model=ScoredFakeEncoder(first, {}, nested=False), kg=tiny_kg, rules=RULES, linker=linker)
    (res1,) = agent.extract(Document("d1", "Soviet troops left Boston."))
    place = _decision(res1, "Soviet").mention.entity
    agent.encoder.classes = {"Soviet": {"Other": 0.9}, "Boston": {"Loc": 0.95}}
    agent.encoder.pairs = {("Boston", "Soviet"): {"Located_In": 0.9}}
    (res2,) = agent.extract(Document("d2", "Boston lies in Soviet lands."))
    assert _decision(res2, "Soviet").mention.link.is_nil and _decision(res2, "Soviet").mention.entity != place
    rel = _relation(res2)
    assert rel.verdict == "reject" and "kind" in rel.reason, (rel.verdict, rel.reason)


def test_a_name_of_another_kind_is_another_entity(tiny_kg) -> None:
    """An earlier document's company "Ford" is not this document's person "Ford": a document's
    entity is a candidate only for a mention of its own kind."""
    agent = make_agent(tiny_kg, ScoredFakeEncoder({"Ford": {"Org": 0.9}}, {}, nested=False))
    (res1,) = agent.extract(Document("d1", "Ford sold cars."))
    company = _decision(res1, "Ford").mention.entity
    agent.encoder.classes = {"Ford": {"Peop": 0.9}}
    (res2,) = agent.extract(Document("d2", "Ford said so."))
    person = _decision(res2, "Ford")
    assert person.verdict == "accept" and person.mention.link.is_nil and person.mention.entity != company
    assert [e.types for e in res2.delta.entities] == [("person",)] and res2.delta.mentions == []


def test_a_memory_file_that_is_not_decisions_is_named_by_line(tmp_path) -> None:
    """`extract --memory DIR`: before, a line nested too deep or a line that is no object ended in
    a traceback (RecursionError, AttributeError), bytes not UTF-8 were told without a line, and
    a mention whose "text" was a number voted for the name "5"."""
    import pytest

    from kgagent.errors import InputError

    good = {"id": "d:1", "doc": "a", "kind": "entity", "text": "Boston", "type": "city", "verdict": "accept"}
    odd = {**good, "id": "d:2", "text": 5, "type": ["city"]}
    f = tmp_path / "decisions.jsonl"
    f.write_text(json.dumps(good) + "\n\n" + json.dumps(odd) + "\n")
    assert TypeMemory.load(tmp_path).votes_for("Boston") == {"city": 1} and not TypeMemory.load(f).votes_for("5")
    deep = b'{"id": "d:3", "a": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    # read by the reader every command shares (kgagent.rule_stats), told under --memory's code
    for line, words in ((deep, "not a decision: JSON nested too deep or a number too long to read"),
                        (b"[1]", 'a decision must be a JSON object with an "id"'),
                        (b'{"kind": "entity"}', 'a decision must be a JSON object with an "id"'),
                        (b"\xff", "not UTF-8 text: invalid start byte at byte 0")):
        f.write_bytes(json.dumps(good).encode() + b"\n" + line + b"\n")
        with pytest.raises(InputError) as err:
            TypeMemory.load(tmp_path)
        assert str(err.value) == f"{f}:2: KGA414 cannot read the memory's decisions: {words}"
