"""The simulated reviewer of benchmarks/feedback_loop/review_policy.py (issue 13, part 4) and its
round bookkeeping, on the review fixture extraction with fake training (no model)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from kgagent.review.export import REVIEW_WEIGHT
from kgagent.review.items import ReviewSet
from kgagent.review.policy import LinUCBPolicy, MarginPolicy, MentionMarginPolicy, RandomPolicy, UncertaintyPolicy
from support.agent_fakes import REPO
from support.scripts import load_script
from support.review_fakes import (ACME, BOSTON_TEXAS, FIXTURE, KLUGT_PHILIPS, PARSONS, PHILIPS_NY, SMITH,
                                  WORK_FOR)

SCRIPT = REPO / "benchmarks" / "feedback_loop" / "review_policy.py"


@pytest.fixture(scope="module")
def rp() -> Any:
    return load_script(SCRIPT, "review_policy_bench")


def truth(rp: Any) -> Any:
    """Gold for the fixture's two documents, in the decisions' label names and document spans."""
    return rp.Truth(
        entities={"d1": {(0, 15, "person"), (26, 37, "organization"), (41, 47, "location"),
                         (49, 55, "location"), (62, 67, "location")},
                  "d2": {(4, 17, "person"), (24, 31, "organization"), (35, 43, "location"),
                         (45, 50, "person"), (55, 59, "person"), (67, 80, "location")}},
        relations={"d1": {("work_for", 0, 15, 26, 37), ("orgbased_in", 49, 55, 62, 67)},
                   "d2": {("orgbased_in", 24, 31, 35, 43)}})


def test_the_simulated_reviewer_answers_from_gold(rp: Any) -> None:
    rs, t = ReviewSet.load(FIXTURE), truth(rp)
    answer = {i: rp.simulated_answer(rs.get(i), t) for i in (PARSONS, SMITH, ACME, WORK_FOR, BOSTON_TEXAS,
                                                              KLUGT_PHILIPS, PHILIPS_NY)}
    assert answer[PARSONS] == ("accept", None, None)
    assert answer[SMITH] == ("accept", None, None)  # the agent said review; gold says it is a person
    assert answer[ACME] == ("relabel", "person", None)  # right span, other type
    assert answer[WORK_FOR] == ("accept", None, None)
    assert answer[BOSTON_TEXAS] == ("relabel", "orgbased_in", None)  # same pair, other predicate
    assert answer[KLUGT_PHILIPS] == ("reject", None, None)  # gold has no work_for there
    assert answer[PHILIPS_NY] == ("accept", None, None)
    klugt = next(d for d in rs.decisions if d.get("text") == "Cor van der Klugt")
    assert rp.simulated_answer(klugt, t) == ("span", None, (4, 17))  # one gold person overlaps it
    unknown = {**rs.get(PARSONS), "doc": "elsewhere"}
    assert rp.simulated_answer(unknown, t) == ("reject", None, None)


def test_pick_never_asks_a_question_twice(rp: Any) -> None:
    rs = ReviewSet.load(FIXTURE)
    first = rp.pick(UncertaintyPolicy(), rs.decisions, set(), 5)
    assert len(first) == 5 and first[0]["verdict"] == "review"
    asked = {rp.question_key(d) for d in first}
    # the same questions proposed again by another model (other ids, other scores) are not asked
    again = [{**d, "id": d["id"] + "x", "score": 0.5} for d in rs.decisions]
    second = rp.pick(RandomPolicy(1), again, asked, 100)
    assert len(second) == len(rs.decisions) - 5 and not asked & {rp.question_key(d) for d in second}


class FakeWorld:
    """Extraction = the fixture each round; training and scores scripted by round."""

    def __init__(self, tmp: Path, dev_by_round: dict[int, float]) -> None:
        self.tmp, self.dev_by_round = tmp, dev_by_round
        self.trained: list[tuple[Any, int, list[Any]]] = []
        self.extracted: list[Any] = []

    def extract(self, model: Any, out: Path) -> Path:
        self.extracted.append(model)
        shutil.copytree(FIXTURE, out)
        return out

    def train(self, init: Any, examples: list[Any], out: Path, r: int) -> Any:
        self.trained.append((init, r, examples))
        return {"round": r}

    def score(self, model: Any) -> dict[str, dict[str, float]]:
        f = self.dev_by_round[model["round"]]
        return {"dev": {"entity": 50.0, "relation": f}, "test": {"entity": 50.0, "relation": f - 1}}


def test_rounds_spend_answers_accumulate_feedback_and_reward_the_bandit(rp: Any, tmp_path: Path) -> None:
    world = FakeWorld(tmp_path, {0: 20.0, 1: 24.0, 2: 23.0, 3: 25.0})
    io = rp.RoundIO(world.extract, world.train, world.score)
    gold = ["g1", "g2"]
    policy = LinUCBPolicy(alpha=0.05)
    res = rp.run_policy("linucb", policy, gold, {"round": 0}, world.score({"round": 0}), truth(rp), io,
                        tmp_path / "linucb", rounds=3, per_round=4, patience=3)
    assert [r["answers"] for r in res["rounds"]] == [0, 4, 8, 12]
    assert res["best_round"] == 3 and "stopped_early" not in res
    # each round trains on gold + every answer so far, from the best model so far on dev
    sizes = [len(ex) for _, _, ex in world.trained]
    assert all(ex[:2] == gold for _, _, ex in world.trained) and sizes[0] < sizes[1] <= sizes[2]
    assert [init["round"] for init, _, _ in world.trained] == [0, 1, 1]
    assert [m["round"] for m in world.extracted] == [0, 1, 1]
    reviewed = [lab for _, _, ex in world.trained[-1:] for e in ex[2:] for lab in
                e.entities + e.relations + e.negative_entities + e.negative_relations]
    assert any(lab.weight == REVIEW_WEIGHT for lab in reviewed)
    # 12 distinct questions asked, each answered once
    assert sum(sum(r["answers_by_action"].values()) for r in res["rounds"][1:]) == 12
    # the reward is the round's dev relation-F1 gain per answer, over the best model so far
    assert [r["reward"] for r in res["rounds"][1:]] == pytest.approx([4.0 / 4, -1.0 / 4, 1.0 / 4])
    assert policy.updates_ == 12 and res["theta"]


def test_patience_stops_and_the_control_asks_nothing(rp: Any, tmp_path: Path) -> None:
    world = FakeWorld(tmp_path, {0: 20.0, 1: 19.0, 2: 18.0, 3: 30.0})
    io = rp.RoundIO(world.extract, world.train, world.score)
    res = rp.run_policy("random", RandomPolicy(0), ["g"], {"round": 0}, world.score({"round": 0}), truth(rp), io,
                        tmp_path / "random", rounds=3, per_round=4, patience=2)
    assert res["stopped_early"] == 2 and res["best_round"] == 0 and len(res["rounds"]) == 3
    assert rp.at_answers(res, 8, "relation") == 17.0 and rp.at_answers(res, 8, "relation", chosen=True) == 19.0
    world2 = FakeWorld(tmp_path, {0: 20.0, 1: 21.0, 2: 22.0})
    io2 = rp.RoundIO(world2.extract, world2.train, world2.score)
    ctl = rp.run_policy("control", None, ["g"], {"round": 0}, world2.score({"round": 0}), truth(rp), io2,
                        tmp_path / "control", rounds=2, per_round=4, patience=2)
    assert world2.extracted == [] and all(ex == ["g"] for _, _, ex in world2.trained)
    assert [r["answers"] for r in ctl["rounds"]] == [0, 0, 0]
    table = rp.report({"p10-s0": {"seed": 0, "gold_only": {"test": {"entity": 50.0, "relation": 19.0}},
                                  "policies": {"random": res, "control": ctl}}}, per_round=4)
    assert "| random |" in table and "| control |" in table


def test_gold_feedback_and_answers_the_agents_labels_fill_the_sentences_nobody_answered(rp: Any, tmp_path: Path) -> None:
    """With pool_feedback a round trains on gold + the agent's feedback of the extraction its
    questions came from, less the sentences answered so far (their answers stand instead);
    the control trains on the start model's feedback."""
    world = FakeWorld(tmp_path, {0: 20.0, 1: 21.0, 2: 22.0})
    io = rp.RoundIO(world.extract, world.train, world.score)
    res = rp.run_policy("uncertainty", UncertaintyPolicy(), ["g"], {"round": 0}, world.score({"round": 0}), truth(rp),
                        io, tmp_path / "uncertainty", rounds=2, per_round=2, patience=2, pool_feedback=True)
    sentences = {("d1", 0), ("d1", 1), ("d2", 0), ("d2", 1)}
    for r, (_, _, examples) in enumerate(world.trained, start=1):
        agents = [e for e in examples[1:] if e.meta.get("source") == "feedback"]
        answers = [e for e in examples[1:] if e.meta.get("source") == "review"]
        answered = {(e.meta["doc"], e.meta["sentence"]) for e in answers}
        assert answers and answered < sentences
        assert {(e.meta["doc"], e.meta["sentence"]) for e in agents} == sentences - answered
        assert res["rounds"][r]["agent_feedback"]["sentences"] == len(agents)
    ctl_world = FakeWorld(tmp_path, {0: 20.0, 1: 21.0})
    rp.run_policy("control", None, ["g"], {"round": 0}, ctl_world.score({"round": 0}), truth(rp),
                  rp.RoundIO(ctl_world.extract, ctl_world.train, ctl_world.score), tmp_path / "control", rounds=1,
                  per_round=2, patience=2, first_extraction=FIXTURE, pool_feedback=True)
    (_, _, examples), = ctl_world.trained
    assert examples[0] == "g" and len(examples) == 5 and ctl_world.extracted == []


