"""The review web page: a Starlette app over one extraction and its answers database.

Routes (JSON unless said): ``GET /`` the page; ``GET /static/<asset>`` one of the shipped
assets (a fixed list: no request names a file); ``GET /api/config``; ``GET /api/queue``
(filters: verdict, kind, label, rule, doc, min, max; ``statuses=0``: without each id's status); ``GET /api/item?id=``;
``GET /api/next?after=`` (the next unanswered decision and the progress, after an answer);
``GET /api/history``; ``GET /api/conflicts``; ``POST /api/answer``; ``POST /api/undo``.

Safety: without a token only requests whose ``Host`` is this loopback address are served
(no DNS rebinding); with a token every request must carry it (``?token=`` on the page, which
sets a same-site cookie, or the ``X-Review-Token`` header). Writes need the JSON content
type and the ``X-Requested-With: kgagent-review`` header, which a cross-site form cannot send.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import math
import socket
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kgagent.decisions import VERDICTS
from kgagent.errors import InputError, KGAError, StorageError, is_text
from kgagent.review.items import Filters, ReviewSet, label_of, mentions_of
from kgagent.review.queue import (build_queue, next_unanswered, progress, resume_position, review_order,
                                  status_of)
from kgagent.review.store import (ACTIONS, DB_NAME, MAX_NOTE, Answer, ReviewStore, Standing, check_reviewer,
                                  conflicts, judged_answers)

#: the shipped assets and their media types: the only files the server ever reads
ASSETS = {"index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
          "style.css": "text/css; charset=utf-8"}
TOKEN_COOKIE = "kgagent_review_token"
WRITE_HEADER = ("x-requested-with", "kgagent-review")
#: the largest request body read (an answer is a few hundred bytes; a note at most MAX_NOTE characters)
MAX_BODY = 64 * 1024
#: what the queue's ``kind`` filter can be
KINDS = ("entity", "relation")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (KGA520 when the port is taken or cannot be bound)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(64)
    except OSError as err:
        sock.close()
        if err.errno in (98, 48):  # EADDRINUSE (Linux, macOS)
            raise StorageError(f"port {port} on {host} is in use; give another --port (0 picks a free one)",
                               code="KGA520") from None
        raise StorageError(f"cannot listen on {host}:{port}: {err.strerror or err}", code="KGA520") from None
    sock.set_inheritable(True)
    return sock


def asset(name: str) -> bytes:
    """The bytes of one shipped asset (KeyError for anything not in ``ASSETS``)."""
    if name not in ASSETS:
        raise KeyError(name)
    return (resources.files("kgagent.review") / "static" / name).read_bytes()


@dataclass
class ReviewApp:
    """The state behind the page: the decisions, the store, who may call it."""

    reviews: ReviewSet
    store: ReviewStore
    token: str | None = None
    reviewer: str | None = None
    allowed_hosts: frozenset[str] = frozenset()
    policy: Any = None  # a kgagent.review.policy policy ordering the queue (None: the agent's order)
    #: every decision in review order, computed at the first request (the extraction and the
    #: policy do not change while the page is served; re-sorting 100,000 decisions took 0.4 s)
    _ordered: list[dict[str, Any]] | None = field(default=None, init=False, repr=False)

    # ------------------------------------------------------------------ views
    def config(self) -> dict[str, Any]:
        r = self.reviews
        return {"reviewer": self.reviewer, "read_only": self.store.read_only, "labels": r.labels(),
                "actions": list(ACTIONS), "fingerprint": r.fingerprint, "stamp": r.stamp, "out": r.out.name,
                "decisions": len(r.decisions), "reviewers": self.store.reviewers(),
                "choices": {"verdict": ["review", "reject", "accept"], "kind": ["entity", "relation"],
                            "rule": r.rules(), "doc": r.docs()}}

    def mine(self, reviewer: str) -> dict[str, Answer]:
        """decision -> the reviewer's answer the page counts it by (a skip after a judgement leaves
        the judgement: :attr:`Standing.shown`)."""
        return {d: s.shown for (_, d), s in self.store.standing(reviewer).items()} if reviewer else {}

    def _queue_ids(self, filters: Filters) -> list[str]:
        if self._ordered is None:
            self._ordered = review_order(self.reviews, self.policy)
        return build_queue(self.reviews, filters, ordered=self._ordered)

    def next(self, reviewer: str, filters: Filters, after: str | None) -> dict[str, Any]:
        """After an answer: the next unanswered decision of the queue (None: all answered) and
        the progress, without sending the whole queue again (the page holds its order)."""
        ids = self._queue_ids(filters)
        mine = self.mine(reviewer)
        return {"next": next_unanswered(ids, mine, after), "progress": progress(ids, mine)}

    def queue(self, reviewer: str, filters: Filters, statuses: bool = True) -> dict[str, Any]:
        """The queue's ids in order, where the reviewer resumes and the progress; with ``statuses``
        also each id's status for the reviewer (the page does without: at 100,000 decisions they
        are most of the answer)."""
        ids = self._queue_ids(filters)
        mine = self.mine(reviewer)
        out = {"ids": ids, "position": resume_position(ids, mine), "progress": progress(ids, mine)}
        if statuses:
            out["status"] = {i: status_of(mine.get(i)) for i in ids}
        return out

    def item(self, decision_id: str, reviewer: str) -> dict[str, Any]:
        from kgagent.explain import explain_decision, summary_line

        r = self.reviews
        d = r.get(decision_id)
        mine = self.mine(reviewer)
        highlights = []
        for role, m in mentions_of(d):
            span = r.local_span(d, m.get("span"))
            highlights.append({"role": role, "start": span[0] if span else None, "end": span[1] if span else None,
                               "text": m.get("text"), "type": m.get("type"), "entity": m.get("entity"),
                               "entity_label": m.get("entity_label"), "linked": m.get("linked"),
                               "link_score": m.get("link_score")})
        standing = {r: s for (r, _), s in self.store.standing(decision=decision_id).items()}
        return {"id": d["id"], "kind": d.get("kind"), "doc": d.get("doc"), "sentence": d.get("sentence"),
                "sentence_text": d.get("sentence_text") or "", "label": label_of(d),
                "model_label": d.get("model_label"), "score": d.get("score"), "verdict": d.get("verdict"),
                "reason": d.get("reason"), "rule": d.get("rule"), "summary": summary_line(d),
                "explanation": explain_decision(d), "highlights": highlights,
                "choices": r.labels().get(str(d.get("kind")), []), "scores": d.get("scores") or {},
                "siblings": [{"id": s["id"], "kind": s.get("kind"), "label": label_of(s), "text": _text(s),
                              "verdict": s.get("verdict"), "score": s.get("score"),
                              "status": status_of(mine.get(str(s["id"])))} for s in r.siblings(d)],
                "mine": mine[decision_id].to_dict() if decision_id in mine else None,
                "answers": [_shown_answer(s) for _, s in sorted(standing.items())]}

    def history(self, reviewer: str, limit: int = 20) -> list[dict[str, Any]]:
        standing = {d: s for (_, d), s in self.store.standing(reviewer).items()} if reviewer else {}
        out = []
        for s in sorted(standing.values(), key=lambda s: -s.shown.id)[:limit]:
            d = self.reviews.by_id.get(s.last.decision, {})
            out.append({**_shown_answer(s), "text": _text(d), "kind": d.get("kind"), "label_before": label_of(d),
                        "status": status_of(s.shown)})
        return out

    def conflicts(self) -> list[dict[str, Any]]:
        out = []
        for decision, rows in conflicts(judged_answers(self.store.answers())).items():
            d = self.reviews.by_id.get(decision, {})
            out.append({"decision": decision, "text": _text(d), "kind": d.get("kind"), "label": label_of(d),
                        "verdict": d.get("verdict"), "answers": [a.to_dict() for a in rows]})
        return out

    def _check_fresh(self, body: dict[str, Any] | None = None) -> None:
        """InputError KGA482 when ``decisions.jsonl`` changed since the server read it, or when the
        page that sends ``body`` was opened on another one (its ``stamp``, from /api/config): an
        answer would be stamped with decisions (verdicts, ids) the reviewer did not see."""
        stamp = _string(body or {}, "stamp")
        if stamp and stamp != self.reviews.stamp:
            raise InputError(f"this page was opened on an earlier {self.reviews.out / 'decisions.jsonl'} (the "
                             "extraction was run again and `kgagent review` restarted): this answer was NOT "
                             "saved; reload the page and answer again", code="KGA482")
        if self.reviews.changed_on_disk():
            path = self.reviews.out / "decisions.jsonl"
            raise InputError(f"{path} changed since this page was served (the extraction was run again "
                             "in it): this answer was NOT saved; restart `kgagent review` on it and answer "
                             "again", code="KGA482")

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """Store one answer; KGA472 for a body the page could not have written (a field of the
        wrong type, offsets that are no whole numbers, a note over MAX_NOTE characters...)."""
        reviewer = check_reviewer(_string(body, "reviewer"))
        self._check_fresh(body)
        d = self.reviews.get(_string(body, "decision"))
        action = _string(body, "action")
        label, span = None, None
        if action == "relabel":
            label = _string(body, "label")
            choices = self.reviews.labels().get(str(d.get("kind")), [])
            if label not in choices:
                raise InputError(f"{label!r} is not a {d.get('kind')} label of this extraction "
                                 f"({', '.join(choices)})", code="KGA472")
        if action == "span":
            if d.get("kind") != "entity":
                raise InputError("fix the span on the argument's own entity decision", code="KGA472")
            base = self.reviews.sentence_base(d)
            text = str(d.get("sentence_text") or "")
            start, end = _offset(body, "start"), _offset(body, "end")
            if base is None or not 0 <= start < end <= len(text):
                raise InputError(f"the span must lie inside the sentence (0 <= start < end <= {len(text)}), "
                                 f"not {start}-{end}", code="KGA472")
            span = (base + start, base + end)
        note = _string(body, "note")
        a = self.store.add(str(d["id"]), reviewer, action, verdict=str(d.get("verdict", "")), label=label, span=span,
                           note=note or None)
        shown = self.mine(reviewer).get(a.decision, a)  # (a skip after a judgement: the judgement's status)
        return {"answer": a.to_dict(), "status": status_of(shown)}

    def undo(self, body: dict[str, Any]) -> dict[str, Any]:
        reviewer = check_reviewer(_string(body, "reviewer"))
        self._check_fresh(body)
        last = self.store.last_effective(reviewer)
        if last is None:
            return {"undone": None}
        self.store.add(last.decision, reviewer, "undo", verdict=last.verdict)
        back = self.mine(reviewer).get(last.decision)  # the answer the undone one had changed, if any
        return {"undone": last.decision, "restored": back.to_dict() if back is not None else None}


def _shown_answer(s: Standing) -> dict[str, Any]:
    """A reviewer's answer on a decision as the page shows it: the answer it counts by (a flag
    with its ``note``), with ``stands``: the judgement a later flag left standing, else None."""
    out = s.shown.to_dict()
    out["stands"] = s.judgement.to_dict() if s.judgement is not None and s.judgement is not s.shown else None
    return out


def _shown(value: Any) -> str:
    """A JSON value as an error message shows it (ASCII, at most 40 characters)."""
    text = json.dumps(value) if not isinstance(value, (dict, list)) else ("an object" if isinstance(value, dict)
                                                                           else "a list")
    return text if len(text) <= 40 else text[:37] + "..."


def _string(body: dict[str, Any], key: str) -> str:
    """The text field ``key`` of an answer's body ("" when absent or null); KGA472 when it is
    not a string or not valid Unicode (a lone surrogate such as ``"\\ud800"``, which no page sends)."""
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"{key} must be a string, not {_shown(value)}", code="KGA472")
    if not is_text(value):
        raise InputError(f"{key} is not valid Unicode text (it holds a lone surrogate): {_shown(value)}",
                         code="KGA472")
    return value


def _offset(body: dict[str, Any], key: str) -> int:
    """A span offset of an answer's body: a whole number (never a boolean or a fraction)."""
    if key not in body:
        raise InputError("span needs integer start and end (offsets in the sentence)", code="KGA472")
    value = body[key]
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{key} must be a whole number (a character offset in the sentence), not {_shown(value)}",
                         code="KGA472")
    return value


