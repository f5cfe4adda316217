"""Semi-naive bottom-up evaluation, stratum by stratum, columnar and vectorised.

Every constant is interned to an int id (:mod:`kgagent.rules.symbols`); each relation is a set
of numpy id columns (:mod:`kgagent.rules.relation`). A rule body runs as a pipeline over a
*binding table* (one id column per bound variable): the first atom is a delta, each further
atom is joined through a sorted-key index on its bound columns (``searchsorted`` + ``repeat``),
comparisons and ``X = expr`` run as array operations, ``not p(...)`` is an anti-join. The next
atom is the one expected to give the fewest rows: the bindings times its relation's rows per
distinct value of the arguments bound so far (a cross product only when no atom shares a
variable), so the order a rule is written in does not matter.

Rounds. Every row has a *level*: the round from which it may be used. A rule is evaluated in
round ``k`` once per positive atom ``i`` whose relation has rows of level ``k-1`` (the delta):
atoms before ``i`` see rows of level <= ``k-2``, atoms after ``i`` rows of level <= ``k-1``, so
each combination of premises is joined exactly once. Rows derived in round ``k`` get level ``k``.
With proofs, the rows a stratum reads start at level = their proof height, so a fact is derived
first from premises of the lowest height: its recorded proof is a shortest one (minimal height,
as Soufflé's ``explain``). Without proofs every row present starts at level 0 (classic
semi-naive, fewer rounds). :meth:`Model.add_facts` starts rows already in the model at level -1
(never a delta) and new rows at level 0.

Proofs are columns of the relations (first deriving rule, height, premise row ids), never
per-fact objects; :meth:`Model.proof` rebuilds a :class:`~kgagent.schema.ProofNode` tree.

Values: strings and numbers, equal as in Python (``1 == 1.0``, ``"1" != 1``). ``< <= > >=``
compare numbers numerically and strings lexicographically (by code point); comparing a number
with a string that way is an error (KGA110), as is arithmetic on a string; division or modulo
by zero is KGA111. ``/`` on two ints is floor division, ``%`` follows Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kgagent.errors import Location, RuleError
from kgagent.rules.ast import Atom, BinOp, Clause, Comparison, Const, Program, Term, Var
from kgagent.components import strongly_connected
from kgagent.rules.relation import EMPTY, Relation
from kgagent.rules.symbols import INT64_MAX, KIND_FLOAT, KIND_INT, KIND_STR, Symbols
from kgagent.schema import ProofNode

# Error codes raised while evaluating (the checker's codes are below 110).
E_TYPE = "KGA110"  # arithmetic on a string, ordering a number against a string
E_ZERO = "KGA111"  # division or modulo by zero
E_FACTS = "KGA112"  # malformed facts (file line, wrong arity, bad value)
E_UNKNOWN_FACT = "KGA113"  # proof asked for a fact not in the model
E_NO_PROOFS = "KGA114"  # proof asked of a model evaluated with record_proofs=False
E_PROGRAM = "KGA115"  # a program the engine cannot run (unchecked: arity clash, unsafe, cycle)
E_ENDLESS = "KGA120"  # a recursive group of rules still deriving after MAX_ROUNDS rounds
E_TOO_WIDE = "KGA122"  # one join of a rule would hold more than MAX_JOIN_ROWS rows at once
E_OVERFLOW = "KGA123"  # arithmetic on whole numbers past 64 bits
E_TOO_MANY = "KGA125"  # one predicate holds more than MAX_FACTS_PER_PREDICATE facts

_INT64_BOUND = float(2**63)

#: rounds a recursive group of rules may take (a transitive closure takes as many as its longest
#: chain is long): past them the rules are making new values without end (``count(M) :-
#: count(N), M = N + 1``), which would otherwise run for ever (~0.15 ms a round)
MAX_ROUNDS = 100_000
#: a proof that would unfold to more facts than this shows each derived fact's branch once
PROOF_UNFOLD_LIMIT = 10_000

#: rows one join of a rule may hold at once (a few GB of id columns): past them the rule's atoms
#: share too few variables (``pair(X, Y) :- mention(X, _, _), mention(Y, _, _).`` over a long
#: document), which would otherwise take the machine's memory before it ends
MAX_JOIN_ROWS = 50_000_000
#: facts one predicate may hold (~110 bytes each while deriving): past them the rules derive more
#: than a machine holds (a transitive closure over a large connected graph), which would
#: otherwise take its memory before they end
MAX_FACTS_PER_PREDICATE = 50_000_000


def _loc(node, clause: Clause | None = None) -> Location | None:
    loc = getattr(node, "loc", None) or (clause.loc if clause is not None else None)
    return Location(loc.path, loc.line, loc.col) if loc else None


def term_vars(term: Term) -> set[str]:
    """The named variables of a term (anonymous ones left out)."""
    if isinstance(term, Var):
        return set() if term.anonymous else {term.name}
    if isinstance(term, BinOp):
        return term_vars(term.left) | term_vars(term.right)
    return set()


def _anonymous_vars(term: Term) -> list[Var]:
    """The anonymous variables (``_``, ``_X``) of a term, in order."""
    if isinstance(term, Var):
        return [term] if term.anonymous else []
    if isinstance(term, BinOp):
        return _anonymous_vars(term.left) + _anonymous_vars(term.right)
    return []


# --------------------------------------------------------------------------------------------
# compiled rules and strata
# --------------------------------------------------------------------------------------------
@dataclass
class _Rule:
    index: int  # position in Engine.clauses
    clause: Clause
    head: Atom
    pos: list[Atom]  # positive body atoms, in body order
    neg: list[Atom]
    cmps: list[Comparison]

    def __post_init__(self) -> None:  # variable sets and argument plans, computed once
        self.head_vars = _vars_of_atom(self.head) | _expr_vars(self.head)
        self.atom_vars = [_vars_of_atom(a) | _expr_vars(a) for a in self.pos]
        self.neg_vars = [_vars_of_atom(a) | _expr_vars(a) for a in self.neg]
        self.cmp_vars = [(term_vars(c.left), term_vars(c.right)) for c in self.cmps]
        self.pos_plans = [_AtomPlan(a) for a in self.pos]
        self.neg_plans = [_AtomPlan(a) for a in self.neg]


_CONST, _VAR, _EXPR = 0, 1, 2  # kinds of atom arguments in an _AtomPlan


class _AtomPlan:
    """A body atom's arguments by kind, worked out once per engine (the joins loop over these
    instead of testing every term on every call). ``args``: (position, kind, constant value |
    variable name | expression), anonymous variables left out; ``vars``: (position, name)."""

    __slots__ = ("pred", "args", "vars", "n_consts")

    def __init__(self, atom: Atom) -> None:
        self.pred = atom.pred
        args: list[tuple[int, int, object]] = []
        for i, t in enumerate(atom.args):
            if isinstance(t, Const):
                args.append((i, _CONST, t.value))
            elif isinstance(t, Var) and not t.anonymous:
                args.append((i, _VAR, t.name))
            elif isinstance(t, BinOp):
                args.append((i, _EXPR, t))
        self.args = tuple(args)
        self.vars = tuple((i, x) for i, kind, x in args if kind == _VAR)
        self.n_consts = sum(1 for _, kind, _ in args if kind == _CONST)


@dataclass
class _Stratum:
    rules: list[_Rule]
    heads: set[str]
    reads_pos: set[str] = field(default_factory=set)
    reads_neg: set[str] = field(default_factory=set)
    #: does a rule read, positively, what this stratum derives?
    recursive: bool = False
    #: per rule, the predicates of earlier strata it reads positively (one of them empty: it cannot fire)
    inputs: list[tuple[str, ...]] = field(default_factory=list)


def _stratify(rules: list[_Rule]) -> list[_Stratum]:
    """Strata: the strongly connected components of the predicate graph, in dependency order
    (``kgagent.components.strongly_connected``, the stratifier ``rules check`` uses too)."""
    edges: dict[str, set[tuple[str, bool]]] = defaultdict(set)  # head -> (body pred, negated)
    nodes: list[str] = []
    seen: set[str] = set()
    for r in rules:
        for p in [r.head.pred] + [a.pred for a in r.pos + r.neg]:
            if p not in seen:
                seen.add(p)
                nodes.append(p)
        for a in r.pos:
            edges[r.head.pred].add((a.pred, False))
        for a in r.neg:
            edges[r.head.pred].add((a.pred, True))
    comps = strongly_connected(nodes, lambda p: [w for w, _neg in sorted(edges[p])])
    # Tarjan emits components dependencies-first
    comp_of = {p: i for i, c in enumerate(comps) for p in c}
    by_comp: dict[int, list[_Rule]] = defaultdict(list)
    for r in rules:
        by_comp[comp_of[r.head.pred]].append(r)
    strata = []
    for i, comp in enumerate(comps):
        if i not in by_comp:
            continue
        srules = by_comp[i]
        for r in srules:
            for a in r.neg:
                if comp_of[a.pred] == i:
                    raise RuleError(
                        f"negation cycle: {r.head.pred} depends on 'not {a.pred}' in its own "
                        f"recursion (rule {r.clause.rule_id})",
                        code=E_PROGRAM,
                        location=_loc(a, r.clause),
                    )
        st = _Stratum(rules=srules, heads=set(comp))
        for r in srules:
            st.reads_pos |= {a.pred for a in r.pos}
            st.reads_neg |= {a.pred for a in r.neg}
            st.inputs.append(tuple(a.pred for a in r.pos if a.pred not in st.heads))
        st.recursive = bool(st.reads_pos & st.heads)
        strata.append(st)
    return strata


# --------------------------------------------------------------------------------------------
# binding tables
# --------------------------------------------------------------------------------------------
class _Bind:
    """A binding table: ``n`` rows, one id column per bound variable, premise row ids."""

    __slots__ = ("n", "cols", "prem")

    def __init__(self, n: int, cols: dict[str, np.ndarray], prem: dict[int, np.ndarray]):
        self.n = n
        self.cols = cols
        self.prem = prem

    def take(self, sel: np.ndarray) -> "_Bind":
        return _Bind(len(sel), {v: c[sel] for v, c in self.cols.items()}, {j: p[sel] for j, p in self.prem.items()})

    def mask(self, keep: np.ndarray) -> "_Bind":
        if keep.all():
            return self
        return self.take(keep.nonzero()[0])


def _empty(b: _Bind, j: int | None) -> _Bind:
    """No rows, the same columns (and premise ``j`` when given)."""
    prem = {k: p[:0] for k, p in b.prem.items()}
    if j is not None:
        prem[j] = EMPTY
    return _Bind(0, {v: c[:0] for v, c in b.cols.items()}, prem)


class _Levels:
    """When each row of one relation may be used during one stratum evaluation."""

    def __init__(self, rel: Relation, pre_level: np.ndarray):
        self.rel = rel
        self.pre_n = rel.n
        self.pre_level = pre_level
        self.pre_max = int(pre_level.max()) if len(pre_level) else -1
        self.pre_min = int(pre_level.min()) if len(pre_level) else 0
        self.groups: dict[int, np.ndarray] = {}  # level -> the rows present before, of that level
        if len(pre_level):
            if self.pre_min == self.pre_max:
                self.groups[self.pre_min] = np.arange(self.pre_n, dtype=np.int64)
            else:
                order = pre_level.argsort(kind="stable")
                cuts = pre_level[order].searchsorted(np.arange(self.pre_min, self.pre_max + 2)).tolist()
                for level, (lo, hi) in enumerate(zip(cuts, cuts[1:]), start=self.pre_min):
                    if hi > lo:
                        self.groups[level] = order[lo:hi]
        self.round_end = [self.pre_n]  # round_end[r] = rows after round r (r >= 0)

    def delta(self, k: int) -> np.ndarray:
        """Rows of level k-1."""
        parts = []
        g = self.groups.get(k - 1)
        if g is not None:
            parts.append(g)
        if k - 1 >= 1 and k - 1 < len(self.round_end):
            lo, hi = self.round_end[k - 2], self.round_end[k - 1]
            if hi > lo:
                parts.append(np.arange(lo, hi, dtype=np.int64))
        if not parts:
            return EMPTY
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def any_upto(self, limit: int) -> bool:
        """Are there rows of level <= limit?"""
        if self.pre_n and self.pre_min <= limit:
            return True
        if limit < 1:
            return False
        end = self.round_end[min(limit, len(self.round_end) - 1)]
        return end > self.pre_n

    def all_avail(self, limit: int) -> bool:
        end = self.round_end[limit] if 0 <= limit < len(self.round_end) else (self.rel.n if limit >= 0 else self.pre_n)
        return self.pre_max <= limit and end >= self.rel.n

    def avail(self, rows: np.ndarray, limit: int) -> np.ndarray:
        """Mask: rows of level <= limit."""
        if limit >= len(self.round_end):
            end = self.rel.n
        elif limit >= 0:
            end = self.round_end[limit]
        else:
            end = self.pre_n
        # rows present before the stratum: by their level; rows derived since: those before ``end``
        if self.pre_max <= limit:  # all of the former (and end >= pre_n)
            return rows < end
        if self.pre_min > limit:  # none of the former
            return (rows >= self.pre_n) & (rows < end)
        if self.rel.n == self.pre_n:  # only the former
            return self.pre_level[rows] <= limit
        is_pre = rows < self.pre_n
        return np.where(is_pre, self.pre_level[np.minimum(rows, self.pre_n - 1)] <= limit, rows < end)


# --------------------------------------------------------------------------------------------
# the engine
# --------------------------------------------------------------------------------------------
class Engine:
    """Compiles a checked :class:`Program` for evaluation.

    >>> from kgagent.rules.ast import Atom, Clause, Var, Const, Program
    >>> X, Y, Z = Var("X"), Var("Y"), Var("Z")
    >>> tc = Clause(Atom("path", (X, Z)), (Atom("edge", (X, Y)), Atom("path", (Y, Z))))
    >>> base = Clause(Atom("path", (X, Y)), (Atom("edge", (X, Y)),))
    >>> model = Engine(Program([base, tc])).evaluate({"edge": [("a", "b"), ("b", "c")]})
    >>> sorted(model.facts("path"))
    [('a', 'b'), ('a', 'c'), ('b', 'c')]
    """

    def __init__(self, program: Program, record_proofs: bool = True) -> None:
        self.program = program
        self.record_proofs = record_proofs
        self.clauses: list[Clause] = list(program.clauses)
        self.arity: dict[str, int] = {}
        self.arity_loc: dict[str, Clause] = {}
        for d in program.declarations:
            self.arity.setdefault(d.pred, d.arity)
        rules: list[_Rule] = []
        for i, c in enumerate(self.clauses):
            self._note_arity(c.head, c)
            if c.is_fact:
                continue
            pos, neg, cmps = [], [], []
            for lit in c.body:
                if isinstance(lit, Atom):
                    self._note_arity(lit, c)
                    (neg if lit.negated else pos).append(lit)
                else:
                    cmps.append(lit)
            rule = _Rule(i, c, c.head, pos, neg, cmps)
            self._check_safe(rule)
            rules.append(rule)
        self.rules = rules
        #: each rule by its clause index (a proof names the clause that derived a fact)
        self.rule_by_index: dict[int, _Rule] = {r.index: r for r in rules}
        self.fact_clauses = [(i, c) for i, c in enumerate(self.clauses) if c.is_fact]
        self.fact_index: dict[str, list[int]] = defaultdict(list)
        for i, c in self.fact_clauses:
            self.fact_index[c.head.pred].append(i)
        self.strata = _stratify(rules)
        width: dict[str, int] = defaultdict(int)
        for r in rules:
            width[r.head.pred] = max(width[r.head.pred], len(r.pos))
        self.prem_width = dict(width) if record_proofs else {}

    def _note_arity(self, atom: Atom, clause: Clause) -> None:
        known = self.arity.get(atom.pred)
        if known is None:
            self.arity[atom.pred] = atom.arity
        elif known != atom.arity:
            raise RuleError(
                f"{atom.pred} used with {atom.arity} arguments here but {known} elsewhere",
                code=E_PROGRAM,
                location=_loc(atom, clause),
            )

    def _check_safe(self, rule: _Rule) -> None:
        for a in rule.pos:
            if any(isinstance(t, BinOp) for t in a.args):
                raise RuleError(
                    f"arithmetic inside the atom {a.pred}(...) of rule {rule.clause.rule_id}: the engine "
                    "matches stored facts, it cannot solve for a variable; compute it first, e.g. "
                    "'Y = X + 1, p(Y)'",
                    code=E_PROGRAM,
                    location=_loc(a, rule.clause),
                )
        places = [(rule.head, t) for t in rule.head.args]
        places += [(a, t) for a in rule.pos + rule.neg for t in a.args if isinstance(t, BinOp)]
        places += [(c, t) for c in rule.cmps for t in (c.left, c.right)]
        for node, term in places:
            anon = _anonymous_vars(term)
            if anon:
                raise RuleError(
                    f"variable {anon[0].name} in rule {rule.clause.rule_id} can never be bound: a variable "
                    "starting with '_' means 'any value', which a head, a comparison or arithmetic "
                    "cannot use; give it a name that also appears in a positive atom of the body",
                    code=E_PROGRAM,
                    location=_loc(anon[0], rule.clause) if anon[0].loc else _loc(node, rule.clause),
                )
        bound: set[str] = set()
        for a in rule.pos:
            bound |= _vars_of_atom(a)
        changed = True
        while changed:  # X = expr binds X once expr is bound
            changed = False
            for c in rule.cmps:
                if c.op != "=":
                    continue
                for target, other in ((c.left, c.right), (c.right, c.left)):
                    if isinstance(target, Var) and not target.anonymous and target.name not in bound:
                        if term_vars(other) <= bound:
                            bound.add(target.name)
                            changed = True
        needed = [(rule.head, _vars_of_atom(rule.head) | _expr_vars(rule.head))]
        needed += [(a, _vars_of_atom(a)) for a in rule.neg]
        needed += [(c, term_vars(c.left) | term_vars(c.right)) for c in rule.cmps]
        for node, vs in needed:
            missing = sorted(vs - bound)
            if missing:
                raise RuleError(
                    f"unsafe variable {missing[0]} in rule {rule.clause.rule_id}: "
                    "it is not bound by a positive atom",
                    code=E_PROGRAM,
                    location=_loc(node, rule.clause),
                )

    # -- public ------------------------------------------------------------------------------
    def evaluate(self, facts: Mapping[str, Iterable] | None = None) -> "Model":
        """Evaluate the program over base ``facts`` (pred -> tuples) to its fixpoint."""
        model = Model(self)
        model._load(facts or {}, base=True)
        model._insert_clause_facts()
        for st in self.strata:
            model._eval_stratum(st, incremental_mark=None)
        return model


def _vars_of_atom(a: Atom) -> set[str]:
    return {t.name for t in a.args if isinstance(t, Var) and not t.anonymous}


def _expr_vars(a: Atom) -> set[str]:
    out: set[str] = set()
    for t in a.args:
        if isinstance(t, BinOp):
            out |= term_vars(t)
    return out


# --------------------------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------------------------
class Model:
    """The facts of an evaluated program, with proofs. Built by :meth:`Engine.evaluate`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.symbols = Symbols()
        self.relations: dict[str, Relation] = {}
        self._texts: dict[tuple[str, int], str] = {}  # a fact's text by (predicate, row): proofs share premises
        #: several documents evaluated at once (kgagent.rules.documents): these predicates' first
        #: column is the document, left out of fact texts, and the ``hidden`` ones out of proofs
        self.doc_column: frozenset[str] = frozenset()
        self.hidden: frozenset[str] = frozenset()

    # -- storage -----------------------------------------------------------------------------
    def _rel(self, pred: str, arity: int | None = None) -> Relation:
        rel = self.relations.get(pred)
        if rel is None:
            a = self.engine.arity.get(pred, arity)
            if a is None:
                a = 0
            rel = self.relations[pred] = Relation(pred, a, self.engine.prem_width.get(pred, 0))
        return rel

    def _load(self, facts: Mapping[str, Iterable], base: bool) -> dict[str, int]:
        """Insert base facts; returns pred -> number of new rows."""
        from kgagent.rules.facts_io import TextColumns

        added: dict[str, int] = {}
        staged = []
        sym = self.symbols
        if not isinstance(facts, Mapping):
            raise RuleError(f"facts are a mapping of predicate name -> rows (tuples), not {type(facts).__name__}",
                            code=E_FACTS)
        for pred, rows in facts.items():
            if not isinstance(pred, str):
                raise RuleError(f"a predicate name is a string, not {pred!r}", code=E_FACTS)
            if isinstance(rows, TextColumns):
                arity, n = rows.arity, rows.n
                cols = list(sym.intern_texts(rows.flat).reshape(n, arity).T.copy()) if n and arity else [EMPTY] * arity
                where = rows.path
            else:
                # a set's order changes with the process's string hashing (PYTHONHASHSEED): sorted, so
                # that rows, symbols and the first of equally short proofs are the same in every run
                if not isinstance(rows, Iterable):
                    raise RuleError(f"the facts of {pred} are {rows!r}: expected rows (tuples of values)",
                                    code=E_FACTS)
                rows = sorted_rows(rows) if isinstance(rows, (set, frozenset)) else list(rows)
                n = len(rows)
                if n == 0:
                    if pred in self.engine.arity:
                        self._rel(pred)
                    continue
                arity = len(rows[0]) if isinstance(rows[0], tuple) else self.engine.arity.get(pred, 1)
                where = None
                for i, r in enumerate(rows):
                    if not isinstance(r, tuple) or len(r) != arity:
                        raise RuleError(
                            f"fact {i + 1} of {pred} is {r!r}: expected a tuple of {arity} values",
                            code=E_FACTS,
                        )
                try:
                    cols = [sym.intern_many(col) for col in zip(*rows)] if arity else []
                except TypeError as err:
                    raise RuleError(f"bad value in facts of {pred}: {err}", code=E_FACTS) from None
            known = self.engine.arity.get(pred)
            if known is not None and known != arity:
                raise RuleError(
                    f"{pred} has {arity} columns in the facts but the rules use {known}",
                    code=E_FACTS,
                    location=Location(where) if where else None,
                )
            old = self.relations.get(pred)
            if old is not None and old.arity != arity and (old.n or pred in self.engine.arity):
                raise RuleError(f"{pred} has {arity} columns here but {old.arity} before", code=E_FACTS)
            staged.append((pred, arity, cols, n))
        # everything checked: insert (so a bad batch leaves the model as it was)
        for pred, arity, cols, n in staged:
            rel = self._rel(pred, arity)
            if rel.arity != arity:
                rel = self.relations[pred] = Relation(pred, arity, self.engine.prem_width.get(pred, 0))
            if arity == 0:
                added[pred] = rel.insert([], rule=np.full(n, -1, dtype=np.int32))
                continue
            n0 = rel.n
            added[pred] = rel.insert(cols, rule=-1, height=0)
            if n0:  # a given fact that rules had derived before is now a base fact
                rows = rel.find(cols)
                rows = rows[(rows >= 0) & (rows < n0)]
                rows = rows[~self._is_input(rel)[rows]]
                if len(rows):
                    rel._rule[rows] = -1
                    rel._height[rows] = 0
                    if rel._prem.shape[0]:
                        rel._prem[:, rows] = -1
        return added

    def _insert_clause_facts(self) -> None:
        """Facts written in rule files: base rows whose rule is the fact's clause (height 0)."""
        by_pred: dict[str, tuple[list[list[int]], list[int]]] = {}
        for i, c in self.engine.fact_clauses:
            head = c.head
            vals = []
            for t in head.args:
                if isinstance(t, Const):
                    vals.append(self.symbols.intern(t.value))
                elif isinstance(t, BinOp) and not term_vars(t):
                    vals.append(int(_Eval(self, None, c).ids(t, _Bind(1, {}, {}))[0]))
                else:
                    raise RuleError(
                        f"a fact cannot contain a variable: {head.pred}(...)",
                        code=E_PROGRAM,
                        location=_loc(t, c),
                    )
            rows, idx = by_pred.setdefault(head.pred, ([], []))
            rows.append(vals)
            idx.append(i)
        for pred, (rows, idx) in by_pred.items():
            rel = self._rel(pred)
            rule = np.asarray(idx, dtype=np.int32)
            if rel.arity == 0:
                rel.insert([], rule=rule[:1])
            else:
                cols = [np.asarray(col, dtype=np.int64) for col in zip(*rows)]
                rel.insert(cols, rule=rule, height=0)

    # -- evaluation --------------------------------------------------------------------------
    def _eval_stratum(self, st: _Stratum, incremental_mark: dict[str, int] | None) -> int:
        eng = self.engine
        proofs = eng.record_proofs
        preds = st.heads | st.reads_pos
        if all(any(self._rel(p).n == 0 for p in inputs) for inputs in st.inputs):
            # every rule reads a predicate of an earlier stratum that holds nothing: none can fire
            # (most strata of a small document, whose facts touch few of the rules' predicates)
            for p in preds | st.reads_neg:
                self._rel(p)
            return 0
        levels: dict[str, _Levels] = {}
        for p in preds:
            rel = self._rel(p)
            if incremental_mark is not None:
                mark = incremental_mark.get(p, 0)
                lv = np.zeros(rel.n, dtype=np.int32)
                lv[:mark] = -1
            elif proofs:
                lv = rel.height  # a view: rows present before a stratum keep their height in it
            else:
                lv = np.zeros(rel.n, dtype=np.int32)
            levels[p] = _Levels(rel, lv)
        for p in st.reads_neg:
            self._rel(p)
        max_pre = max((lv.pre_max for lv in levels.values()), default=-1)
        exact = proofs and incremental_mark is None  # levels are heights: round k derives height k
        if exact and not st.recursive:
            return self._eval_once(st, levels, max_pre)
        total = 0
        k = 1
        while True:
            cands: dict[str, list] = defaultdict(list)
            for r in st.rules:
                if not r.pos:
                    if k == 1 and incremental_mark is None:
                        _Eval(self, r, r.clause).run(None, k, levels, cands, exact)
                    continue
                ev = None
                for d in range(len(r.pos)):
                    drows = levels[r.pos[d].pred].delta(k)
                    # no new rows for this atom, or another atom with no usable rows: nothing to derive
                    if not len(drows) or any(
                        not levels[a.pred].any_upto(k - 2 if j < d else k - 1)
                        for j, a in enumerate(r.pos)
                        if j != d
                    ):
                        continue
                    ev = ev or _Eval(self, r, r.clause)
                    ev.run((d, drows), k, levels, cands, exact)
            new = 0
            for p, batches in cands.items():
                new += self._insert_candidates(p, batches, proofs)
            for p in preds:
                levels[p].round_end.append(self.relations[p].n)
            total += new
            if new == 0 and k > max_pre:
                break
            k += 1
            if k > MAX_ROUNDS + max(max_pre, 0):
                rule = next((r for r in st.rules if any(a.pred in st.heads for a in r.pos)), st.rules[0])
                raise RuleError(
                    f"the rules deriving {', '.join(sorted(st.heads))} still found new facts after "
                    f"{MAX_ROUNDS:,} rounds: a rule that makes a new value from one it derived, without end "
                    f"(rule {rule.clause.rule_id}: bound it, e.g. by a fact's range, not a large number)",
                    code=E_ENDLESS, location=_loc(rule.clause.head, rule.clause))
        return total

    def _eval_once(self, st: _Stratum, levels: dict[str, "_Levels"], max_pre: int) -> int:
        """A stratum no rule of which reads what it derives, in one pass over every row: each
        fact's proof height is one more than its premises' highest (the lowest such derivation is
        kept), as the round-by-round evaluation finds it, without one round per height present."""
        cands: dict[str, list] = defaultdict(list)
        everything = max_pre + 2  # a round after every row present: all of them usable
        for r in st.rules:
            ev = _Eval(self, r, r.clause)
            if not r.pos:
                ev.run(None, 1, levels, cands, True)
            elif all(levels[a.pred].any_upto(everything) for a in r.pos):
                ev.run((0, np.arange(levels[r.pos[0].pred].pre_n, dtype=np.int64)), everything, levels, cands, False)
        return sum(self._insert_candidates(p, batches, True) for p, batches in cands.items())

    def _insert_candidates(self, pred: str, batches: list, proofs: bool) -> int:
        """batches: (cols, rule index, height (scalar or array), premise row arrays or None).

        Several batches of one height are inserted as if one after the other (rows appended
        batch by batch): in one call while the round is small (the per-call cost dominates
        there), else batch by batch (no concatenated copies)."""
        new = self._insert_batches(pred, batches, proofs)
        if self.relations[pred].n > MAX_FACTS_PER_PREDICATE:
            self._too_many(pred)
        return new

    def _too_many(self, pred: str) -> None:
        """KGA125, naming the rule that derived most of ``pred``'s facts."""
        rel = self.relations[pred]
        ids = rel.rule[rel.rule >= 0]
        top = int(np.bincount(ids).argmax()) if len(ids) else -1
        clause = self.engine.clauses[top] if top >= 0 else None
        by = f" (rule {clause.rule_id} derived {int((ids == top).sum()):,} of them)" if clause is not None else ""
        raise RuleError(
            f"the rules derived more than {MAX_FACTS_PER_PREDICATE:,} facts of {pred}/{rel.arity}{by}: more "
            "than memory holds; derive fewer (a closure over fewer nodes, a narrower condition)",
            code=E_TOO_MANY, location=_loc(clause.head, clause) if clause is not None else None)

    def _insert_batches(self, pred: str, batches: list, proofs: bool) -> int:
        rel = self.relations[pred]
        heights = [b[2] for b in batches]
        scalar = all(not isinstance(h, np.ndarray) for h in heights)
        if len(batches) > 1 and rel.arity and scalar and (len(set(heights)) > 1 or _n_candidates(batches) > SMALL_ROUND):
            return sum(
                rel.insert(cols, rule=rule, height=height, prem=prem if proofs else None)
                for cols, rule, height, prem in batches
            )
        if len(batches) == 1:
            cols, rule, height, prem = batches[0]
        else:
            cols, rule, height, prem = _concat_batches(rel, batches, proofs)
        if isinstance(height, np.ndarray) and len(height) and height.min() != height.max():
            order = height.argsort(kind="stable")  # lowest height first among equal facts
            cols = [c[order] for c in cols]
            rule = rule[order] if isinstance(rule, np.ndarray) else rule
            height = height[order]
            prem = [p_[order] for p_ in prem] if prem else prem
        if rel.arity == 0:
            n0 = rel.n
            if isinstance(rule, np.ndarray):
                rel.insert([], rule=rule, height=height, prem=prem)
            else:
                rel.insert([], rule=np.array([rule], dtype=np.int32), height=height, prem=[p_[:1] for p_ in prem] if prem else None)
            return rel.n - n0
        return rel.insert(cols, rule=rule, height=height, prem=prem if proofs else None)

    def add_facts(self, facts: Mapping[str, Iterable]) -> None:
        """Add base facts and bring the model up to date (same result as evaluating anew).

        Strata that read a changed predicate only positively continue semi-naive from the new
        rows; a stratum that reads a changed predicate under ``not`` (or reads one that was
        recomputed) is recomputed from its inputs, since it can lose facts."""
        mark = {p: r.n for p, r in self.relations.items()}
        added = self._load(facts, base=True)
        changed = {p for p, n in added.items() if n}
        recomputed: set[str] = set()
        for st in self.engine.strata:
            reads = st.reads_pos | st.reads_neg
            if (st.reads_neg & changed) or (reads & recomputed):
                for p in st.heads:
                    rel = self._rel(p)
                    keep = self._is_input(rel)
                    rel.keep_rows(keep)
                self._eval_stratum(st, incremental_mark=None)
                recomputed |= st.heads
                changed |= st.heads
            elif (st.reads_pos | st.heads) & changed:
                n0 = {p: self._rel(p).n for p in st.heads}
                self._eval_stratum(st, incremental_mark=mark)
                if any(self.relations[p].n > n0[p] for p in st.heads) or (st.heads & changed):
                    changed |= st.heads

    def _is_input(self, rel: Relation) -> np.ndarray:
        rule = rel.rule
        keep = rule < 0
        facts = self.engine.fact_index.get(rel.pred)
        if facts:
            keep |= np.isin(rule, np.asarray(facts, dtype=np.int32))
        return keep

    # -- queries -----------------------------------------------------------------------------
    def predicates(self) -> list[str]:
        return sorted(self.relations)

    def facts(self, pred: str) -> set[tuple]:
        """All facts of ``pred`` (base and derived) as Python tuples."""
        rel = self.relations.get(pred)
        if rel is None or rel.n == 0:
            return set()
        if rel.arity == 0:
            return {()}
        cols = [self.symbols.decode(rel.col(i)) for i in range(rel.arity)]
        return set(zip(*cols))

    def rows(self, pred: str, derived_only: bool = False) -> list[tuple]:
        """Facts of ``pred`` in row order (derived only: those a rule derived)."""
        rel = self.relations.get(pred)
        if rel is None or rel.n == 0:
            return []
        sel = np.flatnonzero(~self._is_input(rel)) if derived_only else np.arange(rel.n)
        if rel.arity == 0:
            return [()] * len(sel)
        cols = [self.symbols.decode(rel.col(i)[sel]) for i in range(rel.arity)]
        return list(zip(*cols))

    def _find(self, pred: str, args: tuple) -> int:
        rel = self.relations.get(pred)
        if rel is None or rel.n == 0 or len(args) != rel.arity:
            return -1
        if rel.arity == 0:
            return 0
        ids = []
        for a in args:
            try:
                i = self.symbols.lookup(a)
            except TypeError:
                return -1
            if i is None:
                return -1
            ids.append(np.array([i], dtype=np.int64))
        return int(rel.find(ids)[0])

    def contains(self, pred: str, args: tuple) -> bool:
        return self._find(pred, tuple(args)) >= 0

    def derived_count(self, pred: str | None = None) -> int:
        """Facts derived by rules that were not given as base facts (nor written in a rule file)."""
        preds = [pred] if pred is not None else list(self.relations)
        total = 0
        for p in preds:
            rel = self.relations.get(p)
            if rel is not None and rel.n:
                total += int((~self._is_input(rel)).sum())
        return total

    def rule_firings(self) -> dict[str, int]:
        """rule_id -> number of facts it derived first (rules that derived nothing included)."""
        counts = np.zeros(len(self.engine.clauses), dtype=np.int64)
        for rel in self.relations.values():
            r = rel.rule
            r = r[r >= 0]
            if len(r):
                counts += np.bincount(r, minlength=len(counts))
        out: dict[str, int] = {}
        for rule in self.engine.rules:
            rid = rule.clause.rule_id
            out[rid] = out.get(rid, 0) + int(counts[rule.index])
        return out

    def proof_height(self, pred: str, args: tuple) -> int:
        row = self._find(pred, tuple(args))
        if row < 0:
            raise RuleError(f"{format_fact(pred, tuple(args))} is not in the model", code=E_UNKNOWN_FACT)
        return int(self.relations[pred].height[row])

    def proof(self, pred: str, args: tuple) -> ProofNode:
        """The recorded (shortest) proof of a fact, down to base facts."""
        args = tuple(args)
        row = self._find(pred, args)
        if row < 0:
            raise RuleError(f"{format_fact(pred, args)} is not in the model", code=E_UNKNOWN_FACT)
        if not self.engine.record_proofs:
            raise RuleError("proofs were not recorded (Engine(..., record_proofs=False))", code=E_NO_PROOFS)
        return self._proof_tree(pred, row)

    def _fact_text(self, pred: str, row: int) -> str:
        text = self._texts.get((pred, row))
        if text is None:
            rel = self.relations[pred]
            first = 1 if pred in self.doc_column else 0
            text = format_fact(pred, tuple(self.symbols.values[int(rel.col(i)[row])] for i in range(first, rel.arity)))
            self._texts[(pred, row)] = text
        return text

    def _proof_tree(self, pred: str, row: int) -> ProofNode:
        """The proof of one row, unfolded as a tree; one that would unfold to more than
        :data:`PROOF_UNFOLD_LIMIT` facts (a derived fact that two premises use, in a chain of
        such, doubles at each level) shows each derived fact's branch once, its later uses
        marked ``proved_above``."""
        root = self._unfold_proof(pred, row, limit=PROOF_UNFOLD_LIMIT)
        return root if root is not None else self._unfold_proof(pred, row, limit=None)

    def _unfold_proof(self, pred: str, row: int, limit: int | None) -> ProofNode | None:
        """The tree (None past ``limit`` facts), or with ``limit=None`` the tree whose derived
        facts are unfolded once each, in the order the tree is read."""
        clauses = self.engine.clauses
        by_index = self.engine.rule_by_index
        hidden = self.hidden
        root: ProofNode | None = None
        unfolded: set[tuple[str, int]] = set()
        stack: list[tuple[str, int, ProofNode | None]] = [(pred, row, None)]
        count = 0
        while stack:
            p, rw, parent = stack.pop()
            count += 1
            if limit is not None and count > limit:
                return None
            rel = self.relations[p]
            ri = int(rel.rule[rw])
            fact = self._fact_text(p, rw)
            derived = ri >= 0 and not clauses[ri].is_fact
            if ri < 0:
                node = ProofNode(fact=fact, source="base")
            elif not derived:
                node = ProofNode(fact=fact, rule=clauses[ri].rule_id)
            elif limit is None and (p, rw) in unfolded:
                node = ProofNode(fact=fact, rule=by_index[ri].clause.rule_id, proved_above=True)
                derived = False
            else:
                node = ProofNode(fact=fact, rule=by_index[ri].clause.rule_id)
                unfolded.add((p, rw))
            if parent is None:
                root = node
            else:
                parent.premises.append(node)  # siblings leave the stack in their order
            if derived:
                rule = by_index[ri]
                for j in reversed(range(len(rule.pos))):
                    if rule.pos[j].pred not in hidden:
                        stack.append((rule.pos[j].pred, int(rel.prem[j, rw]), node))
        return root

    def proof_premises(self, pred: str, args: tuple) -> tuple[str | None, list[tuple[str, tuple]]]:
        """The recorded rule id and premise facts of one fact (one level of its proof)."""
        row = self._find(pred, tuple(args))
        if row < 0:
            raise RuleError(f"{format_fact(pred, tuple(args))} is not in the model", code=E_UNKNOWN_FACT)
        rel = self.relations[pred]
        ri = int(rel.rule[row])
        if ri < 0 or self.engine.clauses[ri].is_fact:
            return (None if ri < 0 else self.engine.clauses[ri].rule_id), []
        rule = self.engine.rule_by_index[ri]
        out = []
        for j, a in enumerate(rule.pos):
            prel = self.relations[a.pred]
            prow = int(rel.prem[j, row])
            out.append((a.pred, tuple(self.symbols.values[int(prel.col(i)[prow])] for i in range(prel.arity))))
        return rule.clause.rule_id, out