def test_the_agents_feedback_can_weigh_less_and_teach_mentions_only(rp: Any, tmp_path: Path) -> None:
    """``scaled_examples``: each example's weight scaled; mentions only drops the relations and
    marks the example as teaching the relation head nothing, so a training sample holds no pair
    of it (its unmarked pairs are not negatives), while its mentions still teach."""
    import random

    from kgagent.encoder.data import EntitySpan, Example, RelationSpan
    from kgagent.encoder.train import TrainConfig, make_sample

    ex = Example(tokens="Ada works for Acme in Paris".split(),
                 entities=[EntitySpan(0, 1, "Peop"), EntitySpan(3, 4, "Org"), EntitySpan(5, 6, "Loc")],
                 relations=[RelationSpan(0, 1, "Work_For")], meta={"source": "feedback", "weight": 0.5})
    same, = rp.scaled_examples([ex])
    assert same.relations == ex.relations and same.meta["weight"] == 0.5 and "annotates" not in same.meta
    light, = rp.scaled_examples([ex], weight=0.2, mentions_only=True)
    assert light.meta["weight"] == pytest.approx(0.1) and light.relations == [] and light.negative_relations == []
    assert light.meta["annotates"] == {"relations": False} and light.entities == ex.entities
    assert ex.relations and ex.meta == {"source": "feedback", "weight": 0.5}  # the input is left as it was

    class Enc:  # make_sample reads only the word count
        n_words = len(ex.tokens)

    cfg = TrainConfig()
    ents, rels = {"Peop": 0, "Org": 1, "Loc": 2}, {"Work_For": 0}
    full = make_sample(Enc(), same, ents, rels, cfg, random.Random(0))
    only = make_sample(Enc(), light, ents, rels, cfg, random.Random(0))
    assert full.pairs and only.pairs == []
    assert only.span_options is None and {(s, e, t) for s, e, t, _ in only.spans if t} == {(0, 1, 1), (3, 4, 2), (5, 6, 3)}


