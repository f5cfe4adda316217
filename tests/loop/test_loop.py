"""The loop with a fake trainer, evaluator and labeller: early stop, best round kept, seeds."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kgagent.errors import InputError
from kgagent.loop import LoopConfig, dev_score, metric_f1, run_loop, scale_weights
from kgagent.schema import Document


@dataclass
class Span:
    type: str
    weight: float = 1.0


@dataclass
class Ex:
    name: str
    entities: list[Span] = field(default_factory=list)
    relations: list[Span] = field(default_factory=list)


@dataclass
class Cfg:
    seed: int = 0
    epochs: int = 1


@dataclass
class FakeModel:
    round: int
    quality: float

    def save_pretrained(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        (path / "config.json").write_text(json.dumps({"round": self.round}))


class Recorder:
    """Trains 'models' whose dev relation F1 follows a fixed schedule; records every call."""

    def __init__(self, schedule: list[float]):
        self.schedule = schedule
        self.calls: list[dict[str, Any]] = []
        self.labelled_with: list[int] = []

    def trainer(self, cfg: Cfg, train: list[Ex], dev: list[Ex], out: Path | None, init: Any = None):
        r = len(self.calls)
        self.calls.append({"seed": cfg.seed, "n": len(train), "init": init,
                           "names": [e.name for e in train]})
        return FakeModel(r, self.schedule[r]), {}

    @staticmethod
    def evaluator(model: FakeModel, dev: list[Ex]) -> dict[str, Any]:
        return {"entity": {"f1": 0.5}, "relation": {"strict": {"f1": model.quality}}}

    def labeller(self, model: FakeModel, docs: list[Document], work: Path | None) -> list[Ex]:
        self.labelled_with.append(model.round)
        return [Ex(f"fb{model.round}-{d.id}", [Span("Peop", 0.8)]) for d in docs]


GOLD = [Ex("g1", [Span("Peop")]), Ex("g2")]
DEV = [Ex("d1")]
DOCS = [Document("u1", "Alice works for Acme."), Document("u2", "Bob lives in Paris.")]


def run(rec: Recorder, tmp_path: Path | None = None, **cfg: Any):
    return run_loop(Cfg(), GOLD, DEV, DOCS, LoopConfig(seed=7, **cfg), tmp_path,
                    labeller=rec.labeller, trainer=rec.trainer, evaluator=rec.evaluator)


def test_stops_when_dev_stops_rising_and_keeps_best(tmp_path: Path) -> None:
    rec = Recorder([0.30, 0.50, 0.40, 0.90])
    result = run(rec, tmp_path, rounds=3)
    assert [r.score for r in result.rounds] == [0.30, 0.50, 0.40]  # round 3 never trained
    assert len(rec.calls) == 3
    assert result.best_round == 1 and result.stopped_early
    assert result.model.round == 1
    # the final model directory holds the best round's model, and loop.json its figures
    assert json.loads((tmp_path / "model" / "config.json").read_text()) == {"round": 1}
    summary = json.loads((tmp_path / "loop.json").read_text())
    assert summary["best_round"] == 1 and [r["round"] for r in summary["rounds"]] == [0, 1, 2]
    assert (tmp_path / "round-2" / "metrics.json").exists()


def test_patience_lets_a_later_round_win() -> None:
    rec = Recorder([0.30, 0.50, 0.40, 0.90])
    result = run(rec, rounds=3, patience=2)
    assert result.best_round == 3 and not result.stopped_early
    # each round labels with the best model so far: round 0, then 1, then still 1
    assert rec.labelled_with == [0, 1, 1]


def test_no_gain_keeps_round_zero() -> None:
    rec = Recorder([0.60, 0.60, 0.70])
    result = run(rec, rounds=2)
    assert result.best_round == 0 and result.stopped_early and len(rec.calls) == 2


def test_min_delta_counts_small_gains_as_none() -> None:
    result = run(Recorder([0.60, 0.605, 0.9]), rounds=2, min_delta=0.01)
    assert result.best_round == 0


def test_training_data_seeds_and_restart(tmp_path: Path) -> None:
    rec = Recorder([0.1, 0.2, 0.3])
    run(rec, tmp_path, rounds=2, restart="continue")
    assert [c["seed"] for c in rec.calls] == [7, 8, 9]
    assert rec.calls[0]["names"] == ["g1", "g2"]
    assert rec.calls[1]["names"] == ["g1", "g2", "fb0-u1", "fb0-u2"]  # gold + feedback
    assert rec.calls[2]["names"] == ["g1", "g2", "fb1-u1", "fb1-u2"]  # feedback is not stacked
    assert rec.calls[0]["init"] is None
    assert rec.calls[1]["init"] == str(tmp_path / "round-0" / "model")
    assert rec.calls[2]["init"] == str(tmp_path / "round-1" / "model")
    rec = Recorder([0.1, 0.2, 0.3])
    run(rec, tmp_path / "b", rounds=2, restart="base")
    assert all(c["init"] is None for c in rec.calls)


def test_initial_model_skips_round_zero_training() -> None:
    rec = Recorder([0.9, 0.95])
    result = run_loop(Cfg(), GOLD, DEV, DOCS, LoopConfig(rounds=1), None, labeller=rec.labeller,
                      trainer=rec.trainer, evaluator=rec.evaluator, initial=FakeModel(-1, 0.4))
    assert result.rounds[0].score == 0.4 and len(rec.calls) == 1 and result.best_round == 1


def test_rounds_zero_is_gold_only() -> None:
    rec = Recorder([0.5])
    result = run(rec, rounds=0)
    assert len(result.rounds) == 1 and rec.labelled_with == []


def test_deterministic(tmp_path: Path) -> None:
    a = run(Recorder([0.3, 0.5, 0.4]), rounds=2).to_dict()
    b = run(Recorder([0.3, 0.5, 0.4]), rounds=2).to_dict()
    for r in a["rounds"] + b["rounds"]:
        r.pop("seconds")
    assert a == b


def test_feedback_weight_scales_and_counts() -> None:
    scaled = scale_weights([Ex("x", [Span("Peop", 0.8)], [Span("Kill", 1.0)])], 0.5)
    assert scaled[0].entities[0].weight == pytest.approx(0.4) and scaled[0].relations[0].weight == 0.5
    rec = Recorder([0.1, 0.2])
    result = run(rec, rounds=1)
    assert result.rounds[1].feedback["entities"] == 2


def test_config_and_input_errors() -> None:
    with pytest.raises(InputError, match="mode"):
        LoopConfig(mode="magic")
    with pytest.raises(InputError, match="restart"):
        LoopConfig(restart="sometimes")
    with pytest.raises(InputError, match="threshold"):
        LoopConfig(threshold=1.5)
    rec = Recorder([0.1])
    with pytest.raises(InputError, match="dev"):
        run_loop(Cfg(), GOLD, [], DOCS, LoopConfig(), labeller=rec.labeller, trainer=rec.trainer,
                 evaluator=rec.evaluator)


def test_metric_shapes() -> None:
    assert metric_f1({"relation": {"strict": {"f1": 0.4}}}, "relation") == 0.4
    assert metric_f1({"entity": {"micro": {"f1": 0.7}}}, "entity") == 0.7
    assert metric_f1({"relation_strict_f1": 0.2}, "relation") == 0.2
    assert dev_score({"entity": {"f1": 0.6}, "relation": {"f1": 0.2}}, "mean") == pytest.approx(0.4)


def test_read_unlabelled_formats(tmp_path: Path) -> None:
    from kgagent.loop import read_unlabelled

    spert = Path(__file__).resolve().parents[1] / "fixtures" / "loop" / "gold.json"
    docs = read_unlabelled(spert)
    assert [(d.id, d.text) for d in docs][1] == ("s2", "Mary lives in Paris .")
    plain = tmp_path / "news.txt"
    plain.write_text("One story.\n\nAnother one.\n")
    assert [d.text for d in read_unlabelled(plain)] == ["One story.", "Another one."]
    with pytest.raises(InputError, match="no such file"):
        read_unlabelled(tmp_path / "missing.txt")


class FakeEncoder:
    """propose() with fixed proposals: what the plain labeller turns into examples."""

    def propose(self, sentences: list[str], batch_size: int = 32) -> list[Any]:
        from kgagent.schema import EntityProposal, RelationProposal, SentenceProposals

        out = []
        for text in sentences:
            if text.startswith("Alice"):
                out.append(SentenceProposals(text, [
                    EntityProposal(0, 5, "Peop", 0.9), EntityProposal(16, 20, "Org", 0.4),
                    EntityProposal(6, 11, "Other", 0.7)],
                    [RelationProposal(0, 1, "Work_For", 0.95), RelationProposal(0, 2, "Kill", 0.6),
                     RelationProposal(2, 0, "Kill", 0.3)]))
            else:
                out.append(SentenceProposals(text, [EntityProposal(0, 3, "Peop", 0.2)], []))
        return out


def test_plain_labeller_keeps_proposals_above_threshold(tmp_path: Path) -> None:
    from kgagent.loop import PlainLabeller

    examples = PlainLabeller(0.5)(FakeEncoder(), DOCS, tmp_path)
    assert len(examples) == 1  # Bob's sentence has nothing above 0.5
    ex = examples[0]
    assert ex.tokens == ["Alice", "works", "for", "Acme", "."]
    assert [(e.start, e.end, e.type, e.weight) for e in ex.entities] == [(0, 1, "Peop", 0.9), (1, 2, "Other", 0.7)]
    # Work_For's tail (Acme, 0.4) is dropped, so is the relation; Kill 0.3 is below threshold
    assert [(r.head, r.tail, r.type) for r in ex.relations] == [(0, 1, "Kill")]
    assert ex.meta == {"doc": "u1", "sentence": 0, "text": "Alice works for Acme.", "source": "self-training"}
    # the examples are also written in the feedback format, which the encoder reads back
    from kgagent.encoder.data import read_feedback

    back = read_feedback(tmp_path / "feedback.jsonl")
    assert back[0].entities == ex.entities and back[0].relations == ex.relations


def test_continue_without_out_dir_passes_the_model() -> None:
    rec = Recorder([0.1, 0.2])
    run(rec, None, rounds=1)  # restart defaults to "continue"
    assert isinstance(rec.calls[1]["init"], FakeModel) and rec.calls[1]["init"].round == 0


def test_control_replaces_feedback_that_does_worse_than_gold_alone(tmp_path: Path) -> None:
    # calls: round 0 (0.3), round 1 with feedback (0.4), round 1 gold-only control (0.6)
    rec = Recorder([0.3, 0.4, 0.6])
    result = run(rec, tmp_path, rounds=1, control=True)
    r1 = result.rounds[1]
    assert (r1.score, r1.control_score, r1.used_feedback) == (0.6, 0.6, False)
    assert rec.calls[2]["names"] == ["g1", "g2"]  # the control trains on gold only
    assert rec.calls[2]["init"] == rec.calls[1]["init"] and rec.calls[2]["seed"] == rec.calls[1]["seed"]
    assert result.best_round == 1 and result.model.round == 2  # the control model stands
    assert r1.model_dir == str(tmp_path / "round-1" / "control" / "model")
    # feedback that beats the control is kept
    rec = Recorder([0.3, 0.7, 0.6])
    r1 = run(rec, rounds=1, control=True).rounds[1]
    assert (r1.score, r1.control_score, r1.used_feedback) == (0.7, 0.6, True)