def sorted_rows(rows: Iterable[Any]) -> list:
    """Fact rows in a canonical order: as they compare (the common case, values of one type per
    column), else by type name, then value, per column (mixed types; a row not a tuple last)."""
    try:
        return sorted(rows)
    except TypeError:
        return sorted(rows, key=lambda r: tuple((type(x).__name__, x) for x in r) if isinstance(r, tuple)
                      else (("~", repr(r)),))


SMALL_ROUND = 1 << 15  # a round's candidates for one predicate up to this many: one insert call


def _batch_size(batch: tuple) -> int:
    cols, _rule, _height, prem = batch
    return len(prem[0]) if prem else (len(cols[0]) if cols else 1)


def _n_candidates(batches: list) -> int:
    return sum(map(_batch_size, batches))


def _concat_batches(rel: Relation, batches: list, proofs: bool):
    """One (cols, rule, height, prem) of several candidate batches, in batch order."""
    sizes = [_batch_size(b) for b in batches]
    cols = [np.concatenate([b[0][i] for b in batches]) for i in range(rel.arity)]
    rules = [b[1] for b in batches]
    rule = rules[0] if len(set(rules)) == 1 else np.repeat(np.array(rules, dtype=np.int32), sizes)
    hs = [b[2] for b in batches]
    if all(not isinstance(h, np.ndarray) for h in hs) and len(set(hs)) == 1:
        height = hs[0]
    else:
        height = np.concatenate([np.broadcast_to(np.asarray(h, dtype=np.int32), (m,)) for h, m in zip(hs, sizes)])
    prem = None
    if proofs and rel.prem_width:
        prem = [
            np.concatenate(
                [b[3][j] if b[3] is not None and j < len(b[3]) else np.full(m, -1, dtype=np.int64) for b, m in zip(batches, sizes)]
            )
            for j in range(rel.prem_width)
        ]
    return cols, rule, height, prem


