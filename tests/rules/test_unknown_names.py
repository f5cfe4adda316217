"""A domain rule that names a class or relation the ontology has not (`mention(H, metrc, _)`,
`relation(R, usedfor, H, _)`) matches no fact and never fires; `domain check` called the domain
sound and `rules check` said "no problems". Now each such name is a warning (KGA653) at its
column, with the name meant."""

from __future__ import annotations

from typer.testing import CliRunner

from kgagent.rules import parse_rules
from kgagent.rules.names import unknown_names
from kgagent_cli.main import app
from support.domain_fakes import write_domain

ONTOLOGY = '[classes.drug]\n\n[classes.effect]\n\n[relations.causes]\ndomain = "drug"\nrange = "effect"\n'
RULE = '@no_self_cause reject(R, "a drug does not cause a drug") :-\n    relation(R, cuases, _, T), mention(T, durg, _).\n'


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_a_misspelt_class_and_relation_in_a_domain_rule_are_named(tmp_path) -> None:
    d = write_domain(tmp_path, ontology=ONTOLOGY)
    mine = d / "rules" / "mine.rules"
    mine.write_text(RULE)
    r = run("domain", "check", d)
    assert r.exit_code == 0 and "is sound, with 2 warnings (above)" in r.output, r.output
    assert (f"{mine}:2:17: KGA653 warning: relation 'cuases' is not in the domain's ontology (did you mean causes?): "
            "this atom matches no fact, so the rule never fires; fix the name, or add the relation to "
            "ontology.toml") in r.output
    assert f"{mine}:2:43: KGA653 warning: class 'durg' is not in the domain's ontology (did you mean drug?)" in r.output
    for args in (["rules", "check", "--domain", d], ["rules", "check", mine, "--domain", d]):
        r = run(*args, "-q")
        assert r.exit_code == 0 and r.output.startswith("0 errors, 2 warnings"), r.output
    mine.write_text(RULE.replace("cuases", "causes").replace("durg", "drug"))
    r = run("domain", "check", d)
    assert r.exit_code == 0 and "KGA653" not in r.output and "is sound:" in r.output, r.output


def test_only_the_vocabulary_s_class_and_relation_places_are_read() -> None:
    p = parse_rules('% a graph class, a head, a not, a fact\n'
                    'x(E) :- type(E, country), triple(E, capital_of, _).\n'
                    'type_of(M, cty) :- mention(M, drug, _), not subclass(drug, efect).\n'
                    'mention(m9, nothing, 1.0).\n', "r.rules")
    got = [(d.loc.line, d.message.split(" is not")[0]) for d in unknown_names(p, {"drug", "effect"}, {"causes"})]
    assert got == [(3, "class 'cty'"), (3, "class 'efect'")], got


def test_the_module_s_docstring_example_runs() -> None:
    import doctest

    import kgagent.rules.names

    result = doctest.testmod(kgagent.rules.names)
    assert result.attempted > 0 and result.failed == 0
