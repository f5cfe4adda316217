"""Regression tests from fuzzing the review page's HTTP API: bodies and queries the page could
not have sent are a 400 (or 413) naming KGA472 and what is wrong, never a 500, never stored
after being bent into something else."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from support.review_fakes import KLUGT_PHILIPS, PARSONS, SMITH

HEADERS = {"content-type": "application/json", "x-requested-with": "kgagent-review"}


def post_raw(base: str, path: str, data: bytes | Any, headers: dict[str, str] | None = None,
             chunked: bool = False) -> tuple[int, dict[str, Any]]:
    """POST ``data`` as it is (no json.dumps round trip); (status, JSON reply)."""
    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        conn.request("POST", path, body=data, headers={**HEADERS, **(headers or {})}, encode_chunked=chunked)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"{}")
    finally:
        conn.close()


def bad(client: Any, path: str, body: str | bytes) -> str:
    """The error of a 400 reply to ``body``."""
    status, reply = post_raw(client.base, path, body.encode() if isinstance(body, str) else body)
    assert status == 400, (status, reply)
    assert reply["error"].startswith("KGA472 "), reply
    return reply["error"]


def stored(state: Any) -> list[Any]:
    return state.store.answers()


@pytest.mark.parametrize("body", ["[" * 20_000 + "]" * 20_000, '{"a":' * 10_000 + "1" + "}" * 10_000])
def test_a_deeply_nested_body_is_a_400_not_a_recursion_error(served, body: str) -> None:
    client, state = served
    assert "nested too deeply" in bad(client, "/api/answer", body)
    assert "nested too deeply" in bad(client, "/api/undo", body)
    assert client.get("/api/config")["decisions"] == 18  # the server still answers


def test_an_infinite_or_fractional_or_boolean_offset_is_a_400_not_stored(served) -> None:
    client, state = served
    for start, end in (("0", "1e400"), ("false", "true"), ("0.9", "2.7"), ("0", '"5"'), ("0", "null")):
        err = bad(client, "/api/answer", f'{{"reviewer":"fz","decision":"{PARSONS}","action":"span",'
                                         f'"start":{start},"end":{end}}}')
        assert "whole number" in err and ("end" in err or "start" in err), err
    err = bad(client, "/api/answer", f'{{"reviewer":"fz","decision":"{PARSONS}","action":"span","start":0}}')
    assert "start and end" in err
    err = bad(client, "/api/answer", f'{{"reviewer":"fz","decision":"{PARSONS}","action":"span",'
                                     f'"start":0,"end":100000000000000000000000}}')
    assert "inside the sentence" in err
    assert stored(state) == []
    # a whole number written as 8.0 is still that whole number
    client.post("/api/answer", {"reviewer": "fz", "decision": PARSONS, "action": "span", "start": 8.0, "end": 15})
    assert [(a.span_start, a.span_end) for a in stored(state)] == [(8, 15)]


@pytest.mark.parametrize("field", ["reviewer", "note", "decision", "action"])
def test_a_lone_surrogate_is_a_400_not_a_unicode_encode_error(served, field: str) -> None:
    client, state = served
    body = {"reviewer": "fz", "decision": SMITH, "action": "flag", "note": "why"}
    text = json.dumps(body).replace(json.dumps(body[field]), '"\\ud800"' if field != "note" else '"a\\udcff"')
    err = bad(client, "/api/answer", text)
    assert "surrogate" in err and field in err
    assert stored(state) == []


def test_undo_with_a_lone_surrogate_or_a_non_string_reviewer_is_a_400(served) -> None:
    client, state = served
    assert "surrogate" in bad(client, "/api/undo", '{"reviewer":"\\ud800"}')
    assert "must be a string" in bad(client, "/api/undo", '{"reviewer":{"a":1}}')
    assert stored(state) == []


def test_a_reviewer_that_is_no_plain_name_is_refused(served) -> None:
    client, state = served
    for reviewer, what in (('{"a":1}', "must be a string"), ("[1]", "must be a string"), ("5", "must be a string"),
                           ('"ana\\u0000"', "control characters"), ('"a\\nb"', "control characters")):
        err = bad(client, "/api/answer", f'{{"reviewer":{reviewer},"decision":"{SMITH}","action":"accept"}}')
        assert what in err, err
    assert "must be a string" in bad(client, "/api/answer", f'{{"reviewer":"fz","decision":"{SMITH}",'
                                                            f'"action":"flag","note":{{"x":1}}}}')
    assert "must be a string" in bad(client, "/api/answer", f'{{"reviewer":"fz","decision":["{SMITH}"],'
                                                            f'"action":"accept"}}')
    assert stored(state) == []


def test_a_note_over_the_limit_is_refused_not_cut(served) -> None:
    client, state = served
    body = {"reviewer": "fz", "decision": SMITH, "action": "flag", "note": "x" * 2001}
    err = bad(client, "/api/answer", json.dumps(body))
    assert "at most 2000 characters" in err and "2001" in err
    assert stored(state) == []
    client.post("/api/answer", {**body, "note": "y" * 2000})
    assert len(stored(state)[0].note) == 2000


def test_a_body_over_the_size_limit_is_a_413_without_reading_it_whole(served) -> None:
    client, state = served
    big = json.dumps({"reviewer": "fz", "decision": SMITH, "action": "flag", "note": "x" * 200_000}).encode()
    status, reply = post_raw(client.base, "/api/answer", big)
    assert status == 413 and reply["error"].startswith("KGA472 ") and "64 KiB" in reply["error"]
    # chunked, with no Content-Length to go by
    status, reply = post_raw(client.base, "/api/answer", iter([big[i:i + 8192] for i in range(0, len(big), 8192)]),
                             chunked=True)
    assert status == 413 and "64 KiB" in reply["error"]
    assert stored(state) == []
    client.post("/api/answer", {"reviewer": "fz", "decision": KLUGT_PHILIPS, "action": "accept"})  # still serving


def test_unknown_queue_filters_and_non_finite_scores_are_a_400_listing_what_is_allowed(served) -> None:
    client, _ = served
    for query in ("min=nan", "max=inf", "min=-inf"):
        status, err = client.request(f"/api/queue?{query}")
        assert status == 400 and "KGA472" in err["error"] and "finite number" in err["error"], err
    status, err = client.request("/api/queue?verdict=foo&kind=bar")
    assert status == 400 and "KGA472" in err["error"]
    assert "verdict must be one of reject, review, repair, accept, not 'foo'" in err["error"]
    assert "kind must be one of entity, relation, not 'bar'" in err["error"]
    status, err = client.request("/api/next?kind=bar")
    assert status == 400 and "kind must be one of" in err["error"]
    assert client.get("/api/queue?verdict=repair")["ids"] == []  # a known verdict that no decision has
