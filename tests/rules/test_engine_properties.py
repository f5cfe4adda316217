"""Property tests: on random small stratified programs the engine agrees with a naive fixpoint,
incremental evaluation agrees with evaluation from scratch, and every proof replays."""

from __future__ import annotations

from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgagent.rules import Engine
from kgagent.rules import engine as engine_module
from kgagent.rules import relation
from kgagent.rules.ast import Atom, BinOp, Clause, Comparison, Const, Program, SourceLoc, Var

from engine_helpers import _compare, _match, _value, min_heights, naive_model

VARS = ["X", "Y", "Z", "W"]
BASE = {"e": 2, "f": 1}
# level: a predicate may use lower levels positively or negatively, its own level positively
IDB = {"p": (2, 0), "q": (1, 1), "s": (2, 2)}
ARITY = {**BASE, **{p: a for p, (a, _) in IDB.items()}}
LEVEL = {**{p: -1 for p in BASE}, **{p: lv for p, (_, lv) in IDB.items()}}
DOMAIN = st.integers(0, 4)
SMALL = st.integers(0, 3)


@st.composite
def rules(draw, head_pred, line):
    loc = SourceLoc("gen.rules", line, 1)
    hl = LEVEL[head_pred]
    pos_preds = [p for p in ARITY if LEVEL[p] <= hl]
    neg_preds = [p for p in ARITY if LEVEL[p] < hl]
    body = []
    bound: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        pred = draw(st.sampled_from(pos_preds))
        args = []
        for _ in range(ARITY[pred]):
            if draw(st.integers(0, 7)) == 0:
                args.append(Const(draw(SMALL)))
            elif draw(st.integers(0, 6)) == 0:
                args.append(Var("_"))
            else:
                v = draw(st.sampled_from(VARS))
                args.append(Var(v))
                if v not in bound:
                    bound.append(v)
        body.append(Atom(pred, tuple(args), loc=loc))
    if not bound:
        return None
    if neg_preds and draw(st.booleans()):
        pred = draw(st.sampled_from(neg_preds))
        args = tuple(
            Var(draw(st.sampled_from(bound))) if draw(st.integers(0, 4)) else Var("_") for _ in range(ARITY[pred])
        )
        body.append(Atom(pred, args, negated=True, loc=loc))
    if draw(st.booleans()):
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "=", "!="]))
        left = Var(draw(st.sampled_from(bound)))
        if draw(st.booleans()):
            right = Var(draw(st.sampled_from(bound)))
        else:
            right = Const(draw(DOMAIN))
        if draw(st.integers(0, 2)) == 0:
            left = BinOp(draw(st.sampled_from(["+", "-", "*"])), left, Const(draw(st.integers(1, 2))))
        body.append(Comparison(op, left, right, loc=loc))
    head_args = []
    for _ in range(ARITY[head_pred]):
        if draw(st.integers(0, 6)) == 0:
            head_args.append(Const(draw(DOMAIN)))
        else:
            head_args.append(Var(draw(st.sampled_from(bound))))
    recursive = any(isinstance(a, Atom) and a.pred == head_pred for a in body)
    if head_pred == "s" and not recursive and draw(st.integers(0, 2)) == 0:  # arithmetic in a non-recursive head
        head_args[0] = BinOp("+", Var(draw(st.sampled_from(bound))), Const(10))
    return Clause(Atom(head_pred, tuple(head_args), loc=loc), tuple(body), loc=loc)


@st.composite
def programs(draw):
    clauses = []
    line = 1
    if draw(st.booleans()):  # a recursive core, so that most examples derive something
        X, Y, Z = Var("X"), Var("Y"), Var("Z")
        clauses.append(Clause(Atom("p", (X, Y)), (Atom("e", (X, Y)),), SourceLoc("gen.rules", 90, 1)))
        clauses.append(
            Clause(Atom("p", (X, Z)), (Atom("p", (X, Y)), Atom("p", (Y, Z))), SourceLoc("gen.rules", 91, 1))
        )
    for pred in IDB:
        for _ in range(draw(st.integers(1, 3))):
            r = draw(rules(pred, line))
            line += 1
            if r is not None:
                clauses.append(r)
    if draw(st.booleans()):  # a fact written in the rule file
        clauses.append(Clause(Atom("p", (Const(draw(DOMAIN)), Const(draw(DOMAIN)))), (), SourceLoc("gen.rules", line, 1)))
    return Program(clauses=clauses)


def facts_strategy():
    return st.fixed_dictionaries(
        {
            "e": st.sets(st.tuples(SMALL, SMALL), min_size=2, max_size=10),
            "f": st.sets(st.tuples(SMALL), min_size=1, max_size=3),
            "p": st.sets(st.tuples(SMALL, SMALL), max_size=2),  # base facts of a derived predicate
        }
    )


def model_dict(model, preds):
    return {p: model.facts(p) for p in preds}


