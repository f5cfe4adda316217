"""Which decisions should a person answer? A simulated reviewer on CoNLL04 (issue 13, part 4).

Low-resource CoNLL04 as in ``run.py`` (same seeded 10 % sample of train as the labelled
set, the rest of train as unlabelled text, the shipped training recipe, strict test F1). A
simulated reviewer answers from the gold labels the unlabelled part really has. Each round:

1. the current model (round 0: the gold-only model, trained once per seed and cached) goes
   through the Agent over the unlabelled pool (encoder -> graph linking -> rules), so every
   candidate is a real decision of ``decisions.jsonl`` with its features;
2. the policy orders the decisions not asked about before and the first ``--per-round`` are
   answered by the simulated reviewer (:func:`simulated_answer`: accept, reject, change the
   type or predicate, fix a span — the review page's answers);
3. the answers become feedback examples at the top weight through the review export
   (``kgagent.review.export.review_records``); with ``--completion agent`` the agent's own
   unjudged accepts of an answered sentence complete it at the agent's weight (the trainer
   reads every unlabelled span of an example as "no entity");
4. the best model so far (on dev) is trained on for ``--round-epochs`` epochs on gold + every
   answer so far; dev and test are scored; the LinUCB bandit is rewarded. With
   ``--round-from base`` a round instead trains a new model from the base encoder with the
   gold-only recipe and seed (all its epochs, the epoch chosen on dev) on gold + every answer
   so far: the answers' worth without the continued training's own cost.

Policies (``kgagent.review.policy``): ``random`` (seeded shuffle), ``uncertainty`` (the agent's
review queue: review verdicts first, then scores nearest the threshold), ``margin`` (plain
uncertainty sampling: scores nearest the threshold, any verdict or kind; the threshold is each
kind's own accept boundary, or ``--threshold``), ``yield`` (the likeliest confirmations,
weighted by the labels they write), ``linucb`` (a contextual bandit over decision features,
rewarded with the round's dev relation-F1 gain per answer, in F1 points, given to every answer
it chose that round), ``margin-mentions`` (uncertainty sampling over the mentions first, from
0.5 or ``--threshold``), ``random-mentions`` (a probe: random order, mentions before relations)
and ``control`` (no answers: the same rounds of training on gold alone, for the rounds' extra
epochs). ``--with-feedback`` adds the agent's own feedback over the unanswered pool
(``--feedback-weight``, ``--feedback-mentions-only``).

Usage (one core, niced, in the background). A re-run with the same ``--results`` reuses every
finished policy and resumes an unfinished one after its last finished round (each round keeps
its questions in ``picked.jsonl`` and the policy its best model so far in ``best-model``); it
refuses a results file made with other settings (``RUN_ONLY`` lists those a re-run may change):

    nice -n 5 .venv/bin/python benchmarks/feedback_loop/review_policy.py --threads 1 --budget-min 75 \\
        > benchmarks/feedback_loop/review_policy.log 2>&1 &
    .venv/bin/python benchmarks/feedback_loop/review_policy.py --report
    .venv/bin/python benchmarks/feedback_loop/review_policy.py --smoke      # minutes: 1 seed, 1 round
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import run as loop_bench  # noqa: E402  (the data splits, the recipe plumbing and scoring of run.py)

POLICIES = ("random", "uncertainty", "margin", "yield", "linucb", "random-mentions", "margin-mentions", "control")
FULL_GOLD = {"entity": 87.1, "relation": 64.9}  # the shipped model (README, run 2): the upper bound
OLD_GOLD_ONLY = {"entity": 65.8, "relation": 28.0}  # run 2's gold-only at 10 %, for comparison


# --------------------------------------------------------------------------- the simulated reviewer


@dataclasses.dataclass(frozen=True)
class Truth:
    """The hidden gold of the unlabelled documents: character spans per document, labels in
    the decisions' names (``kgagent.rule_stats.Gold``'s sets)."""

    entities: dict[str, set[tuple[int, int, str]]]
    relations: dict[str, set[tuple[str, int, int, int, int]]]


def _span(obj: Any) -> tuple[int, int] | None:
    span = obj.get("span") if isinstance(obj, dict) else None
    return (int(span[0]), int(span[1])) if isinstance(span, list | tuple) and len(span) == 2 else None


def simulated_answer(d: dict[str, Any], truth: Truth) -> tuple[str, str | None, tuple[int, int] | None]:
    """The answer a reviewer who knows the gold gives to decision ``d``: (action, label, span).

    Entity: right span and type -> accept; right span, other type -> relabel to the gold type;
    else one gold mention of the same type overlapping it -> span (the gold span); else reject.
    Relation: the gold holds the predicate between the two argument spans -> accept; another
    predicate between them -> relabel; else reject (a reversed pair is a reject: the page
    has no "swap").
    """
    doc = str(d.get("doc", ""))
    ents = truth.entities.get(doc, set())
    if d.get("kind") == "relation":
        h, t = _span(d.get("head")), _span(d.get("tail"))
        if h is None or t is None:
            return "reject", None, None
        pred = str(d.get("predicate") or "")
        rels = truth.relations.get(doc, set())
        if (pred, *h, *t) in rels:
            return "accept", None, None
        other = sorted(p for p, hs, he, ts, te in rels if (hs, he, ts, te) == (*h, *t))
        return ("relabel", other[0], None) if other else ("reject", None, None)
    span, label = _span(d), str(d.get("type") or "")
    if span is None:
        return "reject", None, None
    if (*span, label) in ents:
        return "accept", None, None
    same_span = sorted(typ for s, e, typ in ents if (s, e) == span)
    if same_span:
        return "relabel", same_span[0], None
    overlapping = sorted((s, e) for s, e, typ in ents if typ == label and s < span[1] and span[0] < e)
    if len(overlapping) == 1:
        return "span", None, overlapping[0]
    return "reject", None, None


def sentence_key(item: dict[str, Any]) -> tuple[str, int]:
    """(document, sentence) of a decision or of a feedback example's ``meta``."""
    return str(item.get("doc", "")), int(item.get("sentence") or 0)


