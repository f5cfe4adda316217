"""A part of a name that names again what the full name named: "Ottinger" after "James
Ottinger" is that person. The ontology says whose names shorten, and to which words
(``short_name``); the agent asserts ``name_part`` facts; the joint decision's name prior counts
the full name as another mention of the short one; the shared names.rules derive
``same_entity``, and an accepted short name becomes the full name's entity, with a proof."""

from __future__ import annotations

import json

import pytest

from support.agent_fakes import ScoredFakeEncoder, make_agent
from kgagent import Document
from kgagent.domain import Ontology
from kgagent.explain import explain_decision
from kgagent.names import in_capitals, initials, name_part, name_parts, name_stem, name_words, only_suffix

TEXT = ("Digital Communications named James Ottinger president. "
        "Ottinger replaces Bertil Nordin at Digital Communications.")
# the encoder alone calls the bare surname a company, and relates Nordin to it as to an employer
CLASSES = {"Digital Communications": {"Org": 0.95}, "James Ottinger": {"Peop": 0.96, "Org": 0.02},
           "Ottinger": {"Org": 0.5, "Peop": 0.35}, "Bertil Nordin": {"Peop": 0.95}}
PAIRS = {("James Ottinger", "Digital Communications"): {"Work_For": 0.9},
         ("Bertil Nordin", "Ottinger"): {"Work_For": 0.8}}


def _run(tiny_kg, text=TEXT, classes=CLASSES, pairs=PAIRS):
    agent = make_agent(tiny_kg, ScoredFakeEncoder(classes, pairs, nested=False))
    (res,) = agent.extract(Document("d1", text), update_graph=False)
    return agent, res


def _by_text(res) -> dict:
    return {(d.head.text, d.label, d.tail.text) if d.kind == "relation" else d.mention.text: d
            for d in res.decisions}


def test_where_a_part_sits_in_a_full_name() -> None:
    assert name_words("Mir-Hossein Mousavi") == ("mir", "hossein", "mousavi")
    assert name_part(name_words("MOUSAVI"), name_words("Mir-Hossein Mousavi")) == ("last",)
    assert name_part(name_words("Fleet"), name_words("Fleet Financial Group")) == ("first",)
    assert name_part(name_words("Financial"), name_words("Fleet Financial Group")) == ("inner",)
    assert name_part(name_words("Ali"), name_words("Ali Ali")) == ("first", "last")
    # not a part: the whole name, another word, a piece of a word, nothing
    assert name_part(name_words("James Ottinger"), name_words("James  Ottinger")) == ()
    assert name_part(name_words("Otting"), name_words("James Ottinger")) == ()
    assert name_part(name_words("Jim"), name_words("James Ottinger")) == ()
    assert name_part((), name_words("James Ottinger")) == ()
    # initials: written in capitals, of every word or of the capitalised ones
    assert initials("SEC", "Securities and Exchange Commission") and initials("U.N.", "United Nations")
    assert initials("AOTC", "Art of the Covenant")
    assert not initials("Sec", "Securities and Exchange Commission")  # not in capitals
    assert not initials("A", "Associated Press") and not initials("AP", "Press")
    assert not initials("CAC", "Victorian Corporate Affairs Commission")


def test_name_parts_pairs_every_part_with_every_full_name_of_the_document() -> None:
    class M:
        def __init__(self, id: str, text: str) -> None:
            self.id, self.text = id, text

    ms = [M("a", "James Adams"), M("b", "Adams"), M("c", "John Adams"), M("d", "James"), M("e", "J.A."),
          M("f", "JA")]
    assert sorted(name_parts(ms)) == [("b", "a", "last"), ("b", "c", "last"), ("d", "a", "first"),
                                      ("e", "a", "initials"), ("e", "c", "initials"),
                                      ("f", "a", "initials"), ("f", "c", "initials")]


