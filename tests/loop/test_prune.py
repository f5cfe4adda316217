"""`feedback prune --rule FILE:NAME|FILE:LINE` removes exactly the examples that rule proved."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError
from kgagent.loop import prune_feedback, rule_matches
from kgagent_cli.main import app

EXTRACT = Path(__file__).resolve().parents[1] / "fixtures" / "loop" / "extract"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    shutil.copytree(EXTRACT, tmp_path / "out")
    return tmp_path / "out"


def labels(path: Path) -> list[tuple[str, str]]:
    """(kind, proof id) of every label in a feedback file."""
    found = []
    for line in path.read_text().splitlines():
        obj = json.loads(line)
        for kind in ("entities", "relations", "negative_entities", "negative_relations"):
            found += [(kind, item["proof"]) for item in obj.get(kind, [])]
    return found


def test_prune_helper_rule_removes_its_examples_and_nothing_else(out: Path) -> None:
    before = labels(out / "feedback.jsonl")
    result = prune_feedback(out / "feedback.jsonl", "rules/types.rules:3")
    after = labels(out / "feedback.jsonl")
    # has_type (types.rules:3) is in the proofs of d:e1, d:e2 and d:r1
    assert sorted(set(before) - set(after)) == [("entities", "d:e1"), ("entities", "d:e2"), ("relations", "d:r1")]
    assert (result.removed, result.dependent, result.sentences_dropped, result.kept) == (3, 0, 0, 3)
    assert result.rule_seen
    # the remaining entity indexes still point at the right spans
    first = json.loads((out / "feedback.jsonl").read_text().splitlines()[0])
    assert first["entities"] == [{"type": "Other", "start": 2, "end": 3, "weight": 0.55, "proof": "d:e4"}]


def test_prune_negative_only(out: Path) -> None:
    result = prune_feedback(out / "feedback.jsonl", "rules/entities.rules:9")
    assert result.removed == 1
    assert ("negative_entities", "d:e3") not in labels(out / "feedback.jsonl")
    assert len(labels(out / "feedback.jsonl")) == 5


def test_prune_relation_rule_keeps_entities(out: Path) -> None:
    prune_feedback(out / "feedback.jsonl", "rules/relations.rules:7")
    assert [k for k, _ in labels(out / "feedback.jsonl")].count("entities") == 4
    assert ("relations", "d:r1") not in labels(out / "feedback.jsonl")


def test_prune_drops_dependent_relations_and_empty_sentences(out: Path, tmp_path: Path) -> None:
    target = tmp_path / "pruned.jsonl"
    original = (out / "feedback.jsonl").read_text()
    # FILE given by suffix: "entities.rules:5" names rules/entities.rules:5
    result = prune_feedback(out / "feedback.jsonl", "entities.rules:5", out=target)
    assert (out / "feedback.jsonl").read_text() == original  # --out leaves the input alone
    assert (result.removed, result.dependent, result.sentences_dropped) == (4, 1, 1)
    assert labels(target) == [("negative_entities", "d:e3")]


def test_prune_unused_rule_changes_nothing(out: Path) -> None:
    result = prune_feedback(out / "feedback.jsonl", "rules/entities.rules:6")
    assert result.removed == 0 and not result.rule_seen and result.kept == 6


def test_rules_listed_on_the_label_are_used(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    path.write_text(json.dumps({"tokens": ["A", "B"], "entities": [
        {"type": "Peop", "start": 0, "end": 1, "weight": 1, "rules": ["r.rules:1"]},
        {"type": "Org", "start": 1, "end": 2, "weight": 1, "rules": ["r.rules:2"]}]}) + "\n")
    result = prune_feedback(path, "r.rules:1")
    assert result.removed == 1
    assert [e["type"] for e in json.loads(path.read_text())["entities"]] == ["Org"]


def test_rule_matching() -> None:
    assert rule_matches("rules/a.rules:3", "a.rules:3")
    assert rule_matches("/abs/rules/a.rules:3", "rules/a.rules:3")
    assert not rule_matches("rules/a.rules:3", "a.rules:30")
    assert not rule_matches("rules/ba.rules:3", "a.rules:3")


def test_errors(out: Path) -> None:
    with pytest.raises(InputError, match="FILE:LINE"):
        prune_feedback(out / "feedback.jsonl", "rules/entities.rules")
    (out / "decisions.jsonl").write_text("")
    with pytest.raises(InputError, match="cannot trace"):
        prune_feedback(out / "feedback.jsonl", "rules/entities.rules:5")
    (out / "decisions.jsonl").unlink()
    with pytest.raises(InputError, match="missing"):
        prune_feedback(out / "feedback.jsonl", "rules/entities.rules:5")
    (out / "feedback.jsonl").write_text('{"tokens": []}\nnope\n')
    with pytest.raises(InputError) as err:
        prune_feedback(out / "feedback.jsonl", "rules/entities.rules:5")
    assert ":2" in str(err.value)


def test_cli(out: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["feedback", "prune", str(out / "feedback.jsonl"), "--rule", "rules/types.rules:3"])
    assert result.exit_code == 0, result.output
    assert "removed 3 example label(s)" in result.output
    result = runner.invoke(app, ["feedback", "prune", str(out / "nope.jsonl"), "--rule", "a.rules:1"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "no such feedback file" in result.output


def test_a_feedback_file_that_is_not_utf8_names_its_line(tmp_path) -> None:
    from kgagent.errors import InputError
    from kgagent.loop import prune_feedback

    bad = tmp_path / "feedback.jsonl"
    bad.write_bytes(b'{"tokens": ["a"]}\n{"tokens": ["\xff"]}\n')
    with pytest.raises(InputError) as err:
        prune_feedback(bad, "rules/x.rules:1")
    assert err.value.code == "KGA463" and err.value.location.line == 2 and "UTF-8" in str(err.value)


def test_a_rule_is_named_by_its_name_or_its_line() -> None:
    assert rule_matches("rules/words.rules:nationality_not_place", "words.rules:nationality_not_place")
    assert rule_matches("/abs/kg_data/rules/words.rules:12", "rules/words.rules:12")
    assert not rule_matches("rules/words.rules:nationality_not_place", "rules/words.rules:nationality")
    assert not rule_matches("rules/words.rules:12", "rules/words.rules:nationality_not_place")
    assert not rule_matches("rules/words.rules:Bad", "rules/words.rules:Bad")  # not a rule name
