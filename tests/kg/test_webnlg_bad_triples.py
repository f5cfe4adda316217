"""``kg import-webnlg``: every well-formed ``<mtriple>`` is read, a malformed one is refused with
its file and line, an unknown split is named, and names IRIs cannot hold are percent-encoded."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.kg import KnowledgeGraph
from kgagent_cli.main import app


def run(*args):
    return CliRunner().invoke(app, ["kg", *map(str, args)])


def _webnlg(root: Path, *mtriples: str, split: str = "dev") -> Path:
    """A WebNLG directory with one file whose entry holds ``mtriples``, one per line from line 6."""
    f = root / split / "1triples" / "Food.xml"
    f.parent.mkdir(parents=True)
    lines = "".join(f"\t\t\t\t<mtriple>{t}</mtriple>\n" for t in mtriples)
    f.write_text('<?xml version="1.0" ?>\n<benchmark>\n\t<entries>\n\t\t<entry category="Food" eid="Id1" size="1">\n'
                 f"\t\t\t<modifiedtripleset>\n{lines}\t\t\t</modifiedtripleset>\n\t\t</entry>\n\t</entries>\n"
                 "</benchmark>\n", encoding="utf-8")
    return root


def test_a_triple_without_spaces_around_the_bars_is_read(tmp_path):
    d = _webnlg(tmp_path / "w", "Ajoblanco | country | Spain", "Ajoblanco|ingredient|Bread")
    r = run("import-webnlg", d, "--out", tmp_path / "g", "--splits", "dev")
    assert r.exit_code == 0, r.output
    assert "2 WebNLG triples" in r.stdout
    kg = KnowledgeGraph.load(tmp_path / "g")
    assert kg.entity("http://dbpedia.org/resource/Bread").label == "Bread"


@pytest.mark.parametrize("bad", ["A | b | c | extra", "Bread | country", "Ajoblanco |  | Spain", " | country | Spain",
                                 "Ajoblanco | country | ", ""])
def test_a_malformed_mtriple_is_refused_with_file_and_line(tmp_path, bad):
    d = _webnlg(tmp_path / "w", "Ajoblanco | country | Spain", bad)
    r = run("import-webnlg", d, "--out", tmp_path / "g", "--splits", "dev")
    assert isinstance(r.exception, SystemExit) and r.exit_code == 1, r.output
    assert "Food.xml:7: KGA201 mtriple must be \"subject | predicate | object\"" in r.stderr
    assert repr(bad.strip()) in r.stderr and "Traceback" not in r.output
    assert not (tmp_path / "g").exists()  # nothing written


def test_an_unknown_split_is_refused_naming_the_splits_there(tmp_path):
    d = _webnlg(tmp_path / "w", "Ajoblanco | country | Spain")
    _webnlg(d, "Bread | country | Spain", split="train")
    r = run("import-webnlg", d, "--out", tmp_path / "g", "--splits", "train,tets")
    assert isinstance(r.exception, SystemExit) and r.exit_code == 1, r.output
    assert "KGA201" in r.stderr and "'tets'" in r.stderr and "dev, train" in r.stderr
    assert not (tmp_path / "g").exists()


def test_malformed_xml_still_names_file_and_line(tmp_path):
    d = _webnlg(tmp_path / "w", "Ajoblanco | country | Spain</modifiedtripleset>")
    r = run("import-webnlg", d, "--out", tmp_path / "g", "--splits", "dev")
    assert r.exit_code == 1 and "Food.xml:6: KGA201 malformed WebNLG XML" in r.stderr, r.output


def test_names_an_iri_cannot_hold_are_percent_encoded_as_dbpedia_does(tmp_path):
    d = _webnlg(tmp_path / "w", "G^h | country | I`j", 'K{l} | country | M&lt;n&gt;\\o', "Abilene,_Texas | isPartOf | Texas")
    r = run("import-webnlg", d, "--out", tmp_path / "g", "--splits", "dev")
    assert r.exit_code == 0, r.output
    kg = KnowledgeGraph.load(tmp_path / "g")
    dbr = "http://dbpedia.org/resource/"
    assert kg.entity(dbr + "G%5Eh").label == "G^h" and kg.entity(dbr + "I%60j").label == "I`j"
    assert kg.entity(dbr + "K%7Bl%7D").label == "K{l}"
    assert kg.entity(dbr + "Abilene,_Texas").label == "Abilene, Texas"  # an ordinary name keeps its IRI
