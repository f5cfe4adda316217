"""A corpus file that is one of the files extract writes in --out is refused before anything is cut."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgagent.errors import InputError
from kgagent.output import check_corpus_not_in_out
from support.cli import run


@pytest.mark.parametrize("name", ["feedback.jsonl", "decisions.jsonl"])
def test_a_corpus_that_is_an_output_of_out_is_kga491(fake_cli, graph_dir, tmp_path: Path, name: str) -> None:
    """Before: `extract OUT/feedback.jsonl --out OUT --overwrite` deleted the corpus (an output of
    the run) and wrote the run's feedback in its place; without --overwrite the file was read while
    the run appended to it."""
    out = tmp_path / "out"
    out.mkdir()
    corpus = out / name
    corpus.write_text('{"id": "a", "text": "Richard Parsons works for Time Warner."}\n')
    before = corpus.read_bytes()
    for extra in ([], ["--overwrite"]):
        r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q", *extra)
        assert r.exit_code == 2, r.output
        assert (f"KGA491 the corpus {corpus} is the {name} that extract writes in --out {out}: copy it elsewhere, or "
                "give another --out") in r.output
        assert corpus.read_bytes() == before and sorted(p.name for p in out.iterdir()) == [name]


def test_the_check_sees_through_other_spellings_of_a_path(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "progress.jsonl").write_text("")
    with pytest.raises(InputError) as err:
        check_corpus_not_in_out([tmp_path / "x.txt", tmp_path / "out" / ".." / "out" / "progress.jsonl"], out)
    assert err.value.code == "KGA491"
    check_corpus_not_in_out([tmp_path / "x.txt", "-", out / "other.jsonl"], out)  # none of OUT's own files
