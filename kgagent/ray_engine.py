"""``kgagent extract --engine ray``: the same run as the local engine, on Ray Data.

The pipeline (one Ray Dataset, streamed):

1. ``from_items`` of the corpus paths -> ``flat_map(_read_groups)``: a **worker** reads the
   corpus with :func:`kgagent.corpus.read_corpus` (same formats, same ids, duplicate ids
   refused), drops the documents already finished in ``OUT`` (the resume marker, as the local
   engine does) and cuts the rest into the local engine's groups (whole documents holding
   about ``batch_size`` sentences, ``kgagent.agent._batches``): one row per group; the empty
   ``.txt`` files of a corpus folder, which ``read_corpus`` leaves out, travel in the rows too
   (column ``empty``) and reach the summary's ``empty_files`` as the local engine's do;
2. ``map_batches(AgentWorker, compute=ActorPoolStrategy(size=N))``: one :class:`Agent` per
   actor, loaded once from the same ``Agent.load`` keyword arguments the CLI gives the local
   engine (a plain dict: options added to ``Agent.load`` later pass through unchanged), torch
   threads set to the actor's CPUs, ``TOKENIZERS_PARALLELISM=false``. Each group goes through
   ``Agent.iter_extract`` (a pure function of the documents and the frozen snapshot) and each
   document is *rendered* there (:func:`kgagent.output.render_result`): only strings come back;
3. the driver appends each document's lines with the one writer of the local engine
   (:class:`kgagent.output.RunWriter`): same files, same progress markers, same resume; it
   commits in groups (``GroupCommit``, as the local engine: one fsync per file for up to ``FLUSH_DOCS``
   documents), so one driver keeps up with many actors (per-document fsyncs cap it at ~100
   documents/s on this machine's disk).

Same outputs: the encoder's scores depend (in the 4th decimal, bfloat16) on which sentences
share its batch, so the actors get exactly the local engine's groups; with the block order
preserved ``decisions.jsonl``, ``graph.nq`` and ``feedback.jsonl`` are the local engine's bytes.
Global steps: ``extract`` has none today: the graph is a frozen snapshot during a run, a NIL
mention's IRI is a content hash of (name, type), so the same new entity gets the same IRI in
every document and on every actor, and merging the per-document named graphs is a union.
Steps that need every document (entity resolution across documents, rules over the merged
graph) would run in the driver after the stream ends, in one place: ``run_ray_extraction``.

Faults: Ray restarts a dead actor and retries its batch (Ray Data's defaults for actor pools);
a batch's rows reach the driver once, and the writer never writes a finished document again. A
killed driver resumes with the same command (what came back but was not committed yet is
processed again). A document whose processing raises is reported
(``RunSummary.failed``: id and error, KGA434) and the rest goes on; a re-run retries it.

Before anything is written to ``OUT`` (errors are :class:`~kgagent.errors.InputError`):
KGA430 Ray is not installed; KGA431 ``address`` unreachable; KGA432 a node runs another
kgagent (version or source); KGA433 a node cannot read a corpus path; KGA435 bad engine
options (more CPUs asked than the cluster has, standard input).

Library rules: nothing is printed by kgagent (worker output is not forwarded; Ray's own logging
and warnings are the caller's to configure, the CLI quiets them); a Ray started here is shut down at the end; an already connected Ray is used as
is and left running.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kgagent.errors import InputError, KGAError
from kgagent.process_heap import loaded_heap
from kgagent.schema import Document

#: how to get the optional dependency
INSTALL_HINT = "pip install 'kgagent[ray]'"
#: bytes per block the corpus reader emits: small, so groups spread over the actors
READ_BLOCK_BYTES = 16 * 1024
#: seconds to wait for a TCP connection to ``address`` before calling it unreachable
CONNECT_TIMEOUT = 5.0
#: the environment of every actor
ACTOR_ENV = {"TOKENIZERS_PARALLELISM": "false"}
#: an output row is a document (``doc``) or an empty corpus file left out (``empty``: its path)
COLUMNS = ("doc", "hash", "error", "line", "decisions.jsonl", "graph.nq", "feedback.jsonl", "empty")


def ray_available() -> bool:
    """True if ``ray`` and ``ray.data`` can be imported."""
    try:
        import ray  # noqa: F401
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True


def require_ray() -> Any:
    """The ``ray`` module, or InputError KGA430 saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise InputError(f"--engine ray needs Ray, which is not installed: {INSTALL_HINT}", code="KGA430") from None
    return ray


