"""Metrics against hand-worked examples."""

from __future__ import annotations

import pytest

from kgagent.encoder.data import EntitySpan as E
from kgagent.encoder.data import Example
from kgagent.encoder.data import RelationSpan as R
from kgagent.errors import EncoderError
from kgagent.evaluate import decision_calibration, evaluate, expected_calibration_error, paired_bootstrap, prf

TOK = ["w"] * 10


def test_hand_worked_example() -> None:
    gold = [Example(TOK, [E(0, 2, "Peop"), E(4, 5, "Org"), E(7, 8, "Loc")], [R(0, 1, "Work_For"), R(0, 2, "Live_In")]),
            Example(TOK, [E(1, 2, "Loc")], [])]
    pred = [Example(TOK, [E(0, 2, "Peop"), E(4, 5, "Loc"), E(7, 9, "Loc")], [R(0, 1, "Work_For"), R(0, 2, "Live_In")]),
            Example(TOK, [E(1, 2, "Loc"), E(3, 4, "Org")], [])]
    m = evaluate(gold, pred)
    # entities: gold 4, pred 5, correct 2 (Peop 0-2, Loc 1-2)
    assert m["entity"]["micro"] == prf(4, 5, 2)
    assert m["entity"]["micro"]["precision"] == pytest.approx(40.0)
    assert m["entity"]["micro"]["recall"] == pytest.approx(50.0)
    assert m["entity"]["f1"] == pytest.approx(2 * 40 * 50 / 90)
    assert m["entity"]["per_type"]["Loc"] == prf(2, 3, 1)
    assert m["entity"]["per_type"]["Org"] == prf(1, 1, 0)
    # relations strict: Work_For has the wrong tail type, Live_In the wrong tail span -> 0 of 2
    assert m["relation_strict"]["micro"] == prf(2, 2, 0)
    # boundaries: Work_For spans right (type of tail ignored) -> 1 of 2
    assert m["relation_boundaries"]["micro"] == prf(2, 2, 1)
    assert m["relation_boundaries"]["per_type"]["Work_For"]["f1"] == pytest.approx(100.0)
    assert m["sentences"] == 2


def test_empty_and_perfect() -> None:
    gold = [Example(["a"], [], [])]
    m = evaluate(gold, gold)
    assert m["entity"]["micro"] == prf(0, 0, 0) and m["entity"]["f1"] == 0.0
    g = [Example(TOK, [E(0, 1, "X"), E(2, 3, "Y")], [R(1, 0, "r")])]
    assert evaluate(g, g)["relation_strict"]["f1"] == 100.0


def test_misaligned_inputs() -> None:
    with pytest.raises(EncoderError, match="2 gold sentences but 1"):
        evaluate([Example(["a"]), Example(["b"])], [Example(["a"])])
    with pytest.raises(EncoderError, match="different tokens"):
        evaluate([Example(["a"])], [Example(["b"])])


def test_ece_hand_worked() -> None:
    # bin (0.8667, 0.9333]: two at 0.9, both right -> |1 - 0.9| = 0.1, weight 1/2
    # bin (0.5333, 0.6]: two at 0.6, one right -> |0.5 - 0.6| = 0.1, weight 1/2
    assert expected_calibration_error([0.9, 0.9, 0.6, 0.6], [True, True, True, False]) == pytest.approx(0.1)
    assert expected_calibration_error([1.0, 1.0], [True, True]) == pytest.approx(0.0)
    assert expected_calibration_error([], []) == 0.0
    gold = [Example(TOK, [E(0, 1, "X")])]
    pred = [Example(TOK, [E(0, 1, "X", 0.8), E(2, 3, "X", 0.4)])]
    cal = decision_calibration(gold, pred)
    assert cal["entity_ece"] == pytest.approx(0.5 * 0.2 + 0.5 * 0.4) and cal["entity_decisions"] == 2


def test_the_paired_bootstrap_puts_an_interval_on_the_gain() -> None:
    docs = [f"d{i}" for i in range(40)]
    gold = {(d, "r", k) for d in docs for k in range(2)}
    raw = {(d, "r", 0) for d in docs} | {(d, "r", 9) for d in docs[:20]}       # 40 right, 20 wrong
    # the agent drops the wrong ones in half of those documents, and adds a right one in two
    agent = (raw - {(d, "r", 9) for d in docs[:10]}) | {(d, "r", 1) for d in docs[30:32]}
    b = paired_bootstrap(raw, agent, gold, docs, resamples=2000, seed=1, bar=3.0)
    # F1 raw = 2*40/(60+80) = 57.14; agent = 2*42/(52+80) = 63.64
    assert b["gain"] == round(63.64 - 57.14, 2)
    assert b["low"] < b["gain"] < b["high"] and b["low"] > 0
    assert b["better"] == 100.0 and 0 < b["at_least_bar"] <= 100
    assert paired_bootstrap(raw, agent, gold, docs, resamples=2000, seed=1, bar=3.0) == b  # seeded
    same = paired_bootstrap(raw, set(raw), gold, docs, resamples=500)
    assert (same["gain"], same["low"], same["high"], same["better"]) == (0.0, 0.0, 0.0, 0.0)
    assert "at_least_bar" not in same
    # a gain carried by one document is uncertain: draws without it show none
    one = paired_bootstrap(raw, raw | {("d39", "r", 1)}, gold, docs, resamples=2000)
    assert one["low"] == 0.0 and 50 < one["better"] < 80
