"""Reviewers' answers, stored durably in SQLite (WAL mode), append-only.

The database is ``OUT/reviews.sqlite`` by default. Every answer is one row, committed before
the server replies (``synchronous=FULL``), so killing the server loses nothing answered. Rows
are never updated or deleted (triggers refuse it): a changed answer is a new row, an undo is a
row with the action ``undo``; a reviewer's *effective* answer on a decision is their latest
answer that no undo took back: an undo takes back the latest one still in force, so undoing a
changed answer brings back the one it changed (none when every answer was undone). A skip or a
flag after a judgement (accept, reject, relabel, span) does not take the judgement back: it
*stands* (:func:`standing_answers`), is exported and counted; a flag's note says why it is
flagged, and travels with the exported labels.

Schema (``SCHEMA_VERSION`` 1)::

    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        -- schema_version, fingerprint (of the extraction: sha1 of run.json's model/rules/
        -- graph fingerprint), fingerprint_parts (that fingerprint as JSON), created
    CREATE TABLE answers (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- the answer id ("a:<id>" in feedback)
        decision    TEXT NOT NULL,     -- decision id of decisions.jsonl ("d:...")
        reviewer    TEXT NOT NULL,     -- the name the reviewer gave
        action      TEXT NOT NULL,     -- accept | reject | relabel | span | skip | flag | undo
        label       TEXT,              -- relabel: the new type / predicate (normalised name)
        span_start  INTEGER,           -- span: the corrected mention, character offsets
        span_end    INTEGER,           --   into the document (like decisions.jsonl spans)
        note        TEXT,              -- free text (flag: why)
        verdict     TEXT NOT NULL,     -- the agent's verdict the reviewer saw
        fingerprint TEXT NOT NULL,     -- the extraction the answer was made against
        created     TEXT NOT NULL      -- UTC time, ISO 8601 with milliseconds
    );

A second server on the same database is refused by a lock file (``reviews.sqlite.lock``);
``read_only=True`` opens a working second reader instead (SQLite's WAL lets it read while the
first one writes).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kgagent.errors import InputError, StorageError, is_text

SCHEMA_VERSION = 1
DB_NAME = "reviews.sqlite"
#: what a reviewer can answer; ``undo`` takes back the reviewer's effective answer (the one before returns)
ACTIONS = ("accept", "reject", "relabel", "span", "skip", "flag", "undo")
#: actions that say what the candidate really is (the rest only move the queue along)
JUDGEMENTS = ("accept", "reject", "relabel", "span")
#: the longest note an answer holds (a longer one is refused, never cut)
MAX_NOTE = 2000
#: the longest reviewer name
MAX_NAME = 80

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    decision    TEXT NOT NULL,
    reviewer    TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('accept','reject','relabel','span','skip','flag','undo')),
    label       TEXT,
    span_start  INTEGER,
    span_end    INTEGER,
    note        TEXT,
    verdict     TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_by_decision ON answers (decision, id);
CREATE INDEX IF NOT EXISTS answers_by_reviewer ON answers (reviewer, id);
CREATE TRIGGER IF NOT EXISTS answers_no_update BEFORE UPDATE ON answers
    BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;
CREATE TRIGGER IF NOT EXISTS answers_no_delete BEFORE DELETE ON answers
    BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;
"""


@dataclass(frozen=True)
class Answer:
    """One row of the ``answers`` table."""

    id: int
    decision: str
    reviewer: str
    action: str
    label: str | None
    span_start: int | None
    span_end: int | None
    note: str | None
    verdict: str
    fingerprint: str
    created: str

    @property
    def ref(self) -> str:
        """The answer's id as feedback examples cite it (``a:<id>``)."""
        return f"a:{self.id}"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ref"] = self.ref
        return out


def _now() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