def kgagent_identity() -> dict[str, str]:
    """This process's kgagent: version and a digest of its Python sources (a cluster must match)."""
    import kgagent

    root = Path(kgagent.__file__).resolve().parent
    digest = hashlib.sha1()
    for p in sorted(root.rglob("*.py")):
        digest.update(p.relative_to(root).as_posix().encode() + b"\0")
        with contextlib.suppress(OSError):
            digest.update(p.read_bytes())
    return {"version": str(kgagent.__version__), "source": digest.hexdigest()[:12]}


# ---------------------------------------------------------------------------------- workers
def _enter(cwd: str | None) -> None:
    """Work in the driver's directory where the node has it: relative paths (corpus, rules,
    graph, model) then mean what they mean to the driver, and rule ids read the same."""
    if cwd and os.path.isdir(cwd) and os.getcwd() != cwd:
        os.chdir(cwd)


def _probe(paths: list[str], cwd: str | None = None) -> dict[str, Any]:
    """Run on every node: its kgagent identity and the corpus paths it cannot read."""
    _enter(cwd)
    unreadable = []
    for path in paths:
        p = Path(path)
        try:
            if p.is_dir():
                next(iter(os.scandir(p)), None)
            else:
                with open(p, "rb") as fh:
                    fh.read(1)
        except OSError as err:
            unreadable.append((path, err.strerror or type(err).__name__))
    return {"node": socket.gethostname(), "identity": kgagent_identity(), "unreadable": unreadable}


def _fingerprint(load_kwargs: dict[str, Any], factory: Callable[..., Any] | None,
                 cwd: str | None = None) -> tuple[dict[str, str], int, dict[str, dict[str, str]] | None]:
    """The fingerprint, batch size and label map of the agent the actors will build (loaded on a
    worker, as they do)."""
    from kgagent.agent import Agent

    _enter(cwd)
    agent = (factory or Agent.load)(**load_kwargs)
    labels = agent.label_map() if hasattr(agent, "label_map") else None
    return agent.fingerprint(), int(agent.batch_size), labels


def _read_groups(row: dict[str, Any], *, done: dict[str, str], batch_size: int, out: str,
                 cwd: str | None = None) -> Iterator[dict[str, Any]]:
    """The corpus's documents not finished yet (``done``: id -> text hash, as the output folder
    ``out`` records them: KGA413/KGA490 name it as the local engine does), in the local engine's groups.

    Each row also carries (``empty``, a JSON list) the empty files of a corpus folder that the
    reading left out since the row before, in reading order; those found after the last group
    come in a row of no documents."""
    from kgagent.agent import _batches
    from kgagent.corpus import read_corpus
    from kgagent.output import check_same_text

    _enter(cwd)
    empty: list[str] = []

    def todo() -> Iterator[Document]:
        for doc in read_corpus(list(row["paths"]), on_empty=empty.append):
            if doc.id in done:
                check_same_text(doc, done[doc.id], out)  # KGA413, KGA490 as the local engine's
                continue
            yield doc

    def told() -> str:
        names = json.dumps(empty, ensure_ascii=False)
        empty.clear()
        return names

    for group in _batches(todo(), batch_size):
        yield {"docs": json.dumps([[d.id, d.text, d.source] for d, _ in group], ensure_ascii=False), "empty": told()}
    if empty:
        yield {"docs": "[]", "empty": told()}


