"""``kgagent feedback export-reviews`` on answers it cannot use, found by fuzzing: answers on
decisions not in decisions.jsonl were dropped without a word ("0 judged decision(s)", exit 0),
and a relabel with a null label or a span with non-integer ends (a hand-edited reviews.sqlite)
was quietly turned into a negative. Now the unknown answers are counted in the report, all of
them unknown is KGA471, and a malformed answer is KGA472 naming the database and the answer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError
from kgagent.review.export import export_reviews
from kgagent.review.items import ReviewSet
from kgagent.review.store import DB_NAME, ReviewStore
from kgagent_cli.main import app
from support.review_fakes import ACME, SMITH


def _answer(out: Path, *rows: tuple) -> list[str]:
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts) as store:
        return [store.add(d, who, action, verdict=rs.get(d)["verdict"], **(rest[0] if rest else {})).ref
                for d, who, action, *rest in rows]


def _insert(out: Path, decision: str, action: str, label=None, start=None, end=None) -> str:
    """Add a row to reviews.sqlite by hand, past ReviewStore.add's checks, as the fuzzer did."""
    rs = ReviewSet.load(out)
    ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts).close()  # the database, made
    with sqlite3.connect(out / DB_NAME) as db:
        cur = db.execute("INSERT INTO answers (decision, reviewer, action, label, span_start, span_end, note, "
                         "verdict, fingerprint, created) VALUES (?, 'ana', ?, ?, ?, ?, NULL, 'review', ?, "
                         "'2026-01-01T00:00:00')", (decision, action, label, start, end, rs.fingerprint))
        return f"a:{cur.lastrowid}"


def _export_cli(out: Path):
    return CliRunner().invoke(app, ["feedback", "export-reviews", str(out), "--to", str(out / "fb.jsonl")])


def test_answers_on_unknown_decisions_are_counted(out: Path) -> None:
    _answer(out, (SMITH, "ana", "accept"))
    _insert(out, "d:gone", "reject")
    _insert(out, "d:gone", "undo")  # undone: no answer at all
    _insert(out, "d:gone2", "accept")
    _insert(out, "d:gone3", "accept")
    _insert(out, "d:gone3", "undo")
    report = export_reviews(out)
    assert report.judgements == 1 and report.sentences == 1
    assert report.unknown_answers == 1 and report.unknown_decisions == ["d:gone2"]
    assert report.to_dict()["unknown_answers"] == 1
    r = _export_cli(out)  # the command says what it left out
    assert r.exit_code == 0 and "left out 1 answer(s) on decisions not in decisions.jsonl (e.g. d:gone2)" in r.output


def test_answers_all_on_unknown_decisions_are_kga471(out: Path) -> None:
    _insert(out, "d:gone1", "accept")
    _insert(out, "d:gone2", "reject")
    r = _export_cli(out)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith(f"error: {out / DB_NAME}: KGA471 none of the 2 answer(s) is on a decision of ") and (
        "(e.g. d:gone1): they were made on another run of this extraction; nothing written" in last), last
    assert not (out / "fb.jsonl").exists()


@pytest.mark.parametrize("label, words", [(None, "relabel without a new label (null)"),
                                          ("", 'relabel without a new label ("")')])
def test_a_relabel_without_a_label_is_kga472_not_a_negative(out: Path, label, words: str) -> None:
    _answer(out, (SMITH, "ana", "accept"))
    ref = _insert(out, ACME, "relabel", label=label)
    r = _export_cli(out)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith(f"error: {out / DB_NAME}: KGA472 1 answer(s) the review page could not have written")
    assert f"{ref} on {ACME}: {words}" in last, last
    assert not (out / "fb.jsonl").exists()


@pytest.mark.parametrize("start, end, ends", [(0, "x", '0, "x"'), (0, 2.5, "0, 2.5"), (0, None, "none"),
                                              (3, 1, "3, 1")])
def test_a_span_with_ends_that_are_not_integers_is_kga472(out: Path, start, end, ends: str) -> None:
    ref = _insert(out, SMITH, "span", start=start, end=end)
    with pytest.raises(InputError) as err:
        export_reviews(out)
    assert err.value.code == "KGA472" and err.value.location.path == str(out / DB_NAME)
    assert f"{ref} on {SMITH}: a span whose ends ({ends}) are not integers start < end" in str(err.value)
    assert not (out / "review_feedback.jsonl").exists()
