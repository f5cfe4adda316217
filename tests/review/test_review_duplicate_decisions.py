"""Regression: one decision id on two lines of decisions.jsonl (a hand-merged or edited file).

The review set kept the first line silently for the item and both in the queue: the same
candidate came twice, progress counted it twice ("reviewed 1 of 19" for 18 candidates), and
where the two lines differed the page showed one verdict while nothing said another existed.
An identical copy is now read once; a clash is KGA470 naming both lines.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgagent.errors import InputError
from kgagent.review.items import Filters, ReviewSet
from kgagent.review.queue import build_queue, review_order


def _append(out: Path, line: str) -> None:
    with open(out / "decisions.jsonl", "a", encoding="utf-8") as fh:
        fh.write(line if line.endswith("\n") else line + "\n")


def test_an_identical_copy_is_one_item(out: Path) -> None:
    lines = (out / "decisions.jsonl").read_text(encoding="utf-8").splitlines()
    _append(out, lines[0])
    rs = ReviewSet.load(out)
    ids = build_queue(rs, Filters(), ordered=review_order(rs, None))
    assert len(rs.decisions) == len(lines) and len(ids) == len(set(ids)) == len(lines)


def test_a_clash_names_both_lines(out: Path) -> None:
    lines = (out / "decisions.jsonl").read_text(encoding="utf-8").splitlines()
    d = json.loads(lines[2])
    d["verdict"] = "reject" if d["verdict"] != "reject" else "accept"
    _append(out, json.dumps(d))
    with pytest.raises(InputError) as err:
        ReviewSet.load(out)
    assert err.value.code == "KGA470"
    assert f"decisions.jsonl:{len(lines) + 1}: decision {d['id']} is also on line 3 with other content" in str(err.value)