def test_the_ontology_says_whose_names_shorten_and_checks_the_value() -> None:
    onto, problems = Ontology.from_toml_text(
        '[classes.agent]\nshort_name = "last"\n[classes.person]\nsubclass_of = "agent"\n'
        '[classes.robot]\nsubclass_of = "agent"\nshort_name = "first"\n[classes.place]\n', "o.toml")
    assert problems == []
    assert onto.short_name_of("person") == ("last",)  # from its parent
    assert onto.short_name_of("robot") == ("first",)  # its own wins
    assert onto.short_name_of("place") == () and onto.short_name_of(None) == ()
    assert onto.rule_facts()["short_name"] == {("agent", "last"), ("robot", "first")}
    again, problems = Ontology.from_toml_text(onto.to_toml(), "again.toml")
    assert problems == [] and again.short_name_of("robot") == ("first",)
    both, problems = Ontology.from_toml_text('[classes.band]\nshort_name = ["first", "initials"]\n', "o.toml")
    assert problems == [] and both.short_name_of("band") == ("first", "initials")
    assert Ontology.from_toml_text(both.to_toml())[0].short_name_of("band") == ("first", "initials")

    for value, line in (('"surname"', 3), ('["last", 7]', 3)):
        _, problems = Ontology.from_toml_text(f'[classes.person]\nlabel = "person"\nshort_name = {value}\n',
                                              "bad.toml")
        (p,) = problems
        assert p.code == "KGA610" and "'first', 'last', 'initials'" in str(p), str(p)
        assert p.location.path.endswith("bad.toml") and p.location.line == line


def test_the_news_ontology_shortens_people_by_their_last_words_organisations_by_initials_stem_and_first_words() -> None:
    from kgagent.domain import Domain

    onto = Domain.load().ontology
    assert onto.short_name_of("person") == ("last",)
    assert onto.short_name_of("organization") == ("initials", "stem", "first")
    assert {onto.short_name_of(c) for c in onto.classes if c not in ("person", "organization")} == {()}
    assert {"inc", "spa", "ltd", "co"} <= onto.name_suffixes and "group" not in onto.name_suffixes


def test_a_name_without_its_legal_form_is_its_stem() -> None:
    suffixes = frozenset({"co", "ltd", "spa", "inc"})
    assert name_stem(name_words("Montedison S.p.A."), suffixes) == ("montedison",)
    assert name_stem(name_words("Sangetsu Co Ltd"), suffixes) == ("sangetsu",)
    assert name_stem(name_words("Douglas & Lomason Co."), suffixes) == ("douglas", "lomason")
    assert name_stem(name_words("Inc"), suffixes) == ("inc",)  # a name keeps one word
    assert name_stem(name_words("Boston Celtics"), suffixes) == ("boston", "celtics")
    assert name_stem(name_words("Inc Magazine"), suffixes) == ("inc", "magazine")  # only at the end
    assert only_suffix("Ltd.", suffixes) and only_suffix("Co Ltd", suffixes) and only_suffix("S.p.A.", suffixes)
    assert not only_suffix("Inc Magazine", suffixes) and not only_suffix("", suffixes)
    assert not only_suffix("Ltd", frozenset())

    class M:
        def __init__(self, id: str, text: str) -> None:
            self.id, self.text = id, text

    ms = [M("a", "Montedison SPA"), M("b", "Montedison"), M("c", "Boston Celtics"), M("d", "Boston"),
          M("e", "Ltd")]
    # the stem is first words too, and says more: not both
    assert sorted(name_parts(ms, suffixes)) == [("b", "a", "stem"), ("d", "c", "first")]
    # a domain without suffixes has no stems
    assert sorted(name_parts(ms)) == [("b", "a", "first"), ("d", "c", "first")]


def test_the_ontology_reads_its_name_suffixes_and_says_what_is_wrong_with_them() -> None:
    onto, problems = Ontology.from_toml_text(
        '[ontology]\nname_suffixes = ["Inc.", "S.p.A."]\n[classes.firm]\nshort_name = "stem"\n', "o.toml")
    assert problems == [] and onto.name_suffixes == frozenset({"inc", "spa"})
    assert onto.short_name_of("firm") == ("stem",)
    assert Ontology.from_toml_text(onto.to_toml())[0].name_suffixes == onto.name_suffixes
    for text, line in (('[ontology]\nname_suffixes = "Inc"\n', 2), ('[ontology]\nname_suffixes = ["Inc", ""]\n', 2),
                       ('[ontology]\nuntyped = "x"\nsuffixes = ["Inc"]\n[classes.x]\n', 3)):
        _, problems = Ontology.from_toml_text(text, "bad.toml")
        (p,) = problems
        assert p.code == "KGA610" and "[ontology]" in str(p), str(p)
        assert p.location.path.endswith("bad.toml") and p.location.line == line, (str(p), p.location)


