"""One empty .txt file in a corpus folder refused the whole run: `kgagent extract c` said
`c/b.txt: KGA403 empty file: no documents in it` and extracted nothing, whatever the other 999
files held. Now a folder's empty files are left out, each named in a warning on stderr and
listed in the run's summary.json (``empty_files``); the other files keep their ids, and a rerun
into the same --out resumes. An empty file named on its own, and a corpus whose every file is
empty, are still KGA403."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.corpus import count_documents, read_corpus
from kgagent.errors import InputError
from kgagent_cli.main import app
from support.cli import run


def _folder(tmp_path: Path, *, empty: bool = True) -> Path:
    d = tmp_path / "c"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("Richard Parsons works for Time Warner.\n")
    (d / "sub" / "c.txt").write_text("Cor van der Klugt heads Philips.\n")
    if empty:
        (d / "b.txt").write_bytes(b"")
        (d / "sub" / "blank.txt").write_text("\n  \n\u200b\n")  # white space and a zero-width space: no text
    return d


def test_a_folders_empty_files_are_left_out_and_told(tmp_path: Path) -> None:
    d = _folder(tmp_path)
    told: list[str] = []
    docs = list(read_corpus(d, on_empty=told.append))
    assert [(x.id, x.text) for x in docs] == [("a", "Richard Parsons works for Time Warner."),
                                             ("sub/c", "Cor van der Klugt heads Philips.")]
    assert told == [str(d / "b.txt"), str(d / "sub" / "blank.txt")]
    assert [x.id for x in read_corpus(d)] == ["a", "sub/c"]  # no listener: left out all the same
    assert count_documents([d]) == 2


def test_an_empty_file_named_on_its_own_is_still_refused(tmp_path: Path) -> None:
    d = _folder(tmp_path)
    with pytest.raises(InputError) as err:
        list(read_corpus([d / "b.txt"]))
    assert err.value.code == "KGA403" and err.value.location.path == str(d / "b.txt")


def test_a_folder_of_empty_files_alone_is_nothing_to_extract(tmp_path: Path) -> None:
    d = tmp_path / "e"
    d.mkdir()
    (d / "x.txt").write_bytes(b"")
    (d / "y.txt").write_text("\n \n")
    told: list[str] = []
    with pytest.raises(InputError) as err:
        list(read_corpus([d], on_empty=told.append))
    assert err.value.code == "KGA403" and err.value.location.path == str(d)
    assert "nothing to extract: every .txt file found is empty" in err.value.message
    assert told == [str(d / "x.txt"), str(d / "y.txt")]
    # beside a corpus that has documents, such a folder is only left out
    other = tmp_path / "more.txt"
    other.write_text("Some text.\n")
    assert [x.id for x in read_corpus([d, other])] == ["more#1"]


def test_extract_goes_on_past_an_empty_file_and_resumes(fake_cli, graph_dir, tmp_path: Path) -> None:
    d = _folder(tmp_path)
    out = tmp_path / "out"
    r = run("extract", d, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0, r.output
    warnings = [x for x in r.stderr.splitlines() if x.startswith("warning:")]
    assert warnings == [f"warning: {d / 'b.txt'}: KGA403 empty file, left out (no text in it)",
                        f"warning: {d / 'sub' / 'blank.txt'}: KGA403 empty file, left out (no text in it)"]
    assert "2 empty files left out" in r.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["empty_files"] == [str(d / "b.txt"), str(d / "sub" / "blank.txt")]
    assert summary["documents"] == 2 and summary["processed"] == 2
    decisions = (out / "decisions.jsonl").read_text()
    assert {json.loads(x)["doc"] for x in decisions.splitlines()} == {"a", "sub/c"}
    # the same documents without the empty files: the same ids, the same decisions
    clean = _folder(tmp_path / "clean", empty=False)
    r = run("extract", clean, "--out", tmp_path / "out2", "--graph", graph_dir, "-q")
    assert r.exit_code == 0 and "warning:" not in r.stderr, r.output
    assert (tmp_path / "out2" / "decisions.jsonl").read_text() == decisions
    # a rerun into the same --out resumes: nothing done twice, the empty files told again
    r = run("extract", d, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 0, r.output
    assert "(0 processed now, 2 already done in" in r.stdout and r.stderr.count("KGA403") == 2
    assert (out / "decisions.jsonl").read_text() == decisions
    assert json.loads((out / "summary.json").read_text())["empty_files"] == summary["empty_files"]


def test_extract_refuses_an_empty_file_it_is_given_and_a_corpus_of_them(fake_cli, graph_dir, tmp_path: Path) -> None:
    d = _folder(tmp_path)
    r = run("extract", d / "b.txt", "--out", tmp_path / "out", "--graph", graph_dir, "-q")
    assert r.exit_code == 1 and r.stderr.strip() == f"error: {d / 'b.txt'}: KGA403 empty file: no documents in it"
    e = tmp_path / "e"
    e.mkdir()
    (e / "x.txt").write_bytes(b"")
    r = run("extract", e, "--out", tmp_path / "out", "--graph", graph_dir, "-q")
    assert r.exit_code == 1 and r.stderr.strip().splitlines()[-1] == (
        f"error: {e}: KGA403 nothing to extract: every .txt file found is empty ({e / 'x.txt'})"), r.output
    assert not (tmp_path / "out").exists()


def test_standard_input_beside_a_folder_still_warns(fake_cli, graph_dir, tmp_path: Path) -> None:
    """With `-` among the paths no first reading counts the corpus: the run's own reading warns."""
    d = _folder(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["extract", "-", str(d), "--out", str(out), "--graph", str(graph_dir), "-q"],
                           input="Boston is a city.\n")
    assert r.exit_code == 0, r.output
    assert r.stderr.count("KGA403 empty file, left out") == 2
    assert json.loads((out / "summary.json").read_text())["empty_files"] == [str(d / "b.txt"),
                                                                            str(d / "sub" / "blank.txt")]
