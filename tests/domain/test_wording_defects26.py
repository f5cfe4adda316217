"""A domain's explain.toml written wrong: each malformed template is a KGA630 problem naming the
file and the line (it printed literally in `kgagent explain`, or raised there), and `explain`
never breaks on a template: one it cannot fill is left out and the fact is written as the rules
write it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kgagent.domain import Domain, check_domain, render_wording
from kgagent.domain.domain import read_wording
from kgagent.domain.tomlfile import read_toml
from kgagent.explain import _Names, explain_decision, fact_words
from kgagent_cli.main import app
from support.agent_fakes import REPO

NEWS = REPO / "kg_data"
ONTOLOGY = '[classes.drug]\n\n[classes.effect]\n\n[relations.causes]\ndomain = "drug"\nrange = "effect"\n'
DECISION = {"id": "d:1", "kind": "relation", "predicate": "causes", "verdict": "reject", "reason": "too far",
            "rule": "rules/x.rules:1", "head": {"id": "m:1", "text": "aspirin"}, "tail": {"id": "m:2", "text": "rash"},
            "proof": {"fact": 'reject(r:1, "too far")', "rule": "rules/x.rules:1",
                      "premises": [{"fact": "relation(r:1, causes, m:1, m:2)", "source": "encoder"},
                                   {"fact": "far_apart(m:1, m:2)", "source": "rules"}]}}


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _domain(tmp_path: Path, wording: str) -> Path:
    d = tmp_path / "d"
    (d / "rules").mkdir(parents=True)
    (d / "rules" / "thresholds.rules").write_text((NEWS / "rules" / "thresholds.rules").read_text())
    (d / "domain.toml").write_text('name = "d"\n')
    (d / "ontology.toml").write_text(ONTOLOGY)
    (d / "labels.toml").write_text("")
    (d / "explain.toml").write_text(wording)
    return d


def _problems(d: Path) -> list[tuple[str, str, int, str]]:
    return [(p.code, Path(p.location.path).name, p.location.line, p.message) for p in check_domain(d)]


BAD = """\
[predicates]
"near/2" = "{0 is near"
"far/1" = "{5} is far"
"big/1" = "{b:0} is big"
"small" = "small"
"odd/1" = "{0} is } odd"
"none/0" = "nothing in {0}"
"""


def test_each_malformed_wording_template_is_named_with_file_and_line(tmp_path) -> None:
    """An unclosed brace, an unknown placeholder prefix and a stray '}' passed `domain check` and
    printed literally in explanations ("{0 is near"); now each is KGA630 at its line."""
    d = _domain(tmp_path, BAD)
    assert _problems(d) == [
        ("KGA630", "explain.toml", 2, "near/2: the '{' at character 1 is never closed: write {0}, {a:0} or '{{' "
                                      "for a brace"),
        ("KGA630", "explain.toml", 3, "far/1: {5} names an argument the predicate does not have (it has {0})"),
        ("KGA630", "explain.toml", 4, "big/1: {b:0} is not a placeholder: write {0} (the argument) or {a:0} (the "
                                      "argument with its article), or '{{' for a brace"),
        ("KGA630", "explain.toml", 5, "'small' is not \"predicate/arity\": write \"predicate/arity\" = \"words "
                                      "with {0}, {1}\""),
        ("KGA630", "explain.toml", 6, "odd/1: the '}' at character 8 closes no placeholder (write '}}' for a "
                                      "brace)"),
        ("KGA630", "explain.toml", 7, "none/0: {0} names an argument the predicate does not have (it has no "
                                      "arguments)"),
    ]
    r = run("domain", "check", d)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"{d / 'explain.toml'}:2: KGA630 near/2: the '{{' at character 1 is never closed" in r.output
    assert "KGA600 6 problem(s)" in r.output
    # a command that takes the domain names them too, and explains nothing with a wrong wording
    out = tmp_path / "out"
    out.mkdir()
    (out / "decisions.jsonl").write_text(json.dumps(DECISION) + "\n")
    r = run("explain", "d:1", "--out", out, "--domain", d)
    assert r.exit_code == 2 and "Traceback" not in r.output and "KGA630" in r.output
    assert "{0 is near" not in r.output  # the template never reaches an explanation


def test_a_malformed_line_is_left_out_and_the_sound_ones_are_read(tmp_path) -> None:
    d = _domain(tmp_path, '[predicates]\n"far_apart/2" = "{0} and {1} are far apart {{really}}"\n'
                          '"near/2" = "{0 is near"\n')
    (problem,) = check_domain(d)
    assert problem.code == "KGA630" and problem.location.line == 3
    wording, found = read_wording(read_toml(d / "explain.toml"))
    assert [p.location.line for p in found] == [3] and set(wording) == {"far_apart/2"}
    # '{{' and '}}' write a brace
    assert fact_words("far_apart(a, b)", _Names({}, wording)) == "a and b are far apart {really}"
    (d / "explain.toml").write_text('[predicates]\n"far_apart/2" = "{0} and {1} are far apart"\n')
    out = tmp_path / "out"
    out.mkdir()
    (out / "decisions.jsonl").write_text(json.dumps(DECISION) + "\n")
    r = run("explain", "d:1", "--out", out, "--domain", d)
    assert r.exit_code == 0 and "- 'aspirin' and 'rash' are far apart  [rules]" in r.output, r.output
    assert Domain.load(d).wording["far_apart/2"] == "{0} and {1} are far apart"


def test_explain_never_breaks_on_a_wording_it_cannot_fill() -> None:
    """A wording given from Python is not checked as a file is: "{5}" of a two-argument fact was an
    IndexError, reported as "KGA451 decision 'd:1' is not one kgagent writes"; "{0 is near" printed
    as it is. Both now write the fact as the rules do."""
    for template in ("{5} and {0}", "{0 is near", "{b:0} is big", "} odd", "{}"):
        names = _Names({}, {"far_apart/2": template})
        assert fact_words("far_apart(a, b)", names) == "far_apart(a, b)", template
        text = explain_decision(DECISION, {"far_apart/2": template})
        assert "- far_apart('aspirin', 'rash')  [rules]" in text, (template, text)
        assert render_wording(template, ["a", "b"], str, str) is None
    assert render_wording("{0} near {a:1}", ["x", "city"], str, lambda c: "a " + c) == "x near a city"
    # a wording that is not text at all is passed over too
    assert fact_words("far_apart(a, b)", _Names({}, {"far_apart/2": 5})) == "far_apart(a, b)"


def test_the_shipped_wordings_are_sound() -> None:
    for folder in (NEWS, REPO / "examples" / "scierc"):
        assert [p for p in check_domain(folder) if p.code == "KGA630"] == []
    assert len(Domain.load(NEWS).wording) > 40