def test_a_company_named_without_its_legal_form_is_that_company(tiny_kg) -> None:
    text = ("Montedison SPA of Italy reported a profit. Montedison said it named Ettore dellIsola president. "
            "The Boston Celtics beat Boston University.")
    # the encoder reads the bare name as a person where a person's verb follows it
    classes = {"Montedison SPA": {"Org": 0.9}, "Montedison": {"Peop": 0.6, "Org": 0.35},
               "Ettore dellIsola": {"Peop": 0.9}, "Boston Celtics": {"Org": 0.9}, "Boston": {"Loc": 0.8}}
    _, res = _run(tiny_kg, text, classes, {})
    d = _by_text(res)
    full, short = d["Montedison SPA"], d["Montedison"]
    assert short.label == "organization" and short.repair["kind"] == "retype"
    assert short.mention.entity == full.mention.entity and short.same_as["text"] == "Montedison SPA"
    why = explain_decision(json.loads(json.dumps(short.to_dict()))).split("why the same entity:")[1]
    assert "is 'Montedison SPA' without the words that end it" in why
    assert "an organization may be named by its full name without the name_suffixes that end it" in why
    assert d["Boston"].same_as is None  # a first word alone is not the company


def test_a_surname_is_the_person_of_the_full_name(tiny_kg) -> None:
    _, res = _run(tiny_kg)
    d = _by_text(res)
    full, short = d["James Ottinger"], d["Ottinger"]
    # the full name's scores are the short name's evidence: retyped to a person
    assert short.accepted and short.label == "person" and short.repair["from"] == "organization"
    assert "name's other mentions" in short.reason
    # one entity, named in full, in the graph and in decisions.jsonl
    assert short.mention.entity == full.mention.entity and "/new/james_ottinger" in full.mention.entity
    assert short.mention.short_for == {"mention": full.mention.id, "text": "James Ottinger", "part": "last"}
    assert short.same_as["entity"] == full.mention.entity and short.same_as["rule"].startswith("shared/names.rules:")
    new = [e for e in res.delta.entities if e.iri == full.mention.entity]
    assert [e.label for e in new] == ["James Ottinger"]
    assert not any("ottinger" in e.iri and e.iri != full.mention.entity for e in res.delta.entities)
    # Nordin does not work for a person
    assert not d[("Bertil Nordin", "work_for", "Ottinger")].accepted
    assert d[("James Ottinger", "work_for", "Digital Communications")].accepted


def test_decisions_jsonl_and_explain_say_whose_entity_it_is(tiny_kg) -> None:
    _, res = _run(tiny_kg)
    d = _by_text(res)
    line = json.loads(json.dumps(d["Ottinger"].to_dict()))
    assert line["short_for"]["text"] == "James Ottinger" and line["entity"] == d["James Ottinger"].mention.entity
    assert line["same_as"]["proof"]["fact"].startswith("same_entity(")
    text = explain_decision(line)
    assert "the same entity as 'James Ottinger': another mention of the document gives its name in full" in text
    why = text.split("why the same entity:")[1]
    assert "are the last words of 'James Ottinger'" in why and "may be named by the last words" in why
    rel = json.loads(json.dumps(d[("Bertil Nordin", "work_for", "Ottinger")].to_dict()))
    assert "its tail 'Ottinger' is the entity of 'James Ottinger'" in explain_decision(rel)


def test_a_surname_two_full_names_share_names_neither(tiny_kg) -> None:
    text = "James Adams met John Adams. Adams left."
    classes = {"James Adams": {"Peop": 0.95}, "John Adams": {"Peop": 0.94}, "Adams": {"Peop": 0.9}}
    _, res = _run(tiny_kg, text, classes, {})
    d = _by_text(res)
    adams = d["Adams"]
    assert adams.accepted and adams.same_as is None and adams.mention.short_for is None
    assert adams.mention.entity not in {d["James Adams"].mention.entity, d["John Adams"].mention.entity}


@pytest.mark.parametrize("full_score, merged", [(0.95, True), (0.1, False)])
def test_only_an_accepted_full_name_gives_its_entity(tiny_kg, full_score, merged) -> None:
    text = "Jane Quigley spoke. Quigley left."
    classes = {"Jane Quigley": {"Peop": full_score, "Org": 0.05}, "Quigley": {"Peop": 0.9}}
    _, res = _run(tiny_kg, text, classes, {})
    d = _by_text(res)
    assert d["Jane Quigley"].accepted is merged
    assert (d["Quigley"].mention.entity == d["Jane Quigley"].mention.entity) is merged


