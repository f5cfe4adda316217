"""An extraction run into an output directory: appended per document, fsynced, resumable.

``OUT/`` holds:

- ``decisions.jsonl``: one decision per candidate entity and relation (kgagent.decisions);
- ``graph.nq``: N-Quads, one named graph per document with the accepted facts, the new
  entities and a provenance record per fact (document, sentence, span, score, rule, decision);
  load it beside the base graph (``kgagent kg import``/``KnowledgeGraph``);
- ``feedback.jsonl``: validated outcomes as training examples (kgagent.feedback);
- ``progress.jsonl``: one line per finished document (id, text hash, counts, timings, and the
  byte size and a sha256 digest of each output file after that document) — the resume marker;
- ``run.json``: what the run depends on (rules hash, model, graph); ``summary.json`` at the end.

Finished documents are committed in groups (:class:`GroupCommit`: up to ``FLUSH_DOCS``
documents, or what ``FLUSH_SECONDS`` finished): their lines are appended to the three outputs,
each fsynced once, then their progress lines, fsynced. On a re-run with the same ``OUT`` the
outputs are cut back to the sizes of the last progress line (dropping what an interrupted
commit half wrote; an output whose bytes up to there changed since, as ``kgagent kg resolve``
rewrites a graph.nq, is KGA511 and nothing is cut) and finished documents are skipped: nothing
is duplicated, and a kill loses at most the documents of one uncommitted group (an interruption
such as Ctrl-C commits them first), which the re-run extracts again. ``commit_docs=1`` commits every document on its own
(the fsyncs of four files per document: what a slow disk makes expensive).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgagent.decisions import DocumentResult
from kgagent.errors import InputError, Location, StorageError, json_kind
from kgagent.encoder.data import feedback_lines
from kgagent.feedback import feedback_records
from kgagent.files import DirectoryLock, atomic_write_text, fsync_append
from kgagent.rule_stats import decision_lines, decisions_path, parse_decision
from kgagent.schema import Document

OUTPUTS = ("decisions.jsonl", "graph.nq", "feedback.jsonl")
PROGRESS = "progress.jsonl"
#: a group commit holds at most this many documents ...
FLUSH_DOCS = 64
#: ... or the documents finished within this many seconds of its first
FLUSH_SECONDS = 1.0
RUN = "run.json"
SUMMARY = "summary.json"
LOCK = ".lock"


@dataclass
class RunSummary:
    """Counts of a run (all documents in ``OUT``, resumed ones included) and time per stage."""

    out: str
    documents: int = 0
    sentences: int = 0
    skipped: int = 0  # documents already finished in OUT before this run
    processed: int = 0  # documents processed by this run
    by_verdict: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> verdict -> n
    by_rule: dict[str, dict[str, int]] = field(default_factory=dict)  # deciding rule -> verdict -> n
    by_type: dict[str, dict[str, int]] = field(default_factory=dict)  # type/predicate -> verdict -> n
    rule_reasons: dict[str, str] = field(default_factory=dict)  # deciding rule -> the reason it gives
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds (this run)
    wall: float = 0.0
    facts_added: int = 0
    entities_added: int = 0
    #: accepted mentions of entities an earlier document or run introduced (their mention records)
    known_entity_mentions: int = 0
    feedback_sentences: int = 0
    #: accepted mentions whose graph entity the rules changed: "unlink", "relink", "same_as" -> n
    identity: dict[str, int] = field(default_factory=dict)
    failed: list[dict[str, str]] = field(default_factory=list)  # documents that failed: doc, error
    #: empty .txt files of a corpus folder that this run left out (kgagent.corpus.read_corpus)
    empty_files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def add(self, line: dict[str, Any]) -> None:
        self.documents += 1
        self.sentences += int(line.get("sentences", 0))
        for name, table in (("by_verdict", self.by_verdict), ("by_rule", self.by_rule), ("by_type", self.by_type)):
            for key, counts in line.get(name, {}).items():
                row = table.setdefault(key, {})
                for verdict, n in counts.items():
                    row[verdict] = row.get(verdict, 0) + int(n)
        for rule, reason in line.get("rule_reasons", {}).items():
            self.rule_reasons.setdefault(rule, reason)
        self.facts_added += int(line.get("facts", 0))
        self.entities_added += int(line.get("entities", 0))
        self.known_entity_mentions += int(line.get("known_entity_mentions", 0))
        self.feedback_sentences += int(line.get("feedback", 0))
        for key, n in line.get("identity", {}).items():
            self.identity[key] = self.identity.get(key, 0) + int(n)


def _lock(out: Path) -> DirectoryLock:
    """The run directory's writer lock (StorageError KGA512 when another run holds it)."""
    return DirectoryLock(out, LOCK).acquire()


