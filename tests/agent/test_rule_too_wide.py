"""A rule whose join would hold more rows than the engine allows (KGA122) stops `kgagent extract`
with the rule named (file, line, name; exit 1), before the machine's memory is gone."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from kgagent_cli.main import app
from support.agent_fakes import RULES


def test_extract_names_a_rule_that_joins_too_wide(fake_cli, graph_dir: Path, tmp_path: Path, monkeypatch) -> None:
    import kgagent.rules.engine as engine_module

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "wide.rules").write_text("% every pair of mentions\n"
                                      "@all_pairs pair(M, N) :- mention(M, _, _), mention(N, _, _), M != N.\n")
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("Richard Parsons works for Time Warner in Boston. " * 20 + "\n")
    monkeypatch.setattr(engine_module, "MAX_JOIN_ROWS", 1_000)
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["extract", str(corpus), "--out", str(out), "--graph", str(graph_dir),
                                 "--rules", str(rules), "-q"])
    assert isinstance(r.exception, SystemExit) and r.exit_code == 1, r.output
    assert "KGA122" in r.output and "rules/wide.rules:all_pairs would join" in r.output, r.output
    assert "Traceback" not in r.output
