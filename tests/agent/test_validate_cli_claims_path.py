"""Regression: `kgagent validate DIR` loaded the graph and rules, then said "DIR: KGA407 a
directory, not a file of claims" with exit 1 (a bad claims file), where a missing file is exit 2
at once: a directory given as the claims file is now the same usage error, before anything loads."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent_cli.main import app


def test_a_directory_as_the_claims_file_is_a_usage_error(tmp_path: Path, monkeypatch) -> None:
    import kgagent.agent

    def never(*a, **k):  # nothing is loaded for a claims path that is no file
        raise AssertionError("Agent.load called")

    monkeypatch.setattr(kgagent.agent.Agent, "load", classmethod(never))
    r = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert r.exit_code == 2, r.output
    assert r.output.strip().splitlines() == [f"error: KGA407 {tmp_path} is a directory, not a file of claims"]


def test_a_json_array_of_one_claim_is_one_claim(tmp_path: Path) -> None:
    """It said "a JSON array of 1 claims"."""
    import pytest

    from kgagent.claims import read_claims
    from kgagent.errors import InputError

    f = tmp_path / "claims.json"
    f.write_text('[{"head": "Paris", "predicate": "capital", "tail": "France"}]\n')
    with pytest.raises(InputError, match="a JSON array of 1 claim; claims in a .json/.jsonl file are JSON Lines"):
        list(read_claims(f))
