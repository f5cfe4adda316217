"""A review policy learned from reviewers' answers (the person as the environment):
``kgagent feedback learn-policy``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError
from kgagent.review.items import ReviewSet
from kgagent.review.learn import learn_policy, overruled
from kgagent.review.policy import FEATURES, LinUCBPolicy
from kgagent.review.store import DB_NAME, ReviewStore
from kgagent_cli.main import app
from support.review_fakes import ACME, BOSTON_TEXAS, KLUGT_PHILIPS, PARSONS, PHILIPS_NY, SMITH, WORK_FOR


def _answer(out: Path, *rows: tuple) -> None:
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts) as store:
        for decision, reviewer, action, *label in rows:
            store.add(decision, reviewer, action, verdict=rs.get(decision)["verdict"],
                      label=label[0] if label else None)


def _answered(out: Path) -> Path:
    _answer(out, (WORK_FOR, "ana", "accept"),  # accept / accept: agrees
            (PARSONS, "ana", "accept"),  # agrees
            (ACME, "ana", "relabel", "person"),  # the agent rejected it; a person's changed label: overrules
            (SMITH, "ana", "accept"), (SMITH, "bo", "accept"),  # review -> accepted by both: one overrule
            (KLUGT_PHILIPS, "ana", "reject"),  # review -> rejected: agrees (the graph holds nothing)
            (BOSTON_TEXAS, "ana", "reject"), (BOSTON_TEXAS, "bo", "accept"),  # a conflict: left out
            (PHILIPS_NY, "ana", "skip"))  # not a judgement
    return out


def test_what_overrules_the_agent() -> None:
    assert overruled("accept", "reject") and overruled("repair", "relabel") and overruled("accept", "span")
    assert not overruled("accept", "accept") and not overruled("repair", "accept")
    assert overruled("reject", "accept") and overruled("review", "relabel") and overruled("review", "accept")
    assert not overruled("reject", "reject") and not overruled("review", "reject")


def test_the_policy_learns_what_people_overrule_and_asks_it_first(out: Path) -> None:
    policy, report = learn_policy([_answered(out)], alpha=0.0)
    assert (report.answers, report.overruled, report.conflicts, report.extractions) == (5, 2, 1, 1)
    assert report.by_verdict == {"accept/accept": 2, "reject/relabel": 1, "review/accept": 1, "review/reject": 1}
    assert policy.updates_ == 5
    rs = ReviewSet.load(out)
    reward = dict(zip([d["id"] for d in rs.decisions], policy.scores(rs.decisions)))
    assert min(reward[ACME], reward[SMITH]) > max(reward[PARSONS], reward[WORK_FOR], reward[KLUGT_PHILIPS])
    assert set(report.theta) == set(FEATURES)
    again, _ = learn_policy([out], alpha=0.0)  # the same answers give the same policy
    assert again.theta_.tolist() == policy.theta_.tolist()


def test_answers_of_several_extractions_pool(out: Path, tmp_path: Path) -> None:
    _answered(out)
    second = tmp_path / "second"
    shutil.copytree(out, second)
    _, one = learn_policy([out])
    _, two = learn_policy([out, second])
    assert (two.answers, two.overruled, two.extractions) == (2 * one.answers, 2 * one.overruled, 2)


def test_learn_policy_cli_saves_a_policy_the_review_page_loads(out: Path, tmp_path: Path) -> None:
    _answered(out)
    target = tmp_path / "policy.json"
    r = CliRunner().invoke(app, ["feedback", "learn-policy", str(out), "--save", str(target), "--alpha", "0.2"])
    assert r.exit_code == 0, r.output
    assert "learned from 5 answer(s) on 1 extraction(s): 2 overruled the agent (40 %)" in r.output
    assert "left out 1 decision(s) reviewers disagree on" in r.output and "what predicts an overrule" in r.output
    loaded = LinUCBPolicy.load(target)
    assert loaded.updates_ == 5 and loaded.alpha == 0.2 and json.loads(target.read_text())["policy"] == "linucb"


def test_no_answers_or_no_extraction_is_a_one_line_error(out: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        learn_policy([out])
    assert err.value.code == "KGA477"
    _answer(out, (PHILIPS_NY, "ana", "skip"))  # a skip is no judgement
    for args in ([str(out)], [str(tmp_path / "nowhere")]):
        r = CliRunner().invoke(app, ["feedback", "learn-policy", *args, "--save", str(tmp_path / "p.json")])
        assert r.exit_code == 2 and "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    assert "KGA477" in CliRunner().invoke(app, ["feedback", "learn-policy", str(out), "--save",
                                                str(tmp_path / "p.json")]).output
    assert not (tmp_path / "p.json").exists()
