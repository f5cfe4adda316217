"""Regression: `Agent.facts` took a NUL character in a name, and `Agent.facts()` answered with the
whole graph.

A lone surrogate in head, predicate, tail, head_type or tail_type was KGA419, but a NUL character
(U+0000) was not: `agent.facts("Bos\\x00ton")` linked the name to Boston and answered its facts, and
a NUL in a type was KGA416 ("the ontology has no class"), as if it were a misspelling. A corpus or a
claim holding a NUL is refused (KGA402, KGA404, KGA410, KGA411); now a name is too, KGA419, saying
where the character is.

`kgagent facts` with no --head, --tail or --predicate is KGA417, but the library answered
`agent.facts()` (or a type alone, which filters nothing) with every fact of the graph: on a large
graph, an accident that returns everything. Now it is KGA417 as in the CLI, naming
`agent.kg.facts()` for one who means to read the whole graph.
"""

from __future__ import annotations

import pytest

from kgagent.errors import InputError


@pytest.mark.parametrize("args, kw, what, at", [
    (("Bos\x00ton",), {}, "head", 3),
    (("\x00",), {}, "head", 0),
    ((None, "located_in", "Massa\x00chusetts"), {}, "tail", 5),
    (("Boston", "located_in\x00"), {}, "predicate", 10),
    (("Boston",), {"head_type": "city\x00"}, "head_type", 4),
    ((None, "located_in", "Massachusetts"), {"tail_type": "\x00region"}, "tail_type", 0),
])
def test_a_nul_character_in_a_name_is_kga419(agent, args, kw, what: str, at: int) -> None:
    with pytest.raises(InputError) as err:
        agent.facts(*args, **kw)
    assert err.value.code == "KGA419", err.value.message
    assert err.value.message.startswith(f"{what} must be a non-empty string or None (any), not "), err.value.message
    assert err.value.message.endswith(f"it holds a NUL character (U+0000) at character {at}"), err.value.message


def test_a_lone_surrogate_is_still_told_as_one(agent) -> None:
    with pytest.raises(InputError) as err:
        agent.facts("Bo\ud800\x00")
    assert err.value.code == "KGA419" and err.value.message.endswith("it holds a lone surrogate")


@pytest.mark.parametrize("kw", [{}, {"head_type": "city"}, {"tail_type": "country", "head_type": "city"}])
def test_a_question_that_names_nothing_is_kga417(agent, kw) -> None:
    assert len(agent.kg.facts()) == 4  # what facts() answered: the whole graph
    with pytest.raises(InputError) as err:
        agent.facts(**kw)
    assert err.value.code == "KGA417" and err.value.message.startswith("ask about something: head, tail and/or "
                                                                        "predicate"), err.value.message
    assert "agent.kg.facts()" in err.value.message


def test_one_name_or_a_predicate_alone_is_a_question(agent) -> None:
    assert sorted(f.object_label for f in agent.facts("Boston").facts) == ["Massachusetts", "United States"]
    assert len(agent.facts(None, "located_in").facts) == len(
        [f for f in agent.kg.facts() if f.predicate == "located_in"]) > 0
    assert [f.subject_label for f in agent.facts(tail="Massachusetts").facts] == ["Boston"]
