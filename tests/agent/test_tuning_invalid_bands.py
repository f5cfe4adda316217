"""Regression: `kgagent rules tune` scored grid points whose score bands are invalid.

``-t entity_review=0.2,0.5,0.6`` against the rule files' entity_accept 0.4 ran the agent with a
review threshold above the accept threshold (a mention scored between them is accepted and
rejected: what KGA126 refuses in a rule file) and listed those rows as if they were candidates.
Now such combinations are skipped before they are scored, the report says how many, and a grid
that leaves none valid is refused (KGA494, exit 2) before the model is loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgagent.errors import InputError
from kgagent.tuning import band_problem, tune, valid_combinations
from support.cli import run as _run
from test_tuning import GOLD


@pytest.fixture
def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(GOLD))
    return path


def test_invalid_bands_are_skipped_before_scoring(agent, gold_file: Path, monkeypatch) -> None:
    from kgagent.tuning import read_gold

    gold = read_gold(gold_file, agent.domain.labels.normalize)
    scored: list[dict] = []
    import kgagent.tuning as tuning

    real = tuning._score
    monkeypatch.setattr(tuning, "_score", lambda trial, g, values, **k: (scored.append(dict(values)),
                                                                           real(trial, g, values, **k))[1])
    report = tune(agent, gold, {"entity_review": [0.2, 0.5], "entity_accept": [0.4, 0.6]})
    valid = [{"entity_review": 0.2, "entity_accept": 0.4}, {"entity_review": 0.2, "entity_accept": 0.6},
             {"entity_review": 0.5, "entity_accept": 0.6}]
    assert scored == valid and [r.values for r in report.rows] == valid
    assert report.skipped == [{"values": {"entity_review": 0.5, "entity_accept": 0.4},
                               "why": "entity_review 0.5 is above entity_accept 0.4"}]
    assert report.to_dict()["skipped"] == report.skipped


def test_the_rule_files_other_values_bound_the_band() -> None:
    own = {"entity_accept": 0.4, "entity_review": 0.2, "link_trusted": 0.8}
    valid, skipped = valid_combinations({"entity_review": [0.1, 0.4, 0.45]}, own)
    assert valid == [{"entity_review": 0.1}, {"entity_review": 0.4}]
    assert [s["why"] for s in skipped] == ["entity_review 0.45 is above entity_accept 0.4"]
    assert band_problem({"speech_review": 0.9, "speech_accept": 0.5}) == "speech_review 0.9 is above speech_accept 0.5"
    with pytest.raises(InputError) as err:
        valid_combinations({"entity_review": [0.5, 0.6]}, own)
    assert err.value.code == "KGA494" and "all 2 have a review threshold above" in err.value.message


def test_cli_says_how_many_it_skipped(fake_cli, graph_dir, gold_file: Path) -> None:
    r = _run("rules", "tune", gold_file, "-t", "entity_review=0.2,0.5,0.6", "--graph", graph_dir)
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert ("skipped 2 combination(s), not scored: a review threshold above its accept threshold "
            "(e.g. entity_review 0.5 is above entity_accept 0.4)") in text
    r = _run("rules", "tune", gold_file, "-t", "entity_review=0.2,0.5", "--graph", graph_dir, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [x["values"] for x in out["rows"]] == [{"entity_review": 0.2}]
    assert [x["values"] for x in out["skipped"]] == [{"entity_review": 0.5}]


def test_cli_refuses_a_grid_with_no_valid_band_before_loading(fake_cli, graph_dir, gold_file: Path,
                                                              monkeypatch) -> None:
    def no_load(*a: object, **k: object) -> None:
        raise AssertionError("the agent was loaded")

    monkeypatch.setattr("kgagent.agent.Agent.load", no_load)
    r = _run("rules", "tune", gold_file, "-t", "entity_review=0.5,0.6", "--graph", graph_dir)
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit), r.output
    line = " ".join(r.output.split())
    assert line.startswith("error: KGA494 no combination of the values given is a valid band: all 2 have a review "
                           "threshold above its accept threshold (e.g. entity_review 0.5 is above entity_accept 0.4)")
    assert "Traceback" not in r.output
