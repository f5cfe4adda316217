"""Review policies (issue 13, part 4): features of decisions, the random and uncertainty
baselines, and a contextual bandit that learns from reward which decisions to ask about."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kgagent.errors import InputError
from kgagent.review.items import uncertainty
from kgagent.review.policy import (FEATURES, LinUCBPolicy, MarginPolicy, RandomPolicy, UncertaintyPolicy,
                                   decision_features, make_policy)
from support.agent_fakes import REPO

FIX = REPO / "tests" / "fixtures" / "review" / "extract" / "decisions.jsonl"


def decisions() -> list[dict]:
    return [json.loads(line) for line in FIX.read_text(encoding="utf-8").splitlines()]


def test_features_of_real_decisions_lie_in_0_1_and_read_the_proof() -> None:
    ds = decisions()
    x = np.stack([decision_features(d) for d in ds])
    assert x.shape == (len(ds), len(FEATURES)) and (x >= 0).all() and (x <= 1).all()
    col = {name: i for i, name in enumerate(FEATURES)}
    for d, row in zip(ds, x):
        assert row[col["score"]] == pytest.approx(float(d["score"]))
        assert row[col["relation"]] == (1.0 if d["kind"] == "relation" else 0.0)
        assert row[col["verdict_review"]] == (1.0 if d["verdict"] == "review" else 0.0)
        if d.get("proof"):
            assert row[col["rules_used"]] > 0
    assert x[:, col["graph_support"]].max() > 0  # some proofs rest on graph facts


def test_random_is_seeded_and_uncertainty_puts_reviews_and_close_calls_first() -> None:
    ds = decisions()
    assert [d["id"] for d in RandomPolicy(3).order(ds)] == [d["id"] for d in RandomPolicy(3).order(list(reversed(ds)))]
    assert [d["id"] for d in RandomPolicy(3).order(ds)] != [d["id"] for d in RandomPolicy(4).order(ds)]
    ordered = UncertaintyPolicy().order(ds)
    verdicts = [d["verdict"] for d in ordered]
    assert verdicts.index("review") == 0 and "review" not in verdicts[verdicts.count("review"):]


def test_margin_asks_the_closest_calls_first_whatever_the_verdict() -> None:
    """The review queue puts every review verdict first, even one the encoder scores near 0;
    the margin policy asks about the scores nearest the threshold, accepts included."""
    ds = [{"id": "d:a", "kind": "relation", "verdict": "review", "score": 0.22},
          {"id": "d:b", "kind": "entity", "verdict": "accept", "score": 0.52},
          {"id": "d:c", "kind": "relation", "verdict": "accept", "score": 0.47},
          {"id": "d:d", "kind": "entity", "verdict": "accept", "score": 0.97},
          {"id": "d:e", "kind": "relation", "verdict": "reject", "score": 0.47}]
    assert [d["id"] for d in UncertaintyPolicy().order(ds)][0] == "d:a"
    assert [d["id"] for d in MarginPolicy().order(ds)] == ["d:b", "d:c", "d:e", "d:a", "d:d"]
    assert [d["id"] for d in make_policy("margin").order(list(reversed(ds)))] == ["d:b", "d:c", "d:e", "d:a", "d:d"]
    real = MarginPolicy().order(decisions())
    close = [uncertainty(d) for d in real]
    assert close == sorted(close, reverse=True)
    assert {d["verdict"] for d in UncertaintyPolicy().order(decisions())[:3]} == {"review"}
    assert {d["verdict"] for d in real[:3]} == {"review", "reject"}  # a 0.7 reject is a closer call than a 0.3 review


def test_the_bandit_learns_which_decisions_are_worth_asking() -> None:
    """Reward 1 for asking about relations, 0 for mentions: after some answers the bandit asks
    about relations first, while uncertainty sampling does not care about the kind."""
    ds = decisions()
    policy = LinUCBPolicy(alpha=0.1)
    rng = np.random.default_rng(0)
    for _ in range(60):
        d = ds[int(rng.integers(len(ds)))]
        policy.update(d, 1.0 if d["kind"] == "relation" else 0.0)
    n_rel = sum(d["kind"] == "relation" for d in ds)
    first = policy.order(ds)[:n_rel]
    assert all(d["kind"] == "relation" for d in first)
    assert policy.theta_[FEATURES.index("relation")] > 0.5


def test_the_bandit_saves_and_loads_its_state(tmp_path) -> None:
    ds = decisions()
    policy = LinUCBPolicy(alpha=0.3)
    for d in ds[:5]:
        policy.update(d, 0.5)
    policy.save(tmp_path / "policy.json")
    again = LinUCBPolicy.load(tmp_path / "policy.json")
    assert again.updates_ == 5 and np.allclose(again.scores(ds), policy.scores(ds))
    (tmp_path / "bad.json").write_text('{"policy": "linucb", "features": ["x"]}')
    with pytest.raises(InputError) as err:
        LinUCBPolicy.load(tmp_path / "bad.json")
    assert err.value.code == "KGA475" and "bad.json" in str(err.value)
    with pytest.raises(InputError) as err:
        make_policy("greedy")
    assert err.value.code == "KGA476"


def test_policy_docstring_examples_run() -> None:
    import doctest

    import kgagent.review.policy as mod

    assert doctest.testmod(mod).failed == 0


def test_the_page_queue_follows_a_policy(tmp_path) -> None:
    import shutil

    from kgagent.review.items import Filters, ReviewSet
    from kgagent.review.server import ReviewApp
    from kgagent.review.store import ReviewStore

    out = tmp_path / "out"
    shutil.copytree(FIX.parent, out)
    reviews = ReviewSet.load(out)
    store = ReviewStore(out / "reviews.sqlite", reviews.fingerprint, parts=reviews.fingerprint_parts)
    try:
        default = ReviewApp(reviews, store).queue("ana", Filters())["ids"]
        shuffled = ReviewApp(reviews, store, policy=RandomPolicy(1)).queue("ana", Filters())["ids"]
        assert sorted(default) == sorted(shuffled) and default != shuffled
        assert shuffled == [d["id"] for d in RandomPolicy(1).order(list(reviews.decisions))]
    finally:
        store.close()
