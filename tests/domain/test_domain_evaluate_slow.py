"""`kgagent evaluate` on CoNLL-2003 compares through the news domain's label map (slow: the
shipped model on ../shared/data): PER and Peop are one class, so the figures are real, not 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent_cli.main import app


@pytest.mark.slow
def test_evaluate_a_conll2003_file_through_the_label_map(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / "conll2003" / "test.txt").read_text(encoding="utf-8").splitlines()
    cut = [i for i, line in enumerate(lines) if not line.strip()][120]  # the first 120 sentences
    small = tmp_path / "conll2003_head.txt"
    small.write_text("\n".join(lines[:cut]) + "\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["evaluate", str(small), "--json", "--threads", "2"])
    assert r.exit_code == 0, r.output
    metrics = json.loads(r.stdout)
    assert metrics["domain"] == "news" and metrics["entity_only"]
    per_type = metrics["entity"]["per_type"]
    assert {"person", "organization", "location"} <= set(per_type), per_type.keys()
    assert per_type["person"]["f1"] > 50 and metrics["entity"]["f1"] > 40, metrics["entity"]["micro"]
