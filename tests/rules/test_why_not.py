"""Why a fact was not derived (kgagent.rules.why_not): each rule that could derive it, what held
and the first condition that did not, with its values; the closest rule first."""

from __future__ import annotations

import time

from kgagent.rules import Engine, parse_rules
from kgagent.rules.why_not import goal_text, value_text, why_not

RULES = '''
#base score(R, S).
#base relation(R, P, H, T).
#base text(M, X).
#base backed(R).
honour("Hall of Fame").
reject(R, "too low") :- score(R, S), threshold(low, A), S < A, not backed(R).
reject(R, "an honour") :- relation(R, work_for, _, T), text(T, X), honour(X).
reject(R, "guarded") :- relation(R, _, H, _), not backed(R), text(H, "never").
review(R, "close") :- score(R, S), threshold(low, A), Gap = A - S, Gap < 0.1.
threshold(low, 0.5).
'''


def _model(facts: dict):
    return Engine(parse_rules(RULES, "t.rules")).evaluate(facts)


FACTS = {"score": [("r1", 0.7)], "relation": [("r1", "work_for", "m1", "m2")],
         "text": [("m1", "Jerry Rice"), ("m2", "Hall of Famer")]}


def test_each_rule_says_where_it_stopped_the_closest_first() -> None:
    model = _model(FACTS)
    misses = why_not(model, "reject", ("r1", None))
    assert [m.rule for m in misses] == ["t.rules:7", "t.rules:8", "t.rules:9"]
    low, honour, guarded = misses
    # a threshold the values missed: the comparison as written, the values in the why
    assert (low.satisfied, low.failed, low.why) == (("score(r1, 0.7)", "threshold(low, 0.5)"), "S < A",
                                                    "false for A = 0.5, S = 0.7")
    assert low.head == 'reject(r1, "too low")' and low.conditions == 4
    # a missing fact, bound as far as the best assignment goes
    assert honour.failed == 'honour("Hall of Famer")' and honour.why == "no such fact"
    assert honour.satisfied == ('relation(r1, work_for, _, m2)', 'text(m2, "Hall of Famer")')
    # past its `not` (r1 is not backed), it stops at the head's text (a name-like string is shown bare)
    assert guarded.failed == "text(m1, never)" and guarded.satisfied[-1] == "not backed(r1)"
    assert str(low) == ('t.rules:7 reject(r1, "too low"): 2 of 4 conditions hold, then S < A: '
                        'false for A = 0.5, S = 0.7')
    assert low.to_dict()["why"] == "false for A = 0.5, S = 0.7"


def test_a_not_whose_fact_holds_and_an_assignment() -> None:
    model = _model({**FACTS, "score": [("r1", 0.2)], "backed": [("r1",)]})
    (low, *_) = [m for m in why_not(model, "reject", ("r1", "too low"))]
    assert (low.failed, low.why) == ("not backed(r1)", "it holds")
    (close,) = why_not(model, "review", ("r1", None))
    assert close.failed == "Gap < 0.1" and close.why == "false for Gap = 0.3"


def test_nothing_to_say_when_it_holds_or_no_rule_could() -> None:
    model = _model({**FACTS, "score": [("r1", 0.2)]})
    assert why_not(model, "reject", ("r1", "too low")) == []  # it holds
    assert why_not(model, "reject", ("r1", None)) == []
    assert why_not(model, "accept", ("r1",)) == []  # no rule derives accept
    # a rule whose head's constant does not fit the goal is not asked
    assert all(m.rule != "t.rules:8" for m in why_not(_model(FACTS), "reject", ("r1", "too low")))


def test_texts_as_rule_files_write_them() -> None:
    assert value_text("r1") == "r1" and value_text("Hall of Fame") == '"Hall of Fame"' and value_text(None) == "_"
    assert goal_text("reject", ("r1", None)) == "reject(r1, _)" and value_text(0.5) == "0.5"


def test_a_large_model_is_searched_within_a_budget() -> None:
    """A join over many facts stops at the search limit and still says where it got to."""
    program = parse_rules("p(X) :- a(X, Y), b(Y, Z), c(Z, X), X = nope.\n", "big.rules")
    n = 300
    facts = {"a": [(f"x{i}", f"y{j}") for i in range(1) for j in range(n)],
             "b": [(f"y{j}", f"z{k}") for j in range(n) for k in range(n // 10)],
             "c": [(f"z{k}", "x0") for k in range(n // 10)]}
    model = Engine(program).evaluate(facts)
    t0 = time.perf_counter()
    (miss,) = why_not(model, "p", ("x0",))
    assert time.perf_counter() - t0 < 10
    assert miss.failed == "X = nope" and len(miss.satisfied) == 3