def test_answers_can_weigh_more(rp: Any, tmp_path: Path) -> None:
    """``answer_weight``: every answer's example weighs that many times the export's; gold as it was."""
    runs = {}
    for w in (1.0, 4.0):
        world = FakeWorld(tmp_path, {0: 20.0, 1: 21.0})
        rp.run_policy("random", RandomPolicy(0), ["g"], {"round": 0}, world.score({"round": 0}), truth(rp),
                      rp.RoundIO(world.extract, world.train, world.score), tmp_path / f"w{w}", rounds=1, per_round=3,
                      patience=2, answer_weight=w)
        (_, _, examples), = world.trained
        assert examples[0] == "g" and len(examples) > 1
        runs[w] = examples[1:]
    assert [e.meta.get("weight", 1.0) * 4.0 for e in runs[1.0]] == [e.meta["weight"] for e in runs[4.0]]
    assert [e.entities + e.negative_entities for e in runs[1.0]] == [e.entities + e.negative_entities for e in runs[4.0]]


class SavingWorld(FakeWorld):
    """FakeWorld whose models go to disk and back (RoundIO.save / load)."""

    def save(self, model: Any, path: Path) -> None:
        path.mkdir(parents=True)
        (path / "model.json").write_text(json.dumps(model))

    def load(self, path: Path) -> Any:
        return json.loads((path / "model.json").read_text())

    def io(self, rp: Any) -> Any:
        return rp.RoundIO(self.extract, self.train, self.score, save=self.save, load=self.load)


def _without_times(res: dict[str, Any]) -> dict[str, Any]:
    return {**res, "rounds": [{k: v for k, v in r.items() if k != "seconds"} for r in res["rounds"]]}


