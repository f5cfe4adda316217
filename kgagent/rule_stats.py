"""Rule coverage: how often each rule fired, what it decided alone, where rules disagree.

Reads the ``decisions.jsonl`` an ``extract --out DIR`` run wrote (one decision per candidate
entity or relation, each with its verdict and proof tree) and, optionally, gold annotations in
SpERT JSON to measure each rule's precision.

Definitions (per rule id, ``file:name`` or ``file:line``):

- ``fired``: distinct facts the rule derived in the recorded proofs (a fact shared by several
  decisions' proofs, say ``has_type(m1, person)``, counts once per document).
- ``decisions``: decisions whose proof tree uses the rule anywhere.
- ``verdicts``: decisions whose verdict fact the rule derived itself (the top of the proof).
- ``decided_alone``: of those, the decisions where no other derivation of a verdict of the
  same kind (accept / reject / review) exists for that candidate (the agent lists the other
  verdicts that fired under ``others``; the engine records one proof per fact, so two rules
  deriving the very same fact are seen as one).
- ``precision`` (with gold): the share of right verdicts among the candidates the rule
  helped judge: an accept is right when the candidate is in the gold annotation, a reject
  when it is not. A rule that derived a verdict itself is judged by that verdict (even if
  another rule's verdict won); a helper rule deeper in the proof by the decision's final
  verdict. Review is no verdict and is not judged.
- a *disagreement* is a candidate for which both an accept and a reject were derived (the
  agent's priorities, reject > review > repair > accept, made the final verdict); the rules named are
  those whose proofs were recorded (the winning verdict's).

Gold alignment: each SpERT record is one document whose text is its tokens joined by single
spaces and whose id is the record's ``id`` (or ``doc``, else ``orig_id``, else its 0-based
index in the file) — the corpus :func:`spert_to_corpus` writes. Decision spans are character
offsets into the document.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kgagent.domain.labels import fold
from kgagent.errors import InputError, Location, StorageError
from kgagent.proofs import predicate, walk
from kgagent.text import spans_as_read

VERDICTS = ("accept", "reject", "review", "repair")
#: verdicts gold judges: an accept or a repair is right when gold holds it, a reject when it does not
_JUDGED = {"accept": True, "repair": True, "reject": False}


@dataclass
class RuleStat:
    """Figures for one rule (see the module docstring for the definitions)."""

    rule: str
    fired: int = 0
    decisions: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    decided_alone: int = 0
    judged: int = 0  # accept/reject decisions using the rule that gold could judge
    correct: int = 0

    @property
    def precision(self) -> float | None:
        """Share of right verdicts among the judged decisions (None without gold)."""
        return self.correct / self.judged if self.judged else None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["precision"] = self.precision
        return out


@dataclass
class Disagreement:
    """A candidate for which rules derived both accept and reject."""

    decision: str
    doc: str
    kind: str
    label: str
    text: str
    verdict: str
    accept_rules: list[str]
    reject_rules: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RuleStats:
    """The whole report: per-rule figures, disagreements and totals."""

    rules: list[RuleStat]
    disagreements: list[Disagreement]
    decisions: int
    by_verdict: dict[str, int]
    gold: bool = False
    gold_correct_by_verdict: dict[str, int] = field(default_factory=dict)
    judge: str = "gold"  # what precision is measured against: gold, or reviewers (their answers)
    #: per verdict, how many decisions the judge could judge (gold holds their document, or a
    #: reviewer answered)
    judged_by_verdict: dict[str, int] = field(default_factory=dict)

    def rule(self, rule_id: str) -> RuleStat:
        """The figures of one rule (KeyError if it never appears)."""
        for stat in self.rules:
            if stat.rule == rule_id:
                return stat
        raise KeyError(rule_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "decisions": self.decisions,
            "by_verdict": dict(self.by_verdict),
            "gold": self.gold,
            "judge": self.judge,
            "gold_correct_by_verdict": dict(self.gold_correct_by_verdict),
            "judged_by_verdict": dict(self.judged_by_verdict),
            "rules": [r.to_dict() for r in self.rules],
            "disagreements": [d.to_dict() for d in self.disagreements],
        }


# --------------------------------------------------------------------------- reading


def decisions_path(out: str | Path) -> Path:
    """``decisions.jsonl`` inside an ``--out`` directory (or the file itself)."""
    path = Path(out)
    if path.is_dir():
        path = path / "decisions.jsonl"
    if not path.exists():
        raise InputError(f"no decisions file: {path} (run `kgagent extract --out DIR` first)",
                         code="KGA450")
    return path


def read_decisions(path: str | Path) -> Iterator[dict[str, Any]]:
    """Stream the decisions of a ``decisions.jsonl`` (one JSON object a line; blanks skipped).

    Raises InputError naming the file and line for a line that is not a JSON object.
    """
    for _, record in numbered_decisions(path):
        yield record


def numbered_decisions(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """:func:`read_decisions` with each decision's 1-based line number."""
    path = Path(path)
    for lineno, line in decision_lines(path):
        yield lineno, parse_decision(line, path, lineno)


