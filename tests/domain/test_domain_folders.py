"""Domain folders written wrong in every way a hand or a tool may write them: each problem is
one line naming the file, the line and what is wrong, with its code; never a traceback, a
silently dropped part or a silently different domain."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kgagent.domain import check_domain
from kgagent_cli.main import app
from support.domain_fakes import domain_problems, write_domain

ONTOLOGY = '[classes.drug]\n\n[classes.effect]\n\n[relations.causes]\ndomain = "drug"\nrange = "effect"\n'


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _domain(tmp_path: Path, ontology: str = ONTOLOGY, labels: str = "", domain: str = 'name = "d"\n') -> Path:
    return write_domain(tmp_path, ontology=ontology, labels=labels, domain=domain)


_problems = domain_problems


# ---------------------------------------------------------------------------- the TOML files themselves
def test_a_toml_file_with_a_byte_order_mark_is_read(tmp_path) -> None:
    """A BOM (Notepad writes one) was 'KGA601 not valid TOML: Invalid statement' at 1:1."""
    d = _domain(tmp_path, domain='\ufeffname = "drugs"\n')
    (d / "ontology.toml").write_text("\ufeff" + ONTOLOGY)
    assert _problems(d) == []
    r = run("domain", "check", d)
    assert r.exit_code == 0 and "domain 'drugs' is sound: 2 classes" in r.output, r.output


def test_values_nested_too_deeply_are_one_line_not_a_traceback(tmp_path) -> None:
    """tomllib recurses: `x = [[[[...]]]]` 2000 deep was a RecursionError traceback."""
    d = _domain(tmp_path, domain='name = "d"\n\nx = ' + "[" * 2000 + "]" * 2000 + "\n")
    assert _problems(d) == [("KGA601", "domain.toml", 3, "not valid TOML: arrays or inline tables nested too "
                                                         "deeply to read (write the value flatter)")]
    r = run("domain", "check", d)
    assert r.exit_code == 1 and f"{d / 'domain.toml'}:3: KGA601" in r.output and "Traceback" not in r.output


# ---------------------------------------------------------------------------- domain.toml
def test_a_path_that_is_a_symlink_loop_is_named_not_a_traceback(tmp_path) -> None:
    """`labels = "a.toml"` with a.toml -> b.toml -> a.toml was 'RuntimeError: Symlink loop' (a traceback)."""
    d = _domain(tmp_path, domain='name = "d"\nlabels = "a.toml"\nrules = ["rules", "a.toml"]\n')
    (d / "a.toml").symlink_to(d / "b.toml")
    (d / "b.toml").symlink_to(d / "a.toml")
    assert [p[:3] for p in _problems(d)] == [("KGA608", "domain.toml", 2), ("KGA604", "domain.toml", 3)]
    assert _problems(d)[0][3] == (f"the labels path {d / 'a.toml'} is a symbolic link that leads back to itself: "
                                  "fix the link or `labels` in domain.toml")
    r = run("domain", "check", d)
    assert r.exit_code == 1 and f"{d / 'domain.toml'}:2: KGA608" in r.output and "Traceback" not in r.output
    r = run("rules", "test", "--domain", d)
    assert r.exit_code == 2 and "KGA608" in r.output and "Traceback" not in r.output, r.output


def test_a_name_or_description_that_is_not_text_is_named(tmp_path) -> None:
    """`name = 5` made the domain '5', `name = ["a"]` the domain "['a']", `description = {a = 1}`
    the description "{'a': 1}", all without a word."""
    d = _domain(tmp_path, domain='name = ["a"]\ndescription = { a = 1 }\n')
    assert _problems(d) == [("KGA610", "domain.toml", 1, "name is non-empty text in quotes, not ['a']"),
                            ("KGA610", "domain.toml", 2, "description is text in quotes, not {'a': 1}")]
    (d / "domain.toml").write_text('name = "  "\n')
    assert _problems(d) == [("KGA610", "domain.toml", 1, "name is non-empty text in quotes, not '  '")]
    r = run("domain", "check", d)
    assert r.exit_code == 1 and f"{d / 'domain.toml'}:1: KGA610 name is non-empty text" in r.output


def test_rule_paths_that_hold_no_rules_or_cases_are_named_at_their_line(tmp_path) -> None:
    """`rules = ["graph"]` (a folder without *.rules) passed check_domain and then crashed
    `kgagent domain check` with a RuleError traceback; a missing rules path had no line; a
    `rule_tests` that is not there was dropped without a word (`rules test` then looked in
    rules/tests)."""
    d = _domain(tmp_path, domain='name = "d"\n\nrules = ["rules", "empty", "nope"]\nrule_tests = "cases"\n')
    (d / "empty").mkdir()
    assert _problems(d) == [
        ("KGA608", "domain.toml", 4, f"the rule_tests path {d / 'cases'} does not exist: fix `rule_tests` in "
                                     "domain.toml or remove it"),
        ("KGA604", "domain.toml", 3, f"the rules folder {d / 'empty'} holds no *.rules file: add the domain's "
                                     "rules (kgagent init writes thresholds.rules) or fix `rules` in domain.toml"),
        ("KGA604", "domain.toml", 3, f"the rules path {d / 'nope'} does not exist: create it or fix `rules` in "
                                     "domain.toml")]
    (d / "domain.toml").write_text('name = "d"\nrules = ["empty"]\n')
    r = run("domain", "check", d)
    assert r.exit_code == 1 and f"{d / 'domain.toml'}:2: KGA604 the rules folder" in r.output
    assert "Traceback" not in r.output


def test_a_rule_file_that_cannot_be_read_is_one_line_in_domain_check(tmp_path) -> None:
    """A rules file that is not UTF-8 made `kgagent domain check` end in a RuleError traceback."""
    d = _domain(tmp_path)
    (d / "rules" / "bad.rules").write_bytes(b"% caf\xe9\n")
    r = run("domain", "check", d)
    # a problem of the domain, counted (exit 2 is for a folder that is not a domain at all)
    assert r.exit_code == 1 and "bad.rules:1:6: KGA107 not UTF-8 text (byte 0xe9)" in r.output, r.output
    assert "Traceback" not in r.output and f"KGA600 1 problem(s) in {d} (above)" in r.output


# ---------------------------------------------------------------------------- the ontology
def test_subclass_cycles_are_one_line_per_tangle_and_quick(tmp_path) -> None:
    """Every simple cycle was listed: 22 classes with two parents each gave 39,603 KGA615 lines in
    2 s, 30 classes hung `kgagent domain check`."""
    import time

    tangle = "".join(f'[classes.c{i}]\nsubclass_of = ["c{(i + 1) % 30}", "c{(i + 2) % 30}"]\n' for i in range(30))
    start = time.monotonic()
    assert _problems(_domain(tmp_path, tangle)) == [
        ("KGA615", "ontology.toml", 1, "subclass cycle " + " -> ".join(f"c{i}" for i in range(0, 30, 2)) + " -> c0 ("
         + ", ".join(f"c{i}" for i in range(1, 30, 2)) + " in cycles with these too): a class cannot be its own "
         "ancestor; remove one subclass_of")]
    assert time.monotonic() - start < 5
    two = ('[classes.x]\nsubclass_of = "y"\n[classes.y]\nsubclass_of = ["z", "x"]\n[classes.z]\nsubclass_of = "y"\n'
           '[classes.w]\nsubclass_of = "w"\n[classes.top]\n')
    assert [p[2:] for p in _problems(_domain(tmp_path / "2", two))] == [
        (1, "subclass cycle x -> y -> x (z in cycles with these too): a class cannot be its own ancestor; remove "
            "one subclass_of"),
        (7, "subclass cycle w -> w: a class cannot be its own ancestor; remove one subclass_of")]


def test_class_names_that_are_not_names_are_kga610_not_unknown_classes(tmp_path) -> None:
    """`subclass_of = 5` was 'unknown class '5'; declare [classes.5]', `domain = ""` 'declare
    [classes.]', `subclass_of = {a = "drug"}` "declare [classes.{'a': 'drug'}]", `untyped = false`
    or `""` no untyped class without a word, and `domain = ["drug", "drug"]` passed."""
    onto = ONTOLOGY + ('[classes.x]\nsubclass_of = 5\n\n[classes.y]\ndisjoint_with = ["drug", "drug"]\n\n'
                       '[relations.r]\ndomain = ""\nrange = [["drug"]]\n\n[ontology]\nuntyped = false\n')
    assert _problems(_domain(tmp_path, onto)) == [
        ("KGA610", "ontology.toml", 9, "class x: subclass_of is a class name or a list of class names, not 5"),
        ("KGA610", "ontology.toml", 12, "class y: disjoint_with lists 'drug' twice"),
        ("KGA610", "ontology.toml", 15, "relation r: domain is a class name or a list of class names, not ''"),
        ("KGA610", "ontology.toml", 16, "relation r: range is a class name or a list of class names, not "
                                        "[['drug']]"),
        ("KGA610", "ontology.toml", 19, "[ontology]: untyped is the name of one class, not False")]


def _data(tmp_path: Path, *sentences: tuple[list[str], list[tuple[str, int, int]]]) -> Path:
    """A SpERT JSON file of one-word entities: (entity labels, relations (label, head, tail))."""
    import json

    records = [{"tokens": [f"w{i}" for i in range(len(labels))],
                "entities": [{"type": t, "start": i, "end": i + 1} for i, t in enumerate(labels)],
                "relations": [{"type": t, "head": h, "tail": x} for t, h, x in rels]} for labels, rels in sentences]
    path = tmp_path / "train.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def test_not_is_no_name_of_a_domain_and_init_does_not_make_it_one(tmp_path) -> None:
    """`not` is the rules' negation: [classes.not] passed check, and `kgagent init` on data labelled
    "Not" wrote it and then failed on its own cases (KGA101) leaving the folder written."""
    onto = ONTOLOGY + '[classes.not]\n\n[relations.not]\ndomain = "drug"\nrange = "drug"\n'
    found = _problems(_domain(tmp_path, onto))
    assert [p[:3] for p in found] == [
        ("KGA611", "ontology.toml", 8), ("KGA611", "ontology.toml", 10), ("KGA613", "ontology.toml", 10)]
    assert found[0][3] == (
        "class name 'not' is the rule language's word for negation: rule files cannot write it as a constant; "
        "rename it (not_)")
    d = tmp_path / "new"
    r = run("init", d, "--from-data", _data(tmp_path, (["Not", "Drug"], [("Treats", 1, 0)])))
    assert r.exit_code == 0 and "2 classes, 1 relations" in r.output and "(all pass)" in r.output, r.output
    assert check_domain(d) == []
    assert "[classes.not_]" in (d / "ontology.toml").read_text() and 'Not = "not_"' in (d / "labels.toml").read_text()


def test_init_writes_labels_of_any_text_as_toml_that_reads_back(tmp_path) -> None:
    """Labels were written bare or in quotes without escapes: 'Médicament', 'Dr"ug', 'a\\\\b' and a
    label with a line break made labels.toml (and ontology.toml's descriptions) invalid TOML, so
    init wrote a domain that `domain check` refused (KGA601)."""
    from kgagent.domain import Domain

    labels = ["Médicament", 'Dr"ug', "a\\b", "Line\nBreak", "日本.x"]
    d = tmp_path / "new"
    r = run("init", d, "--from-data", _data(tmp_path, (labels, [("Traite'", 0, 1)])))
    assert r.exit_code == 0 and "5 classes, 1 relations" in r.output, r.output
    assert check_domain(d) == []
    dom = Domain.load(d)
    assert [dom.labels.lookup(x) for x in [*labels, "Traite'"]] == [
        "m_dicament", "dr_ug", "a_b", "line_break", "x", "traite"]
    assert dom.ontology.classes["dr_ug"].description.endswith('labelled Dr"ug in train.json)')
    # a problem on such a label is told at its line
    (d / "labels.toml").write_text('[x]\n\n"Dr\\"ug" = "nope"\n\'a.b\' = "drug"\n')
    assert [p[:3] for p in _problems(d)] == [("KGA621", "labels.toml", 3), ("KGA621", "labels.toml", 4)]


# ---------------------------------------------------------------------------- the label map
def test_a_label_that_is_an_ontology_name_cannot_mean_another_and_no_label_is_blank(tmp_path) -> None:
    """`drug = "effect"` was read and then ignored (the ontology's own name wins the lookup), `DRUG =
    "effect"` made 'Drug' and 'DRUG' mean different things; `"" = "drug"` passed."""
    from kgagent.domain import Domain

    labels = '[x]\ndrug = "effect"\nDRUG = "effect"\n"" = "drug"\nDrug = "drug"\nPill = "drug"\n'
    d = _domain(tmp_path, labels=labels)
    assert _problems(d) == [
        ("KGA622", "labels.toml", 2, "[x] maps 'drug' to 'effect', but 'drug' reads as the ontology's own name "
                                     "'drug' (labels are matched case-folded, '-' and spaces as '_'): one label, one "
                                     "meaning; rename the class or relation, or drop the line"),
        ("KGA622", "labels.toml", 3, "[x] maps 'DRUG' to 'effect', but 'DRUG' reads as the ontology's own name "
                                     "'drug' (labels are matched case-folded, '-' and spaces as '_'): one label, one "
                                     "meaning; rename the class or relation, or drop the line"),
        ("KGA620", "labels.toml", 4, "[x] maps a blank label '' to 'drug': a label is the text a data set or model "
                                     "writes")]
    (d / "labels.toml").write_text('[x]\nDrug = "drug"\nPill = "drug"\nEFFECT = "effect"\n')
    assert _problems(d) == []  # two labels of one class, and an own name's case: one meaning each
    assert Domain.load(d).labels.lookup("Pill") == "drug"


# ---------------------------------------------------------------------------- kgagent init
def test_init_refuses_labels_the_label_map_cannot_tell_apart_and_writes_nothing(tmp_path) -> None:
    """Entity and relation label 'Drug' wrote `Drug = "drug_rel"` only (the class's line lost: data
    labelled Drug then meant the relation); 'Drug' and 'DRUG' wrote a label map its own check
    refused (KGA622)."""
    for n, (data, words) in enumerate([
            ((["Drug", "Drug"], [("Drug", 0, 1)]), "the label 'Drug' names both entities and relations"),
            ((["Drug", "Drug"], [("DRUG", 0, 1)]), "the labels 'Drug' (entities) and 'DRUG' (relations) differ "
                                                   "only in case, '-', '_' or spaces"),
            ((["AdverseEffect", "Pill"], [("adverse-effect", 1, 0)]),
             "the data's labels would make a domain with a problem (KGA622 [train] maps 'adverse-effect'")]):
        d = tmp_path / f"new{n}"
        r = run("init", d, "--from-data", _data(tmp_path, data))
        assert r.exit_code == 1 and "KGA641 " + words in r.output and "Traceback" not in r.output, r.output
        assert not d.exists()


def test_init_names_a_relation_apart_from_every_class(tmp_path) -> None:
    """A relation named as a class got `_rel`, even when a class had that name too: init wrote
    a domain its own check refused (KGA613 declared both as a class and as a relation)."""
    d = tmp_path / "new"
    data = _data(tmp_path, (["AdverseEffect", "Adverse_Effect_Rel"], [("Adverse Effect!", 0, 1)]))
    r = run("init", d, "--from-data", data)
    assert r.exit_code == 0 and "adverse_effect_rel2: adverse_effect->adverse_effect_rel 1" in r.output, r.output
    assert check_domain(d) == []


def test_init_that_fails_half_way_leaves_no_folder_and_a_name_is_any_text(tmp_path, monkeypatch) -> None:
    """A failure after the first file left a half-written folder that a second init refused as
    'not empty'; `--name 'a"b'` wrote `name = "a"b"` (invalid TOML), `--name ' '` a blank name."""
    from kgagent.domain import Domain
    from kgagent.domain_init import init_domain
    from kgagent.errors import StorageError
    from kgagent.kg import KnowledgeGraph

    data = _data(tmp_path, (["Drug", "Effect"], [("Causes", 0, 1)]))

    def full(*args, **kwargs):
        raise StorageError("no space left on device", code="KGA500")

    with monkeypatch.context() as m:
        m.setattr(KnowledgeGraph, "save", full)
        for target in (tmp_path / "a" / "new", tmp_path / "empty"):
            if target.name == "empty":
                target.mkdir()
            try:
                init_domain(target, data)
            except StorageError:
                pass
            assert not (tmp_path / "a").exists() and (not target.exists() or list(target.iterdir()) == [])
    r = run("init", tmp_path / "named", "--from-data", data, "--name", 'a"b\\')
    assert r.exit_code == 0 and Domain.load(tmp_path / "named").name == 'a"b\\'
    r = run("init", tmp_path / "blank", "--from-data", data, "--name", " ")
    assert r.exit_code == 2 and "KGA640 the domain's name ' ' is blank" in r.output
    assert not (tmp_path / "blank").exists()


def test_an_ontology_without_classes_is_named_and_its_labels_are_not_blamed(tmp_path) -> None:
    """An empty ontology.toml, or `ontology = false`, made a domain of no class that `domain check`
    called sound (every mention rejected); an ontology that could not be read made every line of
    the label map a KGA621 too; `ontology = "nope.toml"` was not told at its line."""
    d = _domain(tmp_path, "# nothing yet\n", labels='[x]\nDrug = "drug"\n')
    assert _problems(d) == [("KGA609", "ontology.toml", 0, "the ontology declares no class: a domain needs at least "
                                                           "one ([classes.NAME]; `kgagent init DIR --from-data "
                                                           "TRAIN.json` writes them from data)")]
    (d / "domain.toml").write_text('name = "d"\nontology = false\n')
    assert [p[:3] for p in _problems(d)] == [("KGA609", "domain.toml", 2)]
    (d / "domain.toml").write_text('name = "d"\nontology = "nope.toml"\n')
    assert _problems(d) == [("KGA608", "domain.toml", 2, f"the ontology path {d / 'nope.toml'} does not exist: fix "
                                                         "`ontology` in domain.toml or remove it")]
    (d / "domain.toml").write_text('name = "d"\n')
    (d / "ontology.toml").write_text("[classes.drug\n")
    assert [p[:3] for p in _problems(d)] == [("KGA601", "ontology.toml", 1)]
    r = run("domain", "check", d)
    assert r.exit_code == 1 and "KGA621" not in r.output


def test_init_types_file_problems_have_their_line_and_a_bom_is_read(tmp_path) -> None:
    """A types file that was not JSON was 'KGA643 cannot read the types file: Expecting value: line
    1 column 15 (char 14)' without a location, one with a BOM was refused ('Unexpected UTF-8
    BOM'), one nested deep a RecursionError traceback; `--from-data DIR` said 'no such file'."""
    data = _data(tmp_path, (["Drug", "Drug"], [("Interacts", 0, 1)]))
    for n, (raw, words) in enumerate([(b'{"relations": \n {"A": }}', ":2:8: KGA643 not valid JSON: Expecting value"),
                                      (b'{"relations": {"Caf\xe9": {}}}', ":1:20: KGA643 not UTF-8 text: byte 0xe9"),
                                      (b"[" * 100000, ": KGA643 not valid JSON: nested too deeply to read")]):
        types = tmp_path / f"types{n}.json"
        types.write_bytes(raw)
        r = run("init", tmp_path / "new", "--from-data", data, "--types", types)
        assert r.exit_code == 1 and f"{types}{words}" in r.output and "Traceback" not in r.output, r.output
        assert not (tmp_path / "new").exists()
    types = tmp_path / "types.json"
    types.write_bytes(b'\xef\xbb\xbf{"relations": {"Interacts": {"symmetric": true}}}')
    assert run("init", tmp_path / "new", "--from-data", data, "--types", types).exit_code == 0
    from kgagent.domain import Domain

    assert Domain.load(tmp_path / "new").ontology.relations["interacts"].symmetric
    r = run("init", tmp_path / "other", "--from-data", tmp_path)
    assert r.exit_code == 2 and f"KGA502 {tmp_path} is a folder: give the data file itself" in r.output


def test_a_domain_that_is_a_file_or_whose_domain_toml_is_a_folder_is_told_so(tmp_path) -> None:
    """A file given as --domain was 'no such domain folder', a domain.toml that is a folder 'no
    domain.toml': both send the user looking for something that is there."""
    (tmp_path / "f.txt").write_text("x")
    d = tmp_path / "d"
    (d / "domain.toml").mkdir(parents=True)
    assert _problems(tmp_path / "f.txt") == [
        ("KGA602", "f.txt", 0, "is a file, not a domain folder: give a directory made by `kgagent init`")]
    assert _problems(d) == [("KGA602", "d", 0, "not a domain folder: domain.toml is a folder, not a file (make one "
                                               "with `kgagent init DIR --from-data TRAIN.json`)")]
    r = run("domain", "check", tmp_path / "f.txt")
    assert r.exit_code == 2 and "KGA602 is a file, not a domain folder" in r.output


def test_extract_runs_on_a_domain_init_wrote_from_odd_labels(tmp_path, monkeypatch) -> None:
    """From labels that are no TOML key ('Médicament', "Traite'") and one that is the rules'
    negation ('Not') to decisions in the domain's own names, through `kgagent extract --domain`."""
    import json
    import re
    from types import SimpleNamespace

    from kgagent.schema import EntityProposal, RelationProposal, SentenceProposals
    from support.agent_fakes import patch_cli_agent

    class Encoder:
        name_or_path = "fake"
        config = SimpleNamespace(relation_threshold=0.5, entity_labels=["Médicament", "Not"],
                                 relation_labels=["Traite'"])

        def propose(self, sentences, batch_size: int = 32, relation_threshold=None):
            out = []
            for s in sentences:
                ents = [EntityProposal(m.start(), m.end(), "Médicament", 0.9, m.group())
                        for m in re.finditer("Aspirin", s)]
                ents += [EntityProposal(m.start(), m.end(), "Not", 0.9, m.group()) for m in re.finditer("nausea", s)]
                rels = [RelationProposal(0, 1, "Traite'", 0.9)] if len(ents) == 2 else []
                out.append(SentenceProposals(text=s, entities=ents, relations=rels))
            return out

    d = tmp_path / "dom"
    assert run("init", d, "--from-data", _data(tmp_path, (["Médicament", "Not"], [("Traite'", 0, 1)]))).exit_code == 0
    (d / "model").mkdir()
    (d / "model" / "config.json").write_text(json.dumps({"entity_labels": ["Médicament", "Not"],
                                                          "relation_labels": ["Traite'"]}))
    assert run("domain", "check", d).exit_code == 0
    patch_cli_agent(monkeypatch, Encoder)
    (tmp_path / "t.txt").write_text("Aspirin caused nausea.\n")
    r = run("extract", tmp_path / "t.txt", "--out", tmp_path / "out", "--domain", d)
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in (tmp_path / "out" / "decisions.jsonl").read_text().splitlines()]
    assert sorted((x["kind"], x.get("type") or x.get("predicate"), x["verdict"]) for x in rows) == [
        ("entity", "m_dicament", "accept"), ("entity", "not_", "accept"), ("relation", "traite", "accept")]


# ---------------------------------------------------------------------------- the domain's rule files
def test_thresholds_out_of_their_range_are_named_at_their_line(tmp_path) -> None:
    """threshold(entity_accept, 1.5) (nothing is ever accepted), threshold(entity_review, -1) and an
    entity_review above entity_accept (a score between them accepted and rejected) were 'sound'."""
    d = _domain(tmp_path)
    rules = d / "rules" / "thresholds.rules"
    text = rules.read_text()
    lines = text.splitlines()
    accept = next(n for n, line in enumerate(lines, 1) if line.startswith("threshold(entity_accept,"))
    review = next(n for n, line in enumerate(lines, 1) if line.startswith("threshold(entity_review,"))
    rules.write_text(text.replace(lines[accept - 1], "threshold(entity_accept, 1.5).")
                     .replace(lines[review - 1], "threshold(entity_review, -1)."))
    r = run("domain", "check", d)
    assert r.exit_code == 1, r.output
    assert (f"rules/thresholds.rules:{accept}:1: KGA126 threshold entity_accept is 1.5, outside 0 to 1: the shared "
            "rules that read it would never fire, or always") in r.output
    assert f"rules/thresholds.rules:{review}:1: KGA126 threshold entity_review is -1, outside 0 to 1" in r.output
    rules.write_text(text.replace(lines[review - 1], "threshold(entity_review, 0.9)."))
    r = run("domain", "check", d)
    assert r.exit_code == 1 and f"rules/thresholds.rules:{review}:1: KGA126 threshold entity_review (0.9) is above " \
                                f"entity_accept ({lines[accept - 1].split(', ')[1].rstrip(').')})" in r.output, r.output


def test_a_misspelt_table_of_the_wording_file_is_named(tmp_path) -> None:
    """`[predicate]` (for [predicates]) in explain.toml was skipped without a word: the domain's
    helper predicates stayed raw syntax in explanations."""
    d = _domain(tmp_path)
    (d / "explain.toml").write_text('[predicate]\n"within/2" = "{0} lies in {1}"\n')
    assert _problems(d) == [("KGA630", "explain.toml", 1, "unknown table [predicate] (did you mean 'predicates'?): a "
                                                          "wording file has one table, [predicates], of "
                                                          "'\"name/arity\" = \"words\"' lines")]


def test_a_model_label_mapped_to_the_wrong_kind_of_name_is_refused(tmp_path) -> None:
    """A label map sending the model's entity label 'Pill' to the relation causes (or a relation
    label to a class) passed check and Agent.load: every such mention then had a 'class' that is a
    relation, and was rejected as of no class of the ontology."""
    import json
    from types import SimpleNamespace

    import pytest

    from kgagent import Agent
    from kgagent.errors import DomainError

    d = _domain(tmp_path, labels='[m]\nPill = "causes"\nCausing = "drug"\nEffect = "effect"\n')
    (d / "model").mkdir()
    (d / "model" / "config.json").write_text(json.dumps({"entity_labels": ["Pill", "Effect"],
                                                          "relation_labels": ["Causing"]}))
    assert _problems(d) == [("KGA606", "config.json", 0, "the model: the domain 'd' maps the entity label 'Pill' to "
                                                         "the relation causes; the relation label 'Causing' to the "
                                                         f"class drug; map each to a name of its kind in "
                                                         f"{d / 'labels.toml'}")]

    class Encoder:
        name_or_path = "fake"
        config = SimpleNamespace(relation_threshold=0.5, entity_labels=["Pill", "Effect"],
                                 relation_labels=["Causing"])

        def propose(self, sentences, batch_size: int = 32, relation_threshold=None):
            return []

    (d / "model" / "config.json").unlink()
    with pytest.raises(DomainError) as err:
        Agent.load(domain=d, model=Encoder())
    assert err.value.code == "KGA606" and str(err.value) == (
        "KGA606 the model fake: the domain 'd' maps the entity label 'Pill' to the relation causes; the relation "
        f"label 'Causing' to the class drug; map each to a name of its kind in {d / 'labels.toml'}")


def test_init_into_a_symlink_that_leads_nowhere_is_one_line(tmp_path) -> None:
    """A TARGET that is a symlink loop (or lies under one) ended in 'RuntimeError: Symlink loop'; a
    dangling link said 'KGA550 File exists'."""
    data = _data(tmp_path, (["Drug", "Effect"], [("Causes", 0, 1)]))
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "x")
    for target, what in ((tmp_path / "loop", "the domain folder"), (tmp_path / "loop" / "sub", f"{tmp_path / 'loop'}, "
                                                                                             "a folder above it,"),
                         (tmp_path / "dangling", "the domain folder")):
        r = run("init", target, "--from-data", data)
        assert r.exit_code == 2 and f"{target}: KGA640 {what} is a symbolic link that leads nowhere (or back to " \
                                    "itself)" in r.output and "Traceback" not in r.output, r.output
    assert not (tmp_path / "nowhere").exists()


