"""The review server's API and the bad-input cases of `kgagent review`."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.review.store import DB_NAME, ReviewStore
from kgagent.review.items import ReviewSet
from kgagent_cli.main import app
from support.review_fakes import ACME, BOSTON_TEXAS, KLUGT_PHILIPS, PARSONS, SMITH, WORK_FOR, serving


def test_queue_review_first_most_uncertain_first_and_filters(served) -> None:
    client, _ = served
    q = client.get("/api/queue?reviewer=ana")
    assert q["ids"][:3] == [KLUGT_PHILIPS, SMITH, BOSTON_TEXAS]  # review: 0.4, 0.3, 0.8
    assert q["position"] == 0 and q["progress"]["total"] == 18 and q["progress"]["reviewed"] == 0
    assert client.get("/api/queue?verdict=reject&kind=entity")["ids"] == [ACME]
    assert client.get("/api/queue?label=work_for&min=0.5")["ids"] == ["d:5c575dcc9fd0025d", "d:fb9490a71a4dac6e",
                                                                      WORK_FOR]
    assert client.get("/api/queue?doc=d2&rule=rules/entities.rules:28")["ids"] == [SMITH]
    assert client.get("/api/queue?min=0.95&max=0.96")["progress"]["total"] == 3  # Parsons, Texas, Massachusetts
    status, err = client.request("/api/queue?min=abc")
    assert status == 400 and "KGA472" in err["error"]


def test_the_queue_without_statuses_is_the_same_queue(served) -> None:
    client, _ = served
    client.post("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": "accept"})
    full = client.get("/api/queue?reviewer=ana")
    lean = client.get("/api/queue?reviewer=ana&statuses=0")
    assert "status" not in lean and full["status"][SMITH] == "accepted"
    assert {k: full[k] for k in ("ids", "position", "progress")} == lean
    assert "status" in client.get("/api/queue?reviewer=ana&statuses=true")
    status, err = client.request("/api/queue?statuses=no")
    assert status == 400 and "KGA472" in err["error"] and "statuses" in err["error"]


def test_item_shows_sentence_highlights_proof_and_siblings(served) -> None:
    client, _ = served
    item = client.get(f"/api/item?id={WORK_FOR}&reviewer=ana")
    assert item["sentence_text"] == "Richard Parsons works for Time Warner in Boston."
    spans = {h["role"]: item["sentence_text"][h["start"]:h["end"]] for h in item["highlights"]}
    assert spans == {"head": "Richard Parsons", "tail": "Time Warner"}
    assert item["explanation"].startswith(f"{WORK_FOR}: relation work_for('Richard Parsons', 'Time Warner')")
    assert "why:" in item["explanation"] and item["summary"].startswith("accepted")
    assert item["choices"] == ["live_in", "located_in", "orgbased_in", "work_for"]
    assert {s["id"] for s in item["siblings"]} >= {WORK_FOR, PARSONS} and len(item["siblings"]) == 6
    boston = client.get(f"/api/item?id={BOSTON_TEXAS}")
    assert boston["highlights"][0]["entity_label"] == "Boston" and boston["highlights"][0]["linked"]
    status, err = client.request("/api/item?id=d:nope")
    assert status == 400 and "KGA472" in err["error"]


def test_answer_undo_history_and_resume(served) -> None:
    client, _ = served
    client.post("/api/answer", {"reviewer": "ana", "decision": KLUGT_PHILIPS, "action": "accept"})
    client.post("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": "relabel", "label": "organization"})
    client.post("/api/answer", {"reviewer": "ana", "decision": BOSTON_TEXAS, "action": "reject"})
    assert client.post("/api/undo", {"reviewer": "ana"})["undone"] == BOSTON_TEXAS
    q = client.get("/api/queue?reviewer=ana")
    assert q["position"] == 2 and q["progress"]["reviewed"] == 2
    assert q["progress"]["by_status"]["changed"] == 1 and q["status"][BOSTON_TEXAS] == "unanswered"
    hist = client.get("/api/history?reviewer=ana")
    assert [h["decision"] for h in hist] == [SMITH, KLUGT_PHILIPS] and hist[0]["label"] == "organization"
    # an answer can be changed: the latest counts
    client.post("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": "accept"})
    assert client.get(f"/api/item?id={SMITH}&reviewer=ana")["mine"]["action"] == "accept"
    # a span fix is given in sentence offsets and stored in document offsets
    client.post("/api/answer", {"reviewer": "ana", "decision": PARSONS, "action": "span", "start": 8, "end": 15})
    mine = client.get(f"/api/item?id={PARSONS}&reviewer=ana")["mine"]
    assert (mine["span_start"], mine["span_end"]) == (8, 15)  # sentence 0 starts the document


def test_two_reviewers_and_the_conflict_view(served) -> None:
    client, _ = served
    client.post("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": "accept"})
    client.post("/api/answer", {"reviewer": "ben", "decision": SMITH, "action": "reject"})
    client.post("/api/answer", {"reviewer": "ben", "decision": ACME, "action": "reject"})
    item = client.get(f"/api/item?id={SMITH}&reviewer=ben")
    assert [(a["reviewer"], a["action"]) for a in item["answers"]] == [("ana", "accept"), ("ben", "reject")]
    (conflict,) = client.get("/api/conflicts")
    assert conflict["decision"] == SMITH and conflict["text"] == "Smith"
    assert client.get("/api/config")["reviewers"] == ["ana", "ben"]


def test_bad_answers_and_foreign_requests_are_refused(served) -> None:
    client, state = served
    for body in ({"reviewer": "ana", "decision": "d:nope", "action": "accept"},
                 {"reviewer": "ana", "decision": SMITH, "action": "relabel", "label": "spaceship"},
                 {"reviewer": "ana", "decision": WORK_FOR, "action": "span", "start": 0, "end": 3},
                 {"reviewer": "ana", "decision": SMITH, "action": "span", "start": 0, "end": 999},
                 {"reviewer": "", "decision": SMITH, "action": "accept"}):
        status, err = client.request("/api/answer", body)
        assert status == 400 and err["error"].startswith("KGA472"), body
    # a cross-site form cannot send JSON with the header; a rebound host name is refused
    status, _ = client.request("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": "accept"},
                               headers={"x-requested-with": "evil"})
    assert status == 403
    status, _ = client.request("/api/config", headers={"host": "attacker.example:80"})
    assert status == 403
    assert state.store.answers() == []
    # no request names a file: only the shipped assets are served
    status, page = client.request("/", raw=True)
    assert status == 200 and b"kgagent review" in page and b"http" not in page.replace(b"http-equiv", b"")
    assert client.request("/static/app.js", raw=True)[0] == 200
    for path in ("/static/..%2F..%2Fdecisions.jsonl", "/static/server.py", "/static/../store.py", "/decisions.jsonl"):
        assert client.request(path, raw=True)[0] == 404, path


def test_item_carries_the_encoders_score_of_each_choice(out: Path) -> None:
    """An extraction whose decisions carry ``scores`` (the encoder's score of every label) shows
    them with the item; one without (an older extraction, a scoreless encoder) gives none."""
    path = out / "decisions.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for d in rows:
        if d["id"] == WORK_FOR:
            d["scores"] = {"work_for": 0.91, "live_in": 0.07}
    path.write_text("".join(json.dumps(d) + "\n" for d in rows), encoding="utf-8")
    with serving(out) as (client, _):
        item = client.get(f"/api/item?id={WORK_FOR}&reviewer=ana")
        assert item["scores"] == {"work_for": 0.91, "live_in": 0.07}
        assert set(item["scores"]) <= set(item["choices"])
        assert client.get(f"/api/item?id={PARSONS}&reviewer=ana")["scores"] == {}


def test_token_is_required_when_set(out: Path) -> None:
    with serving(out, token="s3cret") as (client, _):
        assert client.request("/api/config")[0] == 403
        assert client.request("/api/config", headers={"x-review-token": "wrong"})[0] == 403
        assert client.request("/api/config?token=s3cret")[0] == 200
        assert client.request("/api/config", headers={"x-review-token": "s3cret"})[0] == 200


def test_second_reader_serves_but_writes_nothing(out: Path) -> None:
    rs = ReviewSet.load(out)
    first = ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, lock=True)
    first.add(SMITH, "ana", "accept", verdict="review")
    with serving(out, read_only=True) as (client, _):
        assert client.get("/api/config")["read_only"] is True
        assert client.get("/api/queue?reviewer=ana")["progress"]["reviewed"] == 1
        status, err = client.request("/api/answer", {"reviewer": "ben", "decision": SMITH, "action": "reject"})
        assert status == 403 and "KGA523" in err["error"]
        first.close()


# --------------------------------------------------------------------------- bad input, one line, exit 2


def _review(*args: str):
    return CliRunner().invoke(app, ["review", *args])


def _one_line_error(result, code: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and code in lines[0], result.output


def test_not_an_extraction(tmp_path: Path) -> None:
    _one_line_error(_review(str(tmp_path), "--port", "0"), "KGA470")
    _one_line_error(_review(str(tmp_path / "missing"), "--port", "0"), "KGA470")
    assert not (tmp_path / DB_NAME).exists()


def test_database_of_another_extraction(out: Path) -> None:
    rs = ReviewSet.load(out)
    ReviewStore(out / DB_NAME, "0123456789abcdef", parts={"model": "other"}).close()
    before = (out / DB_NAME).read_bytes()
    _one_line_error(_review(str(out), "--port", "0"), "KGA471")
    assert (out / DB_NAME).read_bytes() == before and rs.fingerprint != "0123456789abcdef"


def test_port_in_use(out: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        _one_line_error(_review(str(out), "--port", str(taken.getsockname()[1])), "KGA520")


def test_second_server_on_one_database(out: Path) -> None:
    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts, lock=True):
        _one_line_error(_review(str(out), "--port", "0"), "KGA521")


def test_other_interface_needs_a_token(out: Path) -> None:
    _one_line_error(_review(str(out), "--host", "0.0.0.0", "--port", "0"), "KGA473")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts(host: str) -> None:
    from kgagent.review.server import is_loopback

    assert is_loopback(host) and not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1")


def test_unknown_or_broken_queue_policy(out: Path, tmp_path: Path) -> None:
    """--policy names a policy (random, uncertainty, margin, yield) or a saved LinUCB state."""
    _one_line_error(_review(str(out), "--port", "0", "--policy", "greedy"), "KGA476")
    bad = tmp_path / "policy.json"
    bad.write_text('{"policy": "linucb", "features": []}', encoding="utf-8")
    _one_line_error(_review(str(out), "--port", "0", "--policy", str(bad)), "KGA475")
    assert not (out / DB_NAME).exists()


def test_the_server_orders_the_extraction_once_and_filters_that_order(out: Path) -> None:
    """The queue's order is computed at the first request, not at every answer (a page over
    100,000 decisions re-sorted them in 0.4 s per request); filtered queues pick from it."""
    from kgagent.review.items import Filters
    from kgagent.review.policy import RandomPolicy
    from kgagent.review.queue import build_queue
    from kgagent.review.server import ReviewApp, open_review

    class Counting(RandomPolicy):
        calls = 0

        def order(self, decisions):
            Counting.calls += 1
            return super().order(decisions)

    reviews, store = open_review(out, lock=False)
    try:
        state = ReviewApp(reviews, store, policy=Counting(3))
        everything = state.queue("ana", Filters())["ids"]
        rejects = state.queue("ana", Filters(verdict="reject"))["ids"]
        assert Counting.calls == 1
        assert everything == build_queue(reviews, Filters(), RandomPolicy(3)) and len(everything) == 18
        assert rejects == [i for i in everything if reviews.get(i)["verdict"] == "reject"] and rejects
    finally:
        store.close()


def test_after_an_answer_the_page_asks_only_for_what_comes_next(served) -> None:
    """/api/next: the next unanswered decision after the one answered (round to the start, in
    the filtered queue) and the progress; the queue itself is sent only when the page loads."""
    client, _ = served
    ids = client.get("/api/queue?reviewer=ana")["ids"]
    first = client.get(f"/api/next?reviewer=ana&after={ids[0]}")
    assert first["next"] == ids[1] and first["progress"]["reviewed"] == 0
    client.post("/api/answer", {"reviewer": "ana", "decision": ids[1], "action": "skip"})
    n = client.get(f"/api/next?reviewer=ana&after={ids[0]}")
    assert n["next"] == ids[2] and n["progress"]["reviewed"] == 1 and n["progress"]["by_status"]["skipped"] == 1
    assert client.get(f"/api/next?reviewer=ana&after={ids[-1]}")["next"] == ids[0]  # round to the start
    assert client.get("/api/next?reviewer=bo")["next"] == ids[0]  # another reviewer: from the start
    rejects = client.get("/api/queue?reviewer=ana&verdict=reject")["ids"]
    assert client.get(f"/api/next?reviewer=ana&verdict=reject&after={rejects[-1]}")["next"] == rejects[0]
    for i in ids:
        client.post("/api/answer", {"reviewer": "ana", "decision": i, "action": "accept"})
    done = client.get(f"/api/next?reviewer=ana&after={ids[3]}")
    assert done["next"] is None and done["progress"]["reviewed"] == len(ids)
