"""A long document costs about its length, not its square: the per-name evidence (the other
mentions of a name, the full names of a short one) is summed once per name, a short name is
paired with the nearest mentions of each full name, and a decision's labels are looked up from
its proof's arguments. The results are those of the plain, pairwise definitions."""

from __future__ import annotations

import math
import random

from support.agent_fakes import ScoredFakeEncoder, make_agent
from kgagent import Document
from kgagent.agent import _named_in, _Names
from kgagent.base_facts import NAME_PRIOR_FLOOR, name_means, name_others, name_priors
from kgagent.decisions import MentionResult
from kgagent.domain import Ontology
from kgagent.names import NEAREST_FULL_NAMES, name_parts
from kgagent.schema import ProofNode

CLASSES = ("location", "misc", "organization", "person")
#: every class may be named by any part of its name
ONTOLOGY, PROBLEMS = Ontology.from_toml_text("".join(
    f'[classes.{c}]\nshort_name = ["first", "last", "initials", "stem"]\n' for c in CLASSES), "o.toml")


def _mention(i: int, text: str, scores: dict[str, float], start: int | None = None) -> MentionResult:
    best = max(scores, key=scores.get)
    s = 10 * i if start is None else start
    return MentionResult(id=f"m{i}", doc="d", sentence=i, start=s, end=s + len(text), text=text, label=best,
                         model_label=best, score=scores[best], class_scores=scores)


def _random_mentions(rng: random.Random, n: int) -> list[MentionResult]:
    names = ["Philips", "philips", "NV Philips", "Cor van der Klugt", "Klugt", "New York", "Ottinger",
             "James Ottinger"]
    out = []
    for i in range(n):
        scores = {c: round(rng.random(), 4) for c in rng.sample(CLASSES, rng.randint(1, 4))}
        out.append(_mention(i, rng.choice(names), scores))
    return out


def _pairwise(mentions, others):
    """The definitions, pair by pair: each mention's others, their mean scores and log prior."""
    by_id = {m.id: m for m in mentions}
    means, priors = {}, {}
    for mid in others.ids():
        os_ = others.of(mid)
        classes = sorted({c for o in (by_id[mid], *os_) for c in o.class_scores})
        means[mid] = {c: math.fsum(o.class_scores.get(c, 0.0) for o in os_) / len(os_) for c in classes}
        priors[mid] = {c: 0.5 * math.fsum(math.log(max(NAME_PRIOR_FLOOR, o.class_scores.get(c, 0.0))) for o in os_)
                       for c in classes}
    return means, priors


def test_name_evidence_summed_once_per_name_equals_the_pairwise_sums() -> None:
    assert not PROBLEMS
    rng = random.Random(7)
    ontology = ONTOLOGY
    for n in (2, 5, 40, 200):
        mentions = _random_mentions(rng, n)
        parts = list(name_parts(mentions))
        others = name_others(mentions, ontology, lambda m: None, parts)
        ids = others.ids()
        if n >= 40:
            assert max(others.count(i) for i in ids) > NEAREST_FULL_NAMES  # long groups, capped parts
        # every mention of a repeated name has the name's other mentions, its full names after them
        for m in mentions:
            same = [o.id for o in mentions if o.id != m.id and o.text.casefold() == m.text.casefold()]
            if same:
                assert [o.id for o in others.of(m.id)][: len(same)] == same
        means, priors = _pairwise(mentions, others)
        assert name_means(others) == means  # correctly rounded both ways: equal, not close
        assert name_priors(others, 0.5) == priors
        assert sorted(ids) == sorted(means)
        # independent of the order of the mentions
        shuffled = mentions[:]
        rng.shuffle(shuffled)
        again = name_others(shuffled, ontology, lambda m: None, list(name_parts(shuffled)))
        if n <= NEAREST_FULL_NAMES:  # (beyond it a part's nearest full names depend on the order)
            assert name_means(again) == means and name_priors(again, 0.5) == priors