def test_a_model_config_that_is_not_json_is_named_with_its_line(tmp_path) -> None:
    """A model/config.json nested deep ended `domain check` in a RecursionError traceback; a JSON
    error said 'line 2 column 10 (char 27)' inside the message, not as the location."""
    d = _domain(tmp_path)
    (d / "model").mkdir()
    config = d / "model" / "config.json"
    config.write_text("[" * 100000)
    assert _problems(d) == [("KGA605", "config.json", 0, "unreadable model config: nested too deeply to read")]
    config.write_text('{"entity_labels": \n ["Drug",]}')
    r = run("domain", "check", d)
    assert r.exit_code == 1 and f"{config}:2:10: KGA605 unreadable model config: not valid JSON: Expecting value" \
        in r.output and "Traceback" not in r.output, r.output


def test_a_misspelt_key_is_named_with_the_key_it_meant(tmp_path) -> None:
    """'unknown key 'shared_rule' in domain.toml (keys: description, graph, ...)' left the reader to
    find the near miss among eleven keys; now it is named."""
    onto = ONTOLOGY + '[class.pill]\n\n[classes.pill]\nsubclassof = "drug"\n\n[relations.r]\ndomain = "drug"\n' \
                      'range = "drug"\nsymetric = true\n'
    d = _domain(tmp_path, onto, domain='name = "d"\nshared_rule = false\n')
    got = {(p[2], p[3].split(" (keys:")[0]) for p in _problems(d)}
    assert got == {(2, "unknown key 'shared_rule' in domain.toml (did you mean 'shared_rules'?)"),
                   (8, "unknown table [class] (did you mean 'classes'?): an ontology has [ontology], [classes.NAME] "
                       "and [relations.NAME]"),
                   (11, "class pill: unknown key 'subclassof' (did you mean 'subclass_of'?)"),
                   (16, "relation r: unknown key 'symetric' (did you mean 'symmetric'?)")}, got


