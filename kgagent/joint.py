"""Joint decisions: a sentence's mention types and pair predicates chosen together so that every
chosen relation fits its predicate's signature (after Roth & Yih 2004, by exact search).

The encoder scores each mention's classes (``class_score``) and each ordered pair's predicates
(``predicate_score``) separately, and decodes each argmax on its own: it may tag a company a
place and still relate it with a predicate that needs an organisation. :func:`decide` picks, for
every mention, a class and, for every scored pair, a predicate or none, maximising

    sum over mentions  log p(class) + prior(class)
  + sum over pairs     [chosen P]  logit(r) - logit(T) + w log(p_P / sum_Q p_Q)     (none: 0)

subject to: a chosen predicate's head class and tail class fit its signature (a class fits a
signature class when one lies under the other and they are not disjoint; unions: any of them).
``r`` is the pair's best predicate score (how sure the encoder is that the two are related at
all), ``T`` the encoder's own relation threshold (so without constraints the choice is the
encoder's own), and ``p_P / sum p`` how the encoder splits that evidence among the predicates:
when the argmax predicate does not fit the types, the evidence moves to one that does, at the
price of its share, weighted by ``w``: 1 when both arguments keep the encoder's types, and
``SHARE_WEIGHT`` when one is retyped (the encoder split the evidence knowing only its own argmax
types, so under other types its split is weaker evidence). ``prior`` adds evidence from outside the sentence (the same name elsewhere
in the document, the graph's type votes), in log units.

Why exact search: a sentence has few mentions (CoNLL04: 3 on average, rarely over 8), each with
few classes worth trying (score >= ``CLASS_FLOOR``), and mentions not joined by a scored pair
are independent. So each connected component of the pair graph is searched exhaustively over
its type assignments (for a fixed assignment every pair's best predicate is found alone), which
is exact and needs no solver. The bound: a component with more than ``max_assignments`` type
assignments is not searched; it keeps the encoder's labels and predicates (the safe fallback)
and is reported in :attr:`JointResult.undecided`. Ties keep the encoder's choice.

Pure Python, deterministic (sorted iteration, strict improvement), no torch, no graph.

>>> from kgagent.domain import Ontology
>>> onto, _ = Ontology.from_toml_text('''
... [classes.drug]
... [classes.firm]
... [relations.made_by]
... domain = "drug"
... range = "firm"
... ''')
>>> ms = [JointMention("m1", "firm", {"firm": 0.55, "drug": 0.4}), JointMention("m2", "firm", {"firm": 0.9})]
>>> res = decide(ms, [JointPair("m1", "m2", {"made_by": 0.9})], onto, threshold=0.5)
>>> res.types["m1"], res.predicates[("m1", "m2")]
('drug', 'made_by')
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: how much the encoder's split of a pair's evidence among predicates counts (``w`` below): 1 =
#: fully, 0 = any predicate the types fit takes the whole evidence
SHARE_WEIGHT = 0.5
#: classes scoring below this are not tried for a mention (its own label always is)
CLASS_FLOOR = 0.01
#: a component with more type assignments than this keeps the encoder's labels
MAX_ASSIGNMENTS = 4096
_EPS = 1e-9
_TINY = 1e-6


@dataclass(frozen=True)
class JointMention:
    """A mention for the joint decision: its id, the encoder's label, every class's score
    (ontology names) and an optional prior (class -> log-score bonus)."""

    id: str
    label: str
    scores: Mapping[str, float]
    prior: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class JointPair:
    """An ordered pair of mentions with the encoder's score of each predicate (ontology names);
    ``proposed`` is the predicate the encoder proposed for it (None when it proposed none)."""

    head: str
    tail: str
    scores: Mapping[str, float]
    proposed: str | None = None


@dataclass
class JointResult:
    """The joint choice: a class per mention, a predicate (or None) per pair, and for each choice
    that differs from the encoder's its margin: how much the best total log-score drops when
    that one choice is forced back to the encoder's (for a pair: to the encoder's predicate or
    to none, whichever is better; >= 0, finite; ties are never changes)."""

    types: dict[str, str] = field(default_factory=dict)
    predicates: dict[tuple[str, str], str | None] = field(default_factory=dict)
    margins: dict[Any, float] = field(default_factory=dict)  # mention id or (head, tail) -> margin
    undecided: list[str] = field(default_factory=list)  # what the search could not decide, in words
    #: mention id or (head, tail) -> why the search left it as the encoder proposed it
    undecided_ids: dict[Any, str] = field(default_factory=dict)
    searched: int = 0  # type assignments tried


class Signatures:
    """Which (head class, tail class) each predicate takes, from an ontology's signatures."""

    def __init__(self, ontology: Any):
        self._onto = ontology
        self._cache: dict[tuple[str, str, str], bool] = {}

    def known(self, predicate: str) -> bool:
        rel = self._onto.relations.get(predicate)
        return rel is not None and bool(rel.domains) and bool(rel.ranges)

    def class_fits(self, cls: str, wanted: str) -> bool:
        """``cls`` fits the signature class ``wanted``: one lies under the other, not disjoint."""
        if cls == wanted:
            return True
        under = wanted in self._onto.ancestors(cls) or cls in self._onto.ancestors(wanted)
        return under and not self._onto.disjoint(cls, wanted)

    def fits(self, predicate: str, head: str, tail: str) -> bool:
        key = (predicate, head, tail)
        hit = self._cache.get(key)
        if hit is None:
            rel = self._onto.relations.get(predicate)
            hit = rel is not None and any(self.class_fits(head, d) for d in rel.domains) and any(
                self.class_fits(tail, r) for r in rel.ranges)
            self._cache[key] = hit
        return hit