class AgentWorker:
    """The ``map_batches`` callable: one Agent per actor, documents in, rendered outputs out."""

    def __init__(self, load_kwargs: dict[str, Any], factory: Callable[..., Any] | None = None,
                 threads: int = 1, cwd: str | None = None):
        _enter(cwd)
        for key, value in ACTOR_ENV.items():
            os.environ[key] = value  # the actor's own process (runtime_env sets it too)
        import torch

        from kgagent.agent import Agent

        torch.set_num_threads(max(1, int(threads)))
        with loaded_heap():  # the actor's own process, as the CLI's: the loaded heap out of the collector's scans
            self.agent = (factory or Agent.load)(**load_kwargs)
            if hasattr(self.agent, "warm_up"):
                self.agent.warm_up()

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        rows: list[dict[str, str]] = []
        for group, empty in zip(batch["docs"], batch["empty"]):
            rows += [{**{c: "" for c in COLUMNS}, "empty": str(name)} for name in json.loads(str(empty))]
            docs = [Document(id=i, text=t, source=s) for i, t, s in json.loads(str(group))]
            if not docs:
                continue
            try:
                rows += [self._row(r) for r in self.agent.iter_extract(docs, update_graph=False)]
            except Exception:  # noqa: BLE001 - find the failing document(s): the others still count
                rows += [self._one(doc) for doc in docs]
        return {c: [r[c] for r in rows] for c in COLUMNS}

    def _one(self, doc: Document) -> dict[str, str]:
        from kgagent.agent import text_hash

        try:
            return self._row(self.agent.process(doc))
        except Exception as err:  # noqa: BLE001 - reported with the document's id, the run goes on
            msg = str(err) if isinstance(err, KGAError) else f"{type(err).__name__}: {err}"
            return {**{c: "" for c in COLUMNS}, "doc": doc.id, "hash": text_hash(doc.text),
                    "error": " ".join(msg.split())[:500]}

    @staticmethod
    def _row(result: Any) -> dict[str, str]:
        from kgagent.output import render_result

        payload, line = render_result(result)
        return {"doc": result.doc, "hash": result.text_hash, "error": "", "line": json.dumps(line, ensure_ascii=False),
                **payload, "empty": ""}


# ---------------------------------------------------------------------------------- driver
def _reachable(address: str) -> None:
    """InputError KGA431 unless a TCP connection to ``address`` (host:port, ray://host:port) opens."""
    if address in ("auto", "local"):
        return
    target = address.split("://", 1)[-1]
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise InputError(f"--address must be HOST:PORT (or ray://HOST:PORT, auto), not {address!r}", code="KGA431")
    if not 0 < int(port) < 65536:
        raise InputError(f"--address {address}: a port is a number from 1 to 65535", code="KGA431")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT) as conn:
            speaks_grpc = _answers_http2(conn)
    except OSError as err:
        raise InputError(f"cannot reach a Ray cluster at {address}: {err.strerror or err}", code="KGA431") from None
    if not speaks_grpc:  # Ray would retry for minutes without a word
        raise InputError(f"{address} answers, but not as a Ray cluster does (gRPC): is it the head node's GCS "
                         "port (6379 by default) or a Ray Client address (ray://HOST:10001)?", code="KGA431")


#: an HTTP/2 client's connection preface and an empty SETTINGS frame (RFC 9113, 3.4 and 6.5)
_HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


def _answers_http2(conn: socket.socket) -> bool:
    """Whether the server at the other end of ``conn`` speaks HTTP/2, as Ray's gRPC servers (the
    GCS, the Ray Client server) do: its first frame is a SETTINGS frame (type 4). A server with TLS
    (``RAY_USE_TLS``) is not probed."""
    if os.environ.get("RAY_USE_TLS", "0").lower() in ("1", "true"):
        return True
    try:
        conn.settimeout(CONNECT_TIMEOUT)
        conn.sendall(_HTTP2_PREFACE)
        head = b""
        while len(head) < 4:
            chunk = conn.recv(9 - len(head))
            if not chunk:
                break
            head += chunk
    except OSError:
        return False
    return len(head) >= 4 and head[3] == 0x04


@contextlib.contextmanager
def ray_session(address: str | None = None, *, num_cpus: int | None = None) -> Iterator[Any]:
    """Ray, connected: to ``address`` (a running cluster) or a local Ray started here.

    A Ray that this process already initialised is used as is (and left running); one started
    here is shut down on exit. Raises InputError KGA430 (no Ray), KGA431 (cannot connect).
    """
    ray = require_ray()
    if address:
        _reachable(address)
    if ray.is_initialized():
        yield ray
        return
    try:
        ray.init(address=address or None, num_cpus=None if address else num_cpus, include_dashboard=False,
                 log_to_driver=False, configure_logging=False)
    except (ConnectionError, TimeoutError, RuntimeError, ValueError) as err:
        where = f"at {address}" if address else "on this machine"
        raise InputError(f"cannot connect to a Ray cluster {where}: {' '.join(str(err).split())[:300]}",
                         code="KGA431") from None
    try:
        yield ray
    finally:
        ray.shutdown()


