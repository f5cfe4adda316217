"""`--engine ray`: the local engine's outputs, resumable, fault-tolerant; bad input stops before OUT."""

from __future__ import annotations

import json
import shutil
import socket
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from support.agent_fakes import RULES
from support.engine_fakes import POISON, fake_agent

DOCS = ["Richard Parsons works for Time Warner. He was seen in Boston.",
        "Richard Parsons, the Time Warner chief from Boston, said so. Boston lies in Massachusetts.",
        "Massachusetts is not in Boston. Smith met Acme.",
        "Cor van der Klugt heads Philips. Philips is based in New York.",
        "Boston is in Texas, says Richard Parsons.",
        "Nothing to see here.",
        "Cor van der Klugt works for New York. The United States is large."]
OUTPUTS = ("decisions.jsonl", "graph.nq", "feedback.jsonl")
COUNTS = ("documents", "sentences", "by_verdict", "by_rule", "by_type", "facts_added", "entities_added",
          "feedback_sentences", "failed")


def _corpus(path: Path, docs: list[str], times: int = 2) -> Path:
    path.write_text("\n\n".join(f"{d} (item {i})" for i in range(times) for d in docs) + "\n")
    return path


def _outputs(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in OUTPUTS}


def _counts(out: Path) -> dict:
    s = json.loads((out / "summary.json").read_text())
    return {k: s[k] for k in COUNTS}


def _local(kw: dict, corpus: list[Path], out: Path):
    return fake_agent(**kw).extract_to([str(c) for c in corpus], out)


def _assert_same(ray_out: Path, local_out: Path) -> None:
    got, want = _outputs(ray_out), _outputs(local_out)
    assert set(got["decisions.jsonl"].splitlines()) == set(want["decisions.jsonl"].splitlines())
    assert sorted(got["graph.nq"].splitlines()) == sorted(want["graph.nq"].splitlines())
    assert got["feedback.jsonl"] == want["feedback.jsonl"]
    assert got == want  # the block order is preserved: the very same bytes
    assert _counts(ray_out) == _counts(local_out)
    docs = [json.loads(x)["doc"] for x in (ray_out / "progress.jsonl").read_text().splitlines()]
    assert len(docs) == len(set(docs))  # no document written twice


@pytest.fixture
def kw(graph_dir) -> dict:
    """Agent.load's kwargs; a small batch so that the corpus makes several groups, spread over the actors."""
    return {"kg": str(graph_dir), "rules": str(RULES), "batch_size": 3}


def test_ray_gives_the_local_engines_outputs(ray_cluster, kw, tmp_path) -> None:
    from kgagent.ray_engine import run_ray_extraction

    corpus = [_corpus(tmp_path / "a.txt", DOCS), _corpus(tmp_path / "b.txt", DOCS[::-1], times=1)]
    _local(kw, corpus, tmp_path / "local")
    summary = run_ray_extraction(kw, corpus, tmp_path / "ray", workers=2, agent_factory=fake_agent)
    assert summary.documents == summary.processed == 3 * len(DOCS) and not summary.failed
    _assert_same(tmp_path / "ray", tmp_path / "local")
    run_json = [json.loads((tmp_path / side / "run.json").read_text()) for side in ("ray", "local")]
    assert run_json[0] == run_json[1] and run_json[0]["labels"]["relation"]["work_for"] == "Work_For"
    # a re-run of a finished directory writes nothing and reports the same counts
    again = run_ray_extraction(kw, corpus, tmp_path / "ray", workers=1, agent_factory=fake_agent)
    assert again.processed == 0 and again.skipped == 3 * len(DOCS)
    _assert_same(tmp_path / "ray", tmp_path / "local")