class ReviewStore:
    """The answers database of one extraction (see the module docstring).

    ``fingerprint`` is the extraction's (:func:`kgagent.review.items.extraction_fingerprint`);
    a database made against another one is refused (KGA471). ``lock=True`` (a server) holds
    ``reviews.sqlite.lock`` while open, so a second server is refused (KGA521).
    """

    def __init__(self, path: str | Path, fingerprint: str, *, parts: dict[str, str] | None = None,
                 read_only: bool = False, lock: bool = False) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint
        self.read_only = read_only
        self._mutex = threading.Lock()
        self._lock_fh: Any = None
        if read_only and not self.path.exists():
            raise StorageError(f"no review database {self.path} to read", code="KGA522")
        if self.path.is_dir():
            raise StorageError(f"{self.path} is a directory, not a review database file", code="KGA522")
        if lock and not read_only:
            self._lock_fh = _take_lock(self.path)
        try:
            self._db = self._connect()
            self._check_or_init(parts or {})
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ opening
    def _connect(self) -> sqlite3.Connection:
        try:
            if self.read_only:
                db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                     check_same_thread=False, isolation_level=None)
            else:
                db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=10)
                mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise StorageError(f"{self.path}: SQLite would not use WAL mode ({mode})", code="KGA522")
                db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA busy_timeout=10000")
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as err:
            raise StorageError(f"{self.path} is not a review database: {err}", code="KGA522") from None
        return db

    def _check_or_init(self, parts: dict[str, str]) -> None:
        db = self._db
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            if self.read_only or tables - {"sqlite_sequence"}:
                raise StorageError(f"{self.path} is not a kgagent review database (no meta table)", code="KGA522")
            with self._mutex:
                db.execute("BEGIN IMMEDIATE")
                for stmt in _statements(_SCHEMA):
                    db.execute(stmt)
                db.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [
                    ("schema_version", str(SCHEMA_VERSION)), ("fingerprint", self.fingerprint),
                    ("fingerprint_parts", json.dumps(parts, sort_keys=True)), ("created", _now())])
                db.execute("COMMIT")
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            raise StorageError(f"{self.path} has review schema {meta.get('schema_version')!r}; "
                               f"this kgagent reads {SCHEMA_VERSION}", code="KGA522")
        if meta.get("fingerprint") != self.fingerprint:
            old = _json(meta.get("fingerprint_parts", "{}"))
            diff = sorted(k for k in set(old) | set(parts) if old.get(k) != parts.get(k)) or ["fingerprint"]
            raise InputError(f"{self.path} holds answers made against another extraction "
                             f"(its {', '.join(diff)} differ); give another --db or move it away", code="KGA471")

    def close(self) -> None:
        """Close the database and release the server lock."""
        db = getattr(self, "_db", None)
        if db is not None:
            db.close()
            self._db = None  # type: ignore[assignment]
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    def __enter__(self) -> "ReviewStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    def add(self, decision: str, reviewer: str, action: str, *, verdict: str, label: str | None = None,
            span: tuple[int, int] | None = None, note: str | None = None) -> Answer:
        """Append one answer and commit it before returning (KGA472 for a malformed answer). A
        note is stored without its outer white space; one of white space alone is no note."""
        if self.read_only:
            raise StorageError(f"{self.path} is open read-only (a second reader)", code="KGA523")
        reviewer = check_reviewer(reviewer)
        if action not in ACTIONS:
            raise InputError(f"unknown answer {action!r}; answers: {', '.join(ACTIONS)}", code="KGA472")
        if action == "relabel" and not label:
            raise InputError("relabel needs the new label", code="KGA472")
        if action == "span" and not valid_span(span):
            raise InputError("span needs a start and an end, whole numbers with 0 <= start < end", code="KGA472")
        for name, text in (("decision", decision), ("label", label), ("note", note), ("verdict", verdict)):
            if text is not None and not is_text(text):
                raise InputError(f"the answer's {name} is not valid text (a string without lone surrogates)",
                                 code="KGA472")
        if note is not None and len(note) > MAX_NOTE:
            raise InputError(f"a note holds at most {MAX_NOTE} characters, this one {len(note)}; "
                             "nothing was stored", code="KGA472")
        row = (decision, reviewer, action, label if action == "relabel" else None,
               span[0] if action == "span" and span else None, span[1] if action == "span" and span else None,
               (note.strip() or None) if note is not None else None, verdict, self.fingerprint, _now())
        with self._mutex:
            cur = self._db.execute(
                "INSERT INTO answers (decision, reviewer, action, label, span_start, span_end, note, verdict, "
                "fingerprint, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            return Answer(cur.lastrowid, *row)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ reading
    def answers(self, *, reviewer: str | None = None, decision: str | None = None) -> list[Answer]:
        """All rows, oldest first (optionally of one reviewer and/or one decision)."""
        where, args = [], []
        if reviewer is not None:
            where.append("reviewer = ?")
            args.append(reviewer)
        if decision is not None:
            where.append("decision = ?")
            args.append(decision)
        sql = "SELECT * FROM answers" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        with self._mutex:
            return [Answer(*r) for r in self._db.execute(sql, args).fetchall()]

    def effective(self, reviewer: str | None = None) -> dict[tuple[str, str], Answer]:
        """(reviewer, decision) -> the reviewer's effective answer (undone ones left out)."""
        return effective_answers(self.answers(reviewer=reviewer))

    def standing(self, reviewer: str | None = None, decision: str | None = None
                 ) -> dict[tuple[str, str], "Standing"]:
        """(reviewer, decision) -> where the reviewer left it (:func:`standing_answers`)."""
        return standing_answers(self.answers(reviewer=reviewer, decision=decision))

    def reviewers(self) -> list[str]:
        """Names of everyone who answered, sorted."""
        with self._mutex:
            return [r[0] for r in self._db.execute("SELECT DISTINCT reviewer FROM answers ORDER BY reviewer")]

    def last_effective(self, reviewer: str) -> Answer | None:
        """The reviewer's most recent answer that is still in force (what backspace undoes)."""
        eff = self.effective(reviewer)
        return max(eff.values(), key=lambda a: a.id) if eff else None

    def journal_mode(self) -> str:
        with self._mutex:
            return str(self._db.execute("PRAGMA journal_mode").fetchone()[0]).lower()


def check_reviewer(name: Any) -> str:
    """A reviewer's name, stripped; InputError KGA472 unless it is a string of 1 to ``MAX_NAME``
    characters with no control characters (NUL, newline...) and no lone surrogates."""
    if not isinstance(name, str):
        raise InputError(f"a reviewer's name must be a string, not {type(name).__name__}", code="KGA472")
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InputError(f"a reviewer needs a name (1 to {MAX_NAME} characters)", code="KGA472")
    bad = sorted({c for c in name if unicodedata.category(c) in ("Cc", "Cs")})
    if bad:
        raise InputError(f"a reviewer's name cannot hold control characters or lone surrogates "
                         f"({', '.join(ascii(c) for c in bad)})", code="KGA472")
    return name


def valid_span(span: Any) -> bool:
    """Whether ``span`` is what a span answer holds: two character offsets SQLite can store (ints,
    not booleans, below 2**63), ``0 <= start < end``."""
    return (isinstance(span, (tuple, list)) and len(span) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 2 ** 63 for x in span)
            and span[0] < span[1])


