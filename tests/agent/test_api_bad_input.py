"""Bad input to the library API, found by fuzzing it as a QA system embeds it: each used to end
in a bare TypeError / AttributeError / UnicodeEncodeError from deep inside (``extract(None)``,
a Document whose text is None or holds a lone surrogate, ``facts(5)``, ``kg.query(None)``,
``commit(None)``, ``Agent.load(kg=5)``, a claim's score of 10**400), or was silently turned into
data (``extract({"text": ...})`` read the dict's keys as texts, ``extract_to("corpus.txt", out)``
and ``add_graphs("out/")`` read each character as a path, "/" included, a Document id "" or 3,
two Documents of one id and other texts, ``min_relation_score=nan`` or 2, an unknown head_type,
``facts("")`` answered with every fact of the graph). Now each is a kgagent error naming what is
wrong."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kgagent import Agent, Document
from kgagent.errors import EncoderError, GraphError, InputError
from support.agent_fakes import FakeEncoder, build_tiny_graph, make_agent


@pytest.mark.parametrize("data, words", [
    (None, "extract() takes a string, a Document or an iterable of them, not None"),
    (5, "not an int"),
    (b"Boston is in Texas.", "not bytes: decode it to a string first"),
    ({"id": "a", "text": "Boston is in Texas."}, "not a dict"),
    (Path("corpus.txt"), "read a corpus file with kgagent.corpus.read_corpus"),
    ([b"Boston"], "got bytes (item 1): decode it"),
    (Document("", "Boston is in Texas."), "a Document's id must be a non-empty string; '' is empty"),
    (Document(3, "Boston is in Texas."), "3 is an int"),  # type: ignore[arg-type]
    (Document("a", None), "document 'a': its text must be a string, not None"),  # type: ignore[arg-type]
    (Document("a", "Boston \ud800 is in Texas."), "lone surrogate (\\ud800) at character 7"),
    ("Boston \ud800 is in Texas.", "document 'doc-1': its text holds a lone surrogate"),
])
def test_what_is_no_document_is_kga410(agent, data, words: str) -> None:
    with pytest.raises(InputError) as err:
        agent.extract(data, update_graph=False)
    assert err.value.code == "KGA410" and words in err.value.message, err.value.message


def test_one_id_for_two_texts_is_kga406_and_the_same_document_twice_is_not(agent) -> None:
    with pytest.raises(InputError) as err:
        agent.extract([Document("a", "Boston is in Texas."), Document("a", "Texas.")], update_graph=False)
    assert err.value.code == "KGA406" and "'a'" in err.value.message
    doc = Document("a", "Boston is in Texas.")
    assert [r.doc for r in agent.extract([doc, doc], update_graph=False)] == ["a", "a"]


def test_extract_checks_every_document_before_it_changes_the_graph(agent) -> None:
    before = len(agent.kg.dataset)
    for bad in ([Document("x", "Richard Parsons works for Time Warner."), Document("x", "Other text.")],
                ["Richard Parsons works for Time Warner.", None]):
        with pytest.raises(InputError):
            agent.extract(bad, update_graph=True)
        assert len(agent.kg.dataset) == before  # the first document was not committed


def test_iter_extract_streams_what_it_is_given(agent) -> None:
    # read as asked for: an endless stream works, and ids are not remembered (memory stays flat)
    import itertools

    stream = (Document("same", f"Boston is in Texas. {i}") for i in itertools.count())
    assert [r.doc for r in itertools.islice(agent.iter_extract(stream), 3)] == ["same"] * 3


def test_iter_extract_and_process_take_what_extract_takes(agent) -> None:
    assert [r.doc for r in agent.iter_extract("Boston is in Texas.")] == ["doc-1"]
    assert agent.process("Boston is in Texas.").doc == "doc-1"
    with pytest.raises(InputError, match="KGA410 process.. takes one Document"):
        agent.process(None)
    with pytest.raises(InputError, match="KGA419 commit.. takes a DocumentResult"):
        agent.commit(None)


@pytest.mark.parametrize("claims, words", [
    (None, "validate() takes an iterable of claims, not None"),
    ("Boston located_in Texas", "not a str"),
    (("Boston", "located_in", "Texas"), "not a tuple (one claim: wrap it in a list)"),
    ({"head": "Boston", "predicate": "located_in", "tail": "Texas"}, "not a dict (one claim"),
    ([("Boston", "located_in", "Texas", 10 ** 400)], "not a number too large for a float"),
    ([{"head": "Boston", "predicate": "located_in", "tail": "Texas", "head_type": "spaceship"}],
     "head_type 'spaceship' is no class of the ontology"),
])
def test_what_is_no_claim_is_kga411(agent, claims, words: str) -> None:
    with pytest.raises(InputError) as err:
        agent.validate(claims)
    assert err.value.code == "KGA411" and words in err.value.message, err.value.message


def test_a_numpy_score_is_a_number(agent) -> None:
    (claim,) = agent.validate([("Boston", "located_in", "Massachusetts", np.float32(0.5))])
    assert claim.score == 0.5


@pytest.mark.parametrize("args, kw, code, words", [
    ((5,), {}, "KGA419", "head must be a non-empty string or None (any), not 5: it is an int"),
    ((b"Boston",), {}, "KGA419", "it is bytes"),
    (("",), {}, "KGA419", "head must be a non-empty string or None (any), not '': it is empty"),
    (("Boston", ""), {}, "KGA419", "predicate must be"),
    (("Bo\ud800",), {}, "KGA419", "it holds a lone surrogate"),
    (("Boston", "located_in"), {"head_type": 3}, "KGA419", "head_type must be"),
    (("Boston", "located_in"), {"head_type": "spaceship"}, "KGA416", "the ontology has no class 'spaceship'"),
])
def test_facts_refuses_names_that_are_no_names(agent, args, kw, code: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        agent.facts(*args, **kw)
    assert err.value.code == code and words in err.value.message, err.value.message


@pytest.mark.parametrize("query, words", [(None, "not NoneType"), (5, "not int"), (b"ASK {}", "decode it")])
def test_a_query_that_is_no_string_is_kga206(tiny_kg, query, words: str) -> None:
    with pytest.raises(GraphError) as err:
        tiny_kg.query(query)
    assert err.value.code == "KGA206" and "the query must be a string" in err.value.message and words in str(err.value)


def test_one_path_alone_is_one_path_not_its_characters(agent, tmp_path: Path) -> None:
    (tmp_path / "corpus.txt").write_text("Richard Parsons works for Time Warner.\n")
    summary = agent.extract_to(str(tmp_path / "corpus.txt"), tmp_path / "out")
    assert summary.documents == 1
    report = agent.add_graphs(str(tmp_path / "out"))
    assert report.added > 0 and report.new_entities


@pytest.mark.parametrize("call, code, words", [
    (lambda a, t: a.add_graphs(None), "KGA419", "add_graphs() takes graph files or output directories (paths), not None"),
    (lambda a, t: a.add_graphs([5]), "KGA419", "got an int (item 1)"),
    (lambda a, t: a.reload_rules(5), "KGA419", "rules must be a rules directory (a str or Path), not int"),
    (lambda a, t: a.extract_to(None, t / "o"), "KGA410", "extract_to() takes Documents or corpus paths, not NoneType"),
    (lambda a, t: a.extract_to([Document("a", "Boston."), t / "c.txt"], t / "o"), "KGA410",
     "item 2 is of type PosixPath, among Documents"),
    (lambda a, t: a.extract_to([Document("a", "Boston.")], None), "KGA419", "the output directory must be a path"),
    (lambda a, t: a.extract_to([Document("a", "Boston \ud800.")], t / "o"), "KGA410", "lone surrogate"),
])
def test_paths_that_are_no_paths(agent, tmp_path: Path, call, code: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        call(agent, tmp_path)
    assert err.value.code == code and words in err.value.message, err.value.message


@pytest.mark.parametrize("kw, error, code, words", [
    ({"batch_size": 0}, EncoderError, "KGA308", "batch_size must be a whole number of at least 1, not 0"),
    ({"batch_size": "8"}, EncoderError, "KGA308", "not '8'"),
    ({"min_relation_score": math.nan}, InputError, "KGA419", "min_relation_score must be a number in [0, 1] or None, not nan"),
    ({"min_relation_score": 2}, InputError, "KGA419", "not 2"),
    ({"near_miss_floor": -1}, InputError, "KGA419", "near_miss_floor must be"),
    ({"kg": 5}, InputError, "KGA419", "kg must be a path (str or Path) or an object with add_ontology, not an int"),
    ({"rules": 5}, InputError, "KGA419", "rules must be a path (str or Path) or an object with clauses"),
    ({"model": 5}, InputError, "KGA419", "model must be a path (str or Path) or an object with propose"),
    ({"linker": 5}, InputError, "KGA419", "linker must be an object with link, not an int"),
])
def test_agent_load_refuses_settings_and_parts_of_the_wrong_kind(kw, error, code: str, words: str) -> None:
    args = {"model": FakeEncoder(), "kg": build_tiny_graph(), **kw}
    with pytest.raises(error) as err:
        Agent.load(**args)
    assert err.value.code == code and words in err.value.message, err.value.message


def test_good_settings_still_load() -> None:
    agent = make_agent(build_tiny_graph(), batch_size=1, min_relation_score=0, near_miss_floor=1.0)
    assert agent.extract("Boston is in Texas.", update_graph=False)[0].decisions


def test_a_bad_claim_in_a_list_is_named_by_its_place(agent) -> None:
    """Before: 'KGA411 a claim is (head, predicate, tail[, score]) or a dict, got ('a', 'b')', with
    nothing to find it by in a list of thousands."""
    ok = ("Boston", "located_in", "Texas")
    with pytest.raises(InputError) as err:
        agent.validate([ok, ok, ("a", "b")])
    assert str(err.value) == "KGA411 claim 3: a claim is (head, predicate, tail[, score]) or a dict, got ('a', 'b')"
    with pytest.raises(InputError, match="^KGA411 claim 2: head_type 'spaceship' is no class"):
        agent.validate(iter([ok, {"head": "Boston", "predicate": "located_in", "tail": "Texas",
                                  "head_type": "spaceship"}]))
