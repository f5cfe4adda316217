"""Hand-worked engine tests: closure, negation, arithmetic, comparisons, reasons, errors."""

from __future__ import annotations

import numpy as np
import pytest

from kgagent.errors import RuleError
from kgagent.rules import Engine, format_fact

from engine_helpers import parse


def run(text, facts=None, proofs=True):
    return Engine(parse(text, "t.rules"), record_proofs=proofs).evaluate(facts or {})


@pytest.mark.parametrize("proofs", [True, False])
def test_transitive_closure_non_linear(proofs):
    chain = [(f"n{i}", f"n{i + 1}") for i in range(10)]
    m = run("located_in(X, Z) :- located_in(X, Y), located_in(Y, Z).", {"located_in": chain}, proofs)
    want = {(f"n{i}", f"n{j}") for i in range(11) for j in range(i + 1, 11)}
    assert m.facts("located_in") == want
    assert m.derived_count() == len(want) - 10
    assert m.rule_firings() == {"t.rules:1": len(want) - 10}


def test_transitive_closure_with_cycle_terminates():
    m = run("r(X, Y) :- e(X, Y).\nr(X, Z) :- r(X, Y), e(Y, Z).", {"e": [("a", "b"), ("b", "c"), ("c", "a")]})
    assert m.facts("r") == {(x, y) for x in "abc" for y in "abc"}


def test_stratified_negation():
    text = """
    has_type(M, C) :- mention(M, L, _), subclass(L, C).
    reject(R, "tail type does not fit") :- relation(R, P, _, T), signature(P, _, C), not has_type(T, C).
    accept(R) :- relation(R, _, _, _), not reject(R, _).
    """
    facts = {
        "mention": [("m1", "person", 0.9), ("m2", "city", 0.8), ("m3", "person", 0.7)],
        "subclass": [("person", "person"), ("city", "city"), ("city", "location")],
        "relation": [("r1", "live_in", "m1", "m2"), ("r2", "live_in", "m1", "m3")],
        "signature": [("live_in", "person", "location")],
    }
    m = run(text, facts)
    assert m.facts("reject") == {("r2", "tail type does not fit")}
    assert m.facts("accept") == {("r1",)}
    assert format_fact("reject", ("r2", "tail type does not fit")) == 'reject(r2, "tail type does not fit")'
    assert m.contains("reject", ("r2", "tail type does not fit"))
    assert not m.contains("reject", ("r1", "tail type does not fit"))
    assert not m.contains("reject", ("r9", "never interned"))


def test_arithmetic_and_binding():
    text = """
    next(X, Y) :- n(X), Y = X + 1.
    half(X, H) :- n(X), H = X / 2.
    rem(X, R) :- n(X), R = X % 3.
    mix(X, Y) :- n(X), Y = (X * 2 - 1) / 2.0.
    neg(Y) :- n(X), Y = -1 * X.
    doubled(X + X) :- n(X).
    """
    m = run(text, {"n": [(1,), (4,), (7,)]})
    assert m.facts("next") == {(1, 2), (4, 5), (7, 8)}
    assert m.facts("half") == {(1, 0), (4, 2), (7, 3)}  # int / int floors
    assert m.facts("rem") == {(1, 1), (4, 1), (7, 1)}
    assert m.facts("mix") == {(1, 0.5), (4, 3.5), (7, 6.5)}
    assert m.facts("neg") == {(-1,), (-4,), (-7,)}
    assert m.facts("doubled") == {(2,), (8,), (14,)}
    assert all(type(v) is int for (v,) in m.facts("doubled"))


def test_comparisons_on_numbers_and_strings():
    text = """
    high(R) :- score(R, S), S >= 0.5.
    low(R) :- score(R, S), S < 0.5.
    exact(R) :- score(R, S), S = 1.
    other(R) :- score(R, S), S != 1.
    before(A, B) :- name(A), name(B), A < B.
    """
    m = run(text, {"score": [("r1", 0.9), ("r2", 0.5), ("r3", 0.1), ("r4", 1)], "name": [("b",), ("a",), ("ab",)]})
    assert m.facts("high") == {("r1",), ("r2",), ("r4",)}
    assert m.facts("low") == {("r3",)}
    assert m.facts("exact") == {("r4",)}
    assert m.facts("other") == {("r1",), ("r2",), ("r3",)}
    assert m.facts("before") == {("a", "ab"), ("a", "b"), ("ab", "b")}  # lexicographic


