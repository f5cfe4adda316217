"""A fact the agent accepted and a reviewer rejected leaves the graph on the next `kg import`."""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal
from typer.testing import CliRunner

from kgagent.kg import KnowledgeGraph
from kgagent.kg.vocab import KGA
from kgagent.review.graph_update import drop_decisions, rejected_decisions
from kgagent_cli.main import app
from support.review_fakes import answer, PARSONS, PHILIPS_NY, SMITH, WORK_FOR

PARSONS_IRI = "https://w3id.org/kgagent/entity/new/richard_parsons-693f0650"
TIME_WARNER_IRI = "https://w3id.org/kgagent/entity/new/time_warner-dfff6c34"


def _has_work_for(kg: KnowledgeGraph) -> bool:
    return kg.query(f"ASK {{ <{PARSONS_IRI}> ont:work_for <{TIME_WARNER_IRI}> }}")


def _provenance_of(kg: KnowledgeGraph, decision: str) -> int:
    return sum(1 for _ in kg.dataset.quads((None, KGA.decision, Literal(decision), None)))


def _import(graph: Path, *files: Path, extra: tuple[str, ...] = ()) -> str:
    result = CliRunner().invoke(app, ["kg", "import", *map(str, files), "--graph", str(graph), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_rejected_fact_leaves_with_its_provenance(out: Path, tmp_path: Path) -> None:
    graph = tmp_path / "g" / "graph.nq"
    graph.parent.mkdir()
    _import(graph, out / "graph.nq")  # before any review: the fact is there
    kg = KnowledgeGraph.load(graph)
    assert _has_work_for(kg) and _provenance_of(kg, WORK_FOR) == 1
    # ana rejects it, ben says nothing; a fact of the same document that nobody rejected stays
    answer(out, [(WORK_FOR, "ana", "reject"), (PHILIPS_NY, "ana", "accept"), (SMITH, "ana", "reject")])
    assert rejected_decisions(out) == {WORK_FOR}  # Smith was never accepted: nothing to take out
    output = _import(graph, out / "graph.nq")  # the next update, into the graph that already held it
    assert "1 fact(s)" in output
    kg = KnowledgeGraph.load(graph)
    assert not _has_work_for(kg) and _provenance_of(kg, WORK_FOR) == 0
    assert _provenance_of(kg, PHILIPS_NY) == 1
    assert kg.entity(PARSONS_IRI) is not None  # its entity stays: the mention itself was not rejected


def test_rejected_new_entity_leaves_and_ignore_reviews_keeps_everything(out: Path, tmp_path: Path) -> None:
    answer(out, [(WORK_FOR, "ana", "reject")])
    kept = tmp_path / "kept.nq"
    _import(kept, out, extra=("--ignore-reviews",))  # OUT itself names its graph.nq
    assert _has_work_for(KnowledgeGraph.load(kept))
    kg = KnowledgeGraph.load(out / "graph.nq")
    answer(out, [(PARSONS, "ana", "reject")])
    report = drop_decisions(kg, rejected_decisions(out))
    assert report.decisions == 2 and report.facts >= 1 and report.entities == 1
    assert kg.entity(PARSONS_IRI) is None and _provenance_of(kg, PARSONS) == 0


def test_conflicting_answers_leave_the_fact(out: Path) -> None:
    answer(out, [(WORK_FOR, "ana", "reject"), (WORK_FOR, "ben", "accept")])
    assert rejected_decisions(out) == set()