def test_an_actor_loads_its_agent_with_the_collector_paused_then_frozen(monkeypatch) -> None:
    """An actor owns its process, as the CLI does: it loads as `kgagent extract` loads (the
    collector paused, the loaded heap frozen out of its scans), so its rules run as fast."""
    import gc

    import torch

    from kgagent.ray_engine import AgentWorker

    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "true")  # the actor sets it; restored after the test
    seen = []

    class Loaded:
        def warm_up(self) -> None:
            seen.append(("warm_up", gc.isenabled()))

    def factory(**kw):
        seen.append(("load", gc.isenabled(), kw))
        return Loaded()

    gc.unfreeze()
    try:
        worker = AgentWorker({"batch_size": 3}, factory=factory, threads=torch.get_num_threads())
        assert isinstance(worker.agent, Loaded)
        assert seen == [("load", False, {"batch_size": 3}), ("warm_up", False)]
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_killed_worker_is_retried_and_nothing_is_written_twice(ray_cluster, kw, tmp_path) -> None:
    from kgagent.ray_engine import run_ray_extraction

    corpus = [_corpus(tmp_path / "c.txt", DOCS, times=3)]
    _local(kw, corpus, tmp_path / "local")
    flag = tmp_path / "killed.flag"
    killing = {**kw, "kill_on": "Nothing to see here. (item 1)", "kill_flag": str(flag)}
    summary = run_ray_extraction(killing, corpus, tmp_path / "ray", workers=2,
                                 agent_factory=fake_agent)
    assert flag.exists(), "the worker was not killed"
    assert summary.processed == 3 * len(DOCS) and not summary.failed
    _assert_same(tmp_path / "ray", tmp_path / "local")


def test_a_killed_driver_resumes_with_the_same_command(ray_cluster, kw, tmp_path, monkeypatch) -> None:
    from kgagent import output
    from kgagent.ray_engine import run_ray_extraction

    monkeypatch.setattr(output, "FLUSH_DOCS", 2)  # the driver commits every 2 documents

    corpus = [_corpus(tmp_path / "c.txt", DOCS, times=2)]
    _local(kw, corpus, tmp_path / "local")
    out = tmp_path / "ray"
    seen = []

    def stop_after_five(line, sentences) -> None:
        seen.append(line)
        if len(seen) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_ray_extraction(kw, corpus, out, workers=2, agent_factory=fake_agent,
                           progress=stop_after_five)
    done = len((out / "progress.jsonl").read_text().splitlines())
    assert done == 6  # the group of the 5th document was committed whole
    with open(out / "decisions.jsonl", "ab") as fh:  # and a half-written document after the last marker
        fh.write(b'{"id": "d:half-writ')
    # the local engine resumed from the very same state is what the Ray engine must give (a resumed
    # run groups the remaining documents afresh, and the encoder's scores depend on its batch)
    shutil.copytree(out, tmp_path / "local-resumed")
    _local(kw, corpus, tmp_path / "local-resumed")
    summary = run_ray_extraction(kw, corpus, out, workers=2, agent_factory=fake_agent)
    assert summary.skipped == done and summary.processed == 2 * len(DOCS) - done
    _assert_same(out, tmp_path / "local-resumed")
    ids = [json.loads(x)["id"] for x in (out / "decisions.jsonl").read_text().splitlines()]
    want = [json.loads(x)["id"] for x in (tmp_path / "local" / "decisions.jsonl").read_text().splitlines()]
    assert ids == want  # the same decisions as an uninterrupted run, each once


def test_a_failing_document_is_reported_by_id_and_the_rest_goes_on(ray_cluster, kw, tmp_path) -> None:
    from kgagent.ray_engine import run_ray_extraction

    good = _corpus(tmp_path / "c.txt", DOCS, times=1)
    _local(kw, [good], tmp_path / "local")
    bad = tmp_path / "bad" / "c.txt"
    bad.parent.mkdir()
    bad.write_text(good.read_text() + f"\n{POISON} in Boston.\n")
    for _ in range(2):  # a re-run retries the failed document (and writes nothing twice)
        summary = run_ray_extraction(kw, [bad], tmp_path / "ray", workers=2,
                                     agent_factory=fake_agent)
        assert [f["doc"] for f in summary.failed] == [f"c#{len(DOCS) + 1}"]
        assert "KGA434" in summary.failed[0]["error"] and "cannot read this text" in summary.failed[0]["error"]
    assert _outputs(tmp_path / "ray") == _outputs(tmp_path / "local")
    assert summary.documents == len(DOCS)


