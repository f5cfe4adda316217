"""Review policies (issue 13, part 4): features of decisions, the random and uncertainty
baselines, and a contextual bandit that learns from reward which decisions to ask about."""

from __future__ import annotations

import json

import numpy as np
import pytest

from kgagent.errors import InputError
from kgagent.review.items import accept_boundaries, uncertainty
from kgagent.review.policy import (FEATURES, LinUCBPolicy, MarginPolicy, MentionMarginPolicy, RandomPolicy,
                                   UncertaintyPolicy, YieldPolicy, decision_features, make_policy)
from support.agent_fakes import REPO

FIX = REPO / "tests" / "fixtures" / "review" / "extract" / "decisions.jsonl"


def decisions() -> list[dict]:
    return [json.loads(line) for line in FIX.read_text(encoding="utf-8").splitlines()]


def assert_orders(name: str, policy, ds: list[dict], expected: list[str]) -> None:
    """``policy`` and the policy ``name`` (given ``ds`` reversed) both order ``ds`` as ``expected``."""
    assert [d["id"] for d in policy.order(ds)] == expected
    assert [d["id"] for d in make_policy(name).order(list(reversed(ds)))] == expected


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
    assert_orders("margin", MarginPolicy(), ds, ["d:b", "d:c", "d:e", "d:a", "d:d"])
    real = MarginPolicy().order(decisions())
    close = [uncertainty(d) for d in real]
    assert close == sorted(close, reverse=True)
    assert {d["verdict"] for d in UncertaintyPolicy().order(decisions())[:3]} == {"review"}
    assert {d["verdict"] for d in real[:3]} == {"review", "reject"}  # a 0.7 reject is a closer call than a 0.3 review


def test_the_margin_measures_from_each_kinds_own_accept_boundary() -> None:
    """Rules that accept relations from 0.3 and mentions from about 0.6: the close calls are there,
    not at 0.5. The boundary is fitted from the verdicts themselves; a fixed threshold stays
    available."""
    rel = [{"id": f"r{i:02d}", "kind": "relation", "verdict": "accept" if s >= 0.3 else "review", "score": s}
           for i, s in enumerate([0.05 + 0.02 * k for k in range(13)] + [0.31 + 0.03 * k for k in range(20)])]
    ent = [{"id": f"e{i:02d}", "kind": "entity", "verdict": "accept" if s >= 0.6 else "reject", "score": s}
           for i, s in enumerate([0.4 + 0.01 * k for k in range(15)] + [0.62 + 0.02 * k for k in range(15)])]
    assert accept_boundaries(rel + ent) == {"entity": pytest.approx(0.58), "relation": pytest.approx(0.3)}
    ordered = MarginPolicy().order(rel + ent)
    assert {d["id"] for d in ordered[:2]} == {"r12", "r13"}  # 0.29 and 0.31
    assert [d["id"] for d in ordered if d["kind"] == "entity"][:2] == ["e14", "e15"]  # 0.54 and 0.62
    fixed = MarginPolicy(threshold=0.5).order(rel + ent)[:2]
    assert all(abs(d["score"] - 0.5) < 0.03 for d in fixed)
    assert [d["id"] for d in UncertaintyPolicy().order(rel + ent)][:2] == ["r12", "r11"]  # reviews first, nearest 0.3
    assert accept_boundaries(rel[:15]) == {"relation": 0.5}  # 2 accepts: too few to place a boundary


def test_margin_mentions_asks_every_mention_before_any_relation_the_least_sure_first() -> None:
    """Mentions nearest 0.5 first (an accept at 0.52 before a reject at 0.3), then relations by
    their own margin, however close a relation's call is."""
    ds = [{"id": "d:a", "kind": "relation", "verdict": "review", "score": 0.5},
          {"id": "d:b", "kind": "entity", "verdict": "accept", "score": 0.9},
          {"id": "d:c", "kind": "entity", "verdict": "reject", "score": 0.3},
          {"id": "d:d", "kind": "entity", "verdict": "accept", "score": 0.52},
          {"id": "d:e", "kind": "relation", "verdict": "accept", "score": 0.97}]
    assert_orders("margin-mentions", MentionMarginPolicy(), ds, ["d:d", "d:c", "d:b", "d:a", "d:e"])
    assert [d["id"] for d in MentionMarginPolicy(threshold=0.9).order(ds)][:3] == ["d:b", "d:d", "d:c"]
    real = MentionMarginPolicy().order(decisions())
    kinds = [d["kind"] for d in real]
    assert kinds == sorted(kinds, key=lambda k: k != "entity") and {"entity", "relation"} <= set(kinds)
    gaps = [abs(float(d["score"]) - 0.5) for d in real if d["kind"] == "entity"]
    assert gaps == sorted(gaps)


def test_yield_asks_first_what_adds_the_most_positive_labels_if_confirmed() -> None:
    """A confirmed relation writes itself and its two arguments: a relation at 0.5 (1.5
    expected labels) comes before a mention at 0.99, one at 0.3 (0.9) after it; the close
    calls the margin asks first come last."""
    ds = [{"id": "d:a", "kind": "relation", "verdict": "review", "score": 0.3},
          {"id": "d:b", "kind": "entity", "verdict": "accept", "score": 0.99},
          {"id": "d:c", "kind": "relation", "verdict": "accept", "score": 0.5},
          {"id": "d:d", "kind": "entity", "verdict": "accept", "score": 0.5},
          {"id": "d:e", "kind": "relation", "verdict": "accept", "score": 0.95}]
    assert_orders("yield", YieldPolicy(), ds, ["d:e", "d:c", "d:b", "d:a", "d:d"])
    real = YieldPolicy().order(decisions())
    expected = [YieldPolicy().expected_labels(d) for d in real]
    assert expected == sorted(expected, reverse=True)
    assert real[0]["kind"] == "relation" and real[0]["verdict"] == "accept"


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


def test_a_filtered_queue_measures_from_the_boundary_of_the_whole_extraction(tmp_path) -> None:
    """A queue of one verdict holds no accepts to place a boundary: it is ordered from the
    boundary of every decision (0.3 here), not from 0.5."""
    from kgagent.review.items import Filters, ReviewSet
    from kgagent.review.queue import build_queue

    rel = [{"id": f"r{i:02d}", "kind": "relation", "verdict": "accept" if s >= 0.3 else "review", "score": s}
           for i, s in enumerate([0.05 + 0.02 * k for k in range(13)] + [0.31 + 0.03 * k for k in range(20)])]
    rel += [{"id": "x1", "kind": "relation", "verdict": "review", "score": 0.45},
            {"id": "x2", "kind": "relation", "verdict": "review", "score": 0.28}]
    (tmp_path / "decisions.jsonl").write_text("".join(json.dumps(d) + "\n" for d in rel), encoding="utf-8")
    rs = ReviewSet.load(tmp_path)
    queue = build_queue(rs, Filters(verdict="review"))
    assert len(queue) == 15 and queue[:2] == ["r12", "x2"]  # 0.29 and 0.28 are the closest calls to 0.3
    assert queue.index("x1") > queue.index("r06")  # 0.45 is further from 0.3 than 0.17
    ordered = UncertaintyPolicy().order([d for d in rel if d["verdict"] == "review"])  # fitted on the subset alone
    assert ordered[0]["id"] == "x1"  # ... would put 0.45 first, nearest 0.5
    assert build_queue(rs, Filters(verdict="review"), MarginPolicy())[:2] == ["r12", "x2"]