def test_int_and_float_equal_string_differs():
    m = run("same(X) :- a(X), b(X).", {"a": [(1,), ("1",), (2.5,)], "b": [(1.0,), (2.5,)]})
    assert m.facts("same") == {(1,), (2.5,)}


def test_string_constants_in_heads_and_rule_file_facts():
    text = """
    threshold(0.5).
    review(R, "score below threshold") :- score(R, S), threshold(T), S < T.
    """
    m = run(text, {"score": [("r1", 0.2), ("r2", 0.7)]})
    assert m.facts("review") == {("r1", "score below threshold")}
    assert m.facts("threshold") == {(0.5,)}
    assert m.derived_count() == 1


def test_constants_repeated_variables_and_anonymous():
    text = """
    self_loop(X) :- e(X, X).
    from_a(Y) :- e(a, Y).
    has_out(X) :- e(X, _).
    two_step_back(X) :- e(X, Y), e(Y, X).
    """
    m = run(text, {"e": [("a", "a"), ("a", "b"), ("b", "a"), ("c", "d")]})
    assert m.facts("self_loop") == {("a",)}
    assert m.facts("from_a") == {("a",), ("b",)}
    assert m.facts("has_out") == {("a",), ("b",), ("c",)}
    assert m.facts("two_step_back") == {("a",), ("b",)}


def test_propositions_and_negated_anonymous():
    text = """
    nonempty :- e(_, _).
    ok(X) :- f(X), nonempty.
    lonely(X) :- f(X), not e(X, _).
    """
    m = run(text, {"e": [("a", "b")], "f": [("a",), ("z",)]})
    assert m.facts("nonempty") == {()}
    assert m.facts("ok") == {("a",), ("z",)}
    assert m.facts("lonely") == {("z",)}


def test_division_by_zero_names_rule_file_and_line():
    text = "ok(X) :- n(X).\nratio(X, R) :- n(X), R = 10 / X."
    with pytest.raises(RuleError) as err:
        run(text, {"n": [(2,), (0,)]})
    assert err.value.code == "KGA111"
    assert str(err.value).startswith("t.rules:2:")
    assert "t.rules:2" in err.value.message and "division by zero" in err.value.message


def test_arithmetic_on_a_string_is_a_type_error():
    with pytest.raises(RuleError) as err:
        run("next(Y) :- n(X), Y = X + 1.", {"n": [(1,), ("one",)]})
    assert err.value.code == "KGA110"
    assert "'one'" in err.value.message and "t.rules:1" in str(err.value)


def test_ordering_a_number_against_a_string_is_a_type_error():
    with pytest.raises(RuleError) as err:
        run("high(R) :- score(R, S), S > 0.5.", {"score": [("r1", "n/a")]})
    assert err.value.code == "KGA110"


def test_unsafe_and_arity_errors_without_checker():
    with pytest.raises(RuleError) as err:
        run("p(X, Y) :- q(X).")
    assert err.value.code == "KGA115" and "Y" in err.value.message
    with pytest.raises(RuleError) as err:
        run("p(X) :- q(X).\nr(X) :- q(X, _).")
    assert err.value.code == "KGA115" and "t.rules:2" in str(err.value)
    with pytest.raises(RuleError) as err:
        run("p(X) :- q(X), not p(X).")
    assert "negation cycle" in err.value.message


def test_facts_with_wrong_arity_are_rejected():
    with pytest.raises(RuleError) as err:
        run("p(X) :- q(X).", {"q": [("a", "b")]})
    assert err.value.code == "KGA112" and "q" in err.value.message


def test_incremental_loses_facts_downstream_of_negation():
    text = """
    reach(X) :- start(X).
    reach(Y) :- reach(X), e(X, Y).
    unreached(X) :- node(X), not reach(X).
    flagged(X) :- unreached(X), important(X).
    """
    engine = Engine(parse(text))
    facts = {"start": [("a",)], "e": [("a", "b")], "node": [(x,) for x in "abcd"], "important": [("c",), ("d",)]}
    m = engine.evaluate(facts)
    assert m.facts("flagged") == {("c",), ("d",)}
    m.add_facts({"e": [("b", "c")]})
    assert m.facts("reach") == {("a",), ("b",), ("c",)}
    assert m.facts("unreached") == {("d",)}
    assert m.facts("flagged") == {("d",)}
    # the proofs of facts kept are still sound after the recomputation
    assert m.proof("flagged", ("d",)).premises[0].fact == "unreached(d)"
    m.add_facts({"e": [("c", "d")], "node": [("e",)]})
    assert m.facts("flagged") == set()
    assert m.facts("unreached") == {("e",)}
    scratch = engine.evaluate({**facts, "e": [("a", "b"), ("b", "c"), ("c", "d")], "node": facts["node"] + [("e",)]})
    for p in ("reach", "unreached", "flagged"):
        assert m.facts(p) == scratch.facts(p)
    assert m.derived_count() == scratch.derived_count()


