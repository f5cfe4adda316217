"""The README's corpus paragraph said nothing of a folder's empty .txt files: neither that
`kgagent train --rounds` warns of those its --unlabelled folder holds, as `kgagent extract` does
(e65d210), nor how a program learns which files `read_corpus` left out (its ``on_empty``
callback; without one they are left out silently). It says both now; this test holds the
sentences to what the code does: the warning quoted is what the commands print, and the call
shown tells the files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kgagent
from kgagent.errors import InputError

README = Path(__file__).resolve().parents[2] / "README.md"


def _corpus_paragraph() -> str:
    text = README.read_text(encoding="utf-8")
    (para,) = [p for p in text.split("\n\n") if p.startswith("The corpus may be plain-text files")]
    return " ".join(para.split())


def test_the_corpus_paragraph_tells_of_empty_files_in_extract_and_train_rounds() -> None:
    para = _corpus_paragraph()
    assert "An empty `.txt` file in a corpus folder is left out with a warning naming it" in para, para
    assert "by `kgagent extract` and, for its `--unlabelled` texts, by `kgagent train --rounds` alike" in para
    assert "`kgagent.read_corpus(paths, on_empty=left_out.append)` learns each file left out" in para
    assert "without one they are left out silently" in para


def test_the_warning_quoted_is_the_one_both_commands_print(capsys: pytest.CaptureFixture[str]) -> None:
    from kgagent_cli import loop_cmd
    from kgagent_cli.agent_cmd import _warn_empty

    quoted = re.search(r"`(warning: DIR/b\.txt: [^`]*)`", _corpus_paragraph()).group(1)
    _warn_empty(["DIR/b.txt"], set())
    assert capsys.readouterr().err.startswith(quoted)
    # train --rounds warns with extract's own function (what the README says: "alike")
    assert "from kgagent_cli.agent_cmd import _warn_empty" in Path(loop_cmd.__file__).read_text(encoding="utf-8")


def test_the_call_shown_tells_the_files_and_none_is_silent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "c"
    d.mkdir()
    (d / "a.txt").write_text("Richard Parsons works for Time Warner.\n")
    (d / "b.txt").write_text(" \n")
    left_out: list[str] = []
    paths = [d]
    assert [doc.id for doc in kgagent.read_corpus(paths, on_empty=left_out.append)] == ["a"]
    assert left_out == [str(d / "b.txt")]
    assert [doc.id for doc in kgagent.read_corpus(paths)] == ["a"]
    assert capsys.readouterr() == ("", "")  # the library prints nothing
    (d / "a.txt").write_text("")
    with pytest.raises(InputError) as err:  # "a folder of nothing else is KGA403"
        list(kgagent.read_corpus(paths))
    assert err.value.code == "KGA403"