def test_a_company_is_named_by_its_first_words(tiny_kg) -> None:
    text = "Fleet Financial Group said profits rose. Fleet shares fell."
    classes = {"Fleet Financial Group": {"Org": 0.95}, "Fleet": {"Org": 0.9}}
    _, res = _run(tiny_kg, text, classes, {})
    d = _by_text(res)
    assert d["Fleet"].accepted and d["Fleet"].same_as["text"] == "Fleet Financial Group"
    assert d["Fleet"].mention.entity == d["Fleet Financial Group"].mention.entity
    assert d["Fleet"].mention.short_for["part"] == "first"


def test_a_class_whose_names_do_not_shorten_keeps_its_entities_apart(tiny_kg) -> None:
    # the news ontology gives no short names to other (CoNLL04's Other: events, works...)
    text = "The Gulf War ended in 1991. Gulf veterans met in Washington."
    classes = {"Gulf War": {"Other": 0.95}, "Gulf": {"Other": 0.9}}
    _, res = _run(tiny_kg, text, classes, {})
    d = _by_text(res)
    assert d["Gulf"].accepted and d["Gulf"].same_as is None
    assert d["Gulf"].mention.entity != d["Gulf War"].mention.entity


def test_initials_name_the_organisation_and_a_company_of_another_name_stays_apart(tiny_kg) -> None:
    text = "The Kurdistan Democratic Party said the KDP won. The KDP and Acme Holdings agreed."
    classes = {"Kurdistan Democratic Party": {"Org": 0.95}, "KDP": {"Org": 0.6, "Loc": 0.3},
               "Acme Holdings": {"Org": 0.9}}
    _, res = _run(tiny_kg, text, classes, {})
    d = {}
    for dec in res.decisions:
        d.setdefault(dec.mention.text, []).append(dec)
    (party,) = d["Kurdistan Democratic Party"]
    assert len(d["KDP"]) == 2
    for kdp in d["KDP"]:
        assert kdp.accepted and kdp.mention.entity == party.mention.entity
        assert kdp.same_as["text"] == "Kurdistan Democratic Party"
    assert d["Acme Holdings"][0].mention.entity != party.mention.entity
    line = json.loads(json.dumps(d["KDP"][0].to_dict()))
    why = explain_decision(line).split("why the same entity:")[1]
    assert "is the initials of 'Kurdistan Democratic Party'" in why and "an organization may be named by its initials" in why


def test_name_parts_finds_what_comparing_every_two_mentions_finds() -> None:
    class M:
        def __init__(self, id: str, text: str) -> None:
            self.id, self.text = id, text

    texts = ["James Ottinger", "Ottinger", "OTTINGER", "Ali Ali", "Ali", "A B A C", "A", "B", "AB", "A.B.",
             "Art of Bread", "AOB", "AB", "Kurdistan Democratic Party", "KDP", "Democratic", "Party",
             "U.S.", "United States", "UNITED STATES", "US", "States", "", "Mir-Hossein Mousavi", "Mousavi",
             "Hossein", "B C", "A B"]
    ms = [M(f"m{i}", t) for i, t in enumerate(texts)]
    expected = []
    for m in ms:  # the definition, one pair at a time
        for f in ms:
            mw, fw = name_words(m.text), name_words(f.text)
            expected += [(m.id, f.id, w) for w in name_part(mw, fw)]
            if f is not m and len(fw) > 1 and not in_capitals(f.text) and initials(m.text, f.text):
                expected.append((m.id, f.id, "initials"))
    assert list(name_parts(ms)) == expected