# --------------------------------------------------------------------------------------------
# evaluating one rule body
# --------------------------------------------------------------------------------------------
class _Eval:
    """Runs one rule (one delta variant at a time) over a model."""

    def __init__(self, model: Model, rule: _Rule | None, clause: Clause | None):
        self.model = model
        self.sym = model.symbols
        self.rule = rule
        self.clause = clause
        if rule is not None:
            self._head_vars = rule.head_vars
            self._atom_vars = rule.atom_vars

    # -- terms -------------------------------------------------------------------------------
    def _err(self, msg: str, code: str, node) -> RuleError:
        rid = self.clause.rule_id if self.clause is not None else "<rule>"
        return RuleError(f"{msg} (rule {rid})", code=code, location=_loc(node, self.clause))

    def ids(self, term: Term, b: _Bind) -> np.ndarray:
        """Id column of a term over the binding table (arithmetic results are interned)."""
        if isinstance(term, Var):
            return b.cols[term.name]
        if isinstance(term, Const):
            return np.full(b.n, self.sym.intern(term.value), dtype=np.int64)
        is_int, iv, fv = self.num(term, b)
        return self.sym.intern_numbers(iv, fv, is_int)

    def num(self, term: Term, b: _Bind):
        """(is_int mask, int values, float values) of a numeric term."""
        if isinstance(term, Const):  # its own type (2.0 stays a float even if 2 is interned)
            v = term.value
            if isinstance(v, str):
                raise self._err(f"arithmetic on a string: constant {v!r}", E_TYPE, term)
            is_int = isinstance(v, int)
            return (
                np.full(b.n, is_int),
                np.full(b.n, v if is_int else 0, dtype=np.int64),
                np.full(b.n, float(v)),
            )
        if isinstance(term, Var):
            ids = self.ids(term, b)
            kind = self.sym.kind(ids)
            if (kind == KIND_STR).any():
                bad = self.sym.values[int(ids[np.argmax(kind == KIND_STR)])]
                what = f"variable {term.name}" if isinstance(term, Var) else "constant"
                raise self._err(f"arithmetic on a string: {what} is {bad!r}", E_TYPE, term)
            is_int = kind == KIND_INT
            return is_int, self.sym.ival(ids), self.sym.fval(ids)
        li, lv, lf = self.num(term.left, b)
        ri, rv, rf = self.num(term.right, b)
        both = li & ri
        op = term.op
        with np.errstate(all="ignore"):
            if op in ("/", "%"):
                zero = np.where(both, rv == 0, rf == 0)
                if zero.any():
                    raise self._err("division by zero" if op == "/" else "modulo by zero", E_ZERO, term)
            if op == "+":
                iv, fv = lv + rv, lf + rf
            elif op == "-":
                iv, fv = lv - rv, lf - rf
            elif op == "*":
                iv, fv = lv * rv, lf * rf
            elif op == "/":
                safe = np.where(both & (rv == 0), 1, rv)
                iv, fv = np.floor_divide(lv, safe), lf / np.where(rf == 0, 1, rf)
            elif op == "%":
                safe = np.where(both & (rv == 0), 1, rv)
                iv, fv = np.mod(lv, safe), np.mod(lf, np.where(rf == 0, 1, rf))
            else:
                raise self._err(f"unknown operator {op}", E_PROGRAM, term)
            past = both & ~(np.abs(fv) < _INT64_BOUND)  # the whole number has no 64-bit value: it wrapped
            huge = ~both & ~np.isfinite(fv)  # a decimal past ~1.8e308: inf, which no file can hold
        if huge.any():
            i = int(np.argmax(huge))
            raise self._err(f"the decimal {float(lf[i])!r} {op} {float(rf[i])!r} is past ~1.8e308, the largest "
                            "decimal: scale the values down first", E_OVERFLOW, term)
        if past.any():
            i = int(np.argmax(past))
            raise self._err(f"the whole number {int(lv[i])} {op} {int(rv[i])} does not fit in 64 bits (at most "
                            f"{INT64_MAX:,} either way): write one of them as a decimal (1.0e25)", E_OVERFLOW, term)
        fv = np.where(both, iv.astype(np.float64), fv)
        return both, iv, fv

    # -- literals ----------------------------------------------------------------------------
    def compare(self, c: Comparison, b: _Bind) -> _Bind:
        if b.n == 0:
            return b
        op = c.op
        left, right = self.ids(c.left, b), self.ids(c.right, b)
        if op == "=":
            return b.mask(left == right)
        if op == "!=":
            return b.mask(left != right)
        sym = self.sym
        lk, rk = sym.kind(left), sym.kind(right)
        lstr, rstr = lk == KIND_STR, rk == KIND_STR
        if (lstr != rstr).any():
            i = int(np.argmax(lstr != rstr))
            raise self._err(
                f"cannot compare {sym.values[int(left[i])]!r} {op} {sym.values[int(right[i])]!r}: "
                "a number and a string",
                E_TYPE,
                c,
            )
        both_int = (lk == KIND_INT) & (rk == KIND_INT)
        if lstr.any():
            a = np.where(lstr, sym.rank(left), 0)
            bb = np.where(lstr, sym.rank(right), 0)
            res_s = _cmp(op, a, bb)
        else:
            res_s = None
        res_n = _cmp(op, sym.fval(left), sym.fval(right))
        if both_int.any():
            res_n = np.where(both_int, _cmp(op, sym.ival(left), sym.ival(right)), res_n)
        mixed = np.flatnonzero(((lk == KIND_INT) & (rk == KIND_FLOAT)) | ((lk == KIND_FLOAT) & (rk == KIND_INT)))
        if len(mixed):  # a whole number past 2^53 against a decimal: exactly, not in float64
            lm, rm = left[mixed], right[mixed]
            l_int = lk[mixed] == KIND_INT
            ints = np.where(l_int, sym.ival(lm), sym.ival(rm))
            decs = np.where(l_int, sym.fval(rm), sym.fval(lm))
            sign = _int_minus_float_sign(ints, decs)
            res_n[mixed] = _cmp(op, np.where(l_int, sign, -sign), 0)
        res = np.where(lstr, res_s, res_n) if res_s is not None else res_n
        return b.mask(res)

    def bind(self, var: str, term: Term, b: _Bind) -> _Bind:
        cols = dict(b.cols)
        cols[var] = self.ids(term, b)
        return _Bind(b.n, cols, b.prem)

    def antijoin(self, plan: _AtomPlan, b: _Bind) -> _Bind:
        if b.n == 0:
            return b
        rel = self.model._rel(plan.pred)
        if rel.n == 0:
            return b
        pos, q = self._bound_query(plan, b)
        if pos is None:  # a constant no fact holds: nothing to exclude
            return b
        if not pos:
            return _empty(b, None)
        ix = rel.index(tuple(pos))
        lo, hi = ix.query(q)
        return b.mask(hi == lo)

    def _bound_query(self, plan: _AtomPlan, b: _Bind) -> tuple[list[int] | None, list[np.ndarray]]:
        """The bound argument positions of an atom and their id columns; positions None when
        a constant of the atom was never interned (no row can match)."""
        pos: list[int] = []
        q: list[np.ndarray] = []
        missing = False
        for i, kind, x in plan.args:
            if kind == _VAR:
                col = b.cols.get(x)
                if col is not None:
                    pos.append(i)
                    q.append(col)
            elif kind == _CONST:
                ident = self.sym.lookup(x)
                missing = missing or ident is None
                pos.append(i)
                q.append(np.full(b.n, -1 if ident is None else ident, dtype=np.int64))
            else:
                pos.append(i)
                q.append(self.ids(x, b))
        return (None if missing else pos), q

    def scan(self, j: int, plan: _AtomPlan, rows: np.ndarray, proofs: bool) -> _Bind:
        """The binding table of a first (delta) atom over the given rows."""
        rel = self.model.relations[plan.pred]
        if plan.n_consts:
            keep = None
            for i, kind, x in plan.args:
                if kind == _CONST:
                    ident = self.sym.lookup(x)
                    m = rel.col(i)[rows] == (-1 if ident is None else ident)
                    keep = m if keep is None else keep & m
            rows = rows[keep]
        cols: dict[str, np.ndarray] = {}
        for i, name in plan.vars:
            col = rel.col(i)[rows]
            if name in cols:
                m = cols[name] == col
                rows = rows[m]
                cols = {v: c[m] for v, c in cols.items()}
            else:
                cols[name] = col
        return _Bind(len(rows), cols, {j: rows} if proofs else {})

    def join(self, j: int, plan: _AtomPlan, b: _Bind, lv: _Levels, limit: int, proofs: bool, keep: set | None = None) -> _Bind:
        rel = lv.rel
        if b.n == 0 or rel.n == 0:
            return _empty(b, j if proofs else None)
        pos, q = self._bound_query(plan, b)
        if pos is None:
            return _empty(b, j if proofs else None)
        if pos:
            ix = rel.index(tuple(pos))
            lo, hi = ix.query(q)
            cnt = hi - lo
            self._check_width(int(cnt.sum()), plan)
            if len(pos) == rel.arity or (cnt.max(initial=0) <= 1):
                sel = cnt.nonzero()[0]
                rows = ix.perm[lo[sel]]
            else:
                sel = np.arange(b.n, dtype=np.int64).repeat(cnt)
                starts = cnt.cumsum() - cnt
                within = np.arange(len(sel), dtype=np.int64) - (starts - lo).repeat(cnt)
                rows = ix.perm[within]
        else:  # no bound argument: cross product with the whole relation
            self._check_width(b.n * rel.n, plan)
            allrows = np.arange(rel.n, dtype=np.int64)
            sel = np.repeat(np.arange(b.n, dtype=np.int64), rel.n)
            rows = np.tile(allrows, b.n)
        if not lv.all_avail(limit):
            ok = lv.avail(rows, limit)
            sel, rows = sel[ok], rows[ok]
        bound = b.cols.keys()
        new_vars = [(i, name) for i, name in plan.vars if name not in bound]
        if keep is not None:
            b = _Bind(b.n, {v: c for v, c in b.cols.items() if v in keep}, b.prem)
        out = b.take(sel)
        for i, name in new_vars:
            col = rel.col(i)[rows]
            if name in out.cols:  # repeated new variable: p(X, X)
                m = out.cols[name] == col
                out = out.mask(m)
                rows = rows[m]
            else:
                out.cols[name] = col
        if proofs:
            out.prem[j] = rows
        return out

    def _check_width(self, rows: int, plan: _AtomPlan) -> None:
        if rows > MAX_JOIN_ROWS:
            clause = self.clause
            where = f"rule {clause.rule_id}" if clause is not None else "a rule"
            raise RuleError(
                f"{where} would join {rows:,} rows at once at its atom '{plan.pred}' (at most {MAX_JOIN_ROWS:,}): "
                "its atoms share too few variables for the facts they meet; join them on a variable "
                "they have in common, or narrow them first",
                code=E_TOO_WIDE, location=_loc(clause.head, clause) if clause is not None else None)

    # -- one delta variant -------------------------------------------------------------------
    def run(self, delta, k: int, levels: dict[str, _Levels], cands: dict[str, list], exact_height: bool = False) -> None:
        rule = self.rule
        model = self.model
        proofs = model.engine.record_proofs
        if delta is None:
            b = _Bind(1, {}, {})
            done_pos: set[int] = set()
            d = -1
        else:
            d, drows = delta
            atom = rule.pos[d]
            if model.relations[atom.pred].arity == 0:
                b = _Bind(1, {}, {d: drows[:1]} if proofs else {})
            else:
                b = self.scan(d, rule.pos_plans[d], drows, proofs)
            done_pos = {d}
        pending_cmp = list(range(len(rule.cmps)))
        pending_neg = list(range(len(rule.neg)))
        while True:
            b, pending_cmp, pending_neg = self._filters(b, pending_cmp, pending_neg)
            if b.n == 0:
                return
            todo = [j for j in range(len(rule.pos)) if j not in done_pos]
            if not todo:
                break
            j = self._pick(todo, b, levels)
            limit = k - 2 if j < d else k - 1
            atom = rule.pos[j]
            lv = levels[atom.pred]
            if lv.rel.arity == 0:
                ok = lv.rel.n > 0 and bool(lv.avail(np.zeros(1, dtype=np.int64), limit)[0])
                if not ok:
                    return
                if proofs:
                    b.prem[j] = np.zeros(b.n, dtype=np.int64)
            else:
                keep = set(self._head_vars)
                for jj in todo:
                    if jj != j:
                        keep |= self._atom_vars[jj]
                for ci in pending_cmp:
                    keep |= rule.cmp_vars[ci][0] | rule.cmp_vars[ci][1]
                for ni in pending_neg:
                    keep |= rule.neg_vars[ni]
                b = self.join(j, rule.pos_plans[j], b, lv, limit, proofs, keep)
            done_pos.add(j)
        if pending_cmp or pending_neg:  # unsafe leftovers (caught by the checker)
            raise self._err("a comparison or negation has variables no atom binds", E_PROGRAM, rule.clause)
        head = rule.head
        cols = [self.ids(t, b) for t in head.args]
        if proofs:
            prem = [b.prem[jj] for jj in range(len(rule.pos))]
            if exact_height or not rule.pos:
                height = k if exact_height else 1
            else:
                h = model.relations[rule.pos[0].pred].height[prem[0]]
                for jj in range(1, len(rule.pos)):
                    h = np.maximum(h, model.relations[rule.pos[jj].pred].height[prem[jj]])
                height = h + 1
            if b.n > 1 and prem:
                cols, height, prem = _canonical(cols, height, prem)
        else:
            prem, height = None, 0
        cands[head.pred].append((cols, rule.index, height, prem))

    def _filters(self, b: _Bind, cmps: list[int], negs: list[int]):
        """Apply every comparison, binding and negation whose variables are bound."""
        rule = self.rule
        progress = True
        while progress and b.n:
            progress = False
            rest = []
            for ci in cmps:
                c = rule.cmps[ci]
                lv, rv = rule.cmp_vars[ci]
                bound = b.cols.keys()
                if lv <= bound and rv <= bound:
                    b = self.compare(c, b)
                    progress = True
                elif c.op == "=" and isinstance(c.left, Var) and not c.left.anonymous and rv <= bound and c.left.name not in bound:
                    b = self.bind(c.left.name, c.right, b)
                    progress = True
                elif c.op == "=" and isinstance(c.right, Var) and not c.right.anonymous and lv <= bound and c.right.name not in bound:
                    b = self.bind(c.right.name, c.left, b)
                    progress = True
                else:
                    rest.append(ci)
            cmps = rest
            rest_n = []
            for ni in negs:
                if rule.neg_vars[ni] <= b.cols.keys():
                    b = self.antijoin(rule.neg_plans[ni], b)
                    progress = True
                else:
                    rest_n.append(ni)
            negs = rest_n
        return b, cmps, negs

    def _pick(self, todo: list[int], b: _Bind, levels: dict[str, _Levels]) -> int:
        """The atom to join next: the one expected to give the fewest rows (its relation's
        rows per distinct value of the arguments bound so far), never a cross product while an
        atom shares a variable; then the most bound arguments, the smaller relation. By rows,
        not by bound arguments alone: ``p(R2, P)`` with ``P`` bound to one of five values
        gives a fifth of ``p`` for every binding, ``q(R, H)`` with ``R`` a key one row."""
        best, best_key = todo[0], None
        if len(todo) == 1:
            return best
        for j in todo:
            plan = self.rule.pos_plans[j]
            bound = [i for i, kind, x in plan.args if kind != _VAR or x in b.cols]
            rel = levels[plan.pred].rel
            if not bound or rel.n == 0:
                rows = b.n * rel.n
            else:
                rows = b.n * rel.n / max(1, rel.index(tuple(bound)).distinct())
            key = (not bound, rows, -len(bound), rel.n)
            if best_key is None or key < best_key:
                best, best_key = j, key
        return best