def check_cluster(ray: Any, paths: Sequence[str], cwd: str | None = None) -> list[dict[str, Any]]:
    """Probe every alive node with CPUs: same kgagent as this driver (KGA432), corpus readable (KGA433)."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    probe = ray.remote(num_cpus=0, max_retries=1)(_probe)
    nodes = [n for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU", 0) > 0]
    refs = [probe.options(scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False))
            .remote(list(paths), cwd) for n in nodes]
    try:
        reports = ray.get(refs, timeout=120)
    except Exception as err:  # noqa: BLE001 - a node that cannot even run the probe runs other code
        raise InputError("the cluster's workers cannot run this kgagent (install the same version there): "
                         f"{' '.join(str(err).split())[:200]}", code="KGA432") from None
    mine = kgagent_identity()
    for rep in reports:
        theirs = rep["identity"]
        if theirs != mine:
            raise InputError(f"node {rep['node']} runs kgagent {theirs['version']} (source {theirs['source']}), "
                             f"this driver {mine['version']} (source {mine['source']}); install the same kgagent "
                             "on every node", code="KGA432")
    for rep in reports:
        if rep["unreadable"]:
            path, why = rep["unreadable"][0]
            raise InputError(f"the workers on node {rep['node']} cannot read corpus path {path}: {why}",
                             code="KGA433")
    return reports


def _unwrap(err: BaseException) -> KGAError | None:
    """The kgagent error inside a Ray task failure, if there is one."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [err]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, KGAError) and type(e).__module__ == "kgagent.errors":
            return e
        cause = getattr(e, "cause", None)
        if isinstance(cause, KGAError) and type(cause).__module__ == "kgagent.errors":
            return cause
        if isinstance(e, KGAError):  # Ray's dual class (RayTaskError + the cause): rebuild the plain one
            base = next((c for c in type(e).__mro__ if c.__module__ == "kgagent.errors"), KGAError)
            return base(getattr(e, "message", str(e)), code=getattr(e, "code", None),
                        location=getattr(e, "location", None))
        stack += [getattr(e, "cause", None), e.__cause__, e.__context__]
    return None