def test_a_model_path_that_is_a_file_and_a_domain_toml_link_to_nowhere_are_named(tmp_path) -> None:
    """`model = "labels.toml"` passed check and later read as 'no model yet'; a domain.toml that
    links to nothing was 'no domain.toml'."""
    d = _domain(tmp_path, domain='name = "d"\nmodel = "labels.toml"\n')
    assert _problems(d) == [("KGA608", "domain.toml", 2, f"the model path {d / 'labels.toml'} is not a folder: fix "
                                                         "`model` in domain.toml")]
    (d / "domain.toml").unlink()
    (d / "domain.toml").symlink_to(d / "nowhere.toml")
    assert _problems(d) == [("KGA602", "d", 0, "not a domain folder: domain.toml is a symbolic link that leads nowhere "
                                               "(or back to itself) (make one with `kgagent init DIR --from-data "
                                               "TRAIN.json`)")]


def test_init_refuses_a_symmetric_flag_on_a_label_the_data_writes_otherwise(tmp_path) -> None:
    """A types file marking 'interacts-with' symmetric, for data labelled 'Interacts-With', made
    the relation one-way without a word (the flag fell on no label)."""
    data = _data(tmp_path, (["Drug", "Drug"], [("Interacts-With", 0, 1)]))
    types = tmp_path / "types.json"
    types.write_text('{"relations": {"interacts-with": {"symmetric": true}, "Unseen": {"symmetric": true}}}')
    r = run("init", tmp_path / "new", "--from-data", data, "--types", types)
    assert r.exit_code == 1 and f"{types}: KGA643 the types file marks 'interacts-with' symmetric, but the data " \
                                "writes it 'Interacts-With': write the label as the data does" in r.output, r.output
    assert not (tmp_path / "new").exists()
    types.write_text('{"relations": {"Interacts-With": {"symmetric": true}, "Unseen": {"symmetric": true}}}')
    assert run("init", tmp_path / "new", "--from-data", data, "--types", types).exit_code == 0


