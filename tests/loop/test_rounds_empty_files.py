"""Regression: `kgagent train --rounds K --unlabelled DIR` left a folder's empty .txt files out
without a word (kgagent.loop.read_unlabelled called read_corpus with no ``on_empty``), where
`kgagent extract DIR` warns of each (6f1c50c). Now read_unlabelled takes ``on_empty`` and the
command warns as extract does, once per file, before round 0 trains; a folder of nothing but
empty files is still KGA403. A library caller of read_corpus learns the files only through
``on_empty`` (documented): anything else given there is KGA419."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError
from kgagent.loop import read_unlabelled
from kgagent_cli.main import app

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "loop"


def _folder(tmp_path: Path) -> Path:
    d = tmp_path / "texts"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("John Smith works for Acme in Boston .\n")
    (d / "b.txt").write_bytes(b"")
    (d / "sub" / "c.txt").write_text("Mary lives in Paris .\n")
    (d / "sub" / "d.txt").write_text(" \n\n")
    return d


def test_read_unlabelled_tells_the_empty_files_it_leaves_out(tmp_path: Path) -> None:
    d = _folder(tmp_path)
    told: list[str] = []
    docs = read_unlabelled(d, on_empty=told.append)
    assert [(x.id, x.text) for x in docs] == [("a", "John Smith works for Acme in Boston ."),
                                             ("sub/c", "Mary lives in Paris .")]
    assert told == [str(d / "b.txt"), str(d / "sub" / "d.txt")]
    assert [x.id for x in read_unlabelled(d)] == ["a", "sub/c"]  # without a listener: left out all the same


def test_read_corpus_refuses_an_on_empty_that_is_no_function(tmp_path: Path) -> None:
    from kgagent.corpus import read_corpus

    with pytest.raises(InputError) as err:
        list(read_corpus(_folder(tmp_path), on_empty=[]))
    assert err.value.code == "KGA419" and "on_empty must be a function on_empty(path) or None" in err.value.message


def _train(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, texts: Path):
    """`kgagent train --rounds 1 --unlabelled TEXTS`, the loop itself replaced: the documents it got."""
    import kgagent.loop

    got: list = []

    def fake_loop(train_config, gold, dev, unlabelled, config=None, out_dir=None, **kw):
        got.extend(unlabelled)
        return kgagent.loop.LoopResult(rounds=[], best_round=0, stopped_early=False)

    monkeypatch.setattr(kgagent.loop, "run_loop", fake_loop)
    r = CliRunner().invoke(app, ["train", str(FIX / "gold.json"), "--dev", str(FIX / "gold.json"), "--rounds", "1",
                                 "--loop-mode", "plain", "--unlabelled", str(texts), "--out", str(tmp_path / "rr")])
    return r, got


def test_train_rounds_warns_of_each_empty_file_as_extract_does(monkeypatch, tmp_path: Path) -> None:
    d = _folder(tmp_path)
    r, got = _train(monkeypatch, tmp_path, d)
    assert r.exit_code == 0, r.output
    assert [x.id for x in got] == ["a", "sub/c"]
    assert [x for x in r.stderr.splitlines() if x.startswith("warning:")] == [
        f"warning: {d / 'b.txt'}: KGA403 empty file, left out (no text in it)",
        f"warning: {d / 'sub' / 'd.txt'}: KGA403 empty file, left out (no text in it)"]


def test_train_rounds_refuses_a_folder_of_empty_files(monkeypatch, tmp_path: Path) -> None:
    d = tmp_path / "e"
    d.mkdir()
    (d / "x.txt").write_bytes(b"")
    r, got = _train(monkeypatch, tmp_path, d)
    assert r.exit_code == 1 and not got, r.output
    assert r.stderr.strip().splitlines()[-1] == (
        f"error: {d}: KGA403 nothing to extract: every .txt file found is empty ({d / 'x.txt'})")
