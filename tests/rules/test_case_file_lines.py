"""A mistake in a rule example case file (`rules/tests/cases.yaml`) was reported without its
line: a misspelt verdict or key named the file only; a fact without its '.' was located at
"cases.yaml:<case name>:3:48" (the line within the facts text, not the file's); and an id under
`expect:` that no fact names (`r9` for `r1`) was a failed case "expected accept, got review (no
rule decided)", hiding the typo. Now each names the file's line (and column), and the case."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import InputError
from kgagent.rule_tests import load_cases
from kgagent_cli.main import app
from support.domain_fakes import write_domain

ONTOLOGY = '[classes.drug]\n\n[classes.effect]\n\n[relations.causes]\ndomain = "drug"\nrange = "effect"\n'
CASES = """\
cases:
  - name: a confident mention is accepted
    facts: |
      mention(m1, drug, 0.95).  text(m1, "aspirin").  nil(m1).
    expect: {m1: accept}

  - name: a confident causes is accepted
    facts: |
      mention(m1, drug, 0.95).  nil(m1).
      mention(m2, effect, 0.95).  nil(m2).
      relation(r1, causes, m1, m2).  score(r1, 0.9).
    expect:
      r1: accept
"""


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _domain(tmp_path: Path, cases: str) -> tuple[Path, Path]:
    d = write_domain(tmp_path, ontology=ONTOLOGY)
    (d / "rules" / "tests").mkdir(exist_ok=True)
    path = d / "rules" / "tests" / "cases.yaml"
    path.write_text(cases)
    return d, path


def test_the_cases_as_written_pass(tmp_path) -> None:
    d, _ = _domain(tmp_path, CASES)
    r = run("rules", "test", "--domain", d)
    assert r.exit_code == 0 and "2 passed, 0 failed" in r.output, r.output


@pytest.mark.parametrize("old, new, where, words", [
    ("{m1: accept}", "{m1: acept}", 5, "case 1 ('a confident mention is accepted'): expected verdict for m1 must be "
                                       "one of"),
    ("    expect: {m1: accept}", "    expected: {m1: accept}", 5, "unknown key 'expected'"),
    ("score(r1, 0.9).", "score(r1, 0.9)", "11:52", "KGA101 case 'a confident causes is accepted': expected ':-' or "
                                                 "'.' after the atom 'score(r1, 0.9)'"),
    ("      r1: accept", "      r9: accept", 13, "KGA420 case 'a confident causes is accepted': expect names r9, which "
                                                "no fact of the case names (its mentions and relations: m1, m2, r1); "
                                                "fix the id, or add its facts"),
    ("score(r1, 0.9).", "score(r1, 0.9) :- nil(m1).", 11, "KGA421 case 'a confident causes is accepted': only facts "
                                                          "belong in a case, not rules"),
])
def test_a_mistake_in_a_case_names_the_file_s_line(tmp_path, old, new, where, words) -> None:
    assert old in CASES
    d, path = _domain(tmp_path, CASES.replace(old, new, 1))
    r = run("rules", "test", "--domain", d)
    assert r.exit_code == 1 and "Traceback" not in r.output and "FAIL" not in r.output, r.output
    assert f"{path}:{where}: " in r.output and words in r.output, r.output


def test_load_cases_locates_a_bad_case(tmp_path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(CASES.replace("{m1: accept}", "[m1]"))
    with pytest.raises(InputError) as err:
        load_cases(path)
    assert err.value.code == "KGA420" and err.value.location.line == 5 and "expect: is a mapping" in err.value.message