def test_a_domain_that_is_no_path_is_a_domain_error_not_a_type_error() -> None:
    """`Agent.load(domain=5)` was 'TypeError: expected str, bytes or os.PathLike object, not int'."""
    import pytest

    from kgagent import Agent
    from kgagent.domain import Domain
    from kgagent.errors import DomainError

    for value in (5, ["kg_data"], b"kg_data"):
        with pytest.raises(DomainError) as err:
            Agent.load(domain=value)
        assert str(err.value) == (f"KGA602 a domain is a folder's path (str or Path) or a Domain, not "
                                  f"{type(value).__name__} {value!r}")
        with pytest.raises(DomainError):
            Domain.load(value)


def test_an_unknown_class_is_named_with_what_it_is_or_meant(tmp_path) -> None:
    """`range = "drgu"` was 'names the unknown class 'drgu'' (the near miss left to find), `range =
    "causes"` 'unknown class' for a relation's name, `disjoint_with = "pill"` on pill 'cannot be
    disjoint with pill: one is a subclass of the other'."""
    onto = ONTOLOGY + ('[classes.pill]\ndisjoint_with = "pill"\n\n[relations.r]\ndomain = "drgu"\nrange = "causes"\n'
                       '\n[ontology]\nuntyped = "efect"\n')
    assert [p[2:] for p in _problems(_domain(tmp_path, onto))] == [
        (12, "relation r: its domain names the unknown class 'drgu' (did you mean 'drug'?); declare [classes.drgu] "
             "or fix the name"),
        (13, "relation r: its range names 'causes', which is a relation, not a class"),
        (16, "untyped names the unknown class 'efect' (did you mean 'effect'?); declare [classes.efect] or fix the "
             "name"),
        (9, "class pill cannot be disjoint with itself")]


