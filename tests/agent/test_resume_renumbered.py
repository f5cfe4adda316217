"""Resuming after a document was added or removed above others: ids by place are told to be so."""

from __future__ import annotations

from pathlib import Path

from support.cli import run

DOCS = ["Richard Parsons works for Time Warner.", "Cor van der Klugt heads Philips.", "Boston lies in Massachusetts."]


def test_a_document_removed_above_is_told_as_renumbering(fake_cli, graph_dir, tmp_path: Path) -> None:
    """Before: 'KGA413 document 'corpus#1' changed since OUT was written', when the user had only
    removed the first document: nothing said that ids without an "id" are places in the file."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n\n".join(DOCS) + "\n")
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    corpus.write_text("\n\n".join(DOCS[1:]) + "\n")
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 1, r.output
    assert (f"{corpus}:1: KGA413 document 'corpus#1' changed since {out} was written; its text is the one "
            "'corpus#2' had there: documents without an \"id\" are numbered by their place in the file, so one "
            "added or removed above renumbers those below (give each an \"id\" in a .jsonl corpus); use another "
            "--out or --overwrite") in " ".join(r.output.split()), r.output


def test_an_edited_document_with_its_own_id_is_told_as_before(fake_cli, graph_dir, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "a", "text": "Boston lies in Massachusetts."}\n')
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "-q").exit_code == 0
    corpus.write_text('{"id": "a", "text": "Boston lies in Texas."}\n')
    r = run("extract", corpus, "--out", out, "--graph", graph_dir, "-q")
    assert r.exit_code == 1, r.output
    assert f"KGA413 document 'a' changed since {out} was written; use another --out or --overwrite" in r.output