def test_a_name_the_graph_surely_knows_as_a_place_takes_no_evidence_from_a_person_named_after_it(tiny_kg) -> None:
    # "Washington said ..." beside "George Washington": the graph's sure link says the short name
    # is a place, so the full name's evidence does not retype it, and it stays its own entity
    text = "Richard Boston spoke. Boston said no."
    classes = {"Richard Boston": {"Peop": 0.97}, "Boston": {"Loc": 0.5, "Peop": 0.45}}
    agent, res = _run(tiny_kg, text, classes, {})
    assert agent.linker.link([("Boston", "location")])[0].score >= agent.link_trusted
    d = _by_text(res)
    boston = d["Boston"]
    assert boston.accepted and boston.label == "location" and boston.repair is None and boston.same_as is None
    assert boston.mention.entity == "urn:ex:boston"
    # without the graph's word, the full name's evidence makes it the person
    classes = {"Richard Bostonia": {"Peop": 0.97}, "Bostonia": {"Loc": 0.5, "Peop": 0.45}}
    _, res = _run(tiny_kg, text.replace("Boston", "Bostonia"), classes, {})
    d = _by_text(res)
    assert d["Bostonia"].label == "person" and d["Bostonia"].mention.entity == d["Richard Bostonia"].mention.entity


def test_a_surname_linked_to_another_person_says_which_one_it_is_not(tiny_kg) -> None:
    adams = tiny_kg.add_entity("Adams", ["person"], iri="urn:ex:john_adams")
    text = "James Adams spoke. Adams said no."
    classes = {"James Adams": {"Peop": 0.97}, "Adams": {"Peop": 0.9}}
    _, res = _run(tiny_kg, text, classes, {})
    d = _by_text(res)
    short = d["Adams"]
    assert short.accepted and short.mention.entity == d["James Adams"].mention.entity != adams
    assert short.same_as["from"] == {"entity": adams, "label": "Adams"}
    assert "the same entity as 'James Adams', not the graph's Adams:" in explain_decision(
        json.loads(json.dumps(short.to_dict())))


def test_the_docstring_examples_of_kgagent_names_run() -> None:
    import doctest

    import kgagent.names

    result = doctest.testmod(kgagent.names)
    assert result.failed == 0 and result.attempted >= 5


def test_a_chain_of_shorter_names_ends_at_one_entity(tiny_kg) -> None:
    text = "Mr. John Smith arrived. John Smith spoke. Smith left."
    classes = {"Mr. John Smith": {"Peop": 0.95}, "John Smith": {"Peop": 0.95}, "Smith": {"Peop": 0.9}}
    _, res = _run(tiny_kg, text, classes, {})
    d = _by_text(res)
    entities = {d[t].mention.entity for t in ("Mr. John Smith", "John Smith", "Smith")}
    assert len(entities) == 1 and "/new/mr_john_smith" in entities.pop()


def test_the_graph_remembers_the_short_names_for_the_corpus_memory_not_for_the_linker(tiny_kg) -> None:
    from kgagent.memory import TypeMemory
    from kgagent.output import graph_nquads

    agent, res = _run(tiny_kg)
    (new,) = [e for e in res.delta.entities if "james_ottinger" in e.iri]
    assert new.short_names == ("Ottinger",)
    (row,) = [e for e in res.delta.to_dict()["entities"] if e["iri"] == new.iri]
    assert row["short_names"] == ["Ottinger"] and row["label"] == "James Ottinger"
    assert "/meta/shortName> \"Ottinger\"" in graph_nquads(res)
    agent.commit(res)
    memory = TypeMemory.from_graph(agent.kg)
    assert memory.votes_for("Ottinger") == {"person": 1} and memory.votes_for("James Ottinger") == {"person": 1}
    assert memory.votes_for("Ottinger", doc="d1") == {}  # a document never votes for itself
    # the linker does not take a short name for the entity: a surname names many people
    assert agent.kg.entity(new.iri).aliases == ()


def test_kgagent_extract_says_how_many_accepted_mentions_the_rules_made_another_entity(monkeypatch, tmp_path,
                                                                                      graph_dir) -> None:
    from typer.testing import CliRunner

    from support.agent_fakes import patch_cli_agent
    from kgagent_cli.main import app

    patch_cli_agent(monkeypatch, lambda: ScoredFakeEncoder(CLASSES, PAIRS, nested=False))
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(TEXT + "\n")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["extract", str(corpus), "--out", str(out), "--graph", str(graph_dir)])
    assert r.exit_code == 0, r.output
    assert json.loads((out / "summary.json").read_text())["identity"] == {"same_as": 1}
    assert "short names joined to their full name: 1" in " ".join(r.output.split())
    progress = [json.loads(x) for x in (out / "progress.jsonl").read_text().splitlines()]
    assert progress[0]["identity"] == {"same_as": 1}