def test_a_label_mapped_to_a_misspelt_name_is_told_the_name(tmp_path) -> None:
    """`Pill = "durg"` was 'maps 'Pill' to 'durg', which the ontology does not declare' alone."""
    assert _problems(_domain(tmp_path, labels='[x]\nPill = "durg"\n')) == [
        ("KGA621", "labels.toml", 2, "[x] maps 'Pill' to 'durg', which the ontology does not declare (did you mean "
                                     "'drug'?); declare it or map the label to a class or relation that exists")]


def test_a_dotted_name_is_told_as_the_table_toml_reads(tmp_path) -> None:
    """`[classes.dose.form]` was "class dose: unknown key 'form'" and `B.Drug = "drug"` in a label
    map "[x] B must map to a name in quotes": both name what TOML made of the dot, not the dot."""
    d = _domain(tmp_path, ONTOLOGY + '[classes.dose.form]\nlabel = "dose form"\n', labels='[x]\nB.Drug = "drug"\n')
    assert _problems(d) == [
        ("KGA611", "ontology.toml", 8, "class dose holds a table 'form': [classes.dose.form] is a table inside class "
                                       "dose, not a class named 'dose.form' (a name holds no '.'; write it with '_')"),
        ("KGA620", "labels.toml", 2, "[x] B must map to a name in quotes (TOML reads B.Drug as a table: quote a "
                                     "label with a '.', \"B.Drug\" = \"name\")")]