def decision_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a decisions file with their 1-based numbers, decoded one by one (a
    line that is not UTF-8 is an InputError naming the file and line, KGA451)."""
    try:
        handle = path.open("rb")
    except OSError as err:
        raise StorageError(f"cannot read {path}: {err.strerror or err}", code="KGA550") from None
    with handle:
        for lineno, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise InputError(f"not UTF-8 text: {err.reason} at byte {err.start}", code="KGA451",
                                 location=Location(str(path), lineno)) from None
            if line.strip():
                yield lineno, line


def parse_decision(line: str, path: Path, lineno: int) -> dict[str, Any]:
    """One line of a decisions file as its decision (KGA451 naming the file and line when it is
    not a JSON object with an "id")."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(f"not a JSON line: {err}", code="KGA451", location=Location(str(path), lineno)) from None
    except (RecursionError, ValueError):  # nested too deep, a number too long: no decision is
        raise InputError("not a decision: JSON nested too deep or a number too long to read", code="KGA451",
                         location=Location(str(path), lineno)) from None
    if not isinstance(record, dict) or "id" not in record:
        raise InputError("a decision must be a JSON object with an \"id\"", code="KGA451",
                         location=Location(str(path), lineno))
    for where, obj in (("", record), ("head's ", record.get("head")), ("tail's ", record.get("tail"))):
        if isinstance(obj, dict) and (problem := _span_problem(obj)):
            raise InputError(f"the decision's {where}{problem}", code="KGA451", location=Location(str(path), lineno))
    return record


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _span_problem(obj: dict[str, Any]) -> str | None:
    """What is wrong with a decision's (or argument's) span, if anything: a span is two whole
    numbers, start before end (``span``/``doc_span``, or ``start`` and ``end``)."""
    for key in ("doc_span", "span"):
        span = obj.get(key)
        if span is None:
            continue
        if not (isinstance(span, list) and len(span) == 2 and all(map(_whole, span)) and span[0] <= span[1]):
            return f"{key!r} is {json.dumps(span)[:60]}, not two character offsets [start, end]"
    for key in ("start", "end"):
        if key in obj and not _whole(obj[key]):
            return f"{key!r} is {json.dumps(obj[key])[:60]}, not a character offset"
    return None


