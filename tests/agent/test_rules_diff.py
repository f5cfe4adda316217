"""`kgagent rules diff BEFORE AFTER`: what an edit of the rules changed, candidate by candidate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.decision_diff import diff_decisions
from kgagent.errors import InputError
from kgagent_cli.main import app
from support.agent_fakes import RULES

CORPUS = ("Richard Parsons works for Time Warner. He was seen in Boston.\n\n"
          "Richard Parsons, the Time Warner chief from Boston, said so. Boston lies in Massachusetts.\n\n"
          "Massachusetts is not in Boston. Smith met Acme.\n")


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def _decisions(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "decisions.jsonl").read_text().splitlines()]


def test_a_stricter_threshold_shows_as_the_relations_it_holds_back(fake_cli, graph_dir, tmp_path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(CORPUS)
    before, after = tmp_path / "before", tmp_path / "after"
    assert run("extract", corpus, "--out", before, "--graph", graph_dir, "-q").exit_code == 0
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    f = rules / "thresholds.rules"
    text = f.read_text()
    assert "threshold(relation_accept_over_model, 0.0)." in text
    f.write_text(text.replace("threshold(relation_accept_over_model, 0.0).",
                              "threshold(relation_accept_over_model, 0.45)."))
    assert run("extract", corpus, "--out", after, "--graph", graph_dir, "--rules", rules, "-q").exit_code == 0

    diff = diff_decisions(before, after)
    old = {d["id"]: d for d in _decisions(before)}
    new = {d["id"]: d for d in _decisions(after)}
    assert old.keys() == new.keys() and diff.n_before == diff.n_after == len(old)
    # exactly the candidates whose verdict, label, link or reason differ, each once
    expected = {i for i in old if (old[i]["verdict"], old[i]["reason"], old[i].get("type"), old[i].get("entity"))
                != (new[i]["verdict"], new[i]["reason"], new[i].get("type"), new[i].get("entity"))}
    assert expected and {c.after.id for c in diff.changes} == expected
    assert diff.unchanged == len(old) - len(expected)
    moved = [c for c in diff.changes if "verdict" in c.aspects]
    assert moved and all(c.kind == "relation" and c.before.verdict == "accept" for c in moved)
    assert all(c.after.verdict in ("review", "reject") for c in moved)
    assert sum(diff.transitions.values()) == len(diff.changes)

    r = run("rules", "diff", before, after, "--limit", 1)
    assert r.exit_code == 0, r.output
    first = next(c for c in diff.changes)
    assert f"changed {len(diff.changes)} candidates" in r.output
    assert diff.differs_in == ["rules"] and "the runs were made with other rules" in r.output
    assert first.text in r.output and f"[{first.before.rule}]" in r.output and f"[{first.after.rule}]" in r.output
    if len(diff.changes) > 1:
        assert f"... {len(diff.changes) - 1} more" in r.output
    assert run("rules", "diff", before, after, "--exit-code").exit_code == 1
    data = json.loads(run("rules", "diff", before, after, "--json", "--kind", "relation").output)
    assert data["counts"]["verdict"] == len(moved) and all(c["kind"] == "relation" for c in data["changes"])
    assert data["decisions_before"] == sum(1 for d in old.values() if d["kind"] == "relation")
    entities = diff_decisions(before, after, kind="entity")
    assert entities.n_before == len(old) - data["decisions_before"]
    assert not any("verdict" in c.aspects for c in entities.changes)
    same = run("rules", "diff", before, before, "--exit-code")
    assert same.exit_code == 0 and "changed 0 candidates" in same.output
    assert "made with the same rules, model, graph and domain" in same.output


def _entity(did: str, doc: str, span: list[int], label: str, verdict: str = "accept", *, rule: str = "a.rules:1",
            reason: str = "", entity: str | None = None) -> dict:
    return {"id": did, "doc": doc, "sentence": 0, "kind": "entity", "type": label, "text": "Boston", "span": span,
            "entity": entity, "verdict": verdict, "rule": rule, "reason": reason, "score": 0.9}


def _relation(did: str, doc: str, pred: str, verdict: str, *, repair_from: str | None = None) -> dict:
    rec = {"id": did, "doc": doc, "sentence": 0, "kind": "relation", "predicate": pred,
           "head": {"text": "Ann", "span": [0, 3]}, "tail": {"text": "Boston", "span": [10, 16]},
           "verdict": verdict, "rule": "r.rules:2", "reason": "", "score": 0.8}
    if repair_from:
        rec["repair"] = {"kind": "relabel", "from": repair_from, "to": pred}
    return rec


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_pairs_by_place_when_the_encoder_labelled_a_span_otherwise(tmp_path) -> None:
    before = _write(tmp_path / "a.jsonl", [
        _entity("d:1", "doc#1", [0, 6], "location", entity="https://example.org/geo/boston"),
        _entity("d:2", "doc#1", [20, 24], "person", rule="x/a.rules:3"),
        _entity("d:3", "doc#1", [30, 34], "person"),
        _relation("d:4", "doc#1", "live_in", "accept"),
        _entity("d:5", "doc#2", [0, 4], "person"),
    ])
    after = _write(tmp_path / "b.jsonl", [
        _entity("d:1b", "doc#1", [0, 6], "organization", verdict="review", reason="unsure"),  # a new model's label
        _entity("d:2", "doc#1", [20, 24], "person", rule="x/a.rules:5"),  # the same, its rule's id moved
        _relation("d:4", "doc#1", "work_for", "repair", repair_from="live_in"),
        _entity("d:6", "doc#3", [0, 4], "person"),
    ])
    diff = diff_decisions(before, after)
    assert diff.differs_in is None  # no run.json beside these files
    by_text = {(c.before.id if c.before else None, c.after.id if c.after else None): c for c in diff.changes}
    assert set(by_text) == {("d:1", "d:1b"), ("d:4", "d:4"), (None, "d:6"), ("d:3", None), ("d:5", None)}
    assert by_text[("d:1", "d:1b")].aspects == ("verdict", "label", "link", "reason")
    relabel = by_text[("d:4", "d:4")]
    assert relabel.aspects == ("verdict", "label") and relabel.text == "live_in('Ann', 'Boston')"
    assert (diff.unchanged, diff.renumbered) == (1, 1)
    assert (diff.count("only before"), diff.count("only after"), diff.count("link")) == (2, 1, 1)
    assert (diff.docs_only_before, diff.docs_only_after) == (1, 1)
    assert diff.transitions[("entity", "person", "-")] == 0  # transitions are by verdict
    assert diff.transitions[("entity", "accept", "-")] == 2 and diff.transitions[("entity", "-", "accept")] == 1
    r = run("rules", "diff", before, after)
    assert r.exit_code == 0
    assert "the runs cover different documents (1 only before, 1 only after)" in r.output
    assert "before: accept as location -> boston  [a.rules:1]" in r.output
    assert "after:  review as organization: unsure  [a.rules:1]" in r.output
    assert "(no such candidate)" in r.output and "decided for the same reason by a rule of another id" in r.output


def test_the_same_rules_read_from_a_copied_folder_are_not_renumbered(tmp_path) -> None:
    # `--rules my-rules/` names its files my-rules/<file>; the domain's own are rules/<file>
    before = _write(tmp_path / "a.jsonl", [_entity("d:1", "doc#1", [0, 6], "location", rule="rules/geo.rules:near"),
                                          _entity("d:2", "doc#1", [9, 12], "person", rule="rules/geo.rules:4"),
                                          _entity("d:3", "doc#1", [20, 24], "person", rule="shared/e.rules:band")])
    after = _write(tmp_path / "b.jsonl", [_entity("d:1", "doc#1", [0, 6], "location", rule="my-rules/geo.rules:near"),
                                         _entity("d:2", "doc#1", [9, 12], "person", rule="my-rules/geo.rules:5"),
                                         _entity("d:3", "doc#1", [20, 24], "person", rule="shared/e.rules:band")])
    diff = diff_decisions(before, after)
    assert not diff.changes and (diff.unchanged, diff.renumbered) == (3, 1)  # only d:2's line moved


@pytest.mark.parametrize("content, code, line", [
    ('{"id": "d:1", "doc": "x"}\n{"id": "d:2"\n', "KGA451", 2),
    ('{"id": "d:1"}\n\n{"id": "d:1"}\n', "KGA453", 3),
    ('{"id": "d:1"}\n\xff\n', "KGA451", 2),
])
def test_a_bad_decisions_file_is_named_with_its_line(tmp_path, content, code, line) -> None:
    good = _write(tmp_path / "good.jsonl", [_entity("d:1", "doc#1", [0, 6], "location")])
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content.encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    with pytest.raises(InputError) as err:
        diff_decisions(good, bad)
    assert err.value.code == code and err.value.location.line == line
    r = run("rules", "diff", good, bad)
    assert r.exit_code == 1 and f"{bad}:{line}: {code}" in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
    r = run("rules", "diff", good, tmp_path / "missing")
    assert r.exit_code == 1 and "KGA450" in r.output
    assert run("rules", "diff", good, good, "--kind", "mention").exit_code == 2


def test_gold_judges_each_change_and_counts_what_f1_sees(tmp_path) -> None:
    """Gold "Ann lives in Boston": Ann a person, Boston a place, live_in(Ann, Boston). The edit
    sends Ann and the relation to review (two right outputs lost: worse) and repairs Boston from
    organisation to location (a wrong output made right: better)."""
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps([{"id": "doc#1", "tokens": ["Ann", "lives", "in", "Boston"],
                                 "entities": [{"type": "Peop", "start": 0, "end": 1},
                                              {"type": "Loc", "start": 3, "end": 4}],
                                 "relations": [{"type": "Live_In", "head": 0, "tail": 1}]}]))
    ann = _entity("d:1", "doc#1", [0, 3], "person")
    boston = _entity("d:2", "doc#1", [13, 19], "organization")
    rel = _relation("d:3", "doc#1", "live_in", "accept")
    rel["head"]["span"], rel["tail"]["span"] = [0, 3], [13, 19]
    before = _write(tmp_path / "a.jsonl", [ann, boston, rel])
    after = _write(tmp_path / "b.jsonl", [
        {**ann, "verdict": "review", "reason": "unsure"},
        {**boston, "type": "location", "verdict": "repair", "repair": {"kind": "retype", "from": "organization",
                                                                        "to": "location"}},
        {**rel, "verdict": "review", "reason": "unsure"},
        _entity("d:4", "doc#9", [0, 4], "person"),  # a document gold does not have: not judged
    ])
    from kgagent.rule_stats import Gold, spert_records

    diff = diff_decisions(before, after, Gold.from_records(spert_records(gold)))
    effects = {c.after.id: c.effect for c in diff.changes}
    assert effects == {"d:1": "worse", "d:2": "better", "d:3": "worse", "d:4": None}
    assert diff.effects == {"worse": 2, "better": 1, "not judged": 1}
    assert diff.output_delta("entity") == (0, -1)  # Ann's true positive lost, Boston's gained; a false one gone
    assert diff.output_delta("relation") == (-1, 0)
    r = run("rules", "diff", before, after, "--gold", gold)
    assert r.exit_code == 0, r.output
    assert "against gold: 1 better, 2 worse, 0 alike, 1 not judged" in r.output
    assert "relation output: true positives -1, false positives +0" in r.output
    assert "entity output: true positives +0, false positives -1" in r.output
    assert "(verdict, label; gold: better)" in r.output
    data = json.loads(run("rules", "diff", before, after, "--gold", gold, "--json").output)
    assert data["judge"] == "gold"
    assert data["judged"]["output_delta"]["relation"] == {"true_positives": -1, "false_positives": 0}
    assert run("rules", "diff", before, after, "--gold", tmp_path / "a.jsonl").exit_code == 1  # not SpERT JSON