def test_incremental_continues_from_new_facts():
    engine = Engine(parse("path(X, Y) :- edge(X, Y).\npath(X, Z) :- path(X, Y), edge(Y, Z)."))
    m = engine.evaluate({"edge": [("a", "b")]})
    m.add_facts({"edge": [("b", "c"), ("c", "d")]})
    assert m.facts("path") == {("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")}
    m.add_facts({"edge": [("b", "c")]})  # nothing new
    assert len(m.facts("path")) == 6
    assert m.rule_firings() == {"t.rules:1": 3, "t.rules:2": 3}


def test_base_fact_also_derivable_counts_as_input():
    m = run("p(X, Z) :- p(X, Y), p(Y, Z).", {"p": [("a", "b"), ("b", "c"), ("a", "c")]})
    assert m.derived_count() == 0
    assert m.proof("p", ("a", "c")).source == "base"


def test_format_fact_quotes_what_is_not_a_bare_name():
    assert format_fact("accept", ("r12",)) == "accept(r12)"
    assert format_fact("text", ("m1", "New York")) == 'text(m1, "New York")'
    assert format_fact("score", ("r1", 0.91)) == "score(r1, 0.91)"
    assert format_fact("n", (3, -2)) == "n(3, -2)"
    assert format_fact("t", ('say "hi"\\',)) == 't("say \\"hi\\"\\\\")'
    assert format_fact("t", ("Upper",)) == 't("Upper")'
    assert format_fact("flag", ()) == "flag"


def test_facts_of_unknown_predicate_is_empty():
    m = run("p(X) :- q(X).", {"q": [("a",)]})
    assert m.facts("nothing") == set()
    assert not m.contains("nothing", ("a",))


def test_engine_strata_are_the_checkers_strata():
    """The engine's own SCC stratification groups rules exactly as kgagent.rules.stratify does,
    in an order where every stratum comes after the strata it reads."""
    from kgagent.rules import parse_rules, stratify

    text = """
    has_type(M, C) :- mention(M, L, _), subclass(L, C).
    reach(X, Y) :- e(X, Y).
    reach(X, Z) :- reach(X, Y), e(Y, Z).
    bad(X) :- node(X), not reach(a, X), not has_type(X, thing).
    odd(X) :- start(X).
    even(Y) :- odd(X), e(X, Y).
    odd(Y) :- even(X), e(X, Y).
    report(X, "odd and bad") :- odd(X), bad(X).
    """
    program = parse_rules(text, "s.rules")
    engine = Engine(program)
    mine = [sorted(r.clause.rule_id for r in st.rules) for st in engine.strata]
    theirs = [sorted(c.rule_id for c in stratum) for stratum in stratify(program)]
    assert sorted(mine) == sorted(theirs)
    position = {p: i for i, st in enumerate(engine.strata) for p in st.heads}
    for i, st in enumerate(engine.strata):
        for p in st.reads_pos | st.reads_neg:
            assert position.get(p, -1) <= i
        for p in st.reads_neg:
            assert position.get(p, -1) < i


def test_parallel_sort_equals_numpy_sort(monkeypatch):
    import numpy as np

    from kgagent.rules import relation

    monkeypatch.setattr(relation, "PARALLEL_SORT_MIN", 8)
    a = np.random.default_rng(1).integers(-(1 << 40), 1 << 40, 1001)
    assert (relation.sort_int64(a) == np.sort(a)).all()
    keys = np.random.default_rng(2).integers(0, 50, 999)
    uniq, first = relation.sort_unique_first(keys)
    assert (uniq == np.unique(keys)).all()
    assert (first == np.unique(keys, return_index=True)[1]).all()  # first occurrence wins