async def read_body(request: Any, limit: int = MAX_BODY) -> bytes | None:
    """The request's body, or None when it is over ``limit`` bytes (said by its Content-Length,
    or found while reading a chunked one: never more than ``limit`` bytes are held)."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(state: ReviewApp) -> Any:
    """The Starlette application serving ``state``."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    def error(status: int, message: str) -> Response:
        return JSONResponse({"error": message}, status_code=status)

    def allowed(request: Request) -> Response | None:
        if state.token is not None:
            given = (request.headers.get("x-review-token") or request.cookies.get(TOKEN_COOKIE)
                     or request.query_params.get("token") or "")
            if not hmac.compare_digest(given.encode(), state.token.encode()):
                return error(403, "KGA473 this review server needs its access token (?token=...)")
        elif request.headers.get("host", "") not in state.allowed_hosts:
            return error(403, "KGA473 unexpected Host header: open the address `kgagent review` printed")
        if request.method == "POST":
            if request.headers.get(WRITE_HEADER[0]) != WRITE_HEADER[1] or \
                    not request.headers.get("content-type", "").startswith("application/json"):
                return error(403, "KGA473 writes need JSON and the X-Requested-With header")
        return None

    def handler(fn: Any, write: bool = False) -> Any:
        async def endpoint(request: Request) -> Response:
            refused = allowed(request)
            if refused is not None:
                return refused
            try:
                if write:
                    raw = await read_body(request)
                    if raw is None:
                        return error(413, f"KGA472 the body is over {MAX_BODY // 1024} KiB: an answer is a few "
                                          f"hundred bytes (a note at most {MAX_NOTE} characters)")
                    try:
                        body = json.loads(raw)
                    except RecursionError:
                        return error(400, "KGA472 the body is nested too deeply to be a JSON answer")
                    except ValueError:
                        return error(400, "KGA472 the body must be a JSON object")
                    if not isinstance(body, dict):
                        return error(400, "KGA472 the body must be a JSON object")
                    result = fn(request, body)
                else:
                    result = fn(request)
            except KGAError as err:
                status = 403 if err.code == "KGA523" else 400
                return error(status, str(err))
            if isinstance(result, Response):
                return result
            return JSONResponse(result, headers={"cache-control": "no-store"})
        return endpoint

    def filters(request: Request) -> Filters:
        q = request.query_params

        problems: list[str] = []

        def num(key: str) -> float | None:
            if q.get(key) in (None, ""):
                return None
            try:
                value = float(q[key])
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                problems.append(f"{key} must be a finite number, not {q[key]!r}")
                return None
            return value

        def one_of(key: str, allowed: tuple[str, ...]) -> str | None:
            value = q.get(key) or None
            if value is not None and value not in allowed:
                problems.append(f"{key} must be one of {', '.join(allowed)}, not {value!r}")
            return value

        f = Filters(verdict=one_of("verdict", VERDICTS), kind=one_of("kind", KINDS), label=q.get("label") or None,
                    rule=q.get("rule") or None, doc=q.get("doc") or None, min_score=num("min"),
                    max_score=num("max"))
        if problems:
            raise InputError("; ".join(problems), code="KGA472")
        return f

    def page(request: Request) -> Response:
        response = Response(asset("index.html"), media_type=ASSETS["index.html"],
                            headers={"cache-control": "no-store", "content-security-policy":
                                     "default-src 'self'; style-src 'self'; script-src 'self'; "
                                     "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'"})
        if state.token is not None and request.query_params.get("token"):
            response.set_cookie(TOKEN_COOKIE, state.token, httponly=True, samesite="strict")
        return response

    def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return error(404, "no such asset")
        return Response(asset(name), media_type=ASSETS[name], headers={"cache-control": "no-store"})

    def flag(request: Request, name: str, default: bool = True) -> bool:
        value = request.query_params.get(name)
        if value is None or value == "":
            return default
        if value not in ("0", "1", "true", "false"):
            raise InputError(f"{name} must be 0, 1, true or false, not {value!r}", code="KGA472")
        return value in ("1", "true")

    def reviewer(request: Request) -> str:
        return request.query_params.get("reviewer") or state.reviewer or ""

    routes = [
        Route("/", handler(page)),
        Route("/favicon.ico", lambda rq: Response(status_code=204)),
        Route("/static/{name}", handler(static)),
        Route("/api/config", handler(lambda rq: state.config())),
        Route("/api/queue", handler(lambda rq: state.queue(reviewer(rq), filters(rq), flag(rq, "statuses")))),
        Route("/api/next", handler(lambda rq: state.next(reviewer(rq), filters(rq), rq.query_params.get("after")))),
        Route("/api/item", handler(lambda rq: state.item(rq.query_params.get("id", ""), reviewer(rq)))),
        Route("/api/history", handler(lambda rq: state.history(reviewer(rq)))),
        Route("/api/conflicts", handler(lambda rq: state.conflicts())),
        Route("/api/answer", handler(lambda rq, body: state.answer(body), write=True), methods=["POST"]),
        Route("/api/undo", handler(lambda rq, body: state.undo(body), write=True), methods=["POST"]),
    ]
    return Starlette(routes=routes)


