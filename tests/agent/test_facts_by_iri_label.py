"""Regression: `agent.facts(IRI)` linked the IRI with no candidate, so its label was nowhere in
the answer and `kgagent facts --head IRI` said "head 'IRI' -> IRI (IRI; iri, 1.00)"; the link now
holds the entity as its candidate (label, types), as a name's link does."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent_cli.main import app


def test_an_iri_is_linked_with_its_label(agent) -> None:
    answer = agent.facts("urn:ex:boston", "located_in")
    (cand,) = answer.head.candidates
    assert (answer.head.entity, answer.head.method, cand.entity, cand.label) == (
        "urn:ex:boston", "iri", "urn:ex:boston", "Boston")
    assert "city" in cand.types and answer.facts
    assert agent.facts("urn:ex:nobody").head.candidates == []


def test_facts_cli_shows_the_iris_label(fake_cli, graph_dir: Path) -> None:
    r = CliRunner().invoke(app, ["facts", "--head", "urn:ex:boston", "--graph", str(graph_dir)])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == "head 'urn:ex:boston' -> Boston (urn:ex:boston; iri, 1.00)"
