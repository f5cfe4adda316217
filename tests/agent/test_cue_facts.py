"""Cue words between a relation's two mentions (the ontology's ``cues``, the rules' ``cue`` facts):
"Carlo Fusco told the Associated Press" says he spoke to the agency, and the news
employers.rules rejects work_for(Carlo Fusco, Associated Press) (RSS-500)."""

from __future__ import annotations

from support.agent_fakes import RULES, ScoredFakeEncoder, build_tiny_graph, trigram_embed

from kgagent import Agent, Document
from kgagent.base_facts import cue_facts
from kgagent.decisions import MentionResult, RelationResult
from kgagent.domain import Domain
from kgagent.domain.ontology import Ontology
from kgagent.explain import explain_decision

CUES = {"speech": ("told", "in an interview with", "e-mail to")}


def _m(mid: str, text: str, doc: str, sentence: int = 0) -> MentionResult:
    start = doc.index(text)
    return MentionResult(id=mid, doc="d", sentence=sentence, start=start, end=start + len(text), text=text,
                         label="person", model_label="Peop", score=0.9)


def _r(rid: str, head: str, tail: str) -> RelationResult:
    return RelationResult(id=rid, doc="d", sentence=0, predicate="work_for", model_label="Work_For",
                          head=head, tail=tail, score=0.9)


def test_a_cue_between_the_two_mentions_either_way_round_with_their_distance() -> None:
    text = "Carlo Fusco TOLD  the Associated Press that Acme, in an interview with Reuters, said so."
    ms = [_m("m1", "Carlo Fusco", text), _m("m2", "Associated Press", text), _m("m3", "Acme", text),
          _m("m4", "Reuters", text)]
    rs = [_r("r1", "m1", "m2"), _r("r2", "m2", "m1"), _r("r3", "m3", "m4"), _r("r4", "m1", "m4"),
          _r("r5", "m2", "m3")]
    facts = cue_facts(text, ms, rs, CUES)
    assert ("r1", "speech", "told", 2) in facts and ("r2", "speech", "told", 2) in facts  # case, spacing aside
    assert ("r3", "speech", "in an interview with", 4) in facts
    assert {f[2] for f in facts if f[0] == "r4"} == {"told", "in an interview with"}  # both, further apart
    assert not [f for f in facts if f[0] == "r5"]  # "that" only
    assert cue_facts(text, ms, rs, {}) == set()


def test_no_cue_across_sentences_inside_a_word_or_for_overlapping_mentions() -> None:
    text = "Smith works for Acme. He told Jones. Untold Co. hired Brown."
    ms = [_m("m1", "Smith", text), _m("m2", "Acme", text, 0), _m("m3", "Jones", text, 1),
          _m("m4", "Untold Co.", text, 2), _m("m5", "Brown", text, 2), _m("m6", "Untold", text, 2)]
    rs = [_r("r1", "m1", "m3"), _r("r2", "m5", "m4"), _r("r3", "m4", "m6"), _r("r4", "m1", "m2")]
    assert cue_facts(text, ms, rs, CUES) == set()  # r1 spans two sentences; "Untold" is no "told"


def test_the_ontology_reads_cues_and_says_what_is_wrong_with_them() -> None:
    onto, problems = Ontology.from_toml_text(
        '[ontology.cues]\nspeech = ["told", " in an  interview with ", "told"]\nborn = ["born in"]\n', "o.toml")
    assert problems == []
    assert onto.cues == {"speech": ("in an interview with", "told"), "born": ("born in",)}
    assert Ontology.from_toml_text(onto.to_toml())[0].cues == onto.cues
    for text, code in (('[ontology]\ncues = ["told"]\n', "KGA610"),
                       ('[ontology]\ncues = { Speech = ["told"] }\n', "KGA611"),
                       ('[ontology]\ncues = { speech = [] }\n', "KGA610"),
                       ('[ontology]\ncues = { speech = ["told", " "] }\n', "KGA610"),
                       ('[ontology]\ncues = { speech = "told" }\n', "KGA610")):
        (p,) = Ontology.from_toml_text(text, "bad.toml")[1]
        assert p.code == code and "cue" in str(p) and "bad.toml:2" in str(p), str(p)


def test_the_news_rules_reject_work_for_a_news_agency_the_person_told() -> None:
    """The encoder reads the lawyer who told the AP as its employee (0.79); the words between
    them say otherwise (rules/employers.rules); his own post stays accepted."""
    text = "Gabriele's lawyer, Carlo Fusco told the Associated Press that Acme Corp chief Ann Lee quit."
    enc = ScoredFakeEncoder({"Carlo Fusco": {"Peop": 0.99}, "Associated Press": {"Org": 0.99},
                             "Acme Corp": {"Org": 0.99}, "Ann Lee": {"Peop": 0.99}},
                            {("Carlo Fusco", "Associated Press"): {"Work_For": 0.79},
                             ("Ann Lee", "Acme Corp"): {"Work_For": 0.99}})
    kg = build_tiny_graph()
    dom = Domain.load()
    linker = kg.linker(embed=trigram_embed, embed_id="trigram-64", persist=False, **dom.linker_options())
    agent = Agent.load(model=enc, kg=kg, rules=RULES, linker=linker, domain=dom)
    (res,) = agent.extract(Document("d1", text), update_graph=False)
    verdicts = {(d.head.text, d.tail.text): d for d in res.decisions if d.kind == "relation"}
    told = verdicts[("Carlo Fusco", "Associated Press")]
    assert told.verdict == "reject" and "spoke to the organisation" in told.reason
    assert verdicts[("Ann Lee", "Acme Corp")].verdict == "accept"
    why = explain_decision(told.to_dict())
    assert "the text says 'told' (the ontology's speech cue)" in why and "2 words apart" in why