def run_ray_extraction(load_kwargs: dict[str, Any], corpus: Sequence[str | Path], out: str | Path, *,
                       address: str | None = None, workers: int | None = None, cpus_per_worker: int = 1,
                       overwrite: bool = False,
                       progress: Callable[[dict[str, Any] | None, int], None] | None = None,
                       agent_factory: Callable[..., Any] | None = None) -> Any:
    """Extract the corpus files ``corpus`` into ``out`` on Ray Data; returns the RunSummary.

    ``load_kwargs`` are ``Agent.load``'s keyword arguments (each actor calls
    ``agent_factory(**load_kwargs)``, ``Agent.load`` by default; a factory must be importable
    on the workers). ``workers`` actors (default: the cluster's CPUs // ``cpus_per_worker``),
    each with ``cpus_per_worker`` CPUs and as many torch threads. ``progress(line, sentences)``
    is called after each document written (``line`` None for one already finished in ``out``,
    or the progress line of a document written now or failed). Errors before anything is
    written: see the module docstring.
    """
    from kgagent.output import RunWriter

    if cpus_per_worker < 1 or (workers is not None and workers < 1):
        raise InputError("--workers and --threads must be at least 1", code="KGA435")
    paths = [str(p) for p in corpus]
    if not paths:
        raise InputError("no corpus paths given", code="KGA407")
    if "-" in paths:
        raise InputError("--engine ray reads corpus files on the workers, not standard input: save it to a file",
                         code="KGA435")
    cwd = os.getcwd()  # the workers work there too where they have it (see _enter)
    with ray_session(address) as ray:
        try:
            check_cluster(ray, paths, cwd)
            cpus = int(ray.cluster_resources().get("CPU", 0))
            n = workers if workers is not None else max(1, cpus // cpus_per_worker)
            if n * cpus_per_worker > cpus:
                raise InputError(f"{n} workers x {cpus_per_worker} CPUs need {n * cpus_per_worker} CPUs; the cluster "
                                 f"has {cpus}", code="KGA435")
            # max_calls=1: the worker that loaded an agent for this exits after it, freeing the memory
            fingerprint, batch_size, labels = ray.get(ray.remote(num_cpus=0, max_retries=1, max_calls=1)(_fingerprint)
                                  .remote(dict(load_kwargs), agent_factory, cwd), timeout=600)
        except Exception as err:  # noqa: BLE001 - Ray wraps errors raised on the workers
            kga = err if isinstance(err, InputError) and type(err).__module__ == "kgagent.errors" else _unwrap(err)
            if kga is None:
                raise
            raise kga from None
        with RunWriter(out) as writer:
            writer.start(fingerprint, overwrite, labels=labels)
            if progress is not None:
                for _ in writer.done:
                    progress(None, 0)
            ds = _dataset(ray, paths, dict(writer.done), dict(load_kwargs), agent_factory, n, cpus_per_worker,
                          batch_size, cwd, str(writer.out))
            committer = _Committer(writer, progress)
            try:
                for row in ds.iter_rows():
                    committer.take(row)
                committer.flush()
            except KeyboardInterrupt:
                raise
            except Exception as err:  # noqa: BLE001
                kga = _unwrap(err)
                if kga is None:
                    raise
                raise kga from None
            return writer.finish()


def _dataset(ray: Any, paths: list[str], done: dict[str, str], load_kwargs: dict[str, Any],
             factory: Callable[..., Any] | None, workers: int, cpus: int, batch_size: int,
             cwd: str | None, out: str) -> Any:
    from ray.data import ActorPoolStrategy

    ds = ray.data.from_items([{"paths": list(paths)}])  # one reader: ids and groups as the local engine's
    ctx = ds.context  # this dataset's own copy: nothing process-wide is changed
    ctx.execution_options.preserve_order = True  # OUT in corpus order, as the local engine writes it
    ctx.target_max_block_size = READ_BLOCK_BYTES
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    ds = ds.flat_map(_read_groups, fn_kwargs={"done": done, "batch_size": batch_size, "out": out, "cwd": cwd},
                     num_cpus=0)
    return ds.map_batches(AgentWorker, batch_size=1, batch_format="numpy",
                          compute=ActorPoolStrategy(size=workers), num_cpus=cpus,
                          fn_constructor_kwargs={"load_kwargs": load_kwargs, "factory": factory, "threads": cpus,
                                                 "cwd": cwd},
                          runtime_env={"env_vars": dict(ACTOR_ENV)})


class _Committer:
    """Rows back from the actors -> the writer, in group commits (:class:`kgagent.output.GroupCommit`:
    one fsync per file for ``FLUSH_DOCS`` documents or ``FLUSH_SECONDS`` at most, the local
    engine's): a single driver keeps up with many actors."""

    def __init__(self, writer: Any, progress: Callable[[dict[str, Any] | None, int], None] | None):
        from kgagent import output

        self.writer, self.progress = writer, progress
        self.group = output.GroupCommit(writer, output.FLUSH_DOCS, output.FLUSH_SECONDS)

    def take(self, row: dict[str, Any]) -> None:
        if row["empty"]:  # an empty corpus file the reading left out: in summary.json, as the local engine's
            self.writer.summary.empty_files.append(str(row["empty"]))
            return
        doc = str(row["doc"])
        if self.group.known(doc, str(row["hash"])):
            return  # already written (or about to be): never twice
        if row["error"]:
            self.writer.fail(doc, f"KGA434 document {doc} failed: {row['error']}")
            if self.progress is not None:
                self.progress({"doc": doc, "error": str(row["error"])}, 0)
            return
        self._report(self.group.add({name: str(row[name]) for name in ("decisions.jsonl", "graph.nq", "feedback.jsonl")},
                                    json.loads(str(row["line"]))))

    def flush(self) -> None:
        self._report(self.group.flush())

    def _report(self, written: list[dict[str, Any]]) -> None:
        if self.progress is not None:
            for line in written:
                self.progress(line, int(line.get("sentences", 0)))


__all__ = ["AgentWorker", "INSTALL_HINT", "check_cluster", "kgagent_identity", "ray_available", "ray_session",
           "require_ray", "run_ray_extraction"]