def test_a_bad_corpus_file_is_the_local_engines_error(ray_cluster, kw, tmp_path) -> None:
    from kgagent.errors import InputError
    from kgagent.ray_engine import run_ray_extraction

    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Boston lies in Massachusetts.\n\nCaf\xe9 in Boston.\n".encode("latin-1"))
    with pytest.raises(InputError) as err:
        run_ray_extraction(kw, [bad], tmp_path / "ray", workers=1, agent_factory=fake_agent)
    assert err.value.code == "KGA401" and "latin1.txt:3" in str(err.value)


def test_more_workers_than_cpus_is_refused(ray_cluster, kw, tmp_path) -> None:
    from kgagent.errors import InputError
    from kgagent.ray_engine import run_ray_extraction

    with pytest.raises(InputError, match="KGA435 3 workers x 1 CPUs need 3 CPUs; the cluster has 2"):
        run_ray_extraction(kw, [_corpus(tmp_path / "c.txt", DOCS)], tmp_path / "ray", workers=3,
                           agent_factory=fake_agent)
    assert not (tmp_path / "ray").exists()


# ------------------------------------------------------------------ the command line: bad input
def run_cli(*args):
    from kgagent_cli.main import app

    return CliRunner().invoke(app, [str(a) for a in args])


def _one_error_line(r, code: str) -> str:
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert r.exit_code == 2, r.output
    assert len(lines) == 1 and lines[0].startswith(f"error: {code} "), r.output
    return lines[0]


def _empty(out: Path) -> bool:
    return not out.exists() or not any(out.iterdir())