PREDS = list(ARITY)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(programs(), facts_strategy(), st.booleans())
def test_engine_equals_naive_fixpoint(program, facts, proofs):
    want = naive_model(program, facts)
    got = Engine(program, record_proofs=proofs).evaluate(facts)
    for p in PREDS:
        assert got.facts(p) == want.get(p, set()), p
    pfacts = {tuple(_value(t, {}) for t in c.head.args) for c in program.facts}
    inputs = {p: set(facts.get(p, set())) | (pfacts if p == "p" else set()) for p in IDB}
    assert got.derived_count() == sum(len(want.get(p, set()) - inputs[p]) for p in IDB)


@SETTINGS
@given(programs(), facts_strategy(), st.lists(facts_strategy(), min_size=1, max_size=3), st.booleans())
def test_incremental_equals_from_scratch(program, first, batches, proofs):
    engine = Engine(program, record_proofs=proofs)
    model = engine.evaluate(first)
    total = {p: set(v) for p, v in first.items()}
    for batch in batches:
        model.add_facts(batch)
        for p, v in batch.items():
            total[p] |= v
        scratch = engine.evaluate(total)
        for p in PREDS:
            assert model.facts(p) == scratch.facts(p), p
        assert model.derived_count() == scratch.derived_count()
        if proofs:
            _check_proofs(program, model)


def _replays(program, node_fact, rule_id, premises, model_facts):
    """The rule named by the proof, applied to exactly its premises, gives the fact."""
    clause = next(c for c in program.clauses if c.rule_id == rule_id)
    db = {}
    for pred, args in premises:
        assert args in model_facts[pred], (pred, args)
        db.setdefault(pred, set()).add(args)
    full = {p: set(v) for p, v in model_facts.items()}  # for negations
    pos = [lit for lit in clause.body if isinstance(lit, Atom) and not lit.negated]
    assert len(pos) == len(premises)
    envs = [{}]
    for a, (pred, args) in zip(pos, premises):
        assert a.pred == pred
        envs = [e2 for e in envs if (e2 := _match(a, args, e)) is not None]
    # evaluate remaining literals with the premise bindings
    ok = False
    for env in envs:
        good = True
        for lit in clause.body:
            if lit in pos:
                continue
            if isinstance(lit, Comparison):
                if lit.op == "=" and isinstance(lit.left, Var) and lit.left.name not in env:
                    env = {**env, lit.left.name: _value(lit.right, env)}
                    continue
                if not _compare(lit.op, _value(lit.left, env), _value(lit.right, env)):
                    good = False
            else:
                if any(_match(lit, f, env) is not None for f in full.get(lit.pred, ())):
                    good = False
        if good and (clause.head.pred, tuple(_value(t, env) for t in clause.head.args)) == node_fact:
            ok = True
    return ok


def _check_proofs(program, model, heights=None):
    model_facts = {p: model.facts(p) for p in PREDS}
    for p in IDB:
        for args in model_facts[p]:
            rule_id, prems = model.proof_premises(p, args)
            if rule_id is None:
                continue
            if not prems and any(c.rule_id == rule_id and c.is_fact for c in program.clauses):
                continue
            assert _replays(program, (p, args), rule_id, prems, model_facts), (p, args, rule_id, prems)
            if heights is not None:
                assert model.proof_height(p, args) == heights[(p, args)], (p, args)
            tree = model.proof(p, args)
            assert tree.rule == rule_id and len(tree.premises) == len(prems)


@SETTINGS
@given(programs(), facts_strategy())
def test_every_proof_replays_and_is_shortest(program, facts):
    model = Engine(program).evaluate(facts)
    heights = min_heights(program, facts)
    _check_proofs(program, model, heights)


def _rows(model) -> dict:
    """Every relation row for row: values, first deriving rule, height, premise rows."""
    out = {}
    for p, rel in model.relations.items():
        values = [model.symbols.decode(rel.col(i)).tolist() for i in range(rel.arity)]
        out[p] = (values, rel.rule.tolist(), rel.height.tolist(), rel.prem.tolist())
    return out


@contextmanager
def _general_paths_only():
    """No short-array shortcuts: every sort by packing or merge, every batch inserted alone."""
    saved = relation.SMALL_SORT, engine_module.SMALL_ROUND
    relation.SMALL_SORT = engine_module.SMALL_ROUND = 0
    try:
        yield
    finally:
        relation.SMALL_SORT, engine_module.SMALL_ROUND = saved


@SETTINGS
@given(programs(), facts_strategy(), facts_strategy(), st.booleans())
def test_short_array_paths_give_the_same_model_row_for_row(program, facts, more, proofs):
    def evaluate_then_add():
        model = Engine(program, record_proofs=proofs).evaluate(facts)
        first = _rows(model)
        model.add_facts(more)
        return first, _rows(model)

    with _general_paths_only():
        general = evaluate_then_add()
    assert evaluate_then_add() == general
