"""One code, one problem: KGA201 (a graph that cannot be read) also meant "nowhere to write the
graph", KGA463 (a feedback file that cannot be pruned) also "a --rule that is no rule id", and
KGA607 (data with a label the map lacks) also "a --type that is no class". A user looking a code
up in docs/errors.md read the wrong meaning. The minority meanings have their own codes now:
KGA221, KGA497 and KGA656; the original meanings keep theirs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import GraphError, InputError
from kgagent.kg import KnowledgeGraph
from kgagent.loop import prune_feedback
from kgagent_cli.main import app

ROOT = Path(__file__).resolve().parents[1]
EXTRACT = ROOT / "tests" / "fixtures" / "loop" / "extract"


def _row(code: str) -> str:
    match = re.search(rf"^\| {code} \| (.*)$", (ROOT / "docs" / "errors.md").read_text(), re.MULTILINE)
    assert match, code
    return match.group(1)


def test_nowhere_to_write_the_graph_is_kga221_not_kga201(tmp_path: Path) -> None:
    with pytest.raises(GraphError) as err:
        KnowledgeGraph().save()
    assert err.value.code == "KGA221" and "not loaded from a file" in err.value.message
    d = tmp_path / "d"
    d.mkdir()
    (d / "domain.toml").write_text('name = "d"\nshared_rules = false\ngraph = false\n')  # no graph
    (d / "ontology.toml").write_text('[classes.place]\n')
    (d / "rules").mkdir()
    (d / "rules" / "x.rules").write_text("p(a).\n")
    r = CliRunner().invoke(app, ["kg", "build-geonames", "--domain", str(d)])
    assert r.exit_code == 2 and r.stderr == ("error: KGA221 the domain names no graph directory to write the graph "
                                             "in: give --out\n"), r.output
    # a graph that cannot be read keeps KGA201
    bad = tmp_path / "bad.nt"
    bad.write_text("<a> <b> .\n")
    with pytest.raises(GraphError) as err:
        KnowledgeGraph.load(bad)
    assert err.value.code == "KGA201"
    assert "Nowhere to write the graph" in _row("KGA221") and "not loaded from a file" not in _row("KGA201")


def test_a_rule_that_is_no_rule_id_is_kga497_not_kga463(tmp_path: Path) -> None:
    shutil.copytree(EXTRACT, tmp_path / "out")
    feedback = tmp_path / "out" / "feedback.jsonl"
    with pytest.raises(InputError) as err:
        prune_feedback(feedback, "nationality_not_place")
    assert err.value.code == "KGA497" and "rule must be FILE:NAME or FILE:LINE" in err.value.message
    r = CliRunner().invoke(app, ["feedback", "prune", str(feedback), "--rule", "bogus"])
    assert r.exit_code == 1 and r.stderr.startswith("error: KGA497 rule must be FILE:NAME or FILE:LINE"), r.output
    # a missing feedback file keeps KGA463
    with pytest.raises(InputError) as err:
        prune_feedback(tmp_path / "nope.jsonl", "rules/a.rules:1")
    assert err.value.code == "KGA463"
    assert "--rule" in _row("KGA497") and "--rule" not in _row("KGA463").split("(A `--rule`")[0]


def test_the_catalogue_gives_kga607_one_meaning_and_kga656_the_other() -> None:
    assert "--type" not in _row("KGA607") and "--type" in _row("KGA656")
    domains = (ROOT / "docs" / "domains.md").read_text()
    assert "| KGA656 | `kg link --type T`" in domains