def test_without_ray_the_engine_says_how_to_install_it(monkeypatch, tmp_path) -> None:
    for name in [m for m in sys.modules if m == "ray" or m.startswith("ray.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    out = tmp_path / "out"
    r = run_cli("extract", _corpus(tmp_path / "c.txt", DOCS), "--engine", "ray", "--out", out)
    line = _one_error_line(r, "KGA430")
    assert "pip install 'kgagent[ray]'" in line and _empty(out)


def test_an_unreachable_address_is_one_line_and_exit_2(tmp_path) -> None:
    pytest.importorskip("ray", reason="Ray is not installed")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "out"
    r = run_cli("extract", _corpus(tmp_path / "c.txt", DOCS), "--engine", "ray", "--address", f"127.0.0.1:{port}",
                "--out", out, "-q")
    line = _one_error_line(r, "KGA431")
    assert f"127.0.0.1:{port}" in line and _empty(out)


@pytest.mark.parametrize("address", ["127.0.0.1:99999", "127.0.0.1:0"])
def test_an_address_with_a_port_out_of_range_says_so(address) -> None:
    """It said "Connection refused" (or an OverflowError) instead."""
    from kgagent.errors import InputError
    from kgagent.ray_engine import _reachable

    with pytest.raises(InputError) as err:
        _reachable(address)
    assert err.value.code == "KGA431" and "a port is a number from 1 to 65535" in str(err.value)


def test_an_address_that_is_no_ray_cluster_is_refused_at_once(tmp_path) -> None:
    """An --address whose port answers but is not Ray (a web server) hung without a word: Ray
    retries for minutes. The driver now asks the port for HTTP/2, which Ray's gRPC servers speak."""
    pytest.importorskip("ray", reason="Ray is not installed")
    import http.server
    import threading
    import time

    class Quiet(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # not on the command's output
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        out = tmp_path / "out"
        t0 = time.monotonic()
        r = run_cli("extract", _corpus(tmp_path / "c.txt", DOCS), "--engine", "ray", "--address",
                    f"127.0.0.1:{port}", "--out", out, "-q")
        line = _one_error_line(r, "KGA431")
        assert "not as a Ray cluster does" in line and _empty(out) and time.monotonic() - t0 < 30
    finally:
        server.shutdown()


def test_a_cluster_with_another_kgagent_is_refused(ray_cluster, monkeypatch, tmp_path) -> None:
    import kgagent

    monkeypatch.setattr(kgagent, "__version__", "0.0.0-other")  # this driver's; the workers import the real one
    out = tmp_path / "out"
    r = run_cli("extract", _corpus(tmp_path / "c.txt", DOCS), "--engine", "ray", "--out", out, "-q")
    line = _one_error_line(r, "KGA432")
    assert "0.0.0-other" in line and __import__("kgagent.ray_engine", fromlist=["x"]).kgagent_identity()["source"] in line and _empty(out)


def test_a_corpus_the_workers_cannot_read_is_refused(ray_cluster, tmp_path) -> None:
    address = ray_cluster.get_runtime_context().gcs_address
    missing = tmp_path / "only-on-the-driver" / "c.txt"  # --address: the driver need not have the corpus
    out = tmp_path / "out"
    r = run_cli("extract", missing, "--engine", "ray", "--address", address, "--out", out, "-q")
    line = _one_error_line(r, "KGA433")
    assert str(missing) in line and "No such file or directory" in line and _empty(out)


def test_engine_must_be_local_or_ray(tmp_path) -> None:
    r = run_cli("extract", _corpus(tmp_path / "c.txt", DOCS), "--engine", "spark", "--out", tmp_path / "out")
    assert r.exit_code == 2 and "--engine must be local or ray" in r.output


# ------------------------------------------------------------------ the shipped model, 200 documents
@pytest.mark.slow
def test_200_documents_with_the_shipped_model_through_both_engines(ray_cluster, tmp_path, monkeypatch) -> None:
    repo = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(tmp_path)  # rule ids are the domain's own, whatever the driver's and workers' folders
    docs = [d for d in (repo / "examples" / "corpus.txt").read_text().split("\n\n") if d.strip()]
    corpus = tmp_path / "news.txt"
    corpus.write_text("\n\n".join(docs[i % len(docs)] + f" (copy {i})" for i in range(200)) + "\n")
    # float32: in bfloat16 a mention's link score moves in the 4th decimal with the batch its text was
    # first embedded in (the linker caches vectors by text), and two workers see different histories
    r = run_cli("extract", corpus, "--out", tmp_path / "local", "-q", "--precision", "float32")
    assert r.exit_code == 0, r.output
    r = run_cli("extract", corpus, "--engine", "ray", "--workers", "2", "--out", tmp_path / "ray", "-q",
                "--precision", "float32")
    assert r.exit_code == 0, r.output
    assert "200 documents" in r.output
    _assert_same(tmp_path / "ray", tmp_path / "local")


@pytest.mark.parametrize(("recorded", "code", "words"), [
    ("Boston lies in Massachusetts.", "KGA490", "begins or ends with white space"),
    ("Boston lies in Texas.", "KGA413", "changed since /runs/out was written"),
])
def test_a_finished_document_is_checked_on_the_workers_as_the_local_engine_checks_it(
        tmp_path, recorded: str, code: str, words: str) -> None:
    """The reader on the workers skips what OUT finished; a document whose text differs from the
    one OUT recorded is the local engine's KGA413, or KGA490 when OUT holds it without its leading
    white space (an older kgagent's run), at the document's file and line (before: KGA413 without a
    location, whatever the difference)."""
    from kgagent.errors import InputError
    from kgagent.ids import text_hash
    from kgagent.ray_engine import _read_groups

    corpus = tmp_path / "c.txt"
    corpus.write_text("\n  Boston lies in Massachusetts.\n")
    with pytest.raises(InputError, match=words) as err:
        list(_read_groups({"paths": [str(corpus)]}, done={"c#1": text_hash(recorded)}, batch_size=2,
                         out="/runs/out"))
    assert err.value.code == code and str(err.value.location) == f"{corpus}:2"
    done = {"c#1": text_hash("  Boston lies in Massachusetts.")}
    assert list(_read_groups({"paths": [str(corpus)]}, done=done, batch_size=2, out="/runs/out")) == []