def test_a_domain_that_reads_no_rules_is_named(tmp_path) -> None:
    """`shared_rules = false` with `rules = []` passed check_domain, then every command said
    '.: KGA107 no rule files given' (exit 2), naming neither domain.toml nor the cause."""
    d = _domain(tmp_path, domain='name = "d"\nshared_rules = false\nrules = []\n')
    assert _problems(d) == [("KGA604", "domain.toml", 3, "the domain reads no rules: shared_rules is false and rules "
                                                         "names none; name the domain's rule files in `rules` or set "
                                                         "shared_rules = true")]
    r = run("rules", "test", "--domain", d)
    assert r.exit_code == 2 and f"{d / 'domain.toml'}:3: KGA604 the domain reads no rules" in r.output, r.output


def test_a_control_character_quoted_from_a_domain_file_is_printed_inert(tmp_path) -> None:
    """An unknown table named with an ESC sequence ([\"\\u001b[2J\"]) was printed raw by `domain
    check` and every --domain command: the terminal cleared its screen."""
    d = _domain(tmp_path, ONTOLOGY + '["\\u001b[2J"]\n')
    for args in (["domain", "check", d], ["rules", "test", "--domain", d]):
        r = run(*args)
        assert r.exit_code in (1, 2) and "\x1b" not in r.output and "unknown table [\\x1b[2J]" in r.output, r.output


