"""`kgagent domain check` called a domain "sound" (exit 0) whose rules/thresholds.rules had been
emptied: the shared rules' score bands were unset, reported only as KGA121 warnings (and the
summary line did not say there were any), so every mention and relation would be left undecided.
Now a threshold the shared rules cannot do without (the score bands, the trust in links) that no
rule file sets is an error (KGA127) in `domain check` and `rules check`; others stay warnings,
and the "sound" line counts them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent.thresholds import REQUIRED
from kgagent_cli.main import app
from support.domain_fakes import write_domain

ONTOLOGY = '[classes.drug]\n\n[classes.effect]\n\n[relations.causes]\ndomain = "drug"\nrange = "effect"\n'


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _domain(tmp_path: Path) -> Path:
    return write_domain(tmp_path, ontology=ONTOLOGY)


def _drop(d: Path, *names: str) -> None:
    """Delete the ``threshold(NAME, ...)`` facts of ``names`` from the domain's thresholds file."""
    path = d / "rules" / "thresholds.rules"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(x for x in lines if not any(x.startswith(f"threshold({n},") for n in names)))


def test_an_emptied_thresholds_file_makes_the_domain_unsound(tmp_path) -> None:
    d = _domain(tmp_path)
    (d / "rules" / "thresholds.rules").write_text("% the thresholds, deleted by mistake\n")
    r = run("domain", "check", d)
    assert r.exit_code == 1 and "is sound" not in r.output and "Traceback" not in r.output, r.output
    for name in REQUIRED:
        assert f"KGA127 threshold {name} is not set, and the shared rules cannot do without it" in r.output
    assert "shared/entities.rules:20:52: KGA127 threshold entity_accept is not set" in r.output
    assert "so no mention is accepted, nor sent to review, for its score" in r.output
    # the checker's guess ("'threshold' is used but no rule ... defines it; did you mean
    # 'has_threshold'?") only repeated, less clearly, what KGA127 says
    assert "KGA106" not in r.output and "has_threshold" not in r.output
    # repair_min_margin has a fallback in the shared rules: a warning, counted on the last line
    assert "KGA121 warning: the rules read threshold repair_min_margin" in r.output
    assert r.output.strip().splitlines()[-1] == (
        f"error: KGA600 {len(REQUIRED)} problem(s) in {d} (above), and 1 warning")
    r = run("rules", "check", "--domain", d, "-q")
    assert r.exit_code == 1 and r.output.startswith(f"{len(REQUIRED)} errors, 1 warning"), r.output
    # the domain's own rules folder, checked as the agent reads it, is the same rules
    r = run("rules", "check", d / "rules", "--domain", d, "-q")
    assert r.exit_code == 1 and r.output.startswith(f"{len(REQUIRED)} errors, 1 warning"), r.output


def test_one_score_band_deleted_is_an_error_naming_it(tmp_path) -> None:
    d = _domain(tmp_path)
    _drop(d, "relation_accept_over_model")
    r = run("domain", "check", d)
    assert r.exit_code == 1, r.output
    assert ("shared/relations.rules:26:62: KGA127 threshold relation_accept_over_model is not set, and the shared "
            "rules cannot do without it: shared/relations.rules:accept_from never fires, so no relation is "
            "accepted, reviewed or rejected for its score; add threshold(relation_accept_over_model, VALUE). to "
            "the domain's rules (`kgagent init` writes its thresholds in rules/thresholds.rules)") in r.output
    assert r.output.strip().splitlines()[-1] == f"error: KGA600 1 problem(s) in {d} (above)"


def test_a_threshold_with_a_fallback_deleted_is_sound_with_the_warning_counted(tmp_path) -> None:
    d = _domain(tmp_path)
    _drop(d, "repair_min_margin")
    r = run("domain", "check", d)
    assert r.exit_code == 0 and "KGA121 warning" in r.output, r.output
    assert f"{d}: domain 'd' is sound, with 1 warning (above): 2 classes" in r.output
    r = run("rules", "check", "--domain", d, "-q")
    assert r.exit_code == 0 and r.output.startswith("0 errors, 1 warning"), r.output


def test_a_domain_without_the_shared_rules_needs_no_score_band(tmp_path) -> None:
    """The shared rules' thresholds are required of the rules that read them: a domain that reads
    only its own rules, none of which reads one, is sound without them."""
    d = write_domain(tmp_path, ontology=ONTOLOGY, domain='name = "d"\nshared_rules = false\n')
    (d / "rules" / "thresholds.rules").write_text('accept(M) :- mention(M, _, S), S > 0.5.\n'
                                                   '#base mention(M, L, S).\n')
    r = run("domain", "check", d)
    assert r.exit_code == 0 and "domain 'd' is sound: 2 classes" in r.output, r.output


def test_a_sound_domain_says_sound_without_warnings(tmp_path) -> None:
    d = _domain(tmp_path)
    r = run("domain", "check", d)
    assert r.exit_code == 0 and "domain 'd' is sound: 2 classes" in r.output and "warning" not in r.output, r.output


