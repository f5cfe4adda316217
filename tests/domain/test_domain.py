"""Domains as data: the news domain, bad domain folders (every problem, with file:line),
`kgagent init` on a small drugs data set, and a model refused by a domain that cannot map it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from kgagent import Agent, Document
from kgagent.domain import Domain, LabelMap, Ontology, check_domain
from kgagent.errors import DomainError, RuleError
from kgagent.schema import EntityProposal, RelationProposal, SentenceProposals
from kgagent_cli.main import app
from support.agent_fakes import REPO

FIX = REPO / "tests" / "fixtures" / "domain"
NEWS = REPO / "kg_data"


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


# ---------------------------------------------------------------------------- the news domain
def test_the_news_domain_is_the_default_and_is_sound() -> None:
    d = Domain.load()
    assert d.root == NEWS.resolve() and d.name == "news"
    assert d.ontology.kinds == ("person", "organization", "location", "other")
    assert d.ontology.untyped == "other"
    assert d.ontology.kind_of("city") == "location" and d.ontology.kind_of("person") == "person"
    assert d.ontology.disjoint("city", "person") and d.ontology.disjoint("city", "country")
    assert not d.ontology.disjoint("city", "location")
    assert [p.name for p in d.rule_paths] == ["shared_rules", "rules"]
    assert check_domain() == []


@pytest.mark.parametrize("label, name", [("Peop", "person"), ("PER", "person"), ("MISC", "misc"), ("Other", "other"),
                                         ("Work_For", "work_for"), ("work-for", "work_for"),
                                         ("OrgBased_In", "orgbased_in"), ("Settlement", "city"),
                                         ("person", "person")])
def test_the_label_map_speaks_for_every_source(label: str, name: str) -> None:
    assert Domain.load().labels.normalize(label) == name


def test_ontology_facts_for_the_rules() -> None:
    f = Domain.load().rule_facts()
    assert ("work_for", "person", "organization") in f["signature"]
    assert ("city", "location") in f["subclass"] and ("city", "city") in f["subclass"]
    assert ("capital",) in f["functional"] and f["symmetric"] == set()
    assert f["asymmetric"] == {("located_in",), ("capital",)}
    assert ("person", "location") in f["disjoint"] and ("location", "person") in f["disjoint"]
    assert f["core"] == {("person",), ("organization",), ("location",), ("other",)}
    assert f["untyped"] == {("other",)}


def test_the_graph_holds_the_ontology_as_rdfs_owl() -> None:
    from kgagent.kg import KnowledgeGraph

    kg = KnowledgeGraph()
    kg.add_ontology(Domain.load().ontology)
    kg.add_ontology(Domain.load().ontology)  # idempotent
    ttl = kg.dataset.serialize(format="nquads")
    assert "<https://w3id.org/kgagent/ont/city> <http://www.w3.org/2000/01/rdf-schema#subClassOf> " \
           "<https://w3id.org/kgagent/ont/location>" in ttl
    assert "http://www.w3.org/2002/07/owl#FunctionalProperty" in ttl
    assert "<https://w3id.org/kgagent/ont/located_in> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " \
           "<http://www.w3.org/2002/07/owl#AsymmetricProperty>" in ttl
    assert kg._schema_facts()["asymmetric"] == {("located_in",), ("capital",)}  # what graph-only rules read
    assert ttl.count('"works for"') == 1
    assert kg.root_classes() == {"person", "organization", "location", "other"}


# ---------------------------------------------------------------------------- bad domain folders
def _domain(tmp_path: Path, ontology: str, labels: str = "", domain: str = "") -> Path:
    d = tmp_path / "d"
    (d / "rules").mkdir(parents=True)
    (d / "rules" / "thresholds.rules").write_text((NEWS / "rules" / "thresholds.rules").read_text())
    (d / "domain.toml").write_text(domain or 'name = "d"\n')
    (d / "ontology.toml").write_text(ontology)
    (d / "labels.toml").write_text(labels)
    return d


BROKEN = """\
[classes.animal]
label = "animal"

[classes.dog]
subclass_of = "wolf"

[classes.a]
subclass_of = "b"

[classes.b]
subclass_of = "a"