def test_a_part_that_names_another_parts_file_is_one_problem(tmp_path) -> None:
    """`ontology = "domain.toml"` read domain.toml's keys as one 'unknown table' each (and left an
    empty ontology); `labels = "ontology.toml"` one KGA620 per class."""
    d = _domain(tmp_path, domain='name = "d"\nontology = "domain.toml"\n')
    assert _problems(d) == [("KGA608", "domain.toml", 2, f"the ontology path {d / 'domain.toml'} is the domain.toml "
                                                         "file: give the ontology a file of its own")]
    (d / "domain.toml").write_text('name = "d"\nlabels = "./ontology.toml"\nwording = "ontology.toml"\n')
    assert [p[:3] for p in _problems(d)] == [("KGA608", "domain.toml", 2), ("KGA608", "domain.toml", 3)]
    assert _problems(d)[1][3] == (f"the wording path {d / 'ontology.toml'} is the ontology file: give the wording a "
                                  "file of its own")


def test_a_name_that_is_no_rule_constant_is_told_how_to_write_it(tmp_path) -> None:
    """'café' was told to 'hold only letters, digits and _' (é is a letter); neither it nor
    'Adverse Effect' was told the constant it could be."""
    onto = ONTOLOGY + '[classes."café"]\n\n[relations."Work-For"]\ndomain = "drug"\nrange = "drug"\n'
    assert [p[3] for p in _problems(_domain(tmp_path, onto))] == [
        "class name 'café' must start with a lower-case letter and hold only ASCII letters, digits and _ (rule files "
        "write it as a constant); write it 'cafe'",
        "relation name 'Work-For' must start with a lower-case letter and hold only ASCII letters, digits and _; "
        "write it 'work_for'"]