def _logit(p: float) -> float:
    p = min(max(p, _TINY), 1 - _TINY)
    return math.log(p / (1 - p))


def pair_values(pair: JointPair, threshold: float, share_weight: float = SHARE_WEIGHT) -> dict[str, float]:
    """The log-score gain of choosing each predicate for the pair, against choosing none."""
    scores = {p: s for p, s in pair.scores.items() if s > 0}
    if not scores:
        return {}
    best, total = max(scores.values()), sum(scores.values())
    base = _logit(best) - _logit(threshold)
    return {p: base + share_weight * math.log(s / total) for p, s in scores.items()}


def decide(mentions: Sequence[JointMention], pairs: Sequence[JointPair], ontology: Any, *, threshold: float,
           max_assignments: int = MAX_ASSIGNMENTS, signatures: Signatures | None = None,
           share_weight: float = SHARE_WEIGHT) -> JointResult:
    """The best joint choice of classes and predicates for one sentence (see the module)."""
    sig = signatures or Signatures(ontology)
    out = JointResult()
    by_id = {m.id: m for m in mentions}
    for m in mentions:
        out.types[m.id] = m.label
    usable: list[JointPair] = []
    for p in pairs:
        if p.head not in by_id or p.tail not in by_id or p.head == p.tail:
            continue
        unknown = sorted(q for q in p.scores if not sig.known(q))
        if unknown:
            why = f"no signature for {', '.join(unknown)}: the pair keeps the encoder's choice"
            out.undecided.append(why)
            out.undecided_ids[(p.head, p.tail)] = why
            out.predicates[(p.head, p.tail)] = p.proposed
            continue
        usable.append(p)
    for comp_mentions, comp_pairs in _components(mentions, usable):
        _solve(comp_mentions, comp_pairs, sig, threshold, max_assignments, share_weight, out)
    return out


def _components(mentions: Sequence[JointMention], pairs: Sequence[JointPair]
                ) -> list[tuple[list[JointMention], list[JointPair]]]:
    """Mentions joined by pairs, in the order of the mentions; a mention without pairs alone."""
    parent = {m.id: m.id for m in mentions}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        a, b = root(p.head), root(p.tail)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[str, tuple[list[JointMention], list[JointPair]]] = {}
    for m in mentions:
        groups.setdefault(root(m.id), ([], []))[0].append(m)
    for p in pairs:
        groups[root(p.head)][1].append(p)
    return list(groups.values())


def _unary(m: JointMention) -> dict[str, float]:
    """Log-score of each class worth trying for a mention (its label always among them)."""
    out = {}
    for c, s in sorted(m.scores.items()):
        if s >= CLASS_FLOOR or c == m.label:
            out[c] = math.log(max(s, _TINY)) + m.prior.get(c, 0.0)
    if m.label not in out:  # an encoder that gave no class scores: its label, at its prior
        out[m.label] = m.prior.get(m.label, 0.0)
    return out


