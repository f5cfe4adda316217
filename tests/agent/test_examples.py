"""examples/: the QA loop runs (with a fake-encoder agent here; the shipped one in the slow test)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from support.agent_fakes import REPO

sys.path.insert(0, str(REPO / "examples"))


def test_qa_loop_checks_answers(agent) -> None:
    import qa_validate

    out = io.StringIO()
    answers = {a["question"]: a for a in qa_validate.main(agent, out=out)}
    # the tiny graph knows Boston and Massachusetts; the stand-in LLM's other answers it cannot confirm
    assert answers["Which state is Boston in?"]["verdict"] == "accept"
    assert answers["Which state is Boston in?"]["answer"] == "Boston located_in Massachusetts"
    assert all(a["verdict"] != "accept" and a["answer"] is None for q, a in answers.items() if "Boston" not in q)
    assert "withheld" in out.getvalue() and "Q: Which state is Boston in?" in out.getvalue()
    # a claim the graph does not confirm: what it holds instead (the tiny graph knows no Houston)
    assert answers["Which state is Houston in?"]["graph_holds"] == []
    assert answers["Which state is Boston in?"]["graph_holds"] == []  # accepted: nothing to add


@pytest.mark.slow
def test_qa_example_script_with_the_shipped_graph() -> None:
    r = subprocess.run([sys.executable, str(REPO / "examples" / "qa_validate.py")], capture_output=True, text=True,
                       cwd=REPO, timeout=300)
    assert r.returncode == 0, r.stderr
    verdicts = [line.split("kgagent: ")[1].split()[0] for line in r.stdout.splitlines() if "kgagent: " in line]
    assert verdicts == ["ACCEPT", "REVIEW", "REJECT", "REJECT", "REVIEW"]
    instead = [line.split("instead: ")[1] for line in r.stdout.splitlines() if "instead: " in line]
    assert instead == ["Houston located_in Texas; Houston located_in United States", "Paris located_in France",
                       "France capital Paris"]