def test_a_policy_stopped_between_rounds_resumes_as_if_it_never_stopped(rp: Any, tmp_path: Path) -> None:
    """A run cut after round 2 (its best model round 1's, kept on disk) and resumed from its
    last figures asks the same questions, trains on the same answers, rewards the bandit alike
    and ends with the same figures as one that never stopped."""
    dev = {0: 20.0, 1: 24.0, 2: 23.0, 3: 25.0}
    whole_world, whole_policy = SavingWorld(tmp_path, dev), LinUCBPolicy(alpha=0.05)
    whole = rp.run_policy("linucb", whole_policy, ["g"], {"round": 0}, whole_world.score({"round": 0}), truth(rp),
                          whole_world.io(rp), tmp_path / "whole", rounds=3, per_round=4, patience=3)
    cut_world = SavingWorld(tmp_path, dev)
    work = tmp_path / "cut"
    gen = rp.policy_rounds("linucb", LinUCBPolicy(alpha=0.05), ["g"], {"round": 0}, cut_world.score({"round": 0}),
                           truth(rp), cut_world.io(rp), work, rounds=3, per_round=4, patience=3)
    next(gen)
    saved = next(gen)  # round 2: no gain, the best model is still round 1's
    gen.close()
    (work / "round-3").mkdir()  # what a round cut short leaves behind
    (work / "round-3" / "answers.jsonl").write_text("half")
    assert rp.resumable(work, saved) and (work / rp.BEST_MODEL / "ROUND").read_text() == "1"
    world, policy = SavingWorld(tmp_path, dev), LinUCBPolicy(alpha=0.05)
    resumed = rp.run_policy("linucb", policy, ["g"], {"round": 0}, world.score({"round": 0}), truth(rp),
                            world.io(rp), work, rounds=3, per_round=4, patience=3,
                            resume={**saved, "not_run": "rounds >= 3: time budget"})
    assert _without_times(resumed) == _without_times(whole)
    assert world.extracted == [{"round": 1}] and [init for init, _, _ in world.trained] == [{"round": 1}]
    def taught(examples: list[Any]) -> list[Any]:  # (the file an answer came from names its work dir)
        return [({k: v for k, v in e.meta.items() if k != "source_file"}, e.entities, e.relations,
                 e.negative_entities, e.negative_relations) for e in examples[1:]]

    assert taught(world.trained[0][2]) == taught(whole_world.trained[-1][2])
    assert policy.updates_ == whole_policy.updates_ == 12
    assert policy.theta_.tolist() == pytest.approx(whole_policy.theta_.tolist())


def test_what_cannot_resume_starts_again(rp: Any, tmp_path: Path) -> None:
    """No figures, a finished policy, a lost round file or a kept model of another round: not
    resumable (the benchmark starts that policy again); asking anyway is an error."""
    world = SavingWorld(tmp_path, {0: 20.0, 1: 24.0, 2: 25.0})
    work = tmp_path / "p"
    gen = rp.policy_rounds("random", RandomPolicy(0), ["g"], {"round": 0}, world.score({"round": 0}), truth(rp),
                           world.io(rp), work, rounds=3, per_round=4, patience=3)
    next(gen)
    saved = next(gen)
    gen.close()
    assert rp.resumable(work, saved) and not rp.resumable(work, None)
    assert not rp.resumable(work, {**saved, "finished": True})
    assert not rp.resumable(work, {**saved, "best_round": 1})  # the kept model is round 2's
    (work / "round-1" / rp.PICKED).unlink()
    assert not rp.resumable(work, saved)
    with pytest.raises(ValueError, match="nothing to resume"):
        next(rp.policy_rounds("random", RandomPolicy(0), ["g"], {"round": 0}, world.score({"round": 0}), truth(rp),
                              world.io(rp), work, rounds=3, per_round=4, patience=3, resume=saved))


def test_the_mentions_first_probe_asks_every_mention_before_any_relation(rp: Any) -> None:
    ds = ReviewSet.load(FIXTURE).decisions
    first = rp.make_policy("random-mentions", 3, 0.05).order(list(ds))
    kinds = [d["kind"] for d in first]
    assert kinds == sorted(kinds, key=lambda k: k != "entity") and "relation" in kinds
    assert [d["id"] for d in first if d["kind"] == "entity"] == [d["id"] for d in RandomPolicy(3).order(list(ds))
                                                                  if d["kind"] == "entity"]


def test_the_benchmarks_margin_mentions_is_the_products_policy(rp: Any) -> None:
    """margin-mentions asks the least sure mentions first (nearest 0.5, or ``--threshold``), as
    ``kgagent review --policy margin-mentions`` orders the page."""
    ds = ReviewSet.load(FIXTURE).decisions
    first = rp.make_policy("margin-mentions", 3, 0.05).order(list(ds))
    kinds = [d["kind"] for d in first]
    assert kinds == sorted(kinds, key=lambda k: k != "entity") and "relation" in kinds
    mentions = [d for d in first if d["kind"] == "entity"]
    gaps = [abs(float(d["score"]) - 0.5) for d in mentions]
    assert gaps == sorted(gaps) and len(set(gaps)) > 1  # nearest 0.5 first, whatever the verdict
    assert [d["id"] for d in mentions] == [d["id"] for d in MarginPolicy(0.5).order(list(ds)) if d["kind"] == "entity"]
    assert [d["id"] for d in first] == [d["id"] for d in MentionMarginPolicy().order(list(ds))]  # the product's policy
    assert [d["id"] for d in rp.make_policy("margin-mentions", 0, 0.05, threshold=0.9).order(list(ds))
            if d["kind"] == "entity"] == [d["id"] for d in MarginPolicy(0.9).order(list(ds)) if d["kind"] == "entity"]
