"""kgagent.joint: exact joint search of types and predicates under an ontology's signatures."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from kgagent.domain import Ontology
from kgagent.joint import JointMention, JointPair, Signatures, decide, pair_values

ONTO, _ = Ontology.from_toml_text('''
[classes.person]
disjoint_with = ["firm"]
[classes.firm]
[classes.place]
[classes.city]
subclass_of = "place"
[relations.works_for]
domain = "person"
range = "firm"
[relations.based_in]
domain = "firm"
range = "place"
[relations.lies_in]
domain = "place"
range = "place"
[relations.capital]
domain = "place"
range = ["city"]
''')


def test_signatures_take_subclasses_both_ways_and_refuse_disjoint_classes() -> None:
    sig = Signatures(ONTO)
    assert sig.fits("based_in", "firm", "city") and sig.fits("capital", "place", "place")  # place may be a city
    assert not sig.fits("works_for", "firm", "firm") and not sig.fits("nope", "firm", "place")
    assert not sig.known("nope")


def test_the_encoder_choice_stands_when_it_fits() -> None:
    ms = [JointMention("a", "person", {"person": 0.9, "firm": 0.05}), JointMention("b", "firm", {"firm": 0.8})]
    res = decide(ms, [JointPair("a", "b", {"works_for": 0.7}, "works_for")], ONTO, threshold=0.5)
    assert res.types == {"a": "person", "b": "firm"} and res.predicates[("a", "b")] == "works_for"
    assert not res.margins


def test_a_doubtful_type_follows_the_relations_and_the_pair_is_relabelled() -> None:
    ms = [JointMention("p", "person", {"person": 0.95}), JointMention("y", "place", {"place": 0.5, "firm": 0.45}),
          JointMention("r", "place", {"place": 0.97})]
    pairs = [JointPair("p", "y", {"works_for": 0.9}, "works_for"),
             JointPair("y", "r", {"lies_in": 0.8, "based_in": 0.3}, "lies_in")]
    res = decide(ms, pairs, ONTO, threshold=0.5)
    assert res.types["y"] == "firm" and res.predicates[("y", "r")] == "based_in"
    assert res.margins["y"] > 0.5 and res.margins[("y", "r")] > 0.5


def test_a_predicate_without_signature_keeps_the_encoder_choice() -> None:
    ms = [JointMention("a", "firm", {"firm": 0.6, "person": 0.3}), JointMention("b", "firm", {"firm": 0.9})]
    res = decide(ms, [JointPair("a", "b", {"merged_with": 0.9}, "merged_with")], ONTO, threshold=0.5)
    assert res.predicates[("a", "b")] == "merged_with" and res.types["a"] == "firm"
    assert res.undecided and "no signature for merged_with" in res.undecided[0]


def test_over_the_bound_the_component_keeps_the_encoder_labels() -> None:
    ms = [JointMention(f"m{i}", "place", {"place": 0.5, "firm": 0.45, "person": 0.04}) for i in range(6)]
    pairs = [JointPair(f"m{i}", f"m{i + 1}", {"lies_in": 0.9}, "lies_in") for i in range(5)]
    res = decide(ms, pairs, ONTO, threshold=0.5, max_assignments=100)
    assert all(t == "place" for t in res.types.values()) and res.undecided and "bound 100" in res.undecided[0]


def _brute_force(ms, pairs, threshold):
    """Every type assignment and every predicate choice, the old-fashioned way."""
    best = -math.inf
    classes = [sorted(m.scores) for m in ms]
    idx = {m.id: i for i, m in enumerate(ms)}
    sig = Signatures(ONTO)
    for types in itertools.product(*classes):
        total = sum(math.log(m.scores[c]) for m, c in zip(ms, types))
        for p in pairs:
            own = types[idx[p.head]] == ms[idx[p.head]].label and types[idx[p.tail]] == ms[idx[p.tail]].label
            vals = pair_values(p, threshold, 1.0 if own else 0.5)
            total += max([0.0] + [v for q, v in vals.items() if sig.fits(q, types[idx[p.head]], types[idx[p.tail]])])
        best = max(best, total)
    return best


@pytest.mark.parametrize("seed", range(25))
def test_the_search_is_exact(seed: int) -> None:
    rnd = random.Random(seed)
    classes = ["person", "firm", "place"]
    ms = []
    for i in range(4):
        raw = {c: rnd.uniform(0.02, 1) for c in classes}
        tot = sum(raw.values())
        scores = {c: v / tot for c, v in raw.items()}
        ms.append(JointMention(f"m{i}", max(scores, key=scores.get), scores))
    pairs = []
    for a, b in itertools.permutations(range(4), 2):
        if rnd.random() < 0.4:
            sc = {q: rnd.uniform(0.05, 0.95) for q in ("works_for", "based_in", "lies_in") if rnd.random() < 0.6}
            if sc:
                pairs.append(JointPair(f"m{a}", f"m{b}", sc, max(sc, key=sc.get)))
    res = decide(ms, pairs, ONTO, threshold=0.5)
    idx = {m.id: m for m in ms}
    got = sum(math.log(idx[k].scores[c]) for k, c in res.types.items())
    sig = Signatures(ONTO)
    for p in pairs:
        q = res.predicates[(p.head, p.tail)]
        if q is not None:
            h, t = res.types[p.head], res.types[p.tail]
            assert sig.fits(q, h, t)
            own = h == idx[p.head].label and t == idx[p.tail].label
            got += pair_values(p, 0.5, 1.0 if own else 0.5)[q]
    assert got == pytest.approx(_brute_force(ms, pairs, 0.5), abs=1e-9)
    assert decide(ms, list(reversed(pairs)), ONTO, threshold=0.5).types == res.types  # order-independent


@pytest.mark.parametrize("name", ["kgagent.joint", "kgagent.memory", "kgagent.decisions", "kgagent.explain",
                                  "kgagent.decision_diff", "kgagent.errors"])
def test_docstring_examples_run(name: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
