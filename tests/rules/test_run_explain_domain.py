"""`kgagent rules explain 'accept(m1)' --rules DOMAIN/rules --facts F` said "no rule derives
accept(m1)": a domain's own rules hold its thresholds, while the rules that decide (the shared
score bands, types against signatures) are the shared ones, which run and explain did not read,
nor the ontology's facts they join with. Now --domain reads them as the domain's agent does."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent_cli.main import app
from support.domain_fakes import write_domain

ONTOLOGY = '[classes.drug]\n\n[classes.effect]\n\n[relations.causes]\ndomain = "drug"\nrange = "effect"\n'


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _facts(tmp_path: Path, **files: str) -> Path:
    f = tmp_path / "facts"
    f.mkdir()
    for pred, text in files.items():
        (f / f"{pred}.facts").write_text(text)
    return f


def test_explain_with_the_domain_reads_the_shared_rules_and_the_ontology(tmp_path) -> None:
    d = write_domain(tmp_path, ontology=ONTOLOGY)
    facts = _facts(tmp_path, mention="m1\tdrug\t0.95\nm2\teffect\t0.95\n", relation="r1\tcauses\tm1\tm2\n",
                   score="r1\t0.9\n")
    r = run("rules", "explain", "accept(m1)", "--domain", d, "--facts", facts)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "accept(m1)    [rule shared/entities.rules:mention_score_band]"
    assert "mention(m1, drug, 0.95)    [base fact]" in lines[1]
    assert "threshold(entity_accept, 0.35)    [rule " in lines[2] and "thresholds.rules:" in lines[2]
    # the relation: its signature from the ontology, model_threshold(relation, 0.5) as in rules test
    r = run("rules", "explain", "accept(r1)", "--domain", d, "--facts", facts)
    assert r.exit_code == 0 and "model_threshold(relation, 0.5)" in r.output, r.output
    # no flood of warnings for the agent's facts a hand-written example leaves out (link, text, ...)
    assert "KGA124" not in r.output
    # the domain's rules alone, as before: nothing decides
    r = run("rules", "explain", "accept(m1)", "--rules", d / "rules", "--facts", facts)
    assert r.exit_code == 1 and "no rule derives accept(m1)" in r.output


def test_run_with_the_domain_and_a_misspelt_facts_file(tmp_path) -> None:
    d = write_domain(tmp_path, ontology=ONTOLOGY)
    facts = _facts(tmp_path, mention="m1\tdrug\t0.95\n", mentions="m2\tdrug\t0.95\n")
    r = run("rules", "run", "--domain", d, "--facts", facts)
    assert r.exit_code == 0, r.output
    assert "accept\t1 derived\t1 in all" in r.output
    assert f"{facts / 'mentions.facts'}: KGA124 no rule reads 'mentions' (did you mean mention.facts?)" in r.output
    assert "is declared (#base)" not in r.output


def test_run_and_explain_need_rules_or_a_domain(tmp_path) -> None:
    facts = _facts(tmp_path, mention="m1\tdrug\t0.95\n")
    r = run("rules", "explain", "accept(m1)", "--facts", facts)
    assert r.exit_code == 2 and "KGA408 give the rules to run (--rules), or --domain DIR" in r.output, r.output
    r = run("rules", "run", "--facts", facts)
    assert r.exit_code == 2 and "KGA408 give the rules to run (RULES), or --domain DIR" in r.output, r.output
