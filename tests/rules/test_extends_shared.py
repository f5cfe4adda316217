"""`accept_from(0.2).` in a domain's rules, written to lower the shared relation band, was taken
without a word: it adds a second band beside the shared one (relations accepted from 0.2), it
replaces nothing. A domain rule deriving a shared rules' helper predicate is now a warning
(KGA654); the verdicts and what the agent reads (reject, unlink, graph_holds...) are the domain
rules' to derive, and stay quiet."""

from __future__ import annotations

from typer.testing import CliRunner

from kgagent.rules import parse_rules
from kgagent.rules.names import extends_shared
from kgagent_cli.main import app
from support.domain_fakes import write_domain

ONTOLOGY = '[classes.drug]\n\n[classes.effect]\n\n[relations.causes]\ndomain = "drug"\nrange = "effect"\n'


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_a_domain_fact_of_a_shared_helper_is_a_warning_naming_the_shared_rule(tmp_path) -> None:
    d = write_domain(tmp_path, ontology=ONTOLOGY)
    mine = d / "rules" / "mine.rules"
    mine.write_text('% a lower relation band\naccept_from(0.2).\n'
                    '@no_self reject(R, "same") :- relation(R, _, M, M).\n')
    r = run("domain", "check", d)
    assert r.exit_code == 0 and "is sound, with 1 warning (above)" in r.output, r.output
    assert (f"{mine}:2:1: KGA654 warning: 'accept_from' is derived by the shared rules "
            "(shared/relations.rules:accept_from); this adds to what they derive, for every shared rule that reads "
            "it, and replaces nothing") in r.output
    r = run("rules", "check", mine, "--domain", d, "-q")
    assert r.exit_code == 0 and r.output.startswith("0 errors, 1 warning"), r.output


def test_one_warning_per_file_and_predicate_and_none_for_open_predicates() -> None:
    shared = parse_rules('#base m(X).\n@h helper(X) :- m(X).\n@a accept(X) :- helper(X).\n', "shared/s.rules")
    own = parse_rules('helper(x).\nhelper(y).\nreject(X, "no") :- m(X).\nmine(X) :- helper(X).\n', "d/own.rules")
    program = shared
    program.clauses.extend(own.clauses)
    got = [(d.code, d.loc.path, d.loc.line) for d in extends_shared(program)]
    assert got == [("KGA654", "d/own.rules", 1)], got
