"""kgagent inside a tiny question-answering loop: check an "LLM" answer before showing it.

The "LLM" here is a stand-in (a dictionary of answers, some right and some wrong, as a real
model's would be); each answer comes as a claim (head, predicate, tail). The agent links the
strings to the knowledge graph and runs the rules: the graph confirms the claim (accept),
contradicts it (reject) or can say neither (review). Only accepted answers are shown as facts;
for the others the agent says what the graph holds instead (``agent.facts``: the same head and
relation, or the claim the other way round), with where each fact came from.

Run:  python examples/qa_validate.py          (shipped graph and rules; no extraction model needed)
"""

from __future__ import annotations

import sys
from typing import Any

#: question -> the stand-in LLM's answer, as a claim
LLM_ANSWERS: dict[str, tuple[str, str, str]] = {
    "Which state is Boston in?": ("Boston", "located_in", "Massachusetts"),
    "Which state is Houston in?": ("Houston", "located_in", "Ohio"),  # wrong: Houston is in Texas
    "Where is France?": ("France", "located_in", "Paris"),  # wrong way round
    "What is the capital of France?": ("Paris", "capital", "France"),  # wrong way round: Paris is a city
    "Who employs Cor van der Klugt?": ("Cor van der Klugt", "work_for", "Philips"),  # graph cannot tell
}


def ask(question: str, agent: Any) -> dict[str, Any]:
    """Get the stand-in LLM's answer and let the agent check it; returns what to show."""
    claim = LLM_ANSWERS[question]
    (result,) = agent.validate([claim])
    shown = f"{claim[0]} {claim[1]} {claim[2]}"
    held = []
    if result.verdict != "accept":  # what the graph holds instead: the same head and relation, or the other way round
        head, predicate, tail = claim
        facts = agent.facts(head, predicate).facts or agent.facts(tail, predicate, head).facts
        held = [f"{f.subject_label} {f.predicate} {f.object_label}" for f in facts]
    return {"question": question, "claim": claim, "verdict": result.verdict, "reason": result.reason,
            "answer": shown if result.verdict == "accept" else None, "explanation": result.explain(),
            "graph_holds": held}


def main(agent: Any = None, out=sys.stdout) -> list[dict[str, Any]]:
    """Ask every question; print each answer with its verdict and the first lines of its proof."""
    if agent is None:
        from kgagent import Agent

        agent = Agent.load()
    answers = []
    for q in LLM_ANSWERS:
        a = ask(q, agent)
        answers.append(a)
        print(f"Q: {q}", file=out)
        print(f"   LLM says: {' '.join(a['claim'])}", file=out)
        print(f"   kgagent: {a['verdict'].upper()}" + (f" ({a['reason']})" if a["reason"] else ""), file=out)
        print("   " + a["explanation"].splitlines()[2], file=out)
        print(f"   shown to the user: {a['answer'] or '(withheld: not confirmed)'}", file=out)
        if a["graph_holds"]:
            print(f"   the graph holds instead: {'; '.join(a['graph_holds'])}", file=out)
    return answers


if __name__ == "__main__":
    main()