def question_key(d: dict[str, Any]) -> tuple[Any, ...]:
    """What a question is about, independent of the model that proposed it: the mention span
    and its type, or the argument pair and its predicate (a reviewer is never asked it twice)."""
    if d.get("kind") == "relation":
        return ("relation", str(d.get("doc", "")), _span(d.get("head")), _span(d.get("tail")),
                str(d.get("predicate") or ""))
    return ("entity", str(d.get("doc", "")), _span(d), str(d.get("type") or ""))


def pick(policy: Any, decisions: Sequence[dict[str, Any]], asked: set[tuple[Any, ...]], n: int) -> list[dict[str, Any]]:
    """The first ``n`` decisions of the policy's order whose question was not asked before
    (one decision per question: the first the policy ranks)."""
    fresh = [d for d in decisions if question_key(d) not in asked]
    chosen: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for d in policy.order(fresh):
        key = question_key(d)
        if key not in seen:
            seen.add(key)
            chosen.append(d)
        if len(chosen) == n:
            break
    return chosen


def answer_all(picked: Sequence[dict[str, Any]], truth: Truth, first: int) -> dict[str, Any]:
    """The simulated reviewer's judgements of the picked decisions (answers ``sim:<n>``
    numbered from ``first``), as the review export reads them."""
    from kgagent.review.judgements import Judgement

    out = {}
    for i, d in enumerate(picked):
        action, label, span = simulated_answer(d, truth)
        out[str(d["id"])] = Judgement(str(d["id"]), action, label, span, (f"sim:{first + i}",), str(d.get("verdict", "")))
    return out


def round_reward(dev_before: float, dev_after: float, answers: int) -> float:
    """The bandit's reward for each answer of a round: the dev relation-F1 gain (points) per answer."""
    return (dev_after - dev_before) / answers if answers else 0.0


# --------------------------------------------------------------------------- one policy's rounds


@dataclasses.dataclass
class RoundIO:
    """What a policy's rounds need from the outside world (fakes in the tests)."""

    extract: Callable[[Any, Path], Path]  # (model, work dir) -> an extraction's output dir
    train: Callable[[Any, list[Any], Path, int], Any]  # (init model, examples, out dir, round) -> model
    score: Callable[[Any], dict[str, dict[str, float]]]  # model -> {"dev": f1s, "test": f1s}
    #: (model, dir) -> None and dir -> model: the best model so far kept on disk, so that a policy
    #: stopped between rounds can resume (None: kept in memory only, no resuming)
    save: Callable[[Any, Path], None] | None = None
    load: Callable[[Path], Any] | None = None


#: a policy's files that let it resume: each round's questions, and the best model so far
PICKED, BEST_MODEL = "picked.jsonl", "best-model"


def resumable(work: Path, saved: dict[str, Any] | None) -> bool:
    """Whether a policy's work dir holds what its saved figures (``saved``: the JSON
    :func:`policy_rounds` yielded last) need to resume after their last round: each round's
    questions and answers, and the best round's model unless that is the start model."""
    if not saved or saved.get("finished") or len(saved.get("rounds", [])) < 2:
        return False
    asks = saved.get("policy") != "control"
    for entry in saved["rounds"][1:]:
        rdir = work / f"round-{entry['round']}"
        if asks and not ((rdir / PICKED).exists() and (rdir / "answers.jsonl").exists()):
            return False
    best = saved.get("best_round", 0)
    marker = work / BEST_MODEL / "ROUND"
    return best == 0 or (marker.exists() and marker.read_text(encoding="utf-8") == str(best))


