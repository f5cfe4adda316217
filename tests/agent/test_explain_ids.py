"""`kgagent explain ID`: which ids find a decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import decisions, run


@pytest.fixture
def out(extracted: Path) -> Path:
    return extracted


def test_an_empty_id_is_a_usage_error_not_every_decision_ambiguous(out) -> None:
    r = run("explain", "", "--out", out)
    assert r.exit_code == 2, r.output
    assert "KGA423 the decision ID is empty" in r.output and "ambiguous" not in r.output


def test_an_id_without_its_d_prefix_and_a_subject_id_find_the_decision(out) -> None:
    """The hex digits of an id (copied without 'd:') and a mention's or relation's id (the
    decision's subject, as a relation's head and tail name them) were 'no decision'."""
    lines = decisions(out)
    d = lines[0]
    r = run("explain", d["id"][2:10], "--out", out)
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"{d['id']}: entity '{d['text']}'")
    rel = next(x for x in lines if x["kind"] == "relation")
    head = rel["head"]["id"]
    r = run("explain", head, "--out", out)
    assert r.exit_code == 0, r.output
    owner = next(x for x in lines if x.get("subject") == head)
    assert r.output.startswith(f"{owner['id']}: entity '{rel['head']['text']}'")
    r = run("explain", rel["subject"], "--out", out)
    assert r.exit_code == 0 and r.output.startswith(f"{rel['id']}: relation "), r.output