def test_a_class_only_a_full_name_scores_counts_the_floor_for_each_other_mention() -> None:
    mentions = [_mention(0, "Ottinger", {"organization": 0.6}), _mention(1, "Ottinger", {"organization": 0.7}),
                _mention(2, "James Ottinger", {"person": 0.9})]
    others = name_others(mentions, ONTOLOGY, lambda m: None, [("m0", "m2", "last"), ("m1", "m2", "last")])
    priors = name_priors(others, 1.0)
    assert priors["m0"]["person"] == math.fsum([math.log(NAME_PRIOR_FLOOR), math.log(0.9)])
    assert priors["m0"]["organization"] == math.fsum([math.log(0.7), math.log(NAME_PRIOR_FLOOR)])
    assert name_means(others)["m1"] == {"organization": 0.3, "person": 0.45}


def test_a_short_name_is_paired_with_the_nearest_mentions_of_each_full_name() -> None:
    many = 3 * NEAREST_FULL_NAMES
    mentions = [_mention(i, "NV Philips", {"organization": 0.9}) for i in range(many)]
    mentions.insert(5, _mention(999, "Philips", {"organization": 0.8}))
    mentions.append(_mention(1000, "Philips Electronics", {"organization": 0.9}))
    pairs = [(p, f) for p, f, _ in name_parts(mentions) if p == "m999"]
    fulls = [f for _, f in pairs]
    nv = [f for f in fulls if f != "m1000"]
    assert len(nv) == NEAREST_FULL_NAMES and "m1000" in fulls  # each full name keeps its nearest
    position = {m.id: k for k, m in enumerate(mentions)}
    farthest = max(abs(position[f] - 5) for f in nv)
    assert all(abs(position[m.id] - 5) >= farthest for m in mentions[:-1] if m.id not in nv and m.id != "m999")
    # below the bound, every full name is paired
    few = mentions[: NEAREST_FULL_NAMES]
    assert {f for p, f, _ in name_parts(few) if p == "m999"} == {m.id for m in few if m.id != "m999"}


def test_a_decision_names_the_ids_its_proof_gives_not_those_containing_them() -> None:
    names = _Names({"urn:ex:place/12": "Twelve", "urn:ex:place/1": "One"}, {"m:1": "Boise", "m:10": "Idaho"})
    proof = ProofNode(fact='accept("m:10")', rule="r:1",
                      premises=[ProofNode(fact='lies_in("m:10", "urn:ex:place/12")', source="graph"),
                                ProofNode(fact='text("m:10", "say \\"m:1\\"")', source="encoder")])
    assert _named_in(proof, names, {"m:10"}) == {"urn:ex:place/12": "Twelve"}
    # in the names' order, whatever the proof's
    proof2 = ProofNode(fact='near("m:1", "urn:ex:place/1", "urn:ex:place/12")', source="base")
    assert list(_named_in(proof2, names, set())) == ["urn:ex:place/12", "urn:ex:place/1", "m:1"]


def test_a_long_document_decides_as_its_sentences_say(tiny_kg) -> None:
    """Through the agent: a name said in many sentences keeps one type (the name prior over all its
    mentions), a short name its full name's entity, in a document of 60 sentences."""
    sentence = "James Ottinger met Bertil Nordin in Paris. Ottinger spoke. "
    classes = {"James Ottinger": {"Peop": 0.96}, "Bertil Nordin": {"Peop": 0.95}, "Paris": {"Loc": 0.97},
               "Ottinger": {"Org": 0.5, "Peop": 0.45}}
    agent = make_agent(tiny_kg, ScoredFakeEncoder(classes, {}, nested=False))
    (res,) = agent.extract(Document("long", sentence * 30), update_graph=False)
    short = [d for d in res.decisions if d.kind == "entity" and d.mention.text == "Ottinger"]
    assert len(short) == 30
    assert {d.label for d in short} == {"person"}  # by its nearest full names and its 29 namesakes
    full_entities = {d.mention.entity for d in res.decisions
                     if d.kind == "entity" and d.mention.text == "James Ottinger"}
    assert len(full_entities) == 1 and {d.mention.entity for d in short} == full_entities