def proof_rules(proof: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Every ``(rule, fact)`` a proof tree derives, parents before premises, no repeats."""
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    for node in walk(proof if isinstance(proof, dict) else None):
        rule = node.get("rule")
        if rule:
            key = (str(rule), str(node.get("fact", "")))
            if key not in seen:
                seen.add(key)
                out.append(key)
    return out


def _verdict_of_fact(fact: str) -> str | None:
    head = predicate(fact)
    return head if head in VERDICTS else None


def verdict_proofs(decision: dict[str, Any]) -> list[tuple[str, dict[str, Any] | None]]:
    """Every verdict derived for the candidate, as ``(verdict, proof or None)``.

    The decision's own verdict and ``proof`` come first; then the other verdicts that fired
    for the same candidate (the agent's ``others``: ``{"verdict", "reason"}``, with a
    ``proof`` when one was recorded).
    """
    found: list[tuple[str, dict[str, Any] | None]] = []
    main = decision.get("proof")
    verdict = str(decision.get("verdict", ""))
    if isinstance(main, dict):
        found.append((_verdict_of_fact(str(main.get("fact", ""))) or verdict, main))
    elif verdict in VERDICTS:
        found.append((verdict, None))
    for item in decision.get("others") or []:
        if isinstance(item, dict) and item.get("verdict") in VERDICTS:
            proof = item.get("proof")
            found.append((str(item["verdict"]), proof if isinstance(proof, dict) else None))
    return found


# --------------------------------------------------------------------------- gold


def spert_records(path: str | Path) -> list[dict[str, Any]]:
    """The records of a SpERT JSON file (a list of ``{tokens, entities, relations}``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except OSError as err:
        raise StorageError(f"cannot read {path}: {err.strerror or err}", code="KGA550") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"not SpERT JSON: {err}", code="KGA452", location=Location(str(path))) from None
    if not isinstance(data, list) or not all(isinstance(r, dict) and "tokens" in r for r in data):
        raise InputError("not SpERT JSON: expected a list of objects with \"tokens\"", code="KGA452",
                         location=Location(str(path)))
    from kgagent.encoder.data import check_spert_records

    check_spert_records(data, text, path)  # spans and indices, or the file and line of the first bad record
    return data


def record_id(record: dict[str, Any], index: int) -> str:
    """The document id of a SpERT record (``id``, ``doc``, ``orig_id``, else its index)."""
    for key in ("id", "doc", "orig_id"):
        if key in record:
            return str(record[key])
    return str(index)


def record_text(record: dict[str, Any]) -> str:
    """The record's text: its tokens joined by spaces (as :func:`kgagent.text.spans_as_read`
    joins them, which gives its entities' character spans)."""
    return " ".join(record["tokens"])


def spert_to_corpus(records: Iterable[dict[str, Any]], path: str | Path) -> int:
    """Write SpERT records as a JSONL corpus (``{"id", "text"}``) that ``extract`` reads."""
    n = 0
    with Path(path).open("w", encoding="utf-8") as out:
        for i, rec in enumerate(records):
            text = record_text(rec)
            out.write(json.dumps({"id": record_id(rec, i), "text": text}, ensure_ascii=False) + "\n")
            n += 1
    return n


@dataclass
class Gold:
    """Gold entities and relations per document, keyed by character spans."""

    entities: dict[str, set[tuple[int, int, str]]]
    relations: dict[str, set[tuple[str, int, int, int, int]]]
    #: a data-set label -> the name the decisions use (a domain's ``labels.normalize``)
    normalize: Callable[[str], str] = fold
    #: the file it was read from (for messages)
    source: str = "gold"

    @classmethod
    def load(cls, path: str | Path, normalize: Callable[[str], str] | None = None) -> "Gold":
        """Gold from a SpERT JSON file (KGA452, or the file and line of a bad record)."""
        gold = cls.from_records(spert_records(path), normalize)
        gold.source = str(path)
        return gold

    def require_documents(self, docs: Iterable[str], run: str | Path) -> None:
        """Refuse to judge a run none of whose documents the gold holds (InputError KGA454): a
        gold file of another corpus, or ids that are not the run's, would judge nothing and
        count every verdict as unjudged, or worse, look like a run that is always wrong."""
        docs = set(docs)
        if docs and not any(self.covers(d) for d in docs):
            mine = sorted(self.entities)[:3]
            theirs = sorted(docs)[:3]
            raise InputError(f"no document of {run} is in the gold file: its record ids ({', '.join(mine) or 'none'}"
                             f"{', ...' if len(self.entities) > 3 else ''}) are not the run's documents "
                             f"({', '.join(theirs)}{', ...' if len(docs) > 3 else ''}); give the gold of the corpus "
                             "the run read, its record ids the documents' ids", code="KGA454",
                             location=Location(self.source))

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]], normalize: Callable[[str], str] | None = None) -> "Gold":
        """Gold from SpERT records, their labels put in the decisions' names by ``normalize``
        (None: the default domain's label map)."""
        normalize_label = normalize if normalize is not None else _default_normalize()
        entities: dict[str, set[tuple[int, int, str]]] = defaultdict(set)
        relations: dict[str, set[tuple[str, int, int, int, int]]] = defaultdict(set)
        for i, rec in enumerate(records):
            doc = record_id(rec, i)
            entities.setdefault(doc, set())  # a record without entities: every accept in it is wrong
            # "Boise." before "Polls": the place ends before the stop, as the agent reads it
            _, ents = spans_as_read(rec["tokens"], [(e["start"], e["end"]) for e in rec.get("entities", [])])
            for span, ent in zip(ents, rec.get("entities", [])):
                entities[doc].add((span[0], span[1], normalize_label(ent["type"])))
            for rel in rec.get("relations", []):
                h, t = ents[rel["head"]], ents[rel["tail"]]
                relations[doc].add((normalize_label(rel["type"]), h[0], h[1], t[0], t[1]))
        return cls(dict(entities), dict(relations), normalize_label)

    def covers(self, doc: str) -> bool:
        return doc in self.entities or doc in self.relations

    def holds(self, decision: dict[str, Any]) -> bool | None:
        """Whether the decision's candidate is in the gold annotation (None: cannot tell)."""
        doc = str(decision.get("doc", ""))
        if not self.covers(doc):
            return None
        if decision.get("kind") == "relation":
            pred = self.normalize(str(decision.get("predicate") or decision.get("type") or ""))
            h, t = decision_span(decision.get("head")), decision_span(decision.get("tail"))
            if h is None or t is None:
                return None
            return (pred, h[0], h[1], t[0], t[1]) in self.relations.get(doc, set())
        span = decision_span(decision)
        if span is None:
            return None
        label = self.normalize(str(decision.get("type") or decision.get("label") or ""))
        return (span[0], span[1], label) in self.entities.get(doc, set())


