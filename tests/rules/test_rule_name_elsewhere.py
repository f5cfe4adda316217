"""A domain's rule named as a shared rule (``@mention_score_band accept(M) :- mention(M, _, S),
S >= 0.9.``, meant to make the score band stricter) was taken without a word: both rules apply,
so nothing got stricter. Now `rules check` and `domain check` warn (KGA129), naming the rule it
was meant to replace; one name twice in one file stays an error (KGA117)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent.rules import check_rules
from kgagent_cli.main import app
from support.domain_fakes import write_domain

ONTOLOGY = '[classes.drug]\n\n[classes.effect]\n\n[relations.causes]\ndomain = "drug"\nrange = "effect"\n'
STRICTER = "% a stricter band\n@mention_score_band accept(M) :- mention(M, _, S), S >= 0.9.\n"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_a_domain_rule_named_as_a_shared_one_is_a_warning_naming_it(tmp_path) -> None:
    d = write_domain(tmp_path, ontology=ONTOLOGY)
    mine = d / "rules" / "mine.rules"
    mine.write_text(STRICTER)
    r = run("rules", "check", "--domain", d)
    assert r.exit_code == 0, r.output
    assert (f"{mine}:2:21: KGA129 warning: the rule name '@mention_score_band' is already that of the rule at "
            "shared/entities.rules:20: rules never replace one another, so both apply and this one only adds to "
            "what that one derives (to change what it decides, change the facts it reads, such as a threshold); "
            "give this rule a name of its own") in r.output
    assert "0 errors, 1 warning" in r.output and run("rules", "check", "--domain", d, "--strict").exit_code == 1
    r = run("domain", "check", d)
    assert r.exit_code == 0 and "is sound, with 1 warning (above)" in r.output and "KGA129" in r.output, r.output


def test_one_name_in_two_files_and_twice_in_one(tmp_path) -> None:
    (tmp_path / "a.rules").write_text("@r p(X) :- q(X).\n#base q(X).\n")
    (tmp_path / "b.rules").write_text("@r p(X) :- s(X).\n@r p(X) :- t(X).\n#base s(X).\n#base t(X).\n")
    got = [(d.code, Path(d.loc.path).name, d.loc.line, d.severity) for d in check_rules(tmp_path)]
    assert got == [("KGA129", "b.rules", 1, "warning"), ("KGA117", "b.rules", 2, "error")], got
    # one file alone: no other file to clash with
    assert check_rules(tmp_path / "a.rules") == []