[relations.chases]
domain = "dog"
range = "cat"
"""


def test_every_problem_of_an_ontology_in_one_run_with_its_line(tmp_path) -> None:
    d = _domain(tmp_path, BROKEN, labels='[zoo]\nDog = "dog"\nCat = "cat"\n')
    problems = check_domain(d)
    got = {(p.code, p.location.line) for p in problems}
    assert ("KGA612", 5) in got  # dog under the unknown class wolf (line of subclass_of)
    assert ("KGA612", 15) in got  # chases' range is the unknown class cat (line of range)
    assert any(p.code == "KGA615" and "a -> b -> a" in p.message for p in problems)  # the cycle, once
    assert ("KGA621", 3) in got  # the label map sends Cat to a class nobody declares
    assert all(str(p.location.path).endswith((".toml",)) for p in problems)
    r = run("domain", "check", d)
    assert r.exit_code == 1
    err = [line for line in r.output.splitlines() if line.startswith("error: ")]
    assert len(err) == len(problems) + 1  # one line per problem, then the summary
    assert f"{d / 'ontology.toml'}:5: KGA612" in r.output and "Traceback" not in r.output


def test_a_class_or_relation_that_is_a_value_or_has_a_label_that_is_not_text_is_named(tmp_path) -> None:
    """`[classes] foo = "x"` made a class foo, `label = 5` the label "5": both without a word."""
    onto = ('[classes.person]\nlabel = 5\n\n[classes]\nfoo = "x"\n\n'
            '[relations.knows]\ndomain = "person"\nrange = "person"\ndescription = ["a"]\n')
    problems = check_domain(_domain(tmp_path, onto))
    got = sorted((p.code, p.location.line, p.message) for p in problems)
    assert got == [("KGA610", 2, "class person: label is text, not 5"),
                   ("KGA610", 5, "class foo is a table ([classes.foo] with its keys), not 'x'"),
                   ("KGA610", 10, "relation knows: description is text, not ['a']")], got


def test_a_duplicate_relation_is_reported_at_its_line(tmp_path) -> None:
    d = _domain(tmp_path, '[classes.a]\n\n[relations.r]\ndomain = "a"\nrange = "a"\n\n[relations.r]\ndomain = "a"\n')
    (p,) = check_domain(d)
    assert p.code == "KGA601" and p.location.line == 7 and "written twice" in p.message


def test_a_relation_both_symmetric_and_asymmetric_is_refused_at_its_line(tmp_path) -> None:
    d = _domain(tmp_path, '[classes.a]\n\n[relations.r]\ndomain = "a"\nrange = "a"\nsymmetric = true\n'
                          'asymmetric = true\n')
    (p,) = check_domain(d)
    assert p.code == "KGA618" and p.location.line == 7 and "both symmetric and asymmetric" in p.message
    d = _domain(tmp_path / "2", '[classes.a]\n\n[relations.r]\ndomain = "a"\nrange = "a"\nasymmetric = "yes"\n')
    (p,) = check_domain(d)
    assert p.code == "KGA610" and "true or false" in p.message


def test_one_label_with_two_meanings_is_refused(tmp_path) -> None:
    d = _domain(tmp_path, '[classes.a]\n[classes.b]\n', labels='[one]\nX = "a"\n[two]\nx = "b"\n')
    (p,) = check_domain(d)
    assert p.code == "KGA622" and p.location.line == 4


def test_commands_with_a_broken_domain_say_so_and_stop(tmp_path) -> None:
    d = _domain(tmp_path, BROKEN)
    for cmd in (["extract", REPO / "examples" / "corpus.txt", "--out", tmp_path / "out"], ["rules", "test"],
                ["evaluate", FIX / "drugs_train.json"]):
        r = run(*cmd, "--domain", d)
        assert r.exit_code == 2 and "KGA612" in r.output and "Traceback" not in r.output, (cmd, r.output)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("toml, code, words", [
    ('graph = "nograph"\n', "KGA608", "the graph path"),           # once: an empty graph, no word
    ('labels = "nolabels.toml"\n', "KGA608", "the labels path"),   # once: the default label map
    ('rules = 3\n', "KGA610", "rules is a path or a list of paths"),  # once: TypeError
    ('rules = ["rules", 4]\n', "KGA610", "rules is a path or a list of paths"),
    ('graph = 5\n', "KGA610", "graph is a path (text), not int 5"),  # once: a folder named '5'
])
def test_a_path_of_domain_toml_that_is_not_there_or_not_a_path_is_named(tmp_path, toml, code, words) -> None:
    d = _domain(tmp_path, "[classes.person]\n", domain='name = "d"\n' + toml)
    found = check_domain(d)
    assert [(e.code, e.location.line) for e in found] == [(code, 2)], found
    assert words in found[0].message
    with pytest.raises(DomainError) as err:
        Domain.load(d)
    assert err.value.code == code
    (tmp_path / "c.tsv").write_text("Ann\twork_for\tAcme\n")
    r = run("validate", tmp_path / "c.tsv", "--domain", d)
    assert r.exit_code == 2 and code in r.output and "Traceback" not in r.output, r.output


def test_a_label_map_or_wording_that_is_a_folder_is_named(tmp_path) -> None:
    d = _domain(tmp_path, "[classes.person]\n")
    (d / "labels.toml").unlink()
    (d / "labels.toml").mkdir()
    (d / "explain.toml").mkdir()
    found = check_domain(d)
    assert sorted((e.code, Path(e.location.path).name) for e in found) == [("KGA608", "explain.toml"),
                                                                         ("KGA608", "labels.toml")]
    # a domain without a graph folder, naming none, has an empty graph: no problem
    assert not (d / "graph").exists() and check_domain(_domain(tmp_path / "x", "[classes.person]\n")) == []


def test_a_domain_without_a_model_says_how_to_train_one(tmp_path) -> None:
    d = tmp_path / "drugs"
    assert run("init", d, "--from-data", FIX / "drugs_train.json").exit_code == 0
    r = run("extract", REPO / "examples" / "corpus.txt", "--out", tmp_path / "out", "--domain", d)
    assert r.exit_code == 2 and "KGA605" in r.output and f"kgagent train TRAIN.json --dev DEV.json --domain" in r.output
    assert not (tmp_path / "out").exists()
    with pytest.raises(DomainError) as err:
        Domain.load(d).model_dir()
    assert err.value.code == "KGA605"


def test_a_data_label_missing_from_the_map_names_file_line_and_label(tmp_path) -> None:
    from kgagent.encoder.data import read_examples

    with pytest.raises(DomainError) as err:
        Domain.load().check_data_labels(read_examples(FIX / "drugs_train.json"), FIX / "drugs_train.json")
    assert err.value.code == "KGA607" and "'Drug'" in str(err.value)
    assert f"{FIX / 'drugs_train.json'}:2:" in str(err.value)
    assert "(also: Adverse-Effect, Adverse-Effect-Of, Interacts-With)" in str(err.value)  # 'Drug' named once
    r = run("train", FIX / "drugs_train.json", "--domain", NEWS, "--out", tmp_path / "m")
    assert r.exit_code == 1 and "KGA607" in r.output and "'Drug'" in r.output
    assert not (tmp_path / "m").exists()


def test_not_a_domain_folder(tmp_path) -> None:
    r = run("domain", "check", tmp_path)
    assert r.exit_code == 2 and "no domain.toml" in r.output


# ---------------------------------------------------------------------------- kgagent init
class DrugEncoder:
    """A fake encoder of the drugs domain (labels as the data writes them)."""

    name_or_path = "fake-drugs"

    def __init__(self, entity_labels=("Adverse-Effect", "Drug"), relation_labels=("Adverse-Effect-Of",
                                                                                     "Interacts-With")):
        self.config = SimpleNamespace(relation_threshold=0.5, entity_labels=list(entity_labels),
                                      relation_labels=list(relation_labels))

    def propose(self, sentences, batch_size: int = 32, relation_threshold=None):
        out = []
        for s in sentences:
            ents = [EntityProposal(m.start(), m.end(), "Drug", 0.9, m.group()) for m in
                    re.finditer(r"\b(?:Aspirin|aspirin|Ibuprofen|penicillin)\b", s)]
            ents += [EntityProposal(m.start(), m.end(), "Adverse-Effect", 0.9, m.group())
                     for m in re.finditer(r"\b(?:nausea|rash)\b", s)]
            ents.sort(key=lambda e: e.start)
            rels = []
            for i, h in enumerate(ents):
                for j, t in enumerate(ents):
                    if h.label == "Adverse-Effect" and t.label == "Drug":
                        rels.append(RelationProposal(i, j, "Adverse-Effect-Of", 0.9))
                    if h.label == "Drug" and t.label == "Drug" and i < j:
                        rels.append(RelationProposal(i, j, "Adverse-Effect-Of", 0.9))  # wrong types: rejected
            out.append(SentenceProposals(text=s, entities=ents, relations=rels))
        return out


def test_init_writes_a_sound_domain_whose_cases_pass(tmp_path) -> None:
    d = tmp_path / "drugs"
    r = run("init", d, "--from-data", FIX / "drugs_train.json", "--types", FIX / "drugs_types.json")
    assert r.exit_code == 0, r.output
    assert "2 classes, 2 relations" in r.output and "(all pass)" in r.output
    dom = Domain.load(d)
    assert set(dom.ontology.classes) == {"drug", "adverse_effect"}
    aeo = dom.ontology.relations["adverse_effect_of"]
    assert aeo.domains == ("adverse_effect",) and aeo.ranges == ("drug",) and not aeo.symmetric
    assert dom.ontology.relations["interacts_with"].symmetric
    assert dom.labels.normalize("Adverse-Effect") == "adverse_effect"
    text = (d / "ontology.toml").read_text()
    assert "# seen in the data: adverse_effect -> drug 2" in text
    # the thresholds the shared rules read, the joint decision's repair margin among them, as the news domain has
    names = lambda t: set(re.findall(r"^threshold\((\w+),", t, re.M))  # noqa: E731
    init_names = names((d / "rules" / "thresholds.rules").read_text())
    assert "repair_min_margin" in init_names
    assert init_names <= names((NEWS / "rules" / "thresholds.rules").read_text())
    assert check_domain(d) == []
    assert run("domain", "check", d).exit_code == 0
    r = run("rules", "test", "--domain", d)
    assert r.exit_code == 0 and "0 failed" in r.output, r.output
    r = run("rules", "check", "--domain", d)
    assert r.exit_code == 0 and "no problems" in r.output
    assert run("init", d, "--from-data", FIX / "drugs_train.json").exit_code == 2  # not over a domain


def test_an_agent_of_the_new_domain_decides_in_its_names(tmp_path) -> None:
    d = tmp_path / "drugs"
    assert run("init", d, "--from-data", FIX / "drugs_train.json").exit_code == 0
    agent = Agent.load(domain=d, model=DrugEncoder(), precision="float32")
    (res,) = agent.extract(Document("n1", "Aspirin caused nausea. Ibuprofen and aspirin were compared."),
                           update_graph=False)
    by = {(x.label, x.head.text if x.head else x.mention.text, x.tail.text if x.tail else ""): x
          for x in res.decisions}
    ok = by[("adverse_effect_of", "nausea", "Aspirin")]
    assert ok.verdict == "accept"
    bad = by[("adverse_effect_of", "Ibuprofen", "aspirin")]
    assert bad.verdict == "reject" and "head" in bad.reason and bad.rule.startswith("shared/relations.rules:")
    assert {m.label for m in res.mentions} == {"drug", "adverse_effect"}
    claim = agent.validate([("rash", "adverse_effect_of", "penicillin")])[0]
    assert claim.head.label == "adverse_effect" and claim.tail.label == "drug"


def test_a_model_the_domain_cannot_map_is_refused_naming_its_labels() -> None:
    with pytest.raises(DomainError) as err:
        Agent.load(model=DrugEncoder())
    assert err.value.code == "KGA606"
    assert "Adverse-Effect" in str(err.value) and "Drug" in str(err.value) and "news" in str(err.value)


# ---------------------------------------------------------------------------- the formats themselves
def test_ontology_and_label_map_round_trip_through_their_text() -> None:
    onto = Domain.load().ontology
    again, problems = Ontology.from_toml_text(onto.to_toml())
    assert problems == [] and again.rule_facts() == onto.rule_facts()
    labels = Domain.load().labels
    from kgagent.domain.tomlfile import read_toml_text

    back, problems = LabelMap.from_toml(read_toml_text(labels.to_toml(), "labels.toml"), labels.names)
    assert problems == [] and back.sources == labels.sources


def test_wording_of_the_domain_reaches_explanations(tmp_path) -> None:
    d = tmp_path / "news"
    shutil.copytree(NEWS, d, symlinks=False, ignore=shutil.ignore_patterns("model", "graph"))
    (d / "graph").mkdir()  # domain.toml names it: an empty graph, not a missing one
    (d / "graph" / "graph.nt").write_text("")
    (d / "explain.toml").write_text('[predicates]\n"within/2" = "{0} sits in {1}, the map says"\n')
    dom = Domain.load(d)
    from kgagent.explain import fact_words, _Names

    assert fact_words("within(a, b)", _Names({}, dom.wording)) == "a sits in b, the map says"
    assert fact_words("trusted_link(m, e)", _Names({}, dom.wording)) == "m is confidently linked to e"
    (d / "explain.toml").write_text('[predicates]\n"within/2" = "{0} in {2}"\n')
    (p,) = check_domain(d)
    assert p.code == "KGA630" and p.location.line == 2


def test_an_explanation_names_whose_score_it_cites_when_a_rule_read_other_relations() -> None:
    """A rule that compares relations (employers.rules) cites several scores: the summary lists
    them in one clause, the decision's own as "this relation", the others by the relation they
    score; the tree says each in full."""
    from kgagent.explain import proof_tree, summary_line

    decision = {"kind": "relation", "subject": "r1", "predicate": "work_for", "verdict": "review",
                "reason": "another person listed", "head": {"id": "m1", "text": "Hemphill"},
                "tail": {"id": "m2", "text": "Bridgemont"},
                "labels": {"r2": "work_for('Harris', 'Bridgemont')", "m:3": "Harris"},
                "proof": {"fact": 'review(r1, "another person listed")',
                          "premises": [{"fact": "score(r1, 0.72)"}, {"fact": "score(r2, 0.99)"},
                                       {"fact": "relation(r2, work_for, \"m:3\", m2)"}]}}
    assert summary_line(decision) == ("sent to review: another person listed; the encoder's scores: this relation "
                                      "0.72, work_for('Harris', 'Bridgemont') 0.99")
    # another relation's mentions are quoted as the decision's own are
    assert "the encoder proposed work_for('Harris', 'Bridgemont')" in "\n".join(proof_tree(decision))


def test_a_symmetric_relation_is_scored_once_per_pair() -> None:
    from kgagent.encoder.data import EntitySpan, Example, RelationSpan, symmetric_once

    ex = Example(["a", "and", "b"], [EntitySpan(0, 1, "m"), EntitySpan(2, 3, "m")],
                 [RelationSpan(1, 0, "compare"), RelationSpan(0, 1, "compare"), RelationSpan(1, 0, "used_for")])
    (once,) = symmetric_once([ex], {"compare"})
    assert [(r.head, r.tail, r.type) for r in once.relations] == [(0, 1, "compare"), (1, 0, "used_for")]


def test_init_on_bad_data_is_one_line_and_writes_nothing(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{bad\n")
    r = run("init", tmp_path / "d", "--from-data", bad)
    assert r.exit_code == 1 and f"{bad}:1: KGA310" in r.output and "Traceback" not in r.output
    r = run("init", tmp_path / "d", "--from-data", tmp_path / "nope.json")
    assert r.exit_code == 2 and "KGA502" in r.output
    empty = tmp_path / "empty.json"
    empty.write_text('[{"tokens": ["a"], "entities": [], "relations": []}]')
    r = run("init", tmp_path / "d", "--from-data", empty)
    assert r.exit_code == 1 and "KGA641" in r.output and "no entity annotation" in r.output
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("folder", [None, "examples/scierc"])
def test_every_predicate_the_rules_derive_has_words_in_explanations(folder) -> None:
    """A proof shows every derived fact; one without words reads as raw syntax (text_puts_in(m, e))."""
    from kgagent.explain import _Names, fact_words
    from kgagent.rules.loader import load_rules

    dom = Domain.load(REPO / folder if folder else None)
    heads = {(c.head.pred, len(c.head.args)) for c in load_rules(dom.rules_with(None)).clauses}
    names = _Names({}, dom.wording)
    raw = [f"{p}/{n}" for p, n in sorted(heads)
           if fact_words(f"{p}(" + ", ".join(f"x{i}" for i in range(n)) + ")", names).startswith(f"{p}(")]
    assert raw == []


def test_rule_ids_are_the_same_from_every_working_directory(tmp_path, monkeypatch) -> None:
    # the domain's own rules, one folder in it and one linked from elsewhere (as the news domain's
    # kg_data/rules is): ids as domain.toml names them, wherever the command runs
    d = _domain(tmp_path, (NEWS / "ontology.toml").read_text(), (NEWS / "labels.toml").read_text(),
                'name = "d"\nrules = ["rules", "./team"]\n')
    team = tmp_path / "elsewhere" / "team_rules"
    team.mkdir(parents=True)
    (team / "team.rules").write_text('reject(M, "a test") :- mention(M, "nobody", _).\n')
    (d / "team").symlink_to(team, target_is_directory=True)
    seen = []
    for cwd in (tmp_path, d, team, REPO):
        monkeypatch.chdir(cwd)
        dom = Domain.load(d)
        agent = Agent.load(domain=dom)  # the model is loaded on first use: none needed here
        seen.append(agent.program.files)
        assert dom.rule_name(team / "team.rules") == "team/team.rules"
        assert dom.rule_name(d / "rules" / "thresholds.rules") == "rules/thresholds.rules"
    assert all(files == seen[0] for files in seen)
    assert seen[0][-2:] == ["rules/thresholds.rules", "team/team.rules"]
    assert all(f.startswith("shared/") for f in seen[0][:-2])
    clause = next(c for c in agent.program.clauses if c.loc.path == "team/team.rules")
    assert clause.rule_id == "team/team.rules:1"


def test_rule_ids_of_rules_given_instead_of_the_domains_are_the_same_from_every_working_directory(
        tmp_path, monkeypatch) -> None:
    """`--rules my-rules/` (the README's tour: the domain's rules copied and edited): its files
    are `my-rules/<file>` wherever the command runs, given by a relative or an absolute path;
    the shared rules stay `shared/<file>`, and after reload_rules too."""
    d = _domain(tmp_path, (NEWS / "ontology.toml").read_text(), (NEWS / "labels.toml").read_text())
    mine = tmp_path / "work" / "my-rules"
    shutil.copytree(d / "rules", mine)
    (mine / "extra.rules").write_text('reject(M, "a test") :- mention(M, "nobody", _).\n')
    seen = []
    for cwd, given in ((tmp_path / "work", Path("my-rules")), (tmp_path, Path("work/my-rules")),
                       (REPO, mine), (mine, Path("."))):
        monkeypatch.chdir(cwd)
        agent = Agent.load(domain=Domain.load(d), rules=given)
        seen.append(agent.program.files)
        agent.reload_rules()
        assert agent.program.files == seen[-1]
    assert all(files == seen[0] for files in seen)
    assert seen[0][-2:] == ["my-rules/extra.rules", "my-rules/thresholds.rules"]
    assert all(f.startswith("shared/") for f in seen[0][:-2])


@pytest.mark.parametrize("edit, code, line", [
    (lambda t: t.replace("threshold(entity_accept, 0.4).", 'threshold(entity_accept, "high").'), "KGA118", None),
    (lambda t: t + "threshold(link_trusted, 0.5).\n", "KGA119", -1),
])
def test_a_threshold_that_is_not_a_number_or_is_set_twice_is_named_at_its_line(tmp_path, edit, code, line) -> None:
    """`rules check --domain` once ended in a KGA110 traceback (the joint decision's check ran the
    rules), and an agent refused a word as a threshold only at the first candidate, naming the
    shared rule that compared with it; a threshold set twice was read both ways by the rules."""
    d = tmp_path / "news"
    shutil.copytree(NEWS, d, symlinks=False, ignore=shutil.ignore_patterns("model", "graph"))
    (d / "graph").mkdir()
    (d / "graph" / "graph.nt").write_text("")  # an empty graph
    path = d / "rules" / "thresholds.rules"
    path.write_text(edit(path.read_text()))
    lines = path.read_text().splitlines()
    want = len(lines) if line == -1 else next(i for i, t in enumerate(lines, 1) if '"high"' in t)
    r = run("rules", "check", "--domain", d)
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output
    assert f"rules/thresholds.rules:{want}:1: {code}" in r.output, r.output
    with pytest.raises(RuleError) as err:
        Agent.load(domain=d)
    assert err.value.code == code and err.value.location.line == want
    r = run("domain", "check", d)  # once "sound"
    assert r.exit_code == 1 and f"rules/thresholds.rules:{want}:1: {code}" in r.output, r.output


@pytest.mark.parametrize("config", ["[1]", '{"entity_labels": "person"}', '{"entity_labels": [1, 2]}'])
def test_a_model_config_of_the_wrong_shape_is_a_problem_of_the_domain(tmp_path, config) -> None:
    """`domain check` once ended in AttributeError ('list' object has no attribute 'get')."""
    d = _domain(tmp_path, "[classes.person]\n")
    (d / "model").mkdir()
    (d / "model" / "config.json").write_text(config)
    problems = check_domain(d)
    assert [(p.code, Path(p.location.path).name) for p in problems] == [("KGA605", "config.json")], problems
    r = run("domain", "check", d)
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit) and "KGA605" in r.output, r.output


@pytest.mark.parametrize("types", ["[1]", '{"relations": {"Interacts-With": {"symmetric": "yes"}}}',
                                   '{"relations": {"Interacts-With": true}}', '{"relations": [1]}'])
def test_init_with_a_types_file_of_the_wrong_shape_is_refused(tmp_path, types) -> None:
    """A types file that was no JSON object, or a symmetric flag that was no true or false, was
    read as 'no symmetric relation' without a word."""
    path = tmp_path / "types.json"
    path.write_text(types)
    r = run("init", tmp_path / "d", "--from-data", FIX / "drugs_train.json", "--types", path)
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output
    assert f"{path}: KGA643" in r.output and not (tmp_path / "d").exists(), r.output


def test_a_threshold_the_rules_read_that_no_file_sets_is_an_error(tmp_path) -> None:
    """Deleting threshold(entity_accept, 0.4) left every mention undecided (sent to review) and
    `rules check` said "no problems"; then a KGA121 warning, and `domain check` still said
    "sound". The shared rules cannot do without it: KGA127, an error."""
    d = tmp_path / "news"
    shutil.copytree(NEWS, d, symlinks=False, ignore=shutil.ignore_patterns("model", "graph"))
    (d / "graph").mkdir()
    (d / "graph" / "graph.nt").write_text("")  # an empty graph
    path = d / "rules" / "thresholds.rules"
    path.write_text(path.read_text().replace("threshold(entity_accept, 0.4).", ""))
    for args in (["rules", "check", "--domain", d], ["rules", "check", d / "rules", "--domain", d]):
        r = run(*args)
        assert r.exit_code == 1 and "KGA127 threshold entity_accept is not set" in r.output, r.output
        assert "shared/entities.rules:mention_score_band" in r.output
    r = run("domain", "check", d)
    assert r.exit_code == 1 and "KGA127" in r.output and "is sound" not in r.output, r.output
    assert "no problems in" in run("rules", "check", "--domain", NEWS).output


def test_reloaded_rules_are_checked_as_loaded_ones(tmp_path) -> None:
    """Agent.reload_rules read the rule files without the thresholds' checks Agent.load makes."""
    d = tmp_path / "news"
    shutil.copytree(NEWS, d, symlinks=False, ignore=shutil.ignore_patterns("model", "graph"))
    (d / "graph").mkdir()
    (d / "graph" / "graph.nt").write_text("")  # an empty graph
    from kgagent.kg import KnowledgeGraph

    agent = Agent.load(domain=d, kg=KnowledgeGraph())
    path = d / "rules" / "thresholds.rules"
    path.write_text(path.read_text() + "threshold(link_trusted, 0.5).\n")
    with pytest.raises(RuleError) as err:
        agent.reload_rules()
    assert err.value.code == "KGA119"


def test_a_domain_toml_file_that_is_not_utf8_names_its_line_and_byte(tmp_path) -> None:
    """read_toml said "cannot read the file: 'utf-8' codec can't decode byte 0xe9 in position 27"
    (an offset, no line); data manifests had their own byte-reading check for the same."""
    from kgagent.domain.tomlfile import read_toml

    path = tmp_path / "ontology.toml"
    path.write_bytes(b'[classes.person]\nlabel = "caf\xe9"\n')
    with pytest.raises(DomainError) as err:
        read_toml(path)
    assert err.value.code == "KGA602" and err.value.location.line == 2
    assert "not UTF-8 text: byte 0xe9 at column 13" in err.value.message
