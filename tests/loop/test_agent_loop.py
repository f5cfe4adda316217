"""The kgagent mode end to end with the agent's fakes: validated feedback reaches the trainer,
and `feedback prune` / `rules stats` work on what the agent really wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kgagent.loop import AgentLabeller, LoopConfig, prune_feedback, run_loop
from kgagent.rule_stats import rule_stats
from kgagent.schema import Document

import support.agent_fakes


@pytest.fixture(scope="module")
def agent_fakes() -> Any:
    """The agent's test fakes (FakeEncoder, tiny graph, trigram embedding)."""
    return support.agent_fakes


DOCS = [
    Document("n1", "Richard Parsons works for Time Warner in Boston."),
    Document("n2", "Richard Parsons lives in Boston, Massachusetts. Smith met Acme."),
]


@pytest.fixture
def labeller(agent_fakes: Any) -> AgentLabeller:
    kg = agent_fakes.build_tiny_graph()
    linker = kg.linker(embed=agent_fakes.trigram_embed, embed_id="trigram-64", persist=False)
    return AgentLabeller(kg=kg, linker=linker)


def test_agent_feedback_feeds_the_next_round(agent_fakes: Any, labeller: AgentLabeller, tmp_path: Path) -> None:
    seen: list[list[Any]] = []

    def trainer(cfg: Any, train: list[Any], dev: list[Any], out: Path | None, init: Any = None):
        seen.append(train)
        return agent_fakes.FakeEncoder(), {}

    def evaluator(model: Any, dev: list[Any]) -> dict[str, Any]:
        return {"entity": {"f1": 50.0}, "relation_strict": {"f1": 10.0 * len(seen)}}

    gold = [object()]
    result = run_loop(None, gold, ["dev"], DOCS, LoopConfig(rounds=1, restart="base"), tmp_path,
                      labeller=labeller, trainer=trainer, evaluator=evaluator,
                      initial=agent_fakes.FakeEncoder())
    assert result.best_round == 1
    feedback = seen[0][1:]
    assert seen[0][0] is gold[0] and feedback
    extract = tmp_path / "round-1" / "extract"
    decisions = [json.loads(x) for x in (extract / "decisions.jsonl").read_text().splitlines()]
    accepted = {d["id"] for d in decisions if d["verdict"] == "accept"}
    # every positive label the trainer got is an accepted decision, and only those
    positives = [(ex.tokens[e.start:e.end], e.type) for ex in feedback for e in ex.entities]
    assert (["Richard", "Parsons"], "Peop") in positives
    assert all(w.weight <= 1.0 for ex in feedback for w in ex.entities)
    lines = [json.loads(x) for x in (extract / "feedback.jsonl").read_text().splitlines()]
    cited = {item["proof"] for line in lines for item in line["entities"] + line["relations"]}
    assert cited and cited <= accepted
    assert result.rounds[1].feedback["entities"] == sum(len(line["entities"]) for line in lines)


def test_prune_and_stats_on_real_agent_output(labeller: AgentLabeller, agent_fakes: Any, tmp_path: Path) -> None:
    labeller(agent_fakes.FakeEncoder(), DOCS, tmp_path)
    report = rule_stats(tmp_path)
    assert report.decisions == sum(1 for _ in (tmp_path / "decisions.jsonl").open())
    accept_rules = [s for s in report.rules if s.verdicts.get("accept")]
    assert accept_rules, "some rule accepted something"
    target = max(accept_rules, key=lambda s: s.verdicts["accept"])
    lines = [json.loads(x) for x in (tmp_path / "feedback.jsonl").read_text().splitlines()]
    before = sum(len(line[k]) for line in lines for k in ("entities", "relations", "negative_entities",
                                                             "negative_relations"))
    result = prune_feedback(tmp_path / "feedback.jsonl", target.rule, out=tmp_path / "pruned.jsonl")
    assert result.rule_seen and result.removed >= 1
    assert result.removed + result.dependent + result.kept == before
    decisions = {json.loads(x)["id"]: json.loads(x) for x in (tmp_path / "decisions.jsonl").read_text().splitlines()}
    for line in (tmp_path / "pruned.jsonl").read_text().splitlines():
        for kind in ("entities", "relations", "negative_entities", "negative_relations"):
            for item in json.loads(line)[kind]:
                assert target.rule not in json.dumps(decisions[item["proof"]]["proof"])