def decision_span(obj: Any) -> tuple[int, int] | None:
    """The document-level character span of a decision or of its head/tail."""
    if not isinstance(obj, dict):
        return None
    span = obj.get("doc_span") or obj.get("span")
    if isinstance(span, list | tuple) and len(span) == 2:
        return span[0], span[1]
    if "start" in obj and "end" in obj:
        return obj["start"], obj["end"]
    return None


# --------------------------------------------------------------------------- the report


def decision_label(decision: dict[str, Any]) -> str:
    """A decision's predicate (a relation) or class (an entity), after repairs."""
    return str(decision.get("predicate") or decision.get("type") or decision.get("label") or "")


def _text(decision: dict[str, Any]) -> str:
    if decision.get("kind") == "relation":
        h = (decision.get("head") or {}).get("text", "?")
        t = (decision.get("tail") or {}).get("text", "?")
        return f"{h} -> {t}"
    return str(decision.get("text", ""))


def compute_rule_stats(decisions: Iterable[dict[str, Any]], gold: Gold | None = None) -> RuleStats:
    """The coverage report of a stream of decisions (see the module docstring)."""
    stats: dict[str, RuleStat] = {}
    fired_facts: dict[str, set[tuple[str, str]]] = defaultdict(set)
    disagreements: list[Disagreement] = []
    by_verdict: Counter[str] = Counter()
    gold_correct: Counter[str] = Counter()
    judged: Counter[str] = Counter()
    n = 0

    def stat(rule: str) -> RuleStat:
        if rule not in stats:
            stats[rule] = RuleStat(rule)
        return stats[rule]

    for decision in decisions:
        n += 1
        verdict = str(decision.get("verdict", ""))
        by_verdict[verdict] += 1
        doc = str(decision.get("doc", ""))
        derivations = verdict_proofs(decision)
        used: set[str] = set()
        top_rules: dict[str, set[str]] = defaultdict(set)  # verdict kind -> rules deriving it
        n_kind: Counter[str] = Counter(kind for kind, _ in derivations)
        for kind, proof in derivations:
            if proof is None:
                continue
            for rule, fact in proof_rules(proof):
                used.add(rule)
                fired_facts[rule].add((doc, fact))
            if proof.get("rule"):
                top_rules[kind].add(str(proof["rule"]))
        truth = gold.holds(decision) if gold is not None else None
        right = None
        if truth is not None and verdict in _JUDGED:
            judged[verdict] += 1
            right = truth if _JUDGED[verdict] else not truth
            if right:
                gold_correct[verdict] += 1
        for rule in used:
            s = stat(rule)
            s.decisions += 1
            # a verdict rule is judged by its own verdict, a helper rule by the decision's
            own = {kind for kind, rules in top_rules.items() if rule in rules}
            judged_as = next(iter(own)) if len(own) == 1 else (verdict if not own else "")
            if truth is not None and judged_as in _JUDGED:
                s.judged += 1
                s.correct += int(truth if _JUDGED[judged_as] else not truth)
        for kind, rules in top_rules.items():
            for rule in rules:
                s = stat(rule)
                s.verdicts[kind] = s.verdicts.get(kind, 0) + 1
                if len(rules) == 1 and n_kind[kind] == 1:
                    s.decided_alone += 1
        if n_kind["accept"] and n_kind["reject"]:
            disagreements.append(Disagreement(
                decision=str(decision["id"]), doc=doc, kind=str(decision.get("kind", "")),
                label=decision_label(decision), text=_text(decision), verdict=verdict,
                accept_rules=sorted(top_rules.get("accept", set())),
                reject_rules=sorted(top_rules.get("reject", set())),
            ))
    for rule, facts in fired_facts.items():
        stat(rule).fired = len(facts)
    ordered = sorted(stats.values(), key=lambda s: (-s.fired, s.rule))
    return RuleStats(ordered, disagreements, n, dict(by_verdict), gold is not None, dict(gold_correct),
                     judged_by_verdict=dict(judged))