def test_an_ontology_setting_outside_its_table_is_told_where_it_belongs(tmp_path) -> None:
    """`untyped = "effect"` written above the tables was "unknown table [untyped]: an ontology has
    [ontology], ..." (it is no table, and the ontology was left without its untyped class)."""
    assert _problems(_domain(tmp_path, 'untyped = "effect"\n' + ONTOLOGY)) == [
        ("KGA610", "ontology.toml", 1, "untyped belongs in the [ontology] table: write it under an [ontology] line")]


def test_classes_relations_or_ontology_of_the_wrong_shape_are_named_at_their_line(tmp_path) -> None:
    """`[[relations]]` (a list of tables), `classes = ["drug"]` or `ontology = 3` were one
    '[classes] and [relations] hold one table per name' without a line, whichever was wrong."""
    assert _problems(_domain(tmp_path, '[classes.drug]\n\n[[relations]]\nname = "causes"\n')) == [
        ("KGA610", "ontology.toml", 3, "relations holds one table per relation ([relations.NAME]), not a list of "
                                       "tables")]
    assert [p[2:] for p in _problems(_domain(tmp_path / "2", 'ontology = 3\nclasses = ["drug"]\n'))] == [
        (1, "ontology holds a table of settings (an [ontology] line, then untyped = ...), not the number 3"),
        (2, "classes holds one table per class ([classes.NAME]), not the list ['drug']")]


def test_a_graph_path_no_command_can_read_is_kga608_at_its_line(tmp_path: Path) -> None:
    """`graph = "labels.toml"` passed domain check and failed only when a command used the graph
    (KGA202 unknown graph format, without domain.toml's line)."""
    from kgagent.domain import check_domain

    d = tmp_path / "d"
    d.mkdir()
    (d / "ontology.toml").write_text('[classes.drug]\n')
    (d / "labels.toml").write_text('')
    (d / "domain.toml").write_text('name = "d"\ngraph = "labels.toml"\n')
    problems = [p for p in check_domain(d) if p.code == "KGA608"]
    assert [(p.location.line, p.message.split(";")[0]) for p in problems] == [
        (2, f"the graph path {d / 'labels.toml'} is no graph file by its suffix (.toml)")]
    (d / "g.nq.gz").write_bytes(b"")
    (d / "domain.toml").write_text('name = "d"\ngraph = "g.nq.gz"\n')
    assert not [p for p in check_domain(d) if p.code == "KGA608"]


def test_a_graph_folder_without_a_graph_file_is_kga608(tmp_path: Path) -> None:
    """An empty graph/ folder passed domain check, and every command that used the graph stopped on
    it (KGA201 no graph file in directory)."""
    from kgagent.domain import check_domain

    d = tmp_path / "d"
    (d / "graph").mkdir(parents=True)
    (d / "ontology.toml").write_text('[classes.drug]\n')
    (d / "labels.toml").write_text('')
    (d / "domain.toml").write_text('name = "d"\n')
    (problem,) = [p for p in check_domain(d) if p.code == "KGA608"]
    assert problem.location.path == str(d / "graph")
    assert problem.message.startswith(f"the graph folder {d / 'graph'} holds no graph file (one of graph.nq.gz, ")
    assert problem.message.endswith(f": `kgagent kg import FILE --graph {d / 'graph'}` makes one, or remove the "
                                    "folder (a domain without a graph)")
    (d / "domain.toml").write_text('name = "d"\ngraph = "graph"\n')
    (problem,) = [p for p in check_domain(d) if p.code == "KGA608"]
    assert problem.location.line == 2 and problem.message.endswith(": fix `graph` in domain.toml")
    (d / "graph" / "graph.nt").write_text("")
    assert not [p for p in check_domain(d) if p.code == "KGA608"]