def _canonical(cols: list, height: Any, prem: list) -> tuple[list, Any, list]:
    """One rule run's candidates ordered by (height, premise rows in body order): of a fact's
    equally short derivations the one kept (the first inserted) is then the one of the lowest
    premise rows, whatever order the joins found them in. The join order follows the relations'
    sizes, which differ when other documents are evaluated beside this one
    (:mod:`kgagent.rules.documents`); the rows' relative order within a document does not."""
    keys = [p_ for p_ in reversed(prem)]
    if isinstance(height, np.ndarray):
        keys.append(height)
    order = np.lexsort(keys)
    if (order[1:] > order[:-1]).all():
        return cols, height, prem
    return ([c[order] for c in cols], height[order] if isinstance(height, np.ndarray) else height,
            [p_[order] for p_ in prem])


def _int_minus_float_sign(ints: np.ndarray, decs: np.ndarray) -> np.ndarray:
    """The sign of ``ints - decs`` (int64, float64), exact as Python's comparison of an int with a
    float: float64 rounds a whole number past 2^53, so where the two look equal in float64 the
    decimal (whole, there) is compared as a whole number."""
    sign = np.sign(ints.astype(np.float64) - decs)
    tie = np.flatnonzero(sign == 0)
    if len(tie):
        d = decs[tie]
        top = d >= 2.0 ** 63  # past int64: above every whole number the engine holds
        whole = np.where(top, 0.0, d).astype(np.int64)
        sign[tie] = np.where(top, -1, np.sign(ints[tie] - whole))
    return sign


def _cmp(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    raise ValueError(op)


# --------------------------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------------------------
def format_value(v) -> str:
    """A value as written in a rule file: bare lower-case identifier, number, or quoted string.

    A whole number prints without a decimal point, however it was written (``1`` for 1.0): the
    engine keeps one value for 1 and 1.0 (they are equal), so the form it saw first would
    otherwise decide, and the same fact would read ``link(m1, e, 1)`` in one document and
    ``link(m1, e, 1.0)`` in another."""
    import re

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    s = str(v)
    if re.fullmatch(r"[a-z][A-Za-z0-9_]*", s) and s != "not":
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def format_fact(pred: str, args: tuple) -> str:
    """``accept(r12)``, ``text(m1, "New York")``, ``score(r1, 0.91)``."""
    if not args:
        return pred
    return f"{pred}({', '.join(format_value(a) for a in args)})"
