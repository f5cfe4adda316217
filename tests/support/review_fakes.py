"""The review tests' helpers: the fixture extraction's decision ids, a JSON client, a server in a thread."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "review" / "extract"

# decisions of the fixture (two documents of the fake encoder's names, extracted with the rules)
SMITH = "d:574750e9e17e378b"  # entity person 'Smith', review, 0.3
ACME = "d:b33bb6393b2d7705"  # entity organization 'Acme', reject, 0.1 (score only)
PARSONS = "d:56dcc0d210342781"  # entity person 'Richard Parsons', accept
WORK_FOR = "d:83b66607ed672d63"  # relation work_for(Richard Parsons, Time Warner), accept
KLUGT_PHILIPS = "d:3105e4d50fcf6a76"  # relation work_for(Cor van der Klugt, Philips), review, 0.4
BOSTON_TEXAS = "d:cd1d00f608a2bb3a"  # relation located_in(Boston, Texas), review, 0.8
PHILIPS_NY = "d:c2a75f3c033d0a39"  # relation orgbased_in(Philips, New York), accept


class Client:
    """A tiny JSON client for a running review server."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def request(self, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
                raw: bool = False) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        h = {"content-type": "application/json", "x-requested-with": "kgagent-review"} if body is not None else {}
        h.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data, headers=h, method="POST" if body is not None else "GET")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                payload = resp.read()
                return resp.status, payload if raw else json.loads(payload)
        except urllib.error.HTTPError as err:
            payload = err.read()
            return err.code, payload if raw else json.loads(payload or b"{}")

    def get(self, path: str, **kw: Any) -> Any:
        status, data = self.request(path, **kw)
        assert status == 200, data
        return data

    def post(self, path: str, body: dict[str, Any]) -> Any:
        status, data = self.request(path, body)
        assert status == 200, data
        return data


def start_server(out: Path, *, token: str | None = None, read_only: bool = False, lock: bool = True,
                 reviewer: str | None = None) -> tuple[Any, threading.Thread, str, Any]:
    """A uvicorn server over ``out`` in a thread: (server, thread, base url, ReviewApp)."""
    import uvicorn

    from kgagent.review.server import ReviewApp, bind_socket, create_app, open_review

    reviews, store = open_review(out, read_only=read_only, lock=lock)
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    state = ReviewApp(reviews, store, token=token, reviewer=reviewer,
                      allowed_hosts=frozenset({f"127.0.0.1:{port}", f"localhost:{port}"}))
    server = uvicorn.Server(uvicorn.Config(create_app(state), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started and time.time() < deadline:
        time.sleep(0.02)
    assert server.started, "the review server did not start"
    return server, thread, f"http://127.0.0.1:{port}", state


@contextlib.contextmanager
def serving(out: Path, **options: Any) -> Iterator[tuple[Client, Any]]:
    """A review server over ``out`` (:func:`start_server`'s options) for the block: (client, its
    ReviewApp state); stopped and its store closed after."""
    server, thread, base, state = start_server(out, **options)
    try:
        yield Client(base), state
    finally:
        server.should_exit = True
        thread.join(10)
        state.store.close()


def answer(out: Path, rows: list[tuple[str, ...]]) -> None:
    """Store reviewers' answers ``(decision, reviewer, action[, note])`` in OUT's review database."""
    from kgagent.review.items import ReviewSet
    from kgagent.review.store import DB_NAME, ReviewStore

    rs = ReviewSet.load(out)
    with ReviewStore(out / DB_NAME, rs.fingerprint, parts=rs.fingerprint_parts) as store:
        for decision, reviewer, action, *note in rows:
            store.add(decision, reviewer, action, verdict=rs.get(decision)["verdict"], note=note[0] if note else None)


def export_lines(out: Path) -> list[str]:
    """What ``kgagent feedback export-reviews OUT`` prints, a line each, spaces squeezed."""
    from typer.testing import CliRunner

    from kgagent_cli.main import app

    res = CliRunner().invoke(app, ["feedback", "export-reviews", str(out)])
    assert res.exit_code == 0, res.output
    return [" ".join(line.split()) for line in res.output.splitlines() if line.strip()]


def open_page(browser: Any, url: str) -> Any:
    """A new page of the review page at ``url``, once its first item is shown."""
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(url)
    page.wait_for_selector("#meta .what")
    return page


def moved_on(page: Any, shown: str) -> None:
    """Wait until the page shows another item than the decision ``shown``."""
    page.wait_for_function(f"document.querySelector('#card').dataset.id !== {shown!r}", timeout=10_000)