def _text(d: dict[str, Any]) -> str:
    if d.get("kind") == "relation":
        return f"{(d.get('head') or {}).get('text', '?')} → {(d.get('tail') or {}).get('text', '?')}"
    return str(d.get("text") or "")


def open_review(out: str | Path, *, db: str | Path | None = None, read_only: bool = False,
                lock: bool = True) -> tuple[ReviewSet, ReviewStore]:
    """The decisions of ``out`` and its answers database (created unless ``read_only``)."""
    reviews = ReviewSet.load(out)
    path = Path(db) if db is not None else reviews.out / DB_NAME
    store = ReviewStore(path, reviews.fingerprint, parts=reviews.fingerprint_parts, read_only=read_only,
                        lock=lock)
    return reviews, store


def serve(out: str | Path, *, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
          reviewer: str | None = None, db: str | Path | None = None, read_only: bool = False,
          on_ready: Any = None, policy: Any = None) -> None:
    """Serve the review page until interrupted. ``on_ready(url)`` is called once listening;
    ``policy`` (kgagent.review.policy) orders the queue instead of the agent's own order.

    A host other than loopback needs a ``token`` (KGA473); a taken port is KGA520; a second
    server on one database KGA521 (``read_only=True`` serves a second reader instead).
    """
    import uvicorn

    if not is_loopback(host) and not token:
        raise InputError(f"serving on {host} (not this machine only) needs --token", code="KGA473")
    reviews = ReviewSet.load(out)  # before binding: a wrong OUT fails without touching the port
    sock = bind_socket(host, port)
    try:
        path = Path(db) if db is not None else reviews.out / DB_NAME
        store = ReviewStore(path, reviews.fingerprint, parts=reviews.fingerprint_parts, read_only=read_only,
                            lock=not read_only)
    except BaseException:
        sock.close()
        raise
    try:
        real_port = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        hosts = {f"{h}:{real_port}" for h in (shown, "127.0.0.1", "localhost", "[::1]")} if token is None else set()
        state = ReviewApp(reviews, store, token=token, reviewer=reviewer, allowed_hosts=frozenset(hosts),
                          policy=policy)
        server = uvicorn.Server(uvicorn.Config(create_app(state), log_level="warning", access_log=False,
                                               lifespan="off"))
        if on_ready is not None:
            on_ready(f"http://{shown}:{real_port}/" + (f"?token={token}" if token else ""))
        server.run(sockets=[sock])
    finally:
        store.close()
        sock.close()
