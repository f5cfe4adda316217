"""`kgagent domain check DIR` said a domain whose rules had no example case at all was "sound",
without a word: nothing checked what its rules decide, nor that an edit kept it, and `rules test`
was the first to say so (KGA420). Now such a domain (no case file where its cases belong, or case
files holding no case) is a warning, KGA655, naming the folder, counted with the other warnings
on the summary line."""

from __future__ import annotations

from pathlib import Path

from kgagent.domain import Domain
from kgagent.rule_tests import untested_rules
from support.cli import run
from support.domain_fakes import write_domain

ONTOLOGY = '[classes.drug]\n\n[classes.effect]\n\n[relations.causes]\ndomain = "drug"\nrange = "effect"\n'


def _warning(tests: Path, d: Path) -> str:
    return (f"{tests}: KGA655 warning: the domain's rules have no example cases (no case in {tests}/*.yaml): "
            "nothing checks what they decide, nor that an edit keeps it; write cases (facts in, verdicts out: "
            f"docs/domains.md) and run kgagent rules test --domain {d}")


def test_a_domain_without_cases_is_sound_with_the_warning_counted(tmp_path: Path) -> None:
    d = write_domain(tmp_path, ontology=ONTOLOGY, cases=False)
    assert untested_rules(Domain.load(d)).path == str(d.resolve() / "rules" / "tests")
    r = run("domain", "check", d)
    assert r.exit_code == 0, r.output
    lines = r.output.strip().splitlines()
    assert lines[0] == _warning(d / "rules" / "tests", d)
    assert lines[-1].startswith(f"{d}: domain 'd' is sound, with 1 warning (above): 2 classes"), r.output


def test_case_files_without_a_case_are_no_cases(tmp_path: Path) -> None:
    d = write_domain(tmp_path, ontology=ONTOLOGY)
    (d / "rules" / "tests" / "cases.yaml").write_text("cases: []\n")
    (d / "rules" / "tests" / "more.json").write_text("[]")
    r = run("domain", "check", d)
    assert r.exit_code == 0 and _warning(d / "rules" / "tests", d) in r.output, r.output
    assert "is sound, with 1 warning (above)" in r.output


def test_one_case_is_enough_and_a_rule_tests_path_is_followed(tmp_path: Path) -> None:
    d = write_domain(tmp_path, ontology=ONTOLOGY)
    r = run("domain", "check", d)
    assert r.exit_code == 0 and "KGA655" not in r.output and "is sound:" in r.output, r.output
    assert untested_rules(Domain.load(d)) is None
    # cases kept elsewhere, named by domain.toml's rule_tests: read there
    (d / "rules" / "tests").rename(d / "cases")
    (d / "domain.toml").write_text('name = "d"\nrule_tests = "cases"\n')
    r = run("domain", "check", d)
    assert r.exit_code == 0 and "KGA655" not in r.output and "is sound:" in r.output, r.output
    (d / "cases" / "cases.yaml").write_text("cases: []\n")
    r = run("domain", "check", d)
    assert r.exit_code == 0 and _warning(d / "cases", d) in r.output, r.output


def test_with_other_problems_the_warning_is_counted_on_the_error_line(tmp_path: Path) -> None:
    d = write_domain(tmp_path, ontology=ONTOLOGY, cases=False)
    (d / "rules" / "mine.rules").write_text("accept(M) :- mention(M, drug, S), S >\n")  # a syntax error
    r = run("domain", "check", d)
    assert r.exit_code == 1 and "KGA655 warning" in r.output and "KGA101" in r.output, r.output
    assert r.output.strip().splitlines()[-1] == f"error: KGA600 1 problem(s) in {d} (above), and 1 warning"
