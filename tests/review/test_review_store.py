"""reviews.sqlite: WAL, append-only, durable across a kill, resumable, several reviewers, conflicts."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kgagent.errors import InputError, StorageError
from kgagent.review.items import ReviewSet
from kgagent.review.queue import build_queue, progress, resume_position
from kgagent.review.store import DB_NAME, ReviewStore, conflicts
from support.review_fakes import ACME, KLUGT_PHILIPS, SMITH, WORK_FOR


def _open(out: Path, **kw) -> ReviewStore:
    rs = ReviewSet.load(out)
    return ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, **kw)


def test_wal_mode_and_documented_schema(out: Path) -> None:
    with _open(out) as store:
        assert store.journal_mode() == "wal"
        store.add(SMITH, "ana", "accept", verdict="review")
    db = sqlite3.connect(out / DB_NAME)
    cols = [r[1] for r in db.execute("PRAGMA table_info(answers)")]
    assert cols == ["id", "decision", "reviewer", "action", "label", "span_start", "span_end", "note", "verdict",
                    "fingerprint", "created"]
    meta = dict(db.execute("SELECT key, value FROM meta"))
    assert meta["schema_version"] == "1" and meta["fingerprint"] == ReviewSet.load(out).fingerprint
    (row,) = db.execute("SELECT decision, reviewer, action, verdict, fingerprint, created FROM answers").fetchall()
    assert row[:4] == (SMITH, "ana", "accept", "review") and row[4] == meta["fingerprint"] and row[5].endswith("Z")


def test_rows_are_append_only(out: Path) -> None:
    with _open(out) as store:
        store.add(SMITH, "ana", "accept", verdict="review")
    db = sqlite3.connect(out / DB_NAME)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE answers SET action = 'reject'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM answers")


def test_changed_answer_and_undo_are_new_rows(out: Path) -> None:
    with _open(out) as store:
        store.add(SMITH, "ana", "accept", verdict="review")
        store.add(SMITH, "ana", "reject", verdict="review")
        assert store.effective("ana")[("ana", SMITH)].action == "reject"
        store.add(ACME, "ana", "relabel", label="person", verdict="reject")
        last = store.last_effective("ana")
        assert last is not None and last.decision == ACME
        store.add(ACME, "ana", "undo", verdict="reject")
        assert ("ana", ACME) not in store.effective("ana")
        assert [a.action for a in store.answers()] == ["accept", "reject", "relabel", "undo"]


def test_malformed_answers_are_refused(out: Path) -> None:
    with _open(out) as store:
        for kwargs in ({"reviewer": "", "action": "accept"}, {"reviewer": "ana", "action": "delete"},
                       {"reviewer": "ana", "action": "relabel"}, {"reviewer": "ana", "action": "span"}):
            with pytest.raises(InputError) as err:
                store.add(SMITH, kwargs["reviewer"], kwargs["action"], verdict="review")
            assert err.value.code == "KGA472"
        assert store.answers() == []


def test_reopening_resumes_where_the_reviewer_stopped(out: Path) -> None:
    rs = ReviewSet.load(out)
    queue = build_queue(rs)
    with _open(out) as store:
        for decision in queue[:3]:
            store.add(decision, "ana", "accept", verdict="review")
    with _open(out) as store:  # a new process would see the same: the rows are on disk
        mine = {d: a for (_, d), a in store.effective("ana").items()}
        assert resume_position(queue, mine) == 3
        p = progress(queue, mine)
        assert (p["reviewed"], p["total"], p["by_status"]["accepted"]) == (3, len(queue), 3)
        assert resume_position(queue, {}) == 0


def test_two_reviewers_are_both_kept_and_conflicts_found(out: Path) -> None:
    with _open(out) as store:
        store.add(SMITH, "ana", "accept", verdict="review")
        store.add(SMITH, "ben", "reject", verdict="review")
        store.add(KLUGT_PHILIPS, "ana", "accept", verdict="review")
        store.add(KLUGT_PHILIPS, "ben", "accept", verdict="review")
        store.add(WORK_FOR, "ben", "skip", verdict="accept")
        assert store.reviewers() == ["ana", "ben"]
        found = conflicts(store.effective())
        assert list(found) == [SMITH]
        assert [(a.reviewer, a.action) for a in found[SMITH]] == [("ana", "accept"), ("ben", "reject")]


def test_killing_the_writer_loses_no_answer(out: Path) -> None:
    """A process that answered and was killed (SIGKILL, no clean-up) left its answer on disk."""
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from kgagent.review.items import ReviewSet\n"
        "from kgagent.review.store import ReviewStore\n"
        "out = Path(sys.argv[1]); rs = ReviewSet.load(out)\n"
        "s = ReviewStore(out / 'reviews.sqlite', rs.fingerprint, parts=rs.fingerprint_parts, lock=True)\n"
        f"s.add({SMITH!r}, 'ana', 'reject', verdict='review')\n"
        "print('answered', flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True, text=True, timeout=60)
    assert "answered" in proc.stdout and proc.returncode == -9
    with _open(out, lock=True) as store:  # the killed server's lock went with it
        assert [(a.decision, a.action) for a in store.answers()] == [(SMITH, "reject")]
        assert sqlite3.connect(out / DB_NAME).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_database_of_another_extraction_is_refused(out: Path) -> None:
    with _open(out) as store:
        store.add(SMITH, "ana", "accept", verdict="review")
    run = out / "run.json"
    run.write_text(run.read_text().replace('"fake-encoder"', '"another-model"'))
    with pytest.raises(InputError) as err:
        _open(out)
    assert err.value.code == "KGA471" and "model" in str(err.value)
    run.write_text(run.read_text().replace('"another-model"', '"fake-encoder"'))
    with _open(out) as store:  # untouched: the right extraction still reads it
        assert len(store.answers()) == 1


@pytest.mark.parametrize("read_only", [False, True])
def test_a_directory_as_the_review_database_says_so(out: Path, read_only: bool) -> None:
    """Was KGA522 '...: disk I/O error' (SQLite's word for a directory)."""
    (out / DB_NAME).mkdir()
    with pytest.raises(StorageError) as err:
        _open(out, read_only=read_only)
    assert err.value.code == "KGA522" and "is a directory, not a review database file" in err.value.message


def test_not_a_review_database(out: Path) -> None:
    (out / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError) as err:
        _open(out)
    assert err.value.code == "KGA522"
    (out / DB_NAME).unlink()
    sqlite3.connect(out / DB_NAME).execute("CREATE TABLE other (x)")
    with pytest.raises(StorageError) as err:
        _open(out)
    assert err.value.code == "KGA522"


def test_second_server_refused_second_reader_works(out: Path) -> None:
    first = _open(out, lock=True)
    try:
        with pytest.raises(StorageError) as err:
            _open(out, lock=True)
        assert err.value.code == "KGA521" and "--read-only" in str(err.value)
        reader = _open(out, read_only=True)
        first.add(SMITH, "ana", "accept", verdict="review")
        assert [a.decision for a in reader.answers()] == [SMITH]  # sees the first server's writes
        with pytest.raises(StorageError) as err:
            reader.add(SMITH, "ben", "accept", verdict="review")
        assert err.value.code == "KGA523"
        reader.close()
    finally:
        first.close()
    with _open(out, lock=True) as again:  # released on close
        assert len(again.answers()) == 1
