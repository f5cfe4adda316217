"""Near misses (``Agent.load(near_miss_floor=...)``, ``kgagent extract --near-misses``): the spans
the encoder nearly proposed become review decisions with a proof, never graph facts nor
feedback, and a reviewer's answer about one becomes a training example like any other."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kgagent import Document
from kgagent.explain import explain_decision
from kgagent.feedback import feedback_records
from kgagent.review.export import ExportReport, review_records
from kgagent.review.items import ReviewSet
from kgagent.review.judgements import Judgement
from kgagent.schema import EntityProposal, SentenceProposals
from support.agent_fakes import ScoredFakeEncoder, make_agent

CLASSES = {"Richard Parsons": {"Peop": 0.95, "Org": 0.02}, "Time Warner": {"Org": 0.93, "Loc": 0.03}}
PAIRS = {("Richard Parsons", "Time Warner"): {"Work_For": 0.91}}
#: what the encoder nearly proposed: surface -> (its best type, that type's score)
NEAR = {"Ted Turner": ("Peop", 0.42), "Atlanta": ("Loc", 0.25)}
TEXT = "Richard Parsons of Time Warner met Ted Turner in Atlanta."


class NearMissEncoder(ScoredFakeEncoder):
    """The scored fake, telling its near misses down to the floor it is asked for."""

    def __init__(self) -> None:
        super().__init__(CLASSES, PAIRS)
        self.floors: list[float | None] = []

    def propose(self, sentences: Sequence[str], batch_size: int = 32, relation_threshold: float | None = None,
                near_miss_floor: float | None = None) -> list[SentenceProposals]:
        self.floors.append(near_miss_floor)
        out = super().propose(sentences, batch_size, relation_threshold)
        for s, props in zip(sentences, out):
            if near_miss_floor is None:
                continue
            for name, (label, score) in NEAR.items():
                at = s.find(name)
                if at >= 0 and score >= near_miss_floor:
                    props.near_misses.append(EntityProposal(at, at + len(name), label, score, name,
                                                            ((label, score), ("Org", 0.01))))
        return out


def _extract(tiny_kg, floor: float | None, encoder=None):
    encoder = encoder or NearMissEncoder()
    agent = make_agent(tiny_kg, encoder, near_miss_floor=floor)
    (res,) = agent.extract(Document("d1", TEXT), update_graph=False)
    return agent, encoder, res


def test_near_misses_go_to_review_with_their_proof(tiny_kg) -> None:
    agent, encoder, res = _extract(tiny_kg, 0.3)
    assert encoder.floors == [0.3]
    near = [d for d in res.decisions if d.mention is not None and d.mention.text == "Ted Turner"]
    assert len(near) == 1 and not any(d.mention and d.mention.text == "Atlanta" for d in res.decisions)
    d = near[0]
    assert (d.kind, d.verdict, d.label, d.score) == ("entity", "review", "person", 0.42)
    assert "nearly proposed" in d.reason and d.rule.startswith("shared/entities.rules")
    assert d.mention.link is None and (d.mention.start, d.mention.end) == (35, 45)
    text = explain_decision(d.to_dict(), agent.domain.wording)
    assert "the encoder nearly proposed 'Ted Turner' as a person (score 0.42" in text
    # the proposed mentions and relation are decided as without near misses
    _, _, plain = _extract(tiny_kg, None)
    key = lambda r: sorted((x.id, x.verdict, x.label) for x in r.decisions if x.subject != d.subject)  # noqa: E731
    assert key(res) == key(plain) and len(plain.decisions) == len(res.decisions) - 1
    # never a graph fact, a new entity or a feedback label
    assert {e.label for e in res.delta.entities} == {e.label for e in plain.delta.entities}
    assert feedback_records(res) == feedback_records(plain)


def test_no_near_misses_unless_asked_nor_from_an_encoder_that_cannot_tell(tiny_kg) -> None:
    _, encoder, res = _extract(tiny_kg, None)
    assert encoder.floors == [None] and all("nearly" not in d.reason for d in res.decisions)
    plain = ScoredFakeEncoder(CLASSES, PAIRS)  # its propose takes no near_miss_floor: it is not passed
    _, _, res = _extract(tiny_kg, 0.3, plain)
    assert all("nearly" not in d.reason for d in res.decisions) and len(res.decisions) == 3


def test_a_reviewers_accept_of_a_near_miss_is_a_positive_example(tiny_kg, tmp_path: Path) -> None:
    agent = make_agent(tiny_kg, NearMissEncoder(), near_miss_floor=0.3)
    agent.extract_to([Document("d1", TEXT)], tmp_path / "out")
    assert agent.fingerprint()["near_misses"] == "0.3"
    reviews = ReviewSet.load(tmp_path / "out")
    d = next(x for x in reviews.decisions if x.get("text") == "Ted Turner")
    records = review_records(reviews, {d["id"]: Judgement(d["id"], "accept", None, None, ("r:1",), "review")},
                             ExportReport(path=str(tmp_path / "answers.jsonl")))
    (rec,) = records
    ((start, end, label),) = [(e["start"], e["end"], e["type"]) for e in rec["entities"]]
    assert (rec["tokens"][start:end], label) == (["Ted", "Turner"], "Peop")


def test_extract_near_misses_option_and_resume(monkeypatch, graph_dir, tmp_path: Path) -> None:
    """``kgagent extract --near-misses F`` writes them; a run without it does not resume that output."""
    import json

    from typer.testing import CliRunner

    from kgagent_cli.main import app
    from support.agent_fakes import patch_cli_agent

    patch_cli_agent(monkeypatch, NearMissEncoder)
    corpus, out = tmp_path / "c.txt", tmp_path / "out"
    corpus.write_text(TEXT + "\n")

    def run(*args: object):
        return CliRunner().invoke(app, [str(a) for a in ("extract", corpus, "--out", out, "--graph", graph_dir,
                                                         "-q", *args)])

    r = run("--near-misses", "0.2")
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in (out / "decisions.jsonl").read_text().splitlines()]
    assert sorted((d["text"], d["verdict"]) for d in rows if "nearly" in d["reason"]) == [
        ("Atlanta", "review"), ("Ted Turner", "review")]
    r = run()
    assert r.exit_code == 1 and "Traceback" not in r.output
    r = run("--near-misses", "0")
    assert r.exit_code == 2 and "--near-misses" in r.output
