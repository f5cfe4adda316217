"""`kgagent train --rounds K --domain D` without --out: the loop's folder of rounds is not a model.

Regression: --out defaulted to the domain's model folder for --rounds as for plain training, so
the loop wrote round-0/, model/ and loop.json into D/model, replacing the domain's model with a
folder no command reads as one. Now --rounds asks for --out (KGA465) and D is left as it was.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent.domain_init import init_domain
from kgagent_cli.main import app

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "loop"
runner = CliRunner()


def test_rounds_with_a_domain_and_no_out_asks_for_out(tmp_path: Path) -> None:
    dom = tmp_path / "dom"
    init_domain(dom, FIX / "gold.json")
    texts = tmp_path / "texts.txt"
    texts.write_text("John Smith works for Acme in Boston .\n", encoding="utf-8")
    before = sorted(str(p.relative_to(dom)) for p in dom.rglob("*"))
    res = runner.invoke(app, ["train", str(FIX / "gold.json"), "--dev", str(FIX / "gold.json"), "--rounds", "1",
                              "--unlabelled", str(texts), "--loop-mode", "plain", "--threshold", "0.0",
                              "--domain", str(dom), "--epochs", "1", "--threads", "1", "--device", "cpu"])
    assert res.exit_code == 2, res.output
    assert "KGA465 --rounds needs --out DIR" in res.output and "Traceback" not in res.output
    assert sorted(str(p.relative_to(dom)) for p in dom.rglob("*")) == before
    assert not (dom / "model").exists()