def _solve(mentions: list[JointMention], pairs: list[JointPair], sig: Signatures, threshold: float,
           max_assignments: int, share_weight: float, out: JointResult) -> None:
    unary = [_unary(m) for m in mentions]
    # the encoder's own label first, so that ties keep it
    choices = [[m.label] + sorted(c for c in u if c != m.label) for m, u in zip(mentions, unary)]
    n_assign = math.prod(len(c) for c in choices)
    # the encoder split a pair's evidence knowing its own argmax types: under those it counts
    # fully, under others with share_weight
    own_values = [pair_values(p, threshold, 1.0) for p in pairs]
    other_values = [pair_values(p, threshold, share_weight) for p in pairs]
    index = {m.id: i for i, m in enumerate(mentions)}
    labels = [m.label for m in mentions]

    def values_of(k: int, types: Sequence[str]) -> dict[str, float]:
        h, t = index[pairs[k].head], index[pairs[k].tail]
        return own_values[k] if types[h] == labels[h] and types[t] == labels[t] else other_values[k]
    if not pairs:  # a lone mention: its best class by its own scores and prior
        m, u = mentions[0], unary[0]
        best = m.label
        for c in choices[0]:
            if u[c] > u[best] + _EPS:
                best = c
        out.types[m.id] = best
        if best != m.label:
            out.margins[m.id] = u[best] - u[m.label]
        return
    if n_assign > max_assignments:
        names = ", ".join(m.id for m in mentions)
        why = (f"{len(mentions)} mentions joined by pairs have {n_assign} type assignments, more than the bound "
               f"{max_assignments} of the joint decision: they keep the encoder's labels and predicates")
        out.undecided.append(f"{why} ({names})")
        for m in mentions:
            out.undecided_ids[m.id] = why
        for p in pairs:
            out.predicates[(p.head, p.tail)] = p.proposed
            out.undecided_ids[(p.head, p.tail)] = why
        return

    # a pair's best predicate depends on its two arguments' classes alone: worked out once for each
    # (pair, head class, tail class) the search meets, not once per assignment
    pair_best: dict[tuple[int, str, str], tuple[float, str | None]] = {}

    def best_of_pair(k: int, types: Sequence[str]) -> tuple[float, str | None]:
        p = pairs[k]
        h, t = types[index[p.head]], types[index[p.tail]]
        hit = pair_best.get((k, h, t))
        if hit is not None:
            return hit
        vals = values_of(k, types)
        pick, gain = None, 0.0
        for q in sorted(vals):
            if vals[q] > gain + _EPS and sig.fits(q, h, t):
                pick, gain = q, vals[q]
        # the encoder's own predicate wins a tie
        if p.proposed is not None and pick != p.proposed and p.proposed in vals and sig.fits(p.proposed, h, t) \
                and vals[p.proposed] >= gain - _EPS and vals[p.proposed] > 0:
            pick, gain = p.proposed, vals[p.proposed]
        pair_best[(k, h, t)] = (gain, pick)
        return gain, pick

    def best_pairs(types: Sequence[str]) -> tuple[float, list[str | None]]:
        total, chosen = 0.0, []
        for k in range(len(pairs)):
            gain, pick = best_of_pair(k, types)
            total += gain
            chosen.append(pick)
        return total, chosen

    def search(fixed: dict[int, str] | None = None,
               fixed_pair: tuple[int, str | None] | None = None) -> tuple[float, tuple[str, ...], list[str | None]]:
        best: tuple[float, tuple[str, ...], list[str | None]] | None = None
        for types in itertools.product(*[[fixed[i]] if fixed and i in fixed else c for i, c in enumerate(choices)]):
            out.searched += 1
            score = sum(u[c] for u, c in zip(unary, types))
            if fixed_pair is None:
                pv, chosen = best_pairs(types)
            else:
                pv, chosen = _with_pair(types, fixed_pair)
                if pv is None:
                    continue
            score += pv
            if best is None or score > best[0] + _EPS:
                best = (score, types, chosen)
        return best if best is not None else (-math.inf, (), [])  # nothing fits the forced choice

    def _with_pair(types: Sequence[str], fixed_pair: tuple[int, str | None]) -> tuple[float | None, list[str | None]]:
        k, q = fixed_pair
        total, chosen = best_pairs(types)
        p = pairs[k]
        h, t = types[index[p.head]], types[index[p.tail]]
        if q is not None and not sig.fits(q, h, t):
            return None, chosen
        vals = values_of(k, types)
        gain_now = vals.get(chosen[k], 0.0) if chosen[k] is not None else 0.0
        gain_q = vals.get(q, 0.0) if q is not None else 0.0
        chosen = list(chosen)
        chosen[k] = q
        return total - gain_now + gain_q, chosen

    total, types, chosen = search()
    for m, c in zip(mentions, types):
        out.types[m.id] = c
    for p, q in zip(pairs, chosen):
        out.predicates[(p.head, p.tail)] = q
    for i, (m, c) in enumerate(zip(mentions, types)):
        if c != m.label:
            out.margins[m.id] = max(0.0, total - search(fixed={i: m.label})[0])
    for k, (p, q) in enumerate(zip(pairs, chosen)):
        if p.proposed is not None and q is not None and q != p.proposed:
            # not repairing means keeping the encoder's predicate (if anything fits it) or none
            keep = max(search(fixed_pair=(k, p.proposed))[0], search(fixed_pair=(k, None))[0])
            out.margins[(p.head, p.tail)] = max(0.0, total - keep)