def test_a_claim_about_what_extraction_added_is_checked_against_it_by_full_or_short_name(tiny_kg) -> None:
    """The QA use: "does Ottinger work for Digital Communications?" after a document named him in
    full: the linker knows the new entities by their labels, and the graph knows the names
    documents gave them: "Ottinger" is James Ottinger's short name."""
    agent = make_agent(tiny_kg, ScoredFakeEncoder(CLASSES, PAIRS, nested=False))
    claims = [("Ottinger", "work_for", "Digital Communications"),
              ("James Ottinger", "work_for", "Digital Communications")]
    assert [c.verdict for c in agent.validate(claims)] == ["review", "review"]
    agent.extract(Document("d1", TEXT), update_graph=True)
    short, full = agent.validate(claims)
    assert short.verdict == full.verdict == "accept", (short.reason, full.reason)
    assert short.head.link.method == "document_name" and short.head.entity == full.head.entity
    assert "james_ottinger" in short.head.entity
    # another document's "Ottinger", alone there and tagged a company, is a new entity of that
    # name too; the claim makes Ottinger a person (work_for's head), so it is still James Ottinger
    agent.extract(Document("d2", "Ottinger left."), update_graph=True)
    assert len(agent.kg.entities_named_in_documents("Ottinger")) == 2
    (again,) = agent.validate(claims[:1])
    assert again.head.entity == full.head.entity and again.verdict == "accept"


def test_each_accepted_mention_keeps_its_own_record_so_a_rejected_full_name_leaves_its_short_name(tiny_kg) -> None:
    """A reviewer who rejects "James Ottinger" rejects that mention, not "Ottinger", which the rules
    accepted on its own: the entity stays in the graph, held by the short name's record."""
    from kgagent.memory import TypeMemory
    from kgagent.review.graph_update import drop_decisions

    agent, res = _run(tiny_kg, "James Ottinger spoke. Ottinger left. Ottinger came back.",
                      {"James Ottinger": {"Peop": 0.96}, "Ottinger": {"Peop": 0.9}}, {})
    d = [x for x in res.decisions if x.kind == "entity"]
    full = next(x for x in d if x.mention.text == "James Ottinger")
    (new,) = res.delta.entities
    assert [(r.provenance.start, r.short_name) for r in new.mentions] == [(0, ""), (22, "Ottinger"),
                                                                          (37, "Ottinger")]
    assert new.provenance == new.mentions[0].provenance and new.short_names == ("Ottinger",)
    agent.commit(res)
    memory = TypeMemory.from_graph(agent.kg)  # votes as the decisions do: one per accepted mention, under its name
    assert memory.votes_ == TypeMemory.from_results([res]).votes_
    report = drop_decisions(agent.kg, {full.id})
    assert (report.decisions, report.entities) == (1, 0)
    assert agent.kg.entity(new.iri).label == "James Ottinger"
    assert agent.kg.entities_named_in_documents("Ottinger") == {new.iri}
    memory = TypeMemory.from_graph(agent.kg)
    assert memory.votes_for("James Ottinger") == {} and memory.votes_for("Ottinger") == {"person": 2}


def test_a_mention_that_is_only_a_legal_form_is_no_name(tiny_kg) -> None:
    """"G H Shintoh (Australia) Ltd": the brackets cut "Ltd" off, and the encoder tags it a
    company. The news ontology's name_suffixes say it ends names: rejected, with the fact in its
    proof; the company's own name stays."""
    text = "The CAC suspended the licence of G H Shintoh (Australia) Ltd after a receiver was appointed."
    classes = {"G H Shintoh": {"Org": 0.9}, "Australia": {"Loc": 0.95}, "Ltd": {"Org": 0.7}, "SA": {"Loc": 0.9}}
    _, res = _run(tiny_kg, text + " SA officials agreed.", classes, {})
    d = _by_text(res)
    assert d["Ltd"].verdict == "reject" and d["Ltd"].rule.startswith("shared/names.rules")
    assert not d["SA"].rule.startswith("shared/names.rules")  # a place's names take no legal form
    assert "name_suffix(" in json.dumps(d["Ltd"].proof.to_dict())
    assert "only a word that ends names" in explain_decision(json.loads(json.dumps(d["Ltd"].to_dict())))
    assert d["G H Shintoh"].accepted and d["Australia"].accepted
    assert all(e.label != "Ltd" for e in res.delta.entities)