def prepare_out(out: str | Path) -> Path:
    """Create ``out`` if needed and check it is a writable directory (StorageError otherwise)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise StorageError(f"--out {out} exists and is not a directory", code="KGA510")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise StorageError(f"cannot write to {out}: {err.strerror or err}", code="KGA510") from None
    return out


@contextlib.contextmanager
def made_out(out: str | Path) -> Iterator[Path]:
    """:func:`prepare_out` for a block (a command's work): when the block fails, the folders
    prepare_out made for ``out`` (it and its missing parents) are removed again while they hold
    nothing, so an error before anything is written leaves no empty ``--out`` behind."""
    out = Path(out)
    made = [p for p in (out, *out.parents) if not p.exists() and not p.is_symlink()]
    try:
        yield prepare_out(out)
    except BaseException:
        for folder in made:  # innermost first; one that holds anything stops the climb
            try:
                folder.rmdir()
            except OSError:
                break
        raise


def check_corpus_not_in_out(paths: Iterable[str | Path], out: str | Path) -> None:
    """InputError KGA491 when a corpus path is one of the files a run writes in ``out``
    (decisions.jsonl, feedback.jsonl, ...): the run would cut or replace what it reads."""
    out = Path(out)
    if not out.is_dir():
        return
    own = {os.path.realpath(out / name): name for name in (*OUTPUTS, PROGRESS, RUN, SUMMARY)}
    for path in paths:
        if str(path) != "-" and (name := own.get(os.path.realpath(path))) is not None:
            raise InputError(f"the corpus {path} is the {name} that extract writes in --out {out}: copy it "
                             "elsewhere, or give another --out", code="KGA491")


def read_progress(out: Path) -> tuple[list[dict[str, Any]], int]:
    """The complete progress lines and the byte length they span (a torn last line is ignored)."""
    path = out / PROGRESS
    if not path.exists():
        return [], 0
    data = path.read_bytes()
    lines, good = [], 0
    for raw in data.splitlines(keepends=True):
        if not raw.endswith(b"\n"):
            break
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, too deep, a number too long
            break
        if not _progress_shaped(obj):
            break
        lines.append(obj)
        good += len(raw)
    return lines, good


def _progress_shaped(obj: Any) -> bool:
    """Whether a progress line read back is one :class:`RunWriter` writes: a document id, its text
    hash, the byte size (a whole number, at least 0) of every output after it, and counts that
    are whole numbers (what :meth:`RunSummary.add` adds up)."""
    if not isinstance(obj, dict) or not isinstance(sizes := obj.get("sizes"), dict):
        return False

    def count(v: Any) -> bool:
        return type(v) is int and v >= 0

    def counts(v: Any) -> bool:  # name -> count
        return isinstance(v, dict) and all(count(n) for n in v.values())

    return (isinstance(obj.get("doc"), str) and isinstance(obj.get("hash", ""), str)
            and all(count(sizes.get(n)) for n in OUTPUTS)
            and all(count(obj.get(k, 0)) for k in ("sentences", "facts", "entities", "feedback",
                                                    "known_entity_mentions"))
            and all(isinstance(t := obj.get(k, {}), dict) and all(counts(row) for row in t.values())
                    for k in ("by_verdict", "by_rule", "by_type"))
            and counts(obj.get("identity", {}))
            and isinstance(r := obj.get("rule_reasons", {}), dict) and all(isinstance(x, str) for x in r.values()))


def _restore(out: Path, fingerprint: dict[str, str], overwrite: bool,
             labels: dict[str, dict[str, str]] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Bring OUT back to the state after its last finished document; returns its progress lines
    and each output's running sha256 there. An output whose bytes up to there are not the ones
    the last progress line's ``digests`` record is StorageError KGA511, and nothing is cut.
    ``labels`` (the agent's :meth:`~kgagent.agent.Agent.label_map`) is kept in run.json."""
    run = out / RUN
    if overwrite:
        for name in (*OUTPUTS, PROGRESS, RUN, SUMMARY):
            with contextlib.suppress(FileNotFoundError):
                (out / name).unlink()
    elif run.exists():
        old = _recorded_fingerprint(run)
        if old != fingerprint:
            diff = sorted(k for k in {**old, **fingerprint} if old.get(k) != fingerprint.get(k))
            raise InputError(f"{out} holds a run made with other {', '.join(diff)}; use another --out or --overwrite",
                             code="KGA412")
    elif any((out / n).exists() and (out / n).stat().st_size for n in (*OUTPUTS, PROGRESS)):
        raise InputError(f"{out} holds files of an unknown run; use another --out or --overwrite", code="KGA412")
    lines, good = read_progress(out)
    sizes = lines[-1]["sizes"] if lines else {}
    recorded = lines[-1].get("digests") if lines else None
    hashes: dict[str, Any] = {}
    for name in OUTPUTS:  # every file checked before any is cut
        p = out / name
        keep = int(sizes.get(name, 0))
        if not p.exists():
            if keep:
                raise StorageError(f"{p} is missing but {out / PROGRESS} records output in it", code="KGA511")
            continue
        if p.stat().st_size < keep:
            raise StorageError(f"{p} is shorter than its progress record says; it was changed outside kgagent",
                               code="KGA511")
        hashes[name] = _prefix_hash(p, keep)
        if isinstance(recorded, dict) and isinstance(recorded.get(name), str) \
                and _digest(hashes[name]) != recorded[name]:
            raise StorageError(f"{p} changed since its last finished document was written (kgagent kg resolve and "
                               "kg remove-doc rewrite an extraction's graph.nq): resuming would cut it; use another "
                               "--out, or --overwrite to extract again", code="KGA511")
    for name in OUTPUTS:
        p = out / name
        keep = int(sizes.get(name, 0))
        if not p.exists():
            p.touch()
            hashes[name] = hashlib.sha256()
        elif p.stat().st_size != keep:
            os.truncate(p, keep)  # what an interrupted commit half wrote
    prog = out / PROGRESS
    if prog.exists() and prog.stat().st_size != good:
        os.truncate(prog, good)
    record: dict[str, Any] = {"fingerprint": fingerprint, "outputs": list(OUTPUTS)}
    if labels:
        record["labels"] = labels
    atomic_write_text(run, json.dumps(record, indent=1))
    return lines, hashes


def _remove_leftovers(out: Path) -> None:
    """Remove what writers a kill cut short left in ``out`` (its lock held: no other writer is
    at work there): temp files of run.json and summary.json (:func:`~kgagent.files.temp_path`)."""
    for pattern in (f".{RUN}.tmp-*", f".{SUMMARY}.tmp-*"):
        for p in out.glob(pattern):
            if p.is_file() and not p.is_symlink():
                with contextlib.suppress(OSError):
                    p.unlink()


def _recorded_fingerprint(run: Path) -> dict[str, Any]:
    """The fingerprint ``run.json`` records; InputError KGA412 saying what is wrong with a run.json
    kgagent did not write so (not UTF-8, not JSON, no ``fingerprint`` object): what the run
    depends on is unknown, so nothing in OUT is resumed or cut."""
    def bad(what: str) -> InputError:
        return InputError(f"{run} {what}: it was changed outside kgagent, so what the run in {run.parent} was made "
                          "with is unknown; use another --out, or --overwrite to extract again", code="KGA412")

    try:
        record = json.loads(run.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise bad("is not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise bad(f"is not JSON ({err.msg}, line {err.lineno} column {err.colno})") from None
    except (RecursionError, ValueError):
        raise bad("is not JSON kgagent can read (nested too deep, or a number too long)") from None
    except OSError as err:
        raise StorageError(f"cannot read {run}: {err.strerror or err}", code="KGA550") from None
    if not isinstance(record, dict):
        raise bad(f"holds {json_kind(record)}, not an object with the run's \"fingerprint\"")
    fingerprint = record.get("fingerprint")
    if not isinstance(fingerprint, dict):
        raise bad("has no \"fingerprint\" object")
    return fingerprint


def _prefix_hash(path: Path, size: int) -> Any:
    """The sha256 of the first ``size`` bytes of ``path`` (read in chunks), to go on from."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while size > 0:
            chunk = fh.read(min(size, 1 << 20))
            if not chunk:
                break
            h.update(chunk)
            size -= len(chunk)
    return h


def _digest(h: Any) -> str:
    """The digest a progress line records of an output so far (sha256, 16 hex digits)."""
    return h.hexdigest()[:16]


def graph_nquads(result: DocumentResult) -> str:
    """The document's graph delta as N-Quads (sorted lines; its own named graph)."""
    if not result.delta.entities and not result.delta.facts:
        return ""
    from rdflib import RDFS, Literal, URIRef

    from kgagent.kg.nquads import QuadBuffer
    from kgagent.kg.vocab import doc_graph

    buf = QuadBuffer()
    result.delta.apply(buf)
    # name the known graph entities the facts use, so the file can be queried on its own
    named = {f.subject for f in result.delta.facts} | {f.object for f in result.delta.facts}
    for d in result.decisions:
        for m in (d.mention, d.head, d.tail):
            if m is not None and m.entity in named and m.entity_label:
                buf.add(URIRef(m.entity), RDFS.label, Literal(m.entity_label), doc_graph(result.doc))
                named.discard(m.entity)
    return buf.nquads()


def progress_line(result: DocumentResult, n_feedback: int) -> dict[str, Any]:
    by_verdict: dict[str, Counter] = defaultdict(Counter)
    by_rule: dict[str, Counter] = defaultdict(Counter)
    by_type: dict[str, Counter] = defaultdict(Counter)
    reasons: dict[str, str] = {}
    identity: Counter = Counter()  # accepted mentions whose entity the rules changed, by how
    for d in result.decisions:
        if d.rule and d.reason:
            reasons.setdefault(d.rule, d.reason)
        if d.accepted:
            identity.update(k for k in ("unlink", "relink", "same_as") if getattr(d, k, None))
        by_verdict[d.kind][d.verdict] += 1
        by_rule[d.rule or "(none)"][d.verdict] += 1
        by_type[f"{d.kind}:{d.label}"][d.verdict] += 1
    return {"doc": result.doc, "hash": result.text_hash, "sentences": len(result.sentences),
            "by_verdict": {k: dict(v) for k, v in by_verdict.items()},
            "by_rule": {k: dict(v) for k, v in by_rule.items()},
            "by_type": {k: dict(v) for k, v in by_type.items()}, "rule_reasons": reasons,
            "facts": len(result.delta.facts), "entities": len(result.delta.entities), "feedback": n_feedback,
            **({"known_entity_mentions": len(result.delta.mentions)} if result.delta.mentions else {}),
            **({"identity": dict(sorted(identity.items()))} if identity else {}),
            "timings": {k: round(v, 6) for k, v in result.timings.items()}}


def render_result(result: DocumentResult) -> tuple[dict[str, str], dict[str, Any]]:
    """A document's output text per file (``OUTPUTS``) and its progress line (no ``sizes`` yet).

    A pure function of the result: an engine may run it where the document was processed and
    send only these strings to the process that writes ``OUT`` (:class:`RunWriter`).
    """
    t0 = time.perf_counter()
    records = feedback_records(result)
    payload = {
        "decisions.jsonl": "".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in result.decisions),
        "graph.nq": graph_nquads(result),
        "feedback.jsonl": feedback_lines(records),
    }
    result.timings["writing"] = time.perf_counter() - t0
    return payload, progress_line(result, len(records))


def check_same_text(doc: Document, recorded: str, out: str | Path, done: dict[str, str] | None = None) -> None:
    """InputError when ``doc``, finished in ``out`` with the text hash ``recorded`` (its
    progress line's; empty: not recorded), has another text now, located at the document's
    file and line: KGA490 when the recorded text is this one without its leading and trailing
    white space, which kgagent dropped before commit f7251f1 (the spans in ``out`` count from its first
    other character: they cannot be kept; or the white space was added since), KGA413 otherwise
    (saying so when ``done``, the finished ids' text hashes, holds this text under another id: a
    document without an id was renumbered)."""
    from kgagent.ids import text_hash

    if not recorded or recorded == text_hash(doc.text):
        return
    where = Location.parse(doc.source) if doc.source else None
    if doc.text != doc.text.strip() and recorded == text_hash(doc.text.strip()):
        raise InputError(f"document {doc.id!r} begins or ends with white space, which {out} does not hold: it was "
                         "written by an older kgagent that dropped it (or the white space was added since), so its "
                         "decisions' spans count from another character than this text's; rerun with --overwrite to "
                         "extract the corpus again (or give another --out)", code="KGA490", location=where)
    moved = ""
    digest = text_hash(doc.text)
    was = next((other for other, h in (done or {}).items() if h == digest and other != doc.id), None)
    if was is not None:
        moved = (f"; its text is the one {was!r} had there: documents without an \"id\" are numbered by their place "
                 "in the file, so one added or removed above renumbers those below (give each an \"id\" in a "
                 ".jsonl corpus)")
    raise InputError(f"document {doc.id!r} changed since {out} was written{moved}; use another --out or --overwrite",
                     code="KGA413", location=where)


class RunWriter:
    """The one writer of an output directory, shared by every engine (see the module docstring).

    ``RunWriter(out)`` checks ``out`` and locks it; :meth:`start` restores it to its last
    finished document; :meth:`append_many` writes documents' lines (a document already finished
    is never written again; :class:`GroupCommit` gathers them); :meth:`finish` writes
    ``summary.json``; :meth:`close` unlocks.
    """

    def __init__(self, out: str | Path):
        self.out = prepare_out(out)
        self._lock = _lock(self.out)
        self.done: dict[str, str] = {}  # finished document id -> text hash
        self.summary = RunSummary(out=str(self.out))
        self.timings: Counter = Counter()
        self._sizes: dict[str, int] = {n: 0 for n in OUTPUTS}
        self._hashes: dict[str, Any] = {n: hashlib.sha256() for n in OUTPUTS}  # of each output so far
        self._t_start = time.perf_counter()

    def start(self, fingerprint: dict[str, str], overwrite: bool = False,
              labels: dict[str, dict[str, str]] | None = None) -> None:
        """Restore ``out`` for a run with this fingerprint (KGA412 if it holds another run's files);
        ``labels``, the encoder's labels by ontology name, go to run.json for the review page."""
        self._t_start = time.perf_counter()
        _remove_leftovers(self.out)
        lines, self._hashes = _restore(self.out, fingerprint, overwrite, labels)
        for line in lines:
            self.done[line["doc"]] = line.get("hash", "")
            self.summary.add(line)
        self.summary.skipped = len(self.done)
        if lines:
            self._sizes = dict(lines[-1]["sizes"])

    def check_unchanged(self, doc: Document) -> bool:
        """True if ``doc`` is already finished in ``out`` (KGA413 if its text changed since, KGA490
        if ``out`` holds it as an older kgagent read it; see :func:`check_same_text`)."""
        if doc.id not in self.done:
            return False
        check_same_text(doc, self.done[doc.id], self.out, self.done)
        return True

    def append_many(self, items: Sequence[tuple[dict[str, str], dict[str, Any]]]) -> list[dict[str, Any]]:
        """Append several documents' lines at once (group commit): each output file is written and
        fsynced once, then their progress lines, so a resume marker still follows what it covers.

        Documents already finished, or repeated in ``items``, are skipped; returns the progress
        lines written (with ``sizes``), in order.
        """
        todo: list[tuple[dict[str, str], dict[str, Any]]] = []
        seen: set[str] = set()
        for payload, line in items:
            if line["doc"] not in self.done and line["doc"] not in seen:
                seen.add(line["doc"])
                todo.append((payload, line))
        if not todo:
            return []
        t0 = time.perf_counter()
        data = {name: [payload.get(name, "").encode("utf-8") for payload, _ in todo] for name in OUTPUTS}
        sizes = dict(self._sizes)
        for name in OUTPUTS:
            self._sizes[name] = self._append(name, b"".join(data[name]))
        share = (time.perf_counter() - t0) / len(todo)
        written = []
        for i, (_, line) in enumerate(todo):
            sizes = {name: sizes[name] + len(data[name][i]) for name in OUTPUTS}
            for name in OUTPUTS:
                self._hashes[name].update(data[name][i])
            line = dict(line)
            timings = dict(line.get("timings", {}))
            timings["writing"] = round(timings.get("writing", 0.0) + share, 6)
            line["timings"] = timings
            line["sizes"] = sizes
            line["digests"] = {name: _digest(self._hashes[name]) for name in OUTPUTS}
            written.append(line)
        if sizes != self._sizes:  # pragma: no cover - someone else appended to OUT meanwhile
            raise StorageError(f"{self.out} changed while this run wrote it", code="KGA511")
        self._append(PROGRESS, "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in written).encode("utf-8"))
        for line in written:
            self.summary.add(line)
            self.summary.processed += 1
            self.timings.update(line["timings"])
            self.done[line["doc"]] = line.get("hash", "")
        return written

    def _append(self, name: str, data: bytes) -> int:
        """:func:`fsync_append` to ``out/name``; StorageError KGA513 when the system refuses (a full
        disk): what is finished is kept, and a re-run cuts what the failed write half wrote."""
        try:
            return fsync_append(self.out / name, data)
        except OSError as err:
            fix = "free some space" if err.errno in (errno.ENOSPC, errno.EDQUOT) else "put that right"
            raise StorageError(f"cannot write {self.out / name}: {err.strerror or err}; the documents finished "
                               f"before are kept in {self.out}: {fix} and run the same command again to resume",
                               code="KGA513") from None

    def fail(self, doc: str, error: str) -> None:
        """Record a document that could not be processed (nothing is written for it: a re-run retries it)."""
        self.summary.failed.append({"doc": doc, "error": error})

    def finish(self) -> RunSummary:
        """Write ``summary.json`` (atomically) and return the summary."""
        summary = self.summary
        summary.timings = {k: round(v, 4) for k, v in self.timings.items()}
        summary.wall = round(time.perf_counter() - self._t_start, 4)
        atomic_write_text(self.out / SUMMARY, json.dumps(summary.to_dict(), indent=1, sort_keys=True))
        return summary

    def close(self) -> None:
        """Release the lock on ``out``."""
        self._lock.release()

    def __enter__(self) -> "RunWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class GroupCommit:
    """Finished documents waiting for one commit (:meth:`RunWriter.append_many`: one fsync per
    file for the group): committed when ``max_docs`` wait, or when one more arrives
    ``max_seconds`` or more after the first of them, and by :meth:`flush`."""

    def __init__(self, writer: RunWriter, max_docs: int = FLUSH_DOCS, max_seconds: float = FLUSH_SECONDS):
        if type(max_docs) is not int or max_docs < 1:  # nan, 1.5 or True is no number of documents
            raise InputError(f"a group commit holds a whole number of documents, at least one, not {max_docs!r} "
                             "(commit_docs)", code="KGA418")
        self.writer, self.max_docs, self.max_seconds = writer, max_docs, max_seconds
        self.pending: list[tuple[dict[str, str], dict[str, Any]]] = []
        self._hashes: dict[str, str] = {}  # waiting document id -> text hash
        self._since = 0.0

    def __len__(self) -> int:
        return len(self.pending)

    def known(self, doc: str, digest: str) -> bool:
        """Is document ``doc`` written or waiting? KGA406 when it is, with another text
        (``digest``): two documents of the corpus have that id."""
        known = self.writer.done.get(doc, self._hashes.get(doc))
        if known is not None and known and digest and known != digest:
            raise InputError(f"duplicate document id {doc!r} (two documents of the corpus have it)", code="KGA406")
        return known is not None

    def add(self, payload: dict[str, str], line: dict[str, Any]) -> list[dict[str, Any]]:
        """Queue one rendered document (:func:`render_result`; one already known is never written
        twice); returns the progress lines of the documents committed now (none while the group
        waits)."""
        if self.known(line["doc"], line.get("hash", "")):
            return []
        if not self.pending:
            self._since = time.perf_counter()
        self.pending.append((payload, line))
        self._hashes[line["doc"]] = line.get("hash", "")
        if len(self.pending) >= self.max_docs or time.perf_counter() - self._since >= self.max_seconds:
            return self.flush()
        return []

    def flush(self) -> list[dict[str, Any]]:
        """Commit what waits. A failed commit is not tried again: its documents leave the group
        (the re-run's restore cuts what it half wrote, and extracts them again)."""
        pending, self.pending, self._hashes = self.pending, [], {}
        return self.writer.append_many(pending) if pending else []


def run_extraction(agent: Any, documents: Iterable[Document] | Iterable[str | Path], out: str | Path, *,
                   overwrite: bool = False, progress: Callable[[DocumentResult | None, int], None] | None = None,
                   total: int | None = None, commit_docs: int = FLUSH_DOCS) -> RunSummary:
    """Extract ``documents`` with ``agent`` into ``out`` (see the module docstring).

    ``progress(result, sentences)`` is called after each document (``result`` None for a
    skipped, already finished one). ``commit_docs``: the most documents in one group commit
    (1: each document is committed before the next one is extracted).
    """
    empty: list[str] = []  # the corpus folders' empty files, left out as they are read
    docs = _corpus(documents, empty.append)
    if not isinstance(out, (str, Path)):
        raise InputError(f"the output directory must be a path (str or Path), not {type(out).__name__}",
                         code="KGA419")
    _not_the_graphs_folder(agent, Path(out))
    if isinstance(documents, (str, Path, list, tuple)):
        check_corpus_not_in_out([d for d in ([documents] if isinstance(documents, (str, Path)) else documents)
                                 if isinstance(d, (str, Path))], out)
    if not isinstance(overwrite, bool):  # "no" is true: it would empty `out`
        raise InputError(f"overwrite must be True or False, not {overwrite!r}", code="KGA419")
    if progress is not None and not callable(progress):
        raise InputError(f"progress must be a function progress(result, sentences) or None, not {progress!r}",
                         code="KGA419")
    with RunWriter(out) as writer:
        writer.summary.empty_files = empty
        group = GroupCommit(writer, max_docs=commit_docs)
        if hasattr(agent, "warm_up"):
            agent.warm_up()  # load the model and the linker now: `wall` times the extraction only
        writer.start(agent.fingerprint(), overwrite,
                     labels=agent.label_map() if hasattr(agent, "label_map") else None)

        def todo() -> Iterator[Document]:
            for doc in docs:
                if writer.check_unchanged(doc):
                    if progress is not None:
                        progress(None, 0)
                    continue
                yield doc

        try:
            for result in agent.iter_extract(todo(), update_graph=False):
                if not group.known(result.doc, result.text_hash):
                    group.add(*render_result(result))
                if progress is not None:
                    progress(result, len(result.sentences))
        except BaseException:  # an interruption (Ctrl-C, a failing document) keeps what is finished
            with contextlib.suppress(Exception):
                group.flush()
            raise
        group.flush()
        return writer.finish()


def _not_the_graphs_folder(agent: Any, out: Path) -> None:
    """StorageError KGA510 when ``out`` is the folder of the graph the agent reads: the run's
    ``graph.nq`` would be found there in the graph's place next time (or, with ``overwrite``,
    delete a graph.nq that is the graph)."""
    graph_file = getattr(getattr(agent, "kg", None), "path", None)
    if graph_file is None or not out.exists():
        return
    folder = Path(graph_file).parent
    if folder.exists() and folder.resolve() == out.resolve():
        raise StorageError(f"--out {out} is the folder of the graph {graph_file}: the run's graph.nq would take "
                           "the graph's place there; give another --out", code="KGA510")


_NONE = object()  # (no first document)


def _corpus(documents: Any, on_empty: Callable[[str], None] | None = None) -> Iterator[Document]:
    """The documents of ``documents``: Documents, or corpus paths (one path alone is one, never its
    characters) read with :func:`kgagent.corpus.read_corpus` (a folder's empty files left out and
    given to ``on_empty``); InputError KGA410 for anything else, or for Documents and paths mixed."""
    from kgagent.corpus import read_corpus

    if isinstance(documents, (str, Path)):
        documents = [documents]
    elif isinstance(documents, (bytes, bytearray, dict)) or not isinstance(documents, Iterable):
        raise InputError(f"extract_to() takes Documents or corpus paths, not {type(documents).__name__}",
                         code="KGA410")
    items = iter(documents)
    first = next(items, _NONE)
    if first is _NONE:
        return iter(())
    kind = Document if isinstance(first, Document) else (str, Path)

    def checked() -> Iterator[Any]:
        for i, item in enumerate(itertools.chain([first], items), 1):
            if not isinstance(item, kind):
                what = "Documents" if kind is Document else "corpus paths (str or Path)"
                raise InputError(f"extract_to() takes Documents or corpus paths, not both nor anything else: "
                                 f"item {i} is of type {type(item).__name__}, among {what}", code="KGA410")
            yield item

    return checked() if kind is Document else read_corpus(checked(), on_empty=on_empty)


def _committed(line: str, path: Path, lineno: int) -> dict[str, Any] | None:
    """A line of a decisions file as its decision; None for a last line a killed extraction cut
    short (no line break, not JSON: a resumed run cuts it), KGA451 for any other bad line."""
    try:
        return parse_decision(line, path, lineno)
    except InputError:
        if line.endswith("\n"):
            raise
        return None


def decisions_in(out: str | Path) -> Iterator[tuple[dict[str, Any], Location]]:
    """The decisions of ``out/decisions.jsonl`` (or of that file), each with its file and line,
    streamed; a last line a killed extraction cut short is passed over (see :func:`_committed`).
    The file's problems are rule_stats' (KGA450, KGA451)."""
    path = decisions_path(out)
    for lineno, line in decision_lines(path):
        if (obj := _committed(line, path, lineno)) is not None:
            yield obj, Location(str(path), lineno)


def find_decision(out: str | Path, decision_id: str) -> dict[str, Any]:
    """The decision with this id in ``out/decisions.jsonl``: the id, a unique prefix of it (its
    ``d:`` may be left out), or the id of what it decides (its ``subject``: a mention ``m:...`` or
    a relation ``r:...``). Streamed; only the lines that hold the id are parsed. KGA415 when none
    or several match; the file's problems are rule_stats' (KGA450, KGA451)."""
    return locate_decision(out, decision_id)[0]


def locate_decision(out: str | Path, decision_id: str) -> tuple[dict[str, Any], Location]:
    """:func:`find_decision`, with the file and line the decision is on (for errors about it)."""
    path = decisions_path(out)
    if not isinstance(decision_id, str) or not decision_id.strip():
        raise InputError(f"no decision has the id {decision_id!r}: give one from {path} (d:...)", code="KGA415")
    bare = "d:" + decision_id  # the hex digits of an id, copied without its "d:"
    prefixed: list[tuple[dict[str, Any], Location]] = []
    deciding: list[tuple[dict[str, Any], Location]] = []  # decisions about the mention or relation named
    for lineno, line in decision_lines(path):
        if decision_id not in line:
            continue
        if (obj := _committed(line, path, lineno)) is None:
            continue
        did = str(obj.get("id", ""))
        if did == decision_id:
            return obj, Location(str(path), lineno)
        if did.startswith((decision_id, bare)) and all(m.get("id") != did for m, _ in prefixed):
            prefixed.append((obj, Location(str(path), lineno)))
        elif obj.get("subject") == decision_id and all(m.get("id") != did for m, _ in deciding):
            deciding.append((obj, Location(str(path), lineno)))
    for matches in (prefixed, deciding):
        if len(matches) == 1:
            return matches[0]
        if matches:
            more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
            raise InputError(f"{decision_id!r} is ambiguous: {', '.join(m['id'] for m, _ in matches[:5])}{more}",
                             code="KGA415")
    raise InputError(f"no decision {decision_id!r} in {path}", code="KGA415")
