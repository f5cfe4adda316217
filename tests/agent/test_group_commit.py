"""The local engine commits finished documents in groups (kgagent.output.GroupCommit): one fsync
per file per group, the same bytes as a commit per document, and a resume after a lost group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgagent import output
from kgagent.errors import InputError, StorageError
from kgagent.schema import Document

TEXTS = ("Richard Parsons works for Time Warner. He was seen in Boston.",
         "Boston lies in Massachusetts.",
         "Smith met Acme.",
         "Cor van der Klugt heads Philips.",
         "Richard Parsons, the Time Warner chief from Boston, said so.")


def _docs(texts=TEXTS) -> list[Document]:
    return [Document(id=f"c#{i}", text=t) for i, t in enumerate(texts, 1)]


def _read(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in (*output.OUTPUTS, output.PROGRESS)}


def _without_timings(progress: bytes) -> list[dict]:
    return [{k: v for k, v in json.loads(x).items() if k != "timings"} for x in progress.decode().splitlines()]


@pytest.fixture
def fsyncs(monkeypatch) -> list[str]:
    """The file of every fsynced append of the run."""
    calls: list[str] = []
    real = output.fsync_append

    def counting(path, data):
        calls.append(Path(path).name)
        return real(path, data)

    monkeypatch.setattr(output, "fsync_append", counting)
    return calls


def test_a_group_commit_writes_the_bytes_of_one_commit_per_document(agent, tmp_path, fsyncs) -> None:
    agent.extract_to(_docs(), tmp_path / "each", commit_docs=1)
    assert len(fsyncs) == 4 * len(TEXTS)  # three outputs and the progress file, per document
    fsyncs.clear()
    agent.extract_to(_docs(), tmp_path / "group")
    assert len(fsyncs) == 4  # one group
    each, group = _read(tmp_path / "each"), _read(tmp_path / "group")
    for name in output.OUTPUTS:
        assert each[name] == group[name] and each[name]
    assert _without_timings(each[output.PROGRESS]) == _without_timings(group[output.PROGRESS])


def test_groups_close_at_their_size_and_the_last_one_at_the_end(agent, tmp_path, fsyncs) -> None:
    summary = agent.extract_to(_docs(), tmp_path / "out", commit_docs=2)
    assert summary.processed == len(TEXTS)
    assert fsyncs.count(output.PROGRESS) == 3  # 2 + 2 + 1
    assert len(_without_timings(_read(tmp_path / "out")[output.PROGRESS])) == len(TEXTS)


def test_a_group_lost_in_a_crash_is_extracted_again_on_resume(agent, tmp_path, monkeypatch) -> None:
    """A commit that fails half way (as a kill would stop it: the outputs written, no progress
    lines) loses its group only; the re-run cuts what it half wrote and extracts it again."""
    agent.extract_to(_docs(), tmp_path / "clean")
    real = output.fsync_append
    state = {"commits": 0}

    def dies_in_the_second_group(path, data):
        if Path(path).name == output.PROGRESS:
            state["commits"] += 1
            if state["commits"] == 2:
                raise StorageError("disk gone", code="KGA501")
        return real(path, data)

    out = tmp_path / "out"
    monkeypatch.setattr(output, "fsync_append", dies_in_the_second_group)
    with pytest.raises(StorageError):
        agent.extract_to(_docs(), out, commit_docs=2)
    monkeypatch.setattr(output, "fsync_append", real)
    assert len((out / output.PROGRESS).read_text().splitlines()) == 2  # the first group only
    assert (out / "decisions.jsonl").stat().st_size > (tmp_path / "clean" / "decisions.jsonl").stat().st_size / 2
    summary = agent.extract_to(_docs(), out)
    assert summary.skipped == 2 and summary.processed == len(TEXTS) - 2
    clean, again = _read(tmp_path / "clean"), _read(out)
    for name in output.OUTPUTS:
        assert again[name] == clean[name]


def test_an_interruption_commits_what_is_finished(agent, tmp_path) -> None:
    seen: list[str] = []

    def stop_at_the_third(result, sentences) -> None:
        seen.append(result.doc)
        if len(seen) == 3:
            raise KeyboardInterrupt

    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        agent.extract_to(_docs(), out, progress=stop_at_the_third)
    assert len((out / output.PROGRESS).read_text().splitlines()) == 3
    assert agent.extract_to(_docs(), out).skipped == 3


def test_one_id_twice_in_a_group(agent, tmp_path) -> None:
    """The same document twice is written once; two texts under one id are an error, not a
    silent loss of the second (both would wait in one group)."""
    docs = _docs()
    summary = agent.extract_to([*docs, docs[1]], tmp_path / "twice")
    assert summary.processed == len(TEXTS)
    assert len((tmp_path / "twice" / output.PROGRESS).read_text().splitlines()) == len(TEXTS)
    with pytest.raises(InputError) as err:
        agent.extract_to([*docs, Document(id="c#2", text="Another text.")], tmp_path / "clash")
    assert err.value.code == "KGA406" and "c#2" in str(err.value)


def test_a_group_holds_at_least_one_document(agent, tmp_path) -> None:
    with pytest.raises(InputError) as err:
        agent.extract_to(_docs(), tmp_path / "out", commit_docs=0)
    assert err.value.code == "KGA418" and "commit_docs" in str(err.value)


@pytest.mark.parametrize("kwargs, code, words", [
    ({"overwrite": "no"}, "KGA419", "overwrite must be True or False, not 'no'"),
    ({"progress": 5}, "KGA419", "progress must be a function"),
    ({"commit_docs": float("nan")}, "KGA418", "not nan (commit_docs)"),
    ({"commit_docs": 1.5}, "KGA418", "not 1.5 (commit_docs)"),
    ({"commit_docs": True}, "KGA418", "not True (commit_docs)"),
])
def test_extract_to_arguments_of_the_wrong_kind(agent, tmp_path, kwargs, code, words) -> None:
    """Before: overwrite="no" (true) emptied the output directory of an earlier run; progress=5
    failed with "TypeError: 'int' object is not callable"; a commit size of nan, 1.5 or True ran."""

    out = tmp_path / "out"
    agent.extract_to([Document("a", "Boston lies in Massachusetts.")], out)
    before = (out / "decisions.jsonl").read_bytes()
    with pytest.raises(InputError) as err:
        agent.extract_to([Document("b", "Texas is big.")], out, **kwargs)
    assert err.value.code == code and words in str(err.value)
    assert (out / "decisions.jsonl").read_bytes() == before
