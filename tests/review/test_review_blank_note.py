"""A flag's note of white space alone is no note: stored as none, exported as none."""

from __future__ import annotations

from pathlib import Path

from kgagent.review.items import ReviewSet
from kgagent.review.judgements import read_flags
from kgagent.review.store import DB_NAME, ReviewStore
from support.review_fakes import ACME, SMITH, answer


def test_a_blank_note_is_stored_as_none_and_a_note_without_its_outer_spaces(out: Path) -> None:
    answer(out, [(ACME, "cy", "flag", "   \n"), (SMITH, "ana", "flag", "  is Smith a person?  ")])
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, read_only=True) as store:
        notes = {a.decision: a.note for a in store.answers()}
    assert notes == {ACME: None, SMITH: "is Smith a person?"}
    assert [f.note for f in read_flags(out)[ACME]] == [None]