def _default_normalize() -> Callable[[str], str]:
    from kgagent.domain import Domain

    return Domain.load().labels.normalize


def rule_stats(out: str | Path, gold: str | Path | None = None,
               normalize: Callable[[str], str] | None = None) -> RuleStats:
    """The coverage report of an ``extract --out`` directory (or a decisions file); ``normalize``
    puts the gold file's labels in the decisions' names (the domain's ``labels.normalize``).

    >>> # rule_stats("out/", gold="data/conll04_train.json").rule("rules/types.rules:3").precision
    """
    path = decisions_path(out)
    if gold is None:
        return compute_rule_stats(read_decisions(path))
    gold_index = Gold.load(gold, normalize)
    decisions = list(read_decisions(path))
    gold_index.require_documents((str(d.get("doc", "")) for d in decisions), path)
    return compute_rule_stats(decisions, gold_index)


def review_rule_stats(out: str | Path) -> RuleStats:
    """The coverage report with each rule's precision against the reviewers' answers
    (``kgagent review``): a verdict is right where reviewers agreed with it, wrong where they
    overruled it (rejected, relabelled or re-spanned an accept, accepted a reject); decisions
    nobody judged, or judged in conflict, are not judged."""
    from kgagent.review.judgements import ReviewTruth, read_judgements

    path = decisions_path(out)
    agreed, _ = read_judgements(path.parent)
    report = compute_rule_stats(read_decisions(path), ReviewTruth(agreed))  # type: ignore[arg-type]
    report.judge = "reviewers"
    return report
