"""Regression: a run.json that is there but no JSON object (cut short, edited, not UTF-8) was
read as absent: the extraction got another fingerprint (from its first decision), and the page
and the export refused the answers made on it as another extraction's ("its domain, graph,
model, rules differ"). It is now KGA470 naming run.json and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError
from kgagent.review.items import ReviewSet
from kgagent_cli.main import app
from support.review_fakes import SMITH, answer


@pytest.mark.parametrize("content, said", [
    (b'{"fingerprint": {"rules": "ab"', "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"fingerprint": "\xff"}', "not UTF-8 text (byte 0xff at offset 17)"),
])
def test_a_broken_run_json_is_named(out: Path, content: bytes, said: str) -> None:
    answer(out, [(SMITH, "ana", "accept")])
    (out / "run.json").write_bytes(content)
    with pytest.raises(InputError) as err:
        ReviewSet.load(out)
    assert err.value.code == "KGA470" and f"run.json: {said}" in str(err.value)
    res = CliRunner().invoke(app, ["feedback", "export-reviews", str(out)])
    assert res.exit_code == 2 and f"run.json: {said}" in " ".join(res.output.split())
    assert "another extraction" not in res.output


def test_no_run_json_is_an_older_run(out: Path) -> None:
    (out / "run.json").unlink()
    assert ReviewSet.load(out).fingerprint_parts.keys() == {"first_decision"}