def keep_best_model(save: Callable[[Any, Path], None], model: Any, work: Path, r: int) -> None:
    """Replace the policy's kept best model with round ``r``'s, whole or not at all: a run
    stopped half-way leaves the old one or a model whose ``ROUND`` marker names its round."""
    tmp = work / (BEST_MODEL + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    save(model, tmp)
    (tmp / "ROUND").write_text(str(r), encoding="utf-8")
    shutil.rmtree(work / BEST_MODEL, ignore_errors=True)
    tmp.rename(work / BEST_MODEL)


def policy_rounds(name: str, policy: Any, gold: list[Any], start: Any, start_scores: dict[str, Any], truth: Truth,
                  io: RoundIO, work: Path, rounds: int, per_round: int, patience: int,
                  first_extraction: Path | None = None, model_labels: dict[tuple[str, str], str] | None = None,
                  agent_accepts: bool = False, pool_feedback: bool = False, feedback_weight: float = 1.0,
                  feedback_mentions_only: bool = False, answer_weight: float = 1.0,
                  say: Callable[[str], None] = lambda _m: None,
                  resume: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """Rounds of ask -> answer -> retrain for one policy, yielding the figures so far (JSON-ready)
    after each round, so that several policies can advance round by round.

    Each round starts from the best model so far on dev (relation F1), asks about that model's
    decisions, and trains on gold + every answer so far. ``first_extraction``: round 1's
    candidates when they were extracted already (the shared start model's). ``model_labels``:
    (kind, label) -> the model's label, for answers naming a label no decision of the round
    uses. ``agent_accepts``: complete each answered sentence with the agent's unjudged accepts
    (the review export's option). ``pool_feedback``: gold + feedback + answers, the issue's
    design: a round also trains on the agent's own feedback (its ``feedback.jsonl``) over
    the pool sentences nobody answered yet, from the extraction its questions were drawn from
    (the control: the start model's), each example's weight times ``feedback_weight``, its
    relations dropped with ``feedback_mentions_only`` (see :func:`scaled_examples`). Each answer's
    example weighs ``answer_weight`` times the review export's top weight (an answered sentence
    teaches only its one or two judged spans, against a gold sentence's hundred). ``control``
    asks nothing. Stops after ``patience`` rounds without a dev gain.

    ``resume``: the figures this policy yielded last in ``work`` (see :func:`resumable`); its
    rounds are replayed from their files (questions, answers, the policy's rewards, the best
    model) and the next round runs as if the policy had never stopped.
    """
    from kgagent.encoder.data import read_feedback, write_feedback
    from kgagent.loop import label_counts
    from kgagent.review.export import ExportReport, review_records
    from kgagent.review.items import ReviewSet

    best_model, best_dev = start, start_scores["dev"]["relation"]
    out: dict[str, Any] = {"policy": name, "rounds": [{"round": 0, "answers": 0, **start_scores}], "best_round": 0}
    asked: set[tuple[Any, ...]] = set()
    feedback: list[Any] = []
    spent, stale = 0, 0
    picked: list[dict[str, Any]] = []
    answered: set[tuple[str, int]] = set()  # (document, sentence) of every answer so far
    def take(picked: list[dict[str, Any]], answers: Path) -> list[Any]:
        """Book a round's questions and add their answers (``answers``, weighted) to the feedback."""
        nonlocal spent
        asked.update(question_key(d) for d in picked)
        answered.update(sentence_key(d) for d in picked)
        spent += len(picked)
        examples = read_feedback(answers)
        if answer_weight != 1.0:
            examples = scaled_examples(examples, answer_weight)
        feedback.extend(examples)
        return examples

    first = 1
    if resume is not None:
        if not resumable(work, resume) or (resume.get("best_round", 0) and io.load is None):
            raise ValueError(f"{work}: nothing to resume from")
        out = json.loads(json.dumps(resume))
        out.pop("not_run", None)  # what the time budget skipped runs now
        for entry in out["rounds"][1:]:
            if name == "control":
                continue
            rdir = work / f"round-{entry['round']}"
            picked = [json.loads(line) for line in (rdir / PICKED).read_text(encoding="utf-8").splitlines()]
            take(picked, rdir / "answers.jsonl")
            for d in picked:
                policy.update(d, entry["reward"])
        first = len(out["rounds"])
        best_dev = out["rounds"][out["best_round"]]["dev"]["relation"]
        if out["best_round"]:
            best_model = io.load(work / BEST_MODEL)  # type: ignore[misc]
        stale = first - 1 - out["best_round"]
        for later in range(first, rounds + 1):  # a round cut short leaves nothing behind
            shutil.rmtree(work / f"round-{later}", ignore_errors=True)
        say(f"{name}: resumed after round {first - 1} ({spent} answers)")
    for r in range(first, rounds + 1):
        t0 = time.monotonic()
        rdir = work / f"round-{r}"
        entry: dict[str, Any] = {"round": r}
        ext = first_extraction
        if name != "control":
            ext = first_extraction if r == 1 and first_extraction is not None else io.extract(best_model, rdir / "extract")
            reviews = ReviewSet.load(ext)
            if model_labels:
                found = reviews.model_labels()
                reviews.model_labels = lambda found=found: {**model_labels, **found}  # type: ignore[method-assign]
            picked = pick(policy, reviews.decisions, asked, per_round)
            agreed = answer_all(picked, truth, spent + 1)
            report = ExportReport(path=str(rdir / "answers.jsonl"))
            records = review_records(reviews, agreed, report, agent_accepts=agent_accepts)
            write_feedback(records, rdir / "answers.jsonl")
            (rdir / PICKED).write_text("".join(json.dumps(d, default=str) + "\n" for d in picked), encoding="utf-8")
            examples = take(picked, rdir / "answers.jsonl")
            entry.update({
                "candidates": len(reviews.decisions),
                "asked": Counter(f"{d['kind']}/{d.get('verdict')}" for d in picked),
                "answers_by_action": Counter(f"{d['kind']}/{agreed[str(d['id'])].action}" for d in picked),
                "export": {k: v for k, v in report.to_dict().items() if k != "path"},
                "labels": label_counts(examples),
            })
        agents: list[Any] = []
        if pool_feedback and ext is not None and (ext / "feedback.jsonl").exists():
            agents = scaled_examples([e for e in read_feedback(ext / "feedback.jsonl")
                                     if sentence_key(e.meta) not in answered], feedback_weight, feedback_mentions_only)
            entry["agent_feedback"] = label_counts(agents)
        model = io.train(best_model, list(gold) + agents + feedback, rdir / "model", r)
        scores = io.score(model)
        gain = scores["dev"]["relation"] - best_dev
        if name != "control":
            reward = round_reward(best_dev, scores["dev"]["relation"], len(picked))
            for d in picked:
                policy.update(d, reward)
            entry["reward"] = reward
        entry.update({"answers": spent, **scores, "dev_gain": gain, "seconds": round(time.monotonic() - t0, 1)})
        out["rounds"].append(entry)
        say(f"{name} round {r}: {spent} answers, dev {_short(scores['dev'])} test {_short(scores['test'])} "
            f"(dev gain {gain:+.2f}; {entry['seconds']:.0f} s)")
        if gain > 0:
            best_model, best_dev, stale = model, scores["dev"]["relation"], 0
            out["best_round"] = r
            if io.save is not None:  # the next round (and a resumed run) starts from it
                keep_best_model(io.save, model, work, r)
        else:
            stale += 1
            if stale >= patience and r < rounds:
                out["stopped_early"] = r
        if hasattr(policy, "theta_"):
            from kgagent.review.policy import FEATURES

            out["theta"] = dict(zip(FEATURES, (round(float(x), 4) for x in policy.theta_)))
        yield json.loads(json.dumps(out, default=lambda o: dict(o) if isinstance(o, Counter) else str(o)))
        if "stopped_early" in out:
            return


def scaled_examples(examples: list[Any], weight: float = 1.0, mentions_only: bool = False) -> list[Any]:
    """Feedback examples (the agent's, or answers) as a round trains on them: each example's weight times
    ``weight``; with ``mentions_only`` its relations dropped and the example marked as teaching
    the relation head nothing (``meta["annotates"]``, kgagent.encoder.sources), so that its
    unmarked pairs are not read as "no relation" either."""
    out = []
    for e in examples:
        meta = {**e.meta, "weight": float(e.meta.get("weight", 1.0)) * weight}
        if mentions_only:
            meta["annotates"] = {**meta.get("annotates", {}), "relations": False}
            e = dataclasses.replace(e, relations=[], negative_relations=[])
        out.append(dataclasses.replace(e, meta=meta))
    return out


def run_policy(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """All of :func:`policy_rounds` at once: the last round's figures."""
    last: dict[str, Any] = {}
    for last in policy_rounds(*args, **kwargs):
        pass
    return last


def _short(f1s: dict[str, float]) -> str:
    return f"ent {f1s['entity']:.1f} / rel {f1s['relation']:.1f}"


# --------------------------------------------------------------------------- the experiment


class MentionsFirst:
    """A probe of run 8's reading (random's worth lies in its mention answers): random order,
    every mention decision before every relation decision (``margin-mentions``,
    kgagent.review.policy's MentionMarginPolicy, orders the mentions by their margin instead)."""

    def __init__(self, seed: int = 0):
        from kgagent.review.policy import RandomPolicy

        self.shuffle = RandomPolicy(seed)

    def order(self, decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from kgagent.review.policy import mentions_first

        return mentions_first(self.shuffle.order(decisions))

    def update(self, decision: dict[str, Any], reward: float) -> None:
        """It does not learn."""


def make_policy(name: str, seed: int, alpha: float, threshold: float | None = None) -> Any:
    """The policy of that name (kgagent.review.policy) with this run's seed, exploration or
    threshold (margin and uncertainty; None: each kind's own accept boundary); None for the
    control, which asks nothing."""
    from kgagent.review.policy import make_policy as policy_by_name

    if name == "control":
        return None
    if name == "random-mentions":
        return MentionsFirst(seed)
    options = {"random": {"seed": seed}, "linucb": {"alpha": alpha}, "margin": {"threshold": threshold},
               "uncertainty": {"threshold": threshold}}
    if threshold is not None:  # margin-mentions measures from 0.5 unless told
        options["margin-mentions"] = {"threshold": threshold}
    return policy_by_name(name, **options.get(name, {}))


#: settings a re-run may change (what it runs and how fast), unlike those that change the figures
RUN_ONLY = frozenset({"budget_min", "threads", "report", "also", "seeds", "policies", "round_estimate_s", "results",
                      "work"})


def save_model(model: Any, path: Path) -> None:
    """An encoder to a directory (RoundIO.save)."""
    model.save_pretrained(path)


def load_model(path: Path) -> Any:
    """An encoder saved by :func:`save_model` (RoundIO.load)."""
    from kgagent.encoder import Encoder

    return Encoder.from_pretrained(path)


class Experiment:
    """The real world of ``run_policy``: the Agent, the shipped recipe's trainer, CoNLL04 dev/test."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.bench = loop_bench.Bench(argparse.Namespace(
            work=args.work, epochs=args.epochs, set=args.set, inner_dev=0, budget_min=args.budget_min))
        self.results_path = Path(args.results)
        self.results: dict[str, Any] = json.loads(self.results_path.read_text()) if self.results_path.exists() else {}
        before = self.results.get("settings", {})
        now = {k: v for k, v in vars(args).items() if k not in RUN_ONLY}
        changed = sorted(k for k in now if k in before and before[k] != json.loads(json.dumps(now[k], default=str)))
        if changed:  # a re-run reuses and resumes what the file holds: only under the same settings
            raise SystemExit(f"{self.results_path}: its runs had other settings ({', '.join(changed)}); "
                             f"give another --results")
        self.kg: Any = None
        self.linker: Any = None
        self.durations: dict[str, list[float]] = {}

    def log(self, msg: str) -> None:
        self.bench.log(msg)

    def save(self) -> None:
        self.results["settings"] = {k: v for k, v in vars(self.args).items() if k not in ("report",)}
        tmp = self.results_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.results, indent=1, default=str))
        tmp.replace(self.results_path)

    def extract(self, model: Any, docs: list[Any], out: Path) -> Path:
        """The Agent (default domain: rules, graph) over the pool with ``model``; graph and
        linker are loaded once (extraction never changes the agent's graph)."""
        from kgagent.agent import Agent

        if (out / "DONE").exists():
            return out
        agent = Agent.load(model=model, kg=self.kg, linker=self.linker, near_miss_floor=self.args.near_misses)
        self.kg, self.linker = agent.kg, agent.linker
        agent.extract_to(docs, out, overwrite=True)
        (out / "DONE").write_text("")
        return out

    def trainer(self, cfg: Any) -> Callable[[Any, list[Any], Path, int], Any]:
        from kgagent.loop import default_trainer

        def train(init: Any, examples: list[Any], out: Path, r: int) -> Any:
            if self.args.round_from == "base":  # the gold-only recipe and seed, from the base, on gold + answers
                del out
                base_cfg = cfg if self.args.base_epochs is None else dataclasses.replace(cfg, epochs=self.args.base_epochs)
                model, _ = default_trainer(base_cfg, examples, self.dev, None)
                return model
            round_cfg = dataclasses.replace(cfg, epochs=self.args.round_epochs, seed=cfg.seed + r)
            if self.args.round_lr is not None:
                round_cfg = dataclasses.replace(round_cfg, lr=self.args.round_lr, head_lr=self.args.round_head_lr)
            del out  # no checkpoints: a round's model lives in memory until the next round
            model, _ = default_trainer(round_cfg, examples, self.dev, None, init=init)
            return model
        return train

    def scores(self, model: Any) -> dict[str, dict[str, float]]:
        return {"dev": loop_bench.f1s(self.bench.evaluate(model, self.dev)),
                "test": loop_bench.f1s(self.bench.evaluate(model, self.test))}

    def fits(self, kind: str, default_s: float) -> bool:
        past = self.durations.get(kind)
        need = 1.2 * max(past) if past else default_s  # rounds grow with the answers
        return self.bench.left_s() > need

    def cell(self, seed: int, train_records: list[Any], train_ex: list[Any]) -> dict[str, Any]:
        """One seed's split, hidden gold, gold-only start model (cached) and its extraction."""
        from kgagent.domain import Domain
        from kgagent.rule_stats import Gold

        args = self.args
        key = f"p{round(args.size * 100)}-s{seed}"
        kept = loop_bench.sample(len(train_ex), args.size, seed)
        kept_set = set(kept)
        rest = [i for i in range(len(train_ex)) if i not in kept_set]
        if args.pool_cap:
            rest = rest[: args.pool_cap]
        gold = [train_ex[i] for i in kept]
        docs, rest_gold = loop_bench.as_documents(train_records, rest)
        g = Gold.from_records(rest_gold)
        cfg = self.bench.train_config(seed)
        if not (self.bench.work / key / "gold" / "model" / "DONE").exists():
            self.log(f"{key}: training gold-only on {len(gold)} sentences")
        t0 = time.monotonic()
        start = self.bench.gold_model(key, cfg, gold, self.dev)
        entry = self.results.setdefault(key, {"seed": seed, "labelled": len(gold), "pool": len(docs), "policies": {}})
        if "gold_only" not in entry:
            entry["gold_only"] = self.scores(start)
            entry["gold_only"]["seconds"] = round(time.monotonic() - t0, 1)
            self.save()
        self.log(f"{key}: gold-only dev {_short(entry['gold_only']['dev'])} test {_short(entry['gold_only']['test'])}")
        t0 = time.monotonic()
        near = f"-near{args.near_misses}" if args.near_misses is not None else ""  # another floor, another extraction
        first = self.extract(start, docs, self.bench.work / key / f"extract-round0-n{len(docs)}{near}")
        self.log(f"{key}: the start model's extraction over {len(docs)} sentences ({time.monotonic() - t0:.0f} s)")
        normalize = Domain.load().labels.normalize
        labels = {("entity", normalize(x)): x for x in start.config.entity_labels}
        labels.update({("relation", normalize(x)): x for x in start.config.relation_labels})
        return {"gold": gold, "docs": docs, "truth": Truth(g.entities, g.relations), "cfg": cfg, "start": start,
                "first": first, "key": key, "labels": labels}

    def run(self) -> None:
        """Every seed's start model first, then round 1 of every (seed, policy), round 2, ...:
        a budget that runs out leaves whole rounds over all seeds, not whole seeds."""
        import torch

        torch.set_num_threads(self.args.threads)
        args = self.args
        train_records, train_ex = loop_bench.load_split("train")
        _, self.dev = loop_bench.load_split("dev")
        _, self.test = loop_bench.load_split("test")
        self.log(f"data: train {len(train_ex)}, dev {len(self.dev)}, test {len(self.test)}")
        cells = {seed: self.cell(seed, train_records, train_ex) for seed in args.seeds}
        runs: dict[tuple[int, str], Iterator[dict[str, Any]]] = {}
        for seed, c in cells.items():
            for name in args.policies:
                done = self.results[c["key"]]["policies"].get(name, {})
                if done.get("finished"):
                    continue
                pdir = self.bench.work / c["key"] / name
                resume = done if resumable(pdir, done) else None
                if resume is None:
                    shutil.rmtree(pdir, ignore_errors=True)  # no stale extractions
                io = RoundIO(extract=lambda m, out, docs=c["docs"]: self.extract(m, docs, out),
                             train=self.trainer(c["cfg"]), score=self.scores, save=save_model, load=load_model)
                runs[(seed, name)] = policy_rounds(
                    name, make_policy(name, seed, args.alpha, args.threshold), c["gold"], c["start"],
                    self.results[c["key"]]["gold_only"], c["truth"], io, self.bench.work / c["key"] / name,
                    args.rounds, args.per_round, args.patience, first_extraction=c["first"],
                    model_labels=c["labels"], agent_accepts=args.completion == "agent", pool_feedback=args.with_feedback,
                    feedback_weight=args.feedback_weight, feedback_mentions_only=args.feedback_mentions_only,
                    answer_weight=args.answer_weight, resume=resume,
                    say=lambda m, k=c["key"]: self.log(f"{k} {m}"))
        for r in range(1, args.rounds + 1):
            for (seed, name), gen in list(runs.items()):
                key = cells[seed]["key"]
                if not self.fits(name, args.round_estimate_s):
                    self.results[key]["policies"].setdefault(name, {})["not_run"] = f"rounds >= {r}: time budget"
                    self.log(f"{key} {name}: round {r} not run (time budget)")
                    del runs[(seed, name)]
                    self.save()
                    continue
                t0 = time.monotonic()
                try:
                    res = next(gen)
                except StopIteration:
                    del runs[(seed, name)]
                    continue
                self.durations.setdefault(name, []).append(time.monotonic() - t0)
                if res["rounds"][-1]["round"] == args.rounds or "stopped_early" in res:  # (a resumed run is ahead)
                    res["finished"] = True
                    del runs[(seed, name)]
                self.results[key]["policies"][name] = res
                self.save()
        self.log("done")
        print(report(self.results, args.per_round))


# --------------------------------------------------------------------------- report


def _ms(values: list[float]) -> str:
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.1f} (n=1)"
    return f"{statistics.mean(values):.1f} ± {statistics.stdev(values):.1f}"


def at_answers(res: dict[str, Any], n: int, which: str, split: str = "test", chosen: bool = False) -> float | None:
    """A policy's F1 once ``n`` answers are spent: that round's model, or (``chosen``) the
    model dev chose among the rounds up to it. A run stopped early keeps its chosen model."""
    rounds = [r for r in res.get("rounds", []) if r["round"] == 0 or r.get("answers", 0) <= n]
    if not rounds:
        return None
    if not chosen:
        exact = [r for r in rounds if r.get("answers", 0) == n]
        return exact[-1][split][which] if exact else None
    best = max(rounds, key=lambda r: (r["dev"]["relation"], -r["round"]))
    return best[split][which]


def report(results: dict[str, Any], per_round: int = 50) -> str:
    """Markdown tables: test strict F1 against answers spent, mean ± sample std over seeds."""
    cells = [v for k, v in sorted(results.items()) if k.startswith("p") and isinstance(v, dict)]
    if not cells:
        return "no finished cells"
    names = [p for p in POLICIES if any(p in c.get("policies", {}) for c in cells)]
    max_r = max((len(r.get("rounds", [])) - 1 for c in cells for r in c.get("policies", {}).values()), default=0)
    points = [per_round * i for i in range(max_r + 1)]
    lines = []
    for split, which in (("test", "relation"), ("test", "entity"), ("dev", "relation")):
        lines += [f"{split.capitalize()} {which} F1 (strict, %) after n answers (that round's model"
                  + ("; the figure that chooses the model):" if split == "dev" else "):"), "",
                  "| policy | " + " | ".join(f"n = {n}" for n in points) + " | dev-chosen, n <= max | seeds |",
                  "|---|" + "---|" * (len(points) + 2)]
        for p in names:
            runs = [(c["seed"], c["policies"][p]) for c in cells if "rounds" in c.get("policies", {}).get(p, {})]
            row = []
            for n in points:
                got = [_control_at(r, n, per_round, which, split) if p == "control" else
                       at_answers(r, n, which, split) for _, r in runs]
                row.append(_ms([v for v in got if v is not None]))
            chosen = [at_answers(r, points[-1], which, split, chosen=True) for _, r in runs]
            lines.append(f"| {p} | " + " | ".join(row) + f" | {_ms([v for v in chosen if v is not None])} | "
                         f"{','.join(str(s) for s, _ in runs)} |")
        gold = [c["gold_only"][split][which] for c in cells if split in c.get("gold_only", {})]
        lines += ["", f"Gold-only (n = 0) here: {_ms(gold)}"
                  + (f"; run 2's gold-only {OLD_GOLD_ONLY[which]}; full gold {FULL_GOLD[which]}." if split == "test"
                     else "."), ""]
    done = min((len(r.get("rounds", [])) - 1 for c in cells for r in c.get("policies", {}).values() if "rounds" in r),
               default=0)  # the rounds every seed of every policy finished
    lines += goal_check(cells, names, done * per_round, per_round) + [""] + composition(cells, names)
    return "\n".join(lines)


def goal_check(cells: list[dict[str, Any]], names: list[str], n: int, per_round: int) -> list[str]:
    """The issue's goal at ``n`` answers: the share of the gold-only -> full-gold relation gap
    closed, and the paired difference to random per seed (that round's model; dev-chosen)."""
    gold = {c["seed"]: c["gold_only"]["test"]["relation"] for c in cells if "gold_only" in c}
    base = statistics.mean(gold.values()) if gold else OLD_GOLD_ONLY["relation"]
    lines = [f"Goal check at n = {n} answers (test relation F1; gap = full gold {FULL_GOLD['relation']} - "
             f"gold-only {base:.1f} here; a third of it = {(FULL_GOLD['relation'] - base) / 3:.1f} points):", "",
             "| policy | model | mean | gap closed | - random per seed | - random mean ± std | - control mean ± std |",
             "|---|---|---|---|---|---|---|"]
    for chosen in (False, True):
        def value(res: dict[str, Any], p: str) -> float | None:
            if p == "control":
                return _control_chosen(res, n, per_round) if chosen else _control_at(res, n, per_round, "relation")
            return at_answers(res, n, "relation", chosen=chosen)
        rnd = {c["seed"]: value(c["policies"]["random"], "random") for c in cells
               if "rounds" in c.get("policies", {}).get("random", {})}
        ctl = {c["seed"]: value(c["policies"]["control"], "control") for c in cells
               if "rounds" in c.get("policies", {}).get("control", {})}
        for p in names:
            vals = {c["seed"]: value(c["policies"][p], p) for c in cells if "rounds" in c.get("policies", {}).get(p, {})}
            vals = {k: v for k, v in vals.items() if v is not None}
            if not vals:
                continue
            mean = statistics.mean(vals.values())
            diffs = {k: v - rnd[k] for k, v in vals.items() if rnd.get(k) is not None}
            per_seed = " / ".join(f"{d:+.1f}" for _, d in sorted(diffs.items())) if p != "random" else "—"
            vs_ctl = [v - ctl[k] for k, v in vals.items() if ctl.get(k) is not None]
            lines.append(f"| {p} | {'dev-chosen' if chosen else 'round model'} | {_ms(list(vals.values()))} | "
                         f"{(mean - base) / (FULL_GOLD['relation'] - base):.0%} | {per_seed} | "
                         f"{_ms(list(diffs.values())) if p != 'random' else '—'} | "
                         f"{_ms(vs_ctl) if p != 'control' else '—'} |")
    return lines


def _control_chosen(res: dict[str, Any], n: int, per_round: int) -> float | None:
    """The control's dev-chosen test relation F1 among the rounds ``n`` answers would take."""
    rounds = [r for r in res.get("rounds", []) if r["round"] <= (n // per_round if per_round else 0)]
    return max(rounds, key=lambda r: (r["dev"]["relation"], -r["round"]))["test"]["relation"] if rounds else None


def composition(cells: list[dict[str, Any]], names: list[str]) -> list[str]:
    """What each policy asked about and what the reviewer answered, over all seeds and rounds."""
    lines = ["What was asked (kind/agent verdict) and answered (kind/answer), summed over seeds and rounds:", "",
             "| policy | asked | answered |", "|---|---|---|"]
    for p in names:
        if p == "control":
            continue
        asked, answered = Counter(), Counter()
        for c in cells:
            for r in c.get("policies", {}).get(p, {}).get("rounds", [])[1:]:
                asked.update(r.get("asked", {}))
                answered.update(r.get("answers_by_action", {}))
        lines.append(f"| {p} | " + ", ".join(f"{k} {v}" for k, v in sorted(asked.items())) + " | "
                     + ", ".join(f"{k} {v}" for k, v in sorted(answered.items())) + " |")
    return lines


def _control_at(res: dict[str, Any], n: int, per_round: int, which: str, split: str = "test") -> float | None:
    """The control after as many rounds as ``n`` answers take (it answers nothing)."""
    r = n // per_round if per_round else 0
    rows = [x for x in res.get("rounds", []) if x["round"] == r]
    return rows[0][split][which] if rows else None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work", default=str(HERE / "work" / "review_policy"))
    p.add_argument("--results", default=str(HERE / "review_policy.json"))
    p.add_argument("--size", type=float, default=0.1, help="fraction of train labelled (run.py's sample)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--policies", nargs="+", default=["random", "uncertainty", "linucb", "control"], choices=POLICIES)
    p.add_argument("--rounds", type=int, default=4, help="rounds of answers (K <= 6)")
    p.add_argument("--per-round", type=int, default=50, help="answers per round")
    p.add_argument("--patience", type=int, default=4, help="rounds without a dev gain before stopping")
    p.add_argument("--alpha", type=float, default=0.05,
                   help="LinUCB exploration, on the reward's scale (a round's gain of ~2 dev F1 points is 0.04 an answer)")
    p.add_argument("--epochs", type=int, default=20, help="epochs of the gold-only start model")
    p.add_argument("--round-epochs", type=int, default=1, help="epochs of each round (continuing from the best model)")
    p.add_argument("--round-from", default="best", choices=["best", "base"],
                   help="a round continues from the best model so far (best), or trains from the base encoder "
                        "with the gold-only recipe, seed and dev selection on gold + every answer so far (base)")
    p.add_argument("--base-epochs", type=int, default=None,
                   help="with --round-from base: epochs of a round's training (default --epochs); e.g. the control "
                        "trained as many steps as gold + 200 answered sentences take")
    p.add_argument("--round-lr", type=float, default=None, help="encoder lr of a round (default: the recipe's)")
    p.add_argument("--round-head-lr", type=float, default=None, help="heads' lr of a round (with --round-lr)")
    p.add_argument("--set", action="append", help="TrainConfig field=value (JSON value)",
                   default=["lora=false", "lr=0.0001", "head_lr=0.002", "patience=5"])
    p.add_argument("--completion", default="none", choices=["none", "agent"],
                   help="an answered sentence holds the answers only (none), or also the agent's unjudged accepts")
    p.add_argument("--with-feedback", action="store_true",
                   help="gold + feedback + answers: a round also trains on the agent's feedback over the pool "
                        "sentences not answered yet (from the extraction the round's questions came from)")
    p.add_argument("--threshold", type=float, default=None,
                   help="margin / uncertainty: measure every score from this threshold (runs 5-7: 0.5) instead of "
                        "each kind's own accept boundary")
    p.add_argument("--feedback-weight", type=float, default=1.0,
                   help="with --with-feedback: the agent's examples weigh this much (times their own weight)")
    p.add_argument("--feedback-mentions-only", action="store_true",
                   help="with --with-feedback: the agent's mentions only, no relation labels from it")
    p.add_argument("--answer-weight", type=float, default=1.0,
                   help="each answer's training example weighs this much (times the review export's weight, 1)")
    p.add_argument("--near-misses", type=float, default=None,
                   help="the agent also writes the spans its encoder nearly proposed, down to this score, as "
                        "review decisions (kgagent extract --near-misses): candidates for the policies too")
    p.add_argument("--pool-cap", type=int, default=0, help="use only the first N unlabelled sentences (0 = all)")
    p.add_argument("--budget-min", type=float, default=55.0)
    p.add_argument("--round-estimate-s", type=float, default=90.0, help="a round's time before one is measured")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--smoke", action="store_true", help="tiny: 1 seed, 1 round of 10 answers, 2 epochs, 60-sentence pool")
    p.add_argument("--report", action="store_true", help="print the tables of the results file and exit")
    p.add_argument("--also", nargs="*", default=[],
                   help="with --report: more results files of the same seeds (policies run by other processes)")
    args = p.parse_args()
    if args.rounds > 6:
        raise SystemExit("--rounds: the design allows at most 6 rounds")
    if args.base_epochs is not None and args.round_from != "base":
        raise SystemExit("--base-epochs goes with --round-from base")
    if not args.with_feedback and (args.feedback_weight != 1.0 or args.feedback_mentions_only):
        raise SystemExit("--feedback-weight and --feedback-mentions-only go with --with-feedback")
    if (args.round_lr is None) != (args.round_head_lr is None):
        raise SystemExit("--round-lr and --round-head-lr go together")
    if args.smoke:
        args.seeds, args.rounds, args.epochs, args.round_epochs, args.per_round = [0], 1, 2, 1, 10
        args.pool_cap = args.pool_cap or 60
        args.work = str(HERE / "work" / "review_policy_smoke")
        args.results = str(Path(args.work) / "review_policy.json")
    if args.report:
        path = Path(args.results)
        results = json.loads(path.read_text()) if path.exists() else {}
        for more in args.also:  # other policies of the same seeds, run by another process
            for key, cell in json.loads(Path(more).read_text()).items():
                if key.startswith("p") and isinstance(cell, dict):
                    results.setdefault(key, cell)["policies"].update(cell.get("policies", {}))
        print(report(results, int(results.get("settings", {}).get("per_round", args.per_round))))
        return
    Experiment(args).run()


if __name__ == "__main__":
    main()