def test_a_misspelt_threshold_is_named_at_its_line_with_the_name_meant(tmp_path) -> None:
    """`threshold(entity_acept, 0.35).` was read without a word: the error named only the shared
    rule that misses entity_accept, never the line the expert had mistyped."""
    d = _domain(tmp_path)
    path = d / "rules" / "thresholds.rules"
    text = path.read_text()
    assert "threshold(entity_accept, 0.35)." in text
    path.write_text(text.replace("threshold(entity_accept, 0.35).", "threshold(entity_acept, 0.35)."))
    line = next(i for i, x in enumerate(path.read_text().splitlines(), 1) if "entity_acept" in x)
    r = run("domain", "check", d)
    assert r.exit_code == 1 and "KGA127 threshold entity_accept is not set" in r.output, r.output
    assert (f"{path}:{line}:1: KGA128 warning: threshold entity_acept is set, but no rule reads it, nor the agent: "
            "its value changes nothing; did you mean entity_accept, which the rules read and no file sets?") in r.output
    assert r.output.strip().splitlines()[-1] == f"error: KGA600 1 problem(s) in {d} (above), and 1 warning"


def test_a_threshold_nothing_reads_is_a_warning_and_the_agent_s_weights_are_read(tmp_path) -> None:
    d = _domain(tmp_path)
    path = d / "rules" / "thresholds.rules"
    assert "threshold(same_name_weight," in path.read_text()  # read by the agent, not by a rule: no warning
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("threshold(old_experiment, 3).\n")
    r = run("rules", "check", "--domain", d)
    assert r.exit_code == 0 and r.output.count("KGA128") == 1, r.output
    assert ("KGA128 warning: threshold old_experiment is set, but no rule reads it, nor the agent: its value changes "
            "nothing; delete it, or fix its name here or in the rule meant to read it") in r.output
    # a rule of the domain's that reads it by another name: both ends named
    (d / "rules" / "mine.rules").write_text('review(M, "odd") :- mention(M, _, S), threshold(old_experimnt, T), '
                                            "S > T.\n#base mention(M, L, S).\n")
    r = run("domain", "check", d)
    assert r.exit_code == 0 and "is sound, with 2 warnings (above)" in r.output, r.output
    assert "KGA121 warning: the rules read threshold old_experimnt, which no rule file sets" in r.output
    assert "threshold old_experiment is set, but no rule reads it, nor the agent: its value changes nothing; did " \
           "you mean old_experimnt, which the rules read and no file sets?" in r.output


def test_a_rule_file_that_is_not_utf8_is_a_problem_of_the_domain(tmp_path) -> None:
    """It exited 2 ("not a domain folder") with its line only, and no count of the problems."""
    d = _domain(tmp_path)
    (d / "rules" / "notes.rules").write_bytes(b"threshold(x, 1).\n\xff\xfe\n")
    r = run("domain", "check", d)
    assert r.exit_code == 1 and "Traceback" not in r.output, r.output
    assert r.output.strip().splitlines() == [
        f"error: {d / 'rules' / 'notes.rules'}:2:1: KGA107 not UTF-8 text (byte 0xff); save the file as UTF-8",
        f"error: KGA600 1 problem(s) in {d} (above)"]


def test_the_commands_that_run_the_rules_refuse_a_domain_without_score_bands(tmp_path) -> None:
    """`kgagent rules test` (and extract, validate, tune, which print the same report first) ran a
    domain whose score bands were unset: every mention 'review: no rule decided'."""
    d = _domain(tmp_path)
    (d / "rules" / "tests").mkdir(exist_ok=True)
    (d / "rules" / "tests" / "cases.yaml").write_text(
        "cases:\n  - name: a confident drug\n    facts: 'mention(m1, drug, 0.95). nil(m1).'\n    expect: {m1: accept}\n")
    assert run("rules", "test", "--domain", d).exit_code == 0
    _drop(d, "entity_accept")
    r = run("rules", "test", "--domain", d)
    assert r.exit_code == 1 and "PASS" not in r.output and "FAIL" not in r.output, r.output
    assert "KGA127 threshold entity_accept is not set" in r.output and "KGA121" not in r.output
    assert r.output.strip().splitlines()[-1] == ("error: KGA100 rule errors (above) in shared/entities.rules: 1; fix "
                                                 "them before running the cases")
    # a rule file alone (no shared rules) is not an agent's rules: nothing to say about bands
    r = run("rules", "check", d / "rules", "--alone")
    assert r.exit_code == 0 and "KGA127" not in r.output, r.output


def test_the_library_refuses_an_agent_whose_score_bands_are_unset(tmp_path) -> None:
    """`Agent.load` (a QA service embedding kgagent) ran such a domain without a word, every
    proposal left undecided; it refuses it as the commands do (KGA127, naming the file and line)."""
    import pytest

    from kgagent.agent import Agent
    from kgagent.rules.diagnostics import RuleCheckError

    d = _domain(tmp_path)
    _drop(d, "entity_accept")
    with pytest.raises(RuleCheckError) as err:
        Agent.load(domain=d)
    assert [x.code for x in err.value.diagnostics] == ["KGA127"]
    assert "shared/entities.rules:20:52: KGA127 threshold entity_accept is not set" in str(err.value)
    _drop(d, *REQUIRED)  # the rest too: one error per threshold
    with pytest.raises(RuleCheckError) as err:
        Agent.load(domain=d)
    assert sorted(x.message.split()[1] for x in err.value.diagnostics) == sorted(REQUIRED)