def _stacks(rows: Iterable[Answer]) -> dict[tuple[str, str], list[Answer]]:
    """Per (reviewer, decision), the answers no undo took back, oldest first."""
    stacks: dict[tuple[str, str], list[Answer]] = {}
    for a in sorted(rows, key=lambda r: r.id):
        stack = stacks.setdefault((a.reviewer, a.decision), [])
        if a.action == "undo":
            if stack:
                stack.pop()
        else:
            stack.append(a)
    return {k: stack for k, stack in stacks.items() if stack}


def effective_answers(rows: Iterable[Answer]) -> dict[tuple[str, str], Answer]:
    """Per (reviewer, decision), the latest answer no undo took back. Each undo takes back the
    latest answer still in force, so accept, reject, undo leaves the accept (it left nothing:
    a reviewer who undid a change lost the answer they had changed)."""
    return {k: stack[-1] for k, stack in _stacks(rows).items()}


@dataclass(frozen=True)
class Standing:
    """Where one reviewer left one decision: their latest answer in force (``last``), the
    judgement that stands (their latest accept / reject / relabel / span in force: a skip or a
    flag after it does not take it back) and the flags after that judgement (still open)."""

    last: Answer
    judgement: Answer | None
    flags: tuple[Answer, ...]

    @property
    def shown(self) -> Answer:
        """The answer the page counts the decision by: a skip after a judgement leaves the
        judgement (the item stays accepted, rejected or changed); a flag shows as flagged."""
        return self.judgement if self.last.action == "skip" and self.judgement is not None else self.last


def standing_answers(rows: Iterable[Answer]) -> dict[tuple[str, str], Standing]:
    """Per (reviewer, decision), the :class:`Standing` of the answers no undo took back: a skip
    ("come back later") or a flag ("for discussion") never erases an earlier judgement; only
    another judgement replaces it, and an undo takes back the latest answer."""
    out = {}
    for key, stack in _stacks(rows).items():
        at = max((i for i, a in enumerate(stack) if a.action in JUDGEMENTS), default=-1)
        flags = tuple(a for a in stack[at + 1:] if a.action == "flag")
        out[key] = Standing(stack[-1], stack[at] if at >= 0 else None, flags)
    return out


def judged_answers(rows: Iterable[Answer]) -> dict[tuple[str, str], Answer]:
    """Per (reviewer, decision), the judgement that stands (see :func:`standing_answers`)."""
    return {k: s.judgement for k, s in standing_answers(rows).items() if s.judgement is not None}


def answer_key(a: Answer) -> tuple[str, str | None, int | None, int | None]:
    """What an answer says about the candidate, for comparing two reviewers."""
    return a.action, a.label, a.span_start, a.span_end


def conflicts(effective: dict[tuple[str, str], Answer]) -> dict[str, list[Answer]]:
    """Decisions on which reviewers' judgements (accept / reject / relabel / span) differ
    (``effective``: each reviewer's judgement that stands, :func:`judged_answers`)."""
    by_decision: dict[str, list[Answer]] = {}
    for (_, decision), a in effective.items():
        if a.action in JUDGEMENTS:
            by_decision.setdefault(decision, []).append(a)
    return {d: sorted(rows, key=lambda a: a.reviewer) for d, rows in sorted(by_decision.items())
            if len({answer_key(a) for a in rows}) > 1}


def _take_lock(path: Path) -> Any:
    import fcntl

    lock_path = path.with_name(path.name + ".lock")
    try:
        fh = open(lock_path, "a+")
    except OSError as err:
        raise StorageError(f"cannot create {lock_path}: {err.strerror or err}", code="KGA510") from None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.seek(0)
        holder = fh.read().strip()
        fh.close()
        raise StorageError(f"{path} is served by another `kgagent review` ({holder or 'unknown process'}); "
                           "stop it, or open a second reader with --read-only", code="KGA521") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}")
    fh.flush()
    return fh


def _statements(script: str) -> list[str]:
    """The statements of a schema script (a trigger's body keeps its inner semicolon)."""
    out, buf = [], ""
    for line in script.strip().splitlines():
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return out


def _json(text: str) -> dict[str, str]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
