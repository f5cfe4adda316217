"""Regression: `feedback export-reviews`' line about flagged decisions nobody judged quoted the note of
the first of them only (in decision order): when that one had none, the line showed no note, though
other flagged decisions had one.

Now the line quotes the first note there is (its decision as the example), and when several decisions
are flagged and unjudged a second line says how many of them have a note and lists the first few (a
note of white space only says nothing); with no note at all it says so.
"""

from __future__ import annotations

from pathlib import Path

from kgagent.review.export import export_reviews
from kgagent.review.store import DB_NAME
from support.review_fakes import ACME, KLUGT_PHILIPS, SMITH, answer, export_lines


def test_the_unjudged_line_quotes_a_note_when_the_first_has_none(out: Path) -> None:
    # in decision order KLUGT_PHILIPS (d:3105...) comes first, flagged without a note
    assert sorted([KLUGT_PHILIPS, SMITH, ACME]) == [KLUGT_PHILIPS, SMITH, ACME]
    answer(out, [(KLUGT_PHILIPS, "bob", "flag", None), (SMITH, "ana", "flag", "is Smith a person?"),
               (ACME, "cy", "flag", "  "), (ACME, "dan", "flag", "an   org?")])  # a blank note says nothing
    report = export_reviews(out)
    assert [u["decision"] for u in report.flagged_unjudged] == [KLUGT_PHILIPS, SMITH, ACME]
    lines = export_lines(out)
    assert (f"left out 3 flagged decision(s) nobody judged (nothing to train on; e.g. {SMITH}: "
            "'is Smith a person?'): answer them to export them") in lines, lines
    assert f"2 of those 3 have a note: {SMITH}: 'is Smith a person?'; {ACME}: 'an org?'" in lines, lines


def test_the_unjudged_line_without_any_note(out: Path) -> None:
    answer(out, [(KLUGT_PHILIPS, "bob", "flag", None), (SMITH, "ana", "flag", None)])
    lines = export_lines(out)
    assert (f"left out 2 flagged decision(s) nobody judged (nothing to train on; e.g. {KLUGT_PHILIPS}): "
            "answer them to export them") in lines, lines
    assert "none of those 2 has a note" in lines, lines


def test_many_notes_are_cut_to_three_and_one_alone_gets_no_second_line(out: Path) -> None:
    from support.review_fakes import BOSTON_TEXAS, PARSONS, PHILIPS_NY, WORK_FOR

    flagged = sorted([KLUGT_PHILIPS, SMITH, ACME, PARSONS, WORK_FOR, BOSTON_TEXAS, PHILIPS_NY])
    answer(out, [(d, "ana", "flag", f"note {i}") for i, d in enumerate(flagged)])
    lines = export_lines(out)
    assert (f"7 of those 7 have a note: {flagged[0]}: 'note 0'; {flagged[1]}: 'note 1'; {flagged[2]}: 'note 2'; "
            "and 4 more") in lines, lines

    for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
        (out / name).unlink(missing_ok=True)
    answer(out, [(SMITH, "ana", "flag", None)])
    lines = export_lines(out)
    assert lines[-1] == (f"left out 1 flagged decision(s) nobody judged (nothing to train on; e.g. {SMITH}): "
                         "answer them to export them"), lines


def test_one_note_of_two(out: Path) -> None:
    answer(out, [(KLUGT_PHILIPS, "bob", "flag", None), (ACME, "ana", "flag", "org?")])
    lines = export_lines(out)
    assert (f"left out 2 flagged decision(s) nobody judged (nothing to train on; e.g. {ACME}: 'org?'): "
            "answer them to export them") in lines, lines
    assert f"1 of those 2 has a note: {ACME}: 'org?'" in lines, lines
