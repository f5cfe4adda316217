"""kgagent.tuning and `kgagent rules tune`: the agent's F1 on gold data for each threshold value,
the encoder run once, the rule files' own values always among the rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.encoder.data import read_spert_json
from kgagent.errors import EncoderError, InputError
from kgagent.thresholds import threshold_values, with_thresholds
from kgagent.tuning import (LinkCache, ProposalCache, Scores, TuneReport, best, gold_from_examples, parse_grid,
                            read_gold, tune)
from kgagent_cli.main import app
from support.agent_fakes import FakeEncoder


def record(text: str, entities: list[tuple[str, str]], relations: list[tuple[int, str, int]], rid: str) -> dict:
    """A SpERT record of ``text`` (tokens split on spaces); entities by their surface (first match)."""
    tokens = text.split(" ")
    ents = []
    for surface, label in entities:
        words = surface.split(" ")
        start = next(i for i in range(len(tokens)) if tokens[i:i + len(words)] == words)
        ents.append({"start": start, "end": start + len(words), "type": label})
    return {"id": rid, "tokens": tokens, "entities": ents,
            "relations": [{"head": h, "type": t, "tail": tl} for h, t, tl in relations]}


#: what the fake encoder proposes (tests/support/agent_fakes.py) against this gold:
#: Work_For(Richard Parsons, Time Warner) 0.91 right; Work_For(Richard Parsons, Boston) 0.88 wrong
#: (the rules reject it: Boston is no organisation); Work_For(Cor van der Klugt, Philips) 0.4,
#: right but below the encoder's threshold 0.5 (the rules send it to review); Smith (Peop, 0.3),
#: right, in the review band of the mentions (0.2 <= score < 0.4).
GOLD = [
    record("Richard Parsons works for Time Warner in Boston .",
           [("Richard Parsons", "Peop"), ("Time Warner", "Org"), ("Boston", "Loc")], [(0, "Work_For", 1)], "d1"),
    record("Cor van der Klugt heads Philips .", [("Cor van der Klugt", "Peop"), ("Philips", "Org")],
           [(0, "Work_For", 1)], "d2"),
    record("Smith spoke.", [("Smith", "Peop")], [], "d3"),
]


@pytest.fixture
def gold(agent, tmp_path):
    dom = agent.domain
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(GOLD))
    return read_gold(path, dom.labels.normalize, [n for n, r in dom.ontology.relations.items() if r.symmetric])


def test_the_rule_files_values_are_read_and_replaced(agent) -> None:
    own = threshold_values(agent.program)
    assert own["entity_accept"] == 0.4 and own["relation_accept_over_model"] == 0.0
    changed = with_thresholds(agent.program, {"entity_accept": 0.25})
    assert threshold_values(changed) == {**own, "entity_accept": 0.25}
    assert threshold_values(agent.program) == own  # the agent's own program is untouched
    with pytest.raises(InputError) as err:
        with_thresholds(agent.program, {"entity_acept": 0.3})
    assert err.value.code == "KGA480" and "entity_acept" in str(err.value) and "entity_accept" in str(err.value)


def test_each_combination_is_scored_and_the_encoder_runs_once(agent, fake_encoder, gold) -> None:
    grid = {"relation_accept_over_model": [0.0, -0.15], "entity_accept": [0.4, 0.25]}
    report = tune(agent, gold, grid)
    assert isinstance(report, TuneReport)
    rows = report.rows
    assert [r.values for r in rows] == [
        {"relation_accept_over_model": 0.0, "entity_accept": 0.4},
        {"relation_accept_over_model": 0.0, "entity_accept": 0.25},
        {"relation_accept_over_model": -0.15, "entity_accept": 0.4},
        {"relation_accept_over_model": -0.15, "entity_accept": 0.25}]
    assert [r.current for r in rows] == [True, False, False, False]
    assert fake_encoder.sentences == 3  # one call's worth of sentences for four runs
    now, lenient_relations, lenient_both = rows[0], rows[2], rows[3]
    # the rule files' values: one of two gold relations (Parsons), three of six gold entities
    # ... plus Time Warner, Boston, Cor van der Klugt, Philips; Smith (0.3) goes to review
    assert (now.relation.correct, now.relation.predicted, now.relation.gold) == (1, 1, 2)
    assert (now.entity.correct, now.entity.predicted, now.entity.gold) == (5, 5, 6)
    # accepting relations from 0.35: Cor van der Klugt's Work_For (0.4) too
    assert (lenient_relations.relation.correct, lenient_relations.relation.predicted) == (2, 2)
    assert lenient_relations.relation.f1 == 100.0
    # accepting mentions from 0.25: Smith too
    assert (rows[1].entity.correct, rows[1].entity.predicted) == (6, 6)
    assert best(rows, "relation") is lenient_both and best(rows, "entity") is lenient_both
    # the encoder alone: every mention (Smith too), relations at its threshold 0.5 with its own labels:
    # Work_For(Parsons, Time Warner) right, Work_For(Parsons, Boston) wrong; not Cor van der Klugt's (0.4)
    assert (report.encoder_entity.correct, report.encoder_entity.predicted) == (6, 6)
    assert (report.encoder_relation.correct, report.encoder_relation.predicted, report.encoder_relation.f1) == (1, 2, 50.0)


def test_the_current_values_are_added_when_the_grid_lacks_them_and_match_a_plain_run(agent, gold) -> None:
    rows = tune(agent, gold, {"entity_accept": [0.5]}).rows
    assert [(r.values, r.current) for r in rows] == [({"entity_accept": 0.5}, False),
                                                     ({"entity_accept": 0.4}, True)]
    plain = {(res.doc, d.mention.start, d.mention.end, d.label)
             for res in agent.extract(gold.documents, update_graph=False)
             for d in res.decisions if d.kind == "entity" and d.accepted}
    assert rows[1].entity == Scores.of(plain & {e for e in plain if e[3] in gold.classes}, gold.entities)


def test_the_graph_is_not_changed(agent, gold) -> None:
    before = agent.kg.stats()
    tune(agent, gold, {"entity_accept": [0.3, 0.4]})
    assert agent.kg.stats() == before


def test_grid_specs_parse_and_bad_ones_say_what_is_wrong() -> None:
    assert parse_grid(["entity_accept=0.3,0.35,0.3", "repair_min_margin=1"]) == {
        "entity_accept": [0.3, 0.35], "repair_min_margin": [1.0]}
    for spec, words in ((["entity_accept"], "NAME=V1,V2"), (["entity_accept=0.3,high"], "'high' is not a number"),
                        (["a=1", "a=2"], "given twice"), (["a=nan"], "finite"), ([], "at least one"),
                        ([f"t{i}=1,2,3" for i in range(6)], "729 combinations")):
        with pytest.raises(InputError) as err:
            parse_grid(spec)
        assert err.value.code == "KGA481" and words in str(err.value), (spec, str(err.value))


def test_gold_ends_before_a_stop_kgagent_reads_apart_inside_a_record(tmp_path: Path) -> None:
    """CoNLL04 glues the stop to the word where kgagent ends the sentence ("... from Boise. Polls
    said ..."): the gold place ends before it, as kgagent reads it; a stop that is an
    abbreviation's too stays, at a sentence's end ("Salisbury , N.C. Voters") as inside one ("Acme Inc.")."""
    toks = "Dole is from Boise. Polls said Acme Inc. left Salisbury , N.C. Voters cheered .".split(" ")
    recs = [{"id": "x", "tokens": toks,
             "entities": [{"start": 0, "end": 1, "type": "P"}, {"start": 3, "end": 4, "type": "L"},
                          {"start": 6, "end": 8, "type": "O"}, {"start": 9, "end": 12, "type": "L"}],
             "relations": [{"head": 0, "tail": 1, "type": "In"}]}]
    (tmp_path / "g.json").write_text(json.dumps(recs))
    g = read_gold(tmp_path / "g.json", str.lower)
    text = g.documents[0].text
    assert sorted(text[s:e] for _, s, e, _ in g.entities) == ["Acme Inc.", "Boise", "Dole", "Salisbury , N.C."]
    assert [(text[hs:he], text[ts:te]) for _, _, hs, he, _, ts, te, _ in g.relations] == [("Dole", "Boise")]


def test_gold_reads_a_glued_final_stop_apart_and_orders_symmetric_pairs(tmp_path: Path) -> None:
    recs = [{"id": "x", "tokens": ["Ann", "met", "Bob", "in", "Boise."],
             "entities": [{"start": 0, "end": 1, "type": "P"}, {"start": 2, "end": 3, "type": "P"},
                          {"start": 4, "end": 5, "type": "L"}],
             "relations": [{"head": 1, "tail": 0, "type": "Meets"}, {"head": 1, "tail": 2, "type": "In"}]}]
    (tmp_path / "g.json").write_text(json.dumps(recs))
    g = read_gold(tmp_path / "g.json", str.lower, symmetric=["meets"])
    assert [d.text for d in g.documents] == ["Ann met Bob in Boise ."]
    doc = g.documents[0].id
    assert (doc, 15, 20, "l") in g.entities  # "Boise", not "Boise."
    assert (doc, "meets", 0, 3, "p", 8, 11, "p") in g.relations  # text order, once
    assert (doc, "in", 8, 11, "p", 15, 20, "l") in g.relations
    bad = [{"id": "y", "tokens": ["a"], "entities": [{"start": 0, "end": 3, "type": "P"}], "relations": []}]
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(EncoderError) as err:
        read_gold(tmp_path / "bad.json", str.lower)
    assert err.value.code == "KGA310" and "bad.json:1" in str(err.value) and "out of range" in str(err.value)


CONLL = """-DOCSTART- -X- -X- O

Japan NNP B-NP B-LOC
won VBD B-VP O
. . O O

Nadim NNP B-NP B-PER
Ladki NNP I-NP I-PER

-DOCSTART- -X- -X- O

New NNP B-NP B-LOC
York NNP I-NP I-LOC
"""


def test_a_conll_file_gives_whole_documents_a_sentence_per_line(tmp_path: Path) -> None:
    (tmp_path / "valid.txt").write_text(CONLL)
    g = read_gold(tmp_path / "valid.txt", str.lower)
    assert [d.text for d in g.documents] == ["Japan won .\nNadim Ladki", "New York"]
    found = {(d, g.documents[int(d[-1])].text[a:b], c) for d, a, b, c in g.entities}
    assert found == {("valid-0", "Japan", "loc"), ("valid-0", "Nadim Ladki", "per"), ("valid-1", "New York", "loc")}
    assert g.relations == set() and g.classes == {"loc", "per"}
    assert [d.text for d in read_gold(tmp_path / "valid.txt", str.lower, limit=1).documents] == ["Japan won .\nNadim Ladki"]
    (tmp_path / "broken.txt").write_text("Japan NNP B-NP B-LOC\nwon VBD B-VP X-BAD\n")
    with pytest.raises(EncoderError) as err:
        read_gold(tmp_path / "broken.txt", str.lower)
    assert err.value.code == "KGA311" and "broken.txt:2" in str(err.value)


def test_spert_records_stay_one_document_each(tmp_path: Path) -> None:
    (tmp_path / "dev.json").write_text(json.dumps(GOLD))
    g = gold_from_examples(read_spert_json(tmp_path / "dev.json"), str.lower)
    assert len(g.documents) == 3 and all("\n" not in d.text for d in g.documents)


def test_the_proposal_cache_asks_once_per_sentence_and_options() -> None:
    enc = FakeEncoder()
    cache = ProposalCache(enc)
    a = cache.propose(["Boston is big.", "Smith spoke."], relation_threshold=0.2)
    b = cache.propose(["Smith spoke.", "Boston is big."], relation_threshold=0.2)
    assert enc.sentences == 2 and b == [a[1], a[0]]
    c = cache.propose(["Smith spoke."], relation_threshold=0.5)  # other options: asked again
    assert enc.sentences == 3 and cache.sentences == 3 and cache.config is enc.config
    # an option the encoder does not take is not passed on (FakeEncoder has no near misses): the
    # call is the one before, answered from memory
    again = cache.propose(["Smith spoke."], relation_threshold=0.5, near_miss_floor=0.3)
    assert again[0] is c[0] and enc.sentences == 3


def test_the_link_cache_asks_once_per_text_and_class(agent) -> None:
    links = LinkCache(agent.linker)
    first = links.link([("Boston", "location"), ("Smith", "person"), ("Boston", "location")])
    again = links.link([("Smith", "person"), ("Boston", "location"), ("Boston", "person")])
    assert links.linked == 3  # Boston as a location, Smith, then Boston as a person
    assert again[0] is first[1] and again[1] is first[0]
    assert first[0].entity == "urn:ex:boston" and links.prefetch == agent.linker.prefetch


def test_a_sweep_links_each_mention_once(agent, gold, monkeypatch) -> None:
    import kgagent.tuning as tuning

    seen = []

    class Spy(LinkCache):
        def __init__(self, linker):
            super().__init__(linker)
            seen.append(self)

    monkeypatch.setattr(tuning, "LinkCache", Spy)
    tune(agent, gold, {"entity_accept": [0.25, 0.3, 0.4]})
    (links,) = seen
    assert links.linked == 6  # the six mentions of the three documents, for three runs


def _run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_cli_prints_the_rows_and_the_best_values(fake_cli, graph_dir, tmp_path: Path) -> None:
    gold = tmp_path / "dev.json"
    gold.write_text(json.dumps(GOLD))
    r = _run("rules", "tune", gold, "-t", "relation_accept_over_model=0,-0.15", "--graph", graph_dir)
    assert r.exit_code == 0, r.output
    assert "3 documents" in r.output and "0*" in r.output and "-0.15" in r.output
    assert "encoder alone" in r.output and "50.00" in r.output
    assert "best relation F1 100.00 (+33.33) with threshold(relation_accept_over_model, -0.15)." in r.output
    # how sure: the paired bootstrap over the 3 documents (the gain is one relation of one document)
    assert "95 % interval of the gain [+0.00, +" in r.output and "over the 3 documents" in r.output
    assert "maybe noise" in r.output
    assert "entity F1: no values tried beat the rule files' own" in r.output
    r = _run("rules", "tune", gold, "-t", "entity_accept=0.25", "--graph", graph_dir, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [(x["values"], x["current"]) for x in out["rows"]] == [({"entity_accept": 0.25}, False),
                                                                  ({"entity_accept": 0.4}, True)]
    assert out["encoder_alone"]["relation"]["f1"] == 50.0


def test_cli_on_a_conll_file_shows_entities_only(fake_cli, graph_dir, tmp_path: Path) -> None:
    (tmp_path / "valid.txt").write_text("-DOCSTART- -X- -X- O\n\nRichard NNP B-NP B-PER\nParsons NNP I-NP I-PER\n"
                                        "spoke VBD B-VP O\n\nSmith NNP B-NP B-PER\nspoke VBD B-VP O\n")
    r = _run("rules", "tune", tmp_path / "valid.txt", "-t", "entity_accept=0.25", "--graph", graph_dir)
    assert r.exit_code == 0, r.output
    assert "1 document of" in r.output and "entity F1" in r.output and "relation F1" not in r.output
    # Smith (0.3) is accepted from 0.25: both gold persons found
    assert "best entity F1 100.00 (+33.33) with threshold(entity_accept, 0.25)." in r.output


def test_cli_tunes_with_the_options_one_extracts_with(fake_cli, graph_dir, tmp_path: Path) -> None:
    gold = tmp_path / "dev.json"
    gold.write_text(json.dumps(GOLD))
    # the rules see no relation below 0.45: Cor van der Klugt's Work_For (0.4) cannot be accepted
    r = _run("rules", "tune", gold, "-t", "relation_accept_over_model=0,-0.15", "--graph", graph_dir,
             "--min-relation-score", "0.45", "--no-joint", "--json")
    assert r.exit_code == 0, r.output
    assert [x["relation"]["correct"] for x in json.loads(r.output)["rows"]] == [1, 1]
    r = _run("rules", "tune", gold, "-t", "entity_accept=0.3", "--graph", graph_dir, "--memory", tmp_path / "nope")
    assert r.exit_code == 2 and "nope" in r.output


def test_cli_bad_input_is_one_line_and_an_exit_code(fake_cli, graph_dir, tmp_path: Path) -> None:
    gold = tmp_path / "dev.json"
    gold.write_text(json.dumps(GOLD))
    r = _run("rules", "tune", gold, "-t", "no_such_threshold=1", "--graph", graph_dir)
    assert r.exit_code == 1 and "KGA480 no rule file sets threshold 'no_such_threshold'" in r.output
    r = _run("rules", "tune", gold, "-t", "entity_accept", "--graph", graph_dir)
    assert r.exit_code == 2 and "KGA481" in r.output
    r = _run("rules", "tune", tmp_path / "missing.json", "-t", "entity_accept=0.3")
    assert r.exit_code == 2 and "KGA502 no such gold file" in r.output
    (tmp_path / "bad.json").write_text("{not json")
    r = _run("rules", "tune", tmp_path / "bad.json", "-t", "entity_accept=0.3", "--graph", graph_dir)
    assert r.exit_code == 1 and "bad.json:1: KGA310 invalid JSON" in r.output
    assert "Traceback" not in r.output


def test_the_joint_decisions_weights_come_from_the_rule_files(agent) -> None:
    own = threshold_values(agent.program)
    assert own["same_name_weight"] == 1.0 and own["memory_weight"] == 1.0
    assert (agent.same_name_weight, agent.memory_weight) == (1.0, 1.0)
    other = agent.with_rules(with_thresholds(agent.program, {"same_name_weight": 0.0}))
    assert (other.same_name_weight, other.memory_weight) == (0.0, 1.0)
    agent.reload_rules()  # the rule files again: their weight
    assert agent.same_name_weight == 1.0


def test_a_weight_set_by_hand_survives_rules_that_do_not_set_it(agent) -> None:
    import dataclasses

    program = agent.program
    bare = dataclasses.replace(program, clauses=[c for c in program.clauses
                                                 if not (c.is_fact and c.head.pred == "threshold"
                                                         and c.head.args[0].value == "memory_weight")])
    agent.memory_weight = 2.5
    assert agent.with_rules(bare).memory_weight == 2.5  # the new rules say nothing: this agent's
    assert agent.with_rules(program).memory_weight == 1.0  # they say 1.0: theirs


def test_the_name_vote_is_tuned_like_any_threshold(agent, gold) -> None:
    rows = tune(agent, gold, {"same_name_weight": [0.0, 2.0]}).rows
    assert [(r.values, r.current) for r in rows] == [({"same_name_weight": 0.0}, False),
                                                     ({"same_name_weight": 2.0}, False),
                                                     ({"same_name_weight": 1.0}, True)]