def test_added_fact_that_was_derived_becomes_base():
    engine = Engine(parse("p(X, Z) :- p(X, Y), p(Y, Z)."))
    m = engine.evaluate({"p": [("a", "b"), ("b", "c")]})
    assert m.derived_count() == 1
    m.add_facts({"p": [("a", "c"), ("c", "d")]})
    scratch = engine.evaluate({"p": [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")]})
    assert m.facts("p") == scratch.facts("p")
    assert m.derived_count() == scratch.derived_count() == 2
    assert m.proof("p", ("a", "c")).source == "base"


def test_bad_batch_leaves_the_model_unchanged():
    engine = Engine(parse("r(X) :- q(X)."))
    m = engine.evaluate({"q": [("a",)]})
    with pytest.raises(RuleError):
        m.add_facts({"q": [("b",)], "other": [("x",), ("y", "z")]})
    assert m.facts("q") == {("a",)} and m.facts("r") == {("a",)}


@pytest.mark.parametrize("proofs", [True, False])
def test_rule_without_positive_atoms(proofs):
    m = run("yes(1) :- 1 < 2.\nno(1) :- 2 < 1.\nboth(X) :- yes(X), not no(X).", {}, proofs)
    assert m.facts("yes") == {(1,)} and m.facts("no") == set() and m.facts("both") == {(1,)}
    if proofs:
        assert m.proof("yes", (1,)).rule == "t.rules:1" and m.proof("yes", (1,)).premises == []


@pytest.mark.parametrize("proofs", [True, False])
def test_joins_follow_the_rows_they_give_not_the_order_written(proofs, monkeypatch):
    # As the news domain's listed_posts_crossed: after pred(R, P), a second pred(R2, P) binds a
    # fifth of pred for every binding (P has few values); rel(R, H, B) binds one row (R is a key).
    # Joined in the order written, a document of n relations held n * n / 5 bindings at once.
    import kgagent.rules.engine as engine_module

    widest = []
    join = engine_module._Eval.join

    def measured(self, *args, **kwargs):
        out = join(self, *args, **kwargs)
        widest.append(out.n)
        return out

    monkeypatch.setattr(engine_module._Eval, "join", measured)
    n = 2000
    facts = {"pred": [(f"r{i}", f"p{i % 5}") for i in range(n)],
             "rel": [(f"r{i}", f"h{i // 2}", f"t{i}") for i in range(n)],
             "score": [(f"r{i}", i % 7) for i in range(n)]}
    m = run("crossed(R, R2) :- pred(R, P), score(R, S), pred(R2, P), rel(R2, H, A), rel(R, H, B), A != B,\n"
            "    score(R2, S2), S2 > S.", facts, proofs)
    want = {(f"r{i}", f"r{j}") for i in range(n) for j in range(n)
            if i // 2 == j // 2 and i != j and i % 5 == j % 5 and j % 7 > i % 7}
    assert m.facts("crossed") == want
    assert max(widest) <= 2 * n  # linear: never the n * n / 5 = 800,000 of the written order


def test_an_index_counts_its_distinct_keys():
    from kgagent.rules.relation import Relation

    rel = Relation("p", 2, 0)
    rel.insert([np.array([1, 1, 2, 3]), np.array([5, 6, 5, 5])])
    assert rel.index((0,)).distinct() == 3 and rel.index((1,)).distinct() == 2 and rel.index((0, 1)).distinct() == 4
    rel.insert([np.array([4]), np.array([7])])
    assert rel.index((0,)).distinct() == 4 and rel.index((1,)).distinct() == 3
    assert Relation("q", 1, 0).index((0,)).distinct() == 0


@pytest.mark.parametrize("rule", ["pair(X, Y) :- m(X), m(Y).",  # no shared variable: a cross product
                                  "pair(X, Y) :- m(X), k(X, C), k(Y, C)."])  # one shared value for all
def test_a_join_too_wide_to_hold_is_kga122_naming_the_rule(rule, monkeypatch):
    import kgagent.rules.engine as engine_module

    monkeypatch.setattr(engine_module, "MAX_JOIN_ROWS", 10_000)
    facts = {"m": [(f"x{i}",) for i in range(200)], "k": [(f"x{i}", "c") for i in range(200)]}
    with pytest.raises(RuleError) as err:
        run("ok(a).\n" + rule, facts)
    assert err.value.code == "KGA122" and err.value.location.line == 2
    assert "rule t.rules:2 would join 40,000 rows at once" in err.value.message
    monkeypatch.setattr(engine_module, "MAX_JOIN_ROWS", 40_000)  # at the bound: it runs
    assert len(run("ok(a).\n" + rule, facts).facts("pair")) == 40_000


def test_more_facts_of_a_predicate_than_memory_holds_is_kga125_naming_the_rule(monkeypatch):
    """A transitive closure over a large connected graph derived until the machine ran out of
    memory; now the engine stops at MAX_FACTS_PER_PREDICATE facts of one predicate."""
    import kgagent.rules.engine as engine_module

    monkeypatch.setattr(engine_module, "MAX_FACTS_PER_PREDICATE", 1_000)
    text = "path(X, Y) :- edge(X, Y).\npath(X, Z) :- path(X, Y), edge(Y, Z)."
    chain = {"edge": [(f"n{i}", f"n{i + 1}") for i in range(100)]}  # 5,050 paths
    with pytest.raises(RuleError) as err:
        run(text, chain)
    assert err.value.code == "KGA125" and err.value.location.line == 2
    assert "derived more than 1,000 facts of path/2 (rule t.rules:2 derived" in err.value.message
    monkeypatch.setattr(engine_module, "MAX_FACTS_PER_PREDICATE", 5_050)  # at the bound: it runs
    assert len(run(text, chain).facts("path")) == 5_050


@pytest.mark.parametrize("rule, name, col", [
    ("p(_) :- q(X).", "_", 3), ("p(X + _) :- q(X).", "_", 7), ("p(_A) :- q(X).", "_A", 3),
    ("p(X) :- q(X), X > _.", "_", 19), ("p(X) :- q(X), _Y = 1.", "_Y", 15),
    ("p(X) :- q(X), X = _A.", "_A", 19), ("p(X) :- q(X), not r(_A + 1).", "_A", 21),
    ("p(X) :- q(X), Y = X % _2, Y = 0.", "_2", 23),
])
def test_an_anonymous_variable_the_engine_would_need_bound_is_kga115(rule, name, col):
    """Engine(parse_rules(...)) without the checker raised a bare KeyError('_') while evaluating."""
    with pytest.raises(RuleError) as err:
        run(rule + "\nq(1). r(2).", {})
    assert err.value.code == "KGA115" and err.value.location.line == 1, err.value
    assert err.value.location.col == col and rule[col - 1:].startswith(name)
    assert f"variable {name} in rule t.rules:1 can never be bound" in err.value.message


def test_arithmetic_inside_a_positive_atom_is_kga115_saying_so():
    with pytest.raises(RuleError) as err:
        run("p(X) :- q(X + 1).\nq(1).", {})
    assert err.value.code == "KGA115" and "arithmetic inside the atom q(...)" in err.value.message


@pytest.mark.parametrize("rule, expected", [
    ("p(X) :- q(X), r(_).", {(1,)}), ("p(X) :- q(X), not r(_).", set()),
    ("p(X) :- q(X), not r(X + 1).", set()), ("p(X) :- q(X), not r(X + 5).", {(1,)}),
])
def test_anonymous_variables_and_arithmetic_where_the_engine_can_take_them(rule, expected):
    assert run(rule + "\nq(1). r(2).", {}).facts("p") == expected


BIG = [2**53, 2**53 + 1, 2**53 - 1, -(2**53) - 1, 2**63 - 1, -(2**63) + 1, 2**62 + 1, 0, 1, -1, 7]
DECIMALS = [9007199254740992.0, 9007199254740994.0, -9007199254740992.0, 9.223372036854775808e18,
            -9.223372036854775808e18, 0.5, -0.5, 1.0, 4.611686018427388e18, 1e300, -1e300, 7.0, 2.5]


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "=", "!="])
def test_a_whole_number_past_2_53_against_a_decimal_compares_as_python_does(op):
    """Ordering compared both in float64, which rounds 2^53 + 1 to 2^53: `X > 9007199254740992.0`
    failed for X = 2^53 + 1 (and why_not, which compares in Python, said it held)."""
    py = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
          ">=": lambda a, b: a >= b, "=": lambda a, b: a == b, "!=": lambda a, b: a != b}[op]
    m = run(f"p(X, Y) :- q(X), r(Y), X {op} Y.\ns(X, Y) :- q(X), r(Y), Y {op} X.",
            {"q": [(v,) for v in BIG], "r": [(v,) for v in DECIMALS]})
    assert m.facts("p") == {(a, b) for a in BIG for b in DECIMALS if py(a, b)}
    assert m.facts("s") == {(a, b) for a in BIG for b in DECIMALS if py(b, a)}