#: the code of ``kgagent rules check``'s warnings about repairs and the joint decision
W_REPAIRS = "KGA116"


def check_repairs(ontology: Any, program: Any, model_labels: Sequence[str] | None = None,
                  normalize: Any = None, where: str = "rules") -> list[Any]:
    """Warnings (rule Diagnostics, KGA116) about what the joint decision cannot do with these
    rules, this ontology and (when given) the model's labels:

    - rules that never read the joint decision (no rule derives ``retype``/``relabel``), or that
      forbid every repair (``no_repair``/``forbid_repair`` cover every class and predicate);
    - ``no_repair``/``allow_repair``/``forbid_repair`` facts naming no class or relation;
    - a relation with no signature (the joint decision leaves its pairs as proposed);
    - a kind (a class without parent) that a relation's signature needs but no model label maps
      to, nor to a class under it: no mention ever gets a score for it, so no mention is
      retyped into it.
    """
    from kgagent.rules import Engine
    from kgagent.rules.ast import SourceLoc
    from kgagent.rules.diagnostics import Diagnostic

    out: list[Any] = []

    def warn(message: str, loc: Any = None) -> None:
        out.append(Diagnostic(W_REPAIRS, "warning", message, loc or SourceLoc(where, 0, 0)))

    heads = {c.head.pred for c in program.clauses}
    names = set(ontology.classes) | set(ontology.relations)
    for c in program.facts:
        if c.head.pred in ("no_repair", "allow_repair", "forbid_repair"):
            for arg in c.head.args:
                value = getattr(arg, "value", None)
                if isinstance(value, str) and value not in names:
                    warn(f"{c.head.pred} names {value!r}, which is no class or relation of the ontology", c.loc)
    if not {"retype", "relabel"} & heads:
        warn("no rule derives retype or relabel: the joint decision's choices are never taken (no repairs); "
             "the shared rules' repairs.rules does")
    else:  # ask for every repair between two classes and between two predicates
        facts: dict[str, set[tuple]] = {k: set(v) for k, v in ontology.rule_facts().items()}
        classes, relations = sorted(ontology.classes), sorted(ontology.relations)
        for i, (f, t) in enumerate((f, t) for f in classes for t in classes if f != t):
            facts.setdefault("mention", set()).add((f"m{i}", f, 1.0))
            facts.setdefault("joint_type", set()).add((f"m{i}", t, 1.0))
        for i, (f, t) in enumerate((f, t) for f in relations for t in relations if f != t):
            facts.setdefault("relation", set()).add((f"r{i}", f, "h", "t"))
            facts.setdefault("joint_predicate", set()).add((f"r{i}", t, 1.0))
        model = Engine(program, record_proofs=False).evaluate(facts)
        preds = model.predicates()
        pairs = model.facts("repair_pair") if "repair_pair" in preds else set()
        allowed = model.facts("repair_allowed") if "repair_allowed" in preds else set()
        if pairs and not allowed:
            first = next((c.loc for c in program.facts if c.head.pred in ("no_repair", "forbid_repair")), None)
            warn(f"the rules forbid every repair ({len(pairs)} class or predicate pairs, none allowed by "
                 "no_repair/forbid_repair/allow_repair): the joint decision's choices are never taken", first)
    for rel in ontology.relations.values():
        if not rel.domains or not rel.ranges:
            warn(f"relation {rel.name} has no signature (domain and range): the joint decision leaves its "
                 "pairs as the encoder proposed them")
    if model_labels is not None:
        norm = normalize or (lambda x: x)
        scored = {norm(lab) for lab in model_labels}
        needed = sorted({ontology.kind_of(c) or c for r in ontology.relations.values()
                         for c in (*r.domains, *r.ranges)})
        for kind in needed:
            if not any(kind in ontology.ancestors(c) for c in scored if c in ontology.classes):
                warn(f"class {kind} has no mention scores: no label of the model maps to it or to a class "
                     "under it, so the joint decision never types a mention as it (relations needing it are "
                     "only kept or dropped)")
    return out


__all__ = ["CLASS_FLOOR", "W_REPAIRS", "check_repairs", "MAX_ASSIGNMENTS", "JointMention", "JointPair", "JointResult", "Signatures", "decide",
           "pair_values"]
