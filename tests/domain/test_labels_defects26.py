"""The label map: a model's labels it cannot map are worded once (KGA606 said one thing in
`domain check` and another at load), and keys written with a BIO tag's prefix (`"B-PER" =
"person"`, never matched: a model's labels carry no prefix) mean the label without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.domain import Domain, LabelMap, check_domain
from kgagent.errors import DomainError
from kgagent_cli.main import app
from support.domain_fakes import domain_problems, write_domain

ONTOLOGY = ('[classes.person]\n\n[classes.place]\n\n[relations.lives_in]\ndomain = "person"\nrange = "place"\n')


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _domain(tmp_path: Path, labels: str, ontology: str = ONTOLOGY) -> Path:
    return write_domain(tmp_path, ontology=ontology, labels=labels)


_problems = domain_problems


# ---------------------------------------------------------------------------- KGA606, one wording
@pytest.mark.parametrize("entity_labels, relation_labels", [(["PER", "Pill"], ["Live_In"]),  # a label unmapped
                                                            (["PER", "Live_In"], ["PER"])])  # of the wrong kind
def test_a_model_the_map_cannot_translate_is_worded_once(tmp_path, entity_labels, relation_labels) -> None:
    """`domain check` said "the model predicts labels the label map cannot map: Pill; add them to
    labels.toml", loading the model "the model predicts labels the domain 'd' cannot map: Pill;
    add them to .../labels.toml or use the model's own domain": two messages for one problem."""
    d = _domain(tmp_path, '[conll04]\nPER = "person"\nLive_In = "lives_in"\n')
    (d / "model").mkdir()
    (d / "model" / "config.json").write_text(json.dumps({"entity_labels": entity_labels,
                                                          "relation_labels": relation_labels}))
    (found,) = check_domain(d)
    with pytest.raises(DomainError) as err:
        Domain.load(d).check_model_labels(entity_labels, relation_labels)
    assert found.code == err.value.code == "KGA606" and found.message == err.value.message
    assert found.location.path == str(d / "model" / "config.json")
    assert str(d / "labels.toml") in found.message and "the domain 'd'" in found.message


# ---------------------------------------------------------------------------- BIO prefixes
def test_a_key_with_a_bio_prefix_means_the_label_without_it(tmp_path) -> None:
    """`"B-PER" = "person"` was read and never matched: the model's label is PER, so the model was
    refused (KGA606) and data labelled PER too (KGA607), the map looking right to its author."""
    d = _domain(tmp_path, '[conll]\n"B-PER" = "person"\n"I-PER" = "person"\n"S-LOC" = "place"\n'
                          '"U-GPE" = "place"\n"L-Live_In" = "lives_in"\n')
    assert _problems(d) == []
    labels = Domain.load(d).labels
    assert [labels.lookup(x) for x in ("PER", "per", "LOC", "GPE", "Live_In", "live in", "B-PER")] == [
        "person", "person", "place", "place", "lives_in", "lives_in", "person"]
    assert labels.missing(["PER", "LOC", "MISC"]) == ["MISC"]
    (d / "model").mkdir()
    (d / "model" / "config.json").write_text(json.dumps({"entity_labels": ["PER", "LOC", "GPE"],
                                                          "relation_labels": ["Live_In"]}))
    assert check_domain(d) == []
    Domain.load(d).check_model_labels(["PER", "LOC", "GPE"], ["Live_In"])  # no KGA606
    # the map is kept as written
    assert 'B-PER = "person"' in labels.to_toml()
    # a map made in Python reads keys the same way
    assert LabelMap({"x": {"E-PER": "person"}}, names={"person"}).lookup("PER") == "person"


def test_a_lower_case_or_bare_prefix_is_a_label_of_its_own(tmp_path) -> None:
    """Only the tags' own prefixes (upper case, a hyphen, then the label) are dropped."""
    d = _domain(tmp_path, '[x]\n"e-mail" = "place"\n"B-" = "person"\n"X-PER" = "person"\n')
    assert _problems(d) == []
    labels = Domain.load(d).labels
    assert labels.lookup("mail") is None and labels.lookup("e-mail") == "place"
    assert labels.lookup("PER") is None and labels.lookup("X-PER") == "person" and labels.lookup("B-") == "person"


def test_two_keys_that_become_one_label_with_two_meanings_are_refused(tmp_path) -> None:
    d = _domain(tmp_path, '[conll]\n"B-PER" = "person"\n"I-PER" = "place"\n\n[other]\nPER = "place"\n'
                          '"S-Lives-In" = "lives_in"\n"E-person" = "place"\n')
    expect = [
        ("KGA622", "labels.toml", 3, "[conll] maps 'I-PER' to 'place' but [conll] maps 'B-PER' to 'person', and "
                                     "both are the label 'PER' (a B-, I-, E-, S-, L- or U- prefix of a BIO tag is "
                                     "dropped: a model's labels have none): one label, one meaning"),
        ("KGA622", "labels.toml", 6, "[other] maps 'PER' to 'place' but [conll] maps 'B-PER' to 'person', and both "
                                     "are the label 'PER' (a B-, I-, E-, S-, L- or U- prefix of a BIO tag is "
                                     "dropped: a model's labels have none): one label, one meaning"),
        ("KGA622", "labels.toml", 8, "[other] maps 'E-person' to 'place', but 'E-person' reads as the ontology's own "
                                     "name 'person' (a B-, I-, E-, S-, L- or U- prefix of a BIO tag is dropped: a "
                                     "model's labels have none): one label, one meaning; rename the class or "
                                     "relation, or drop the line"),
    ]
    assert _problems(d) == expect
    with pytest.raises(DomainError) as err:
        Domain.load(d)
    assert err.value.code == "KGA622" and err.value.location.line == 3
    assert str(err.value).startswith(f"{d / 'labels.toml'}:3: KGA622 [conll] maps 'I-PER'")
    r = run("domain", "check", d)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"{d / 'labels.toml'}:3: KGA622 [conll] maps 'I-PER' to 'place'" in r.output
    r = run("rules", "test", "--domain", d)  # at load, for every command: exit 2, the problems listed
    assert r.exit_code == 2 and "Traceback" not in r.output and f"{d / 'labels.toml'}:6: KGA622" in r.output
    # two spellings of one label are named as before, with no word of prefixes
    (d / "labels.toml").write_text('[a]\nLive-In = "lives_in"\n\n[b]\nlive_in = "person"\n')
    assert _problems(d) == [("KGA622", "labels.toml", 5, "[b] maps 'live_in' to 'person' but [a] maps it to "
                                                         "'lives_in': one label, one meaning")]
    # the same meaning twice is one meaning
    (d / "labels.toml").write_text('[conll]\n"B-PER" = "person"\n"I-PER" = "person"\nPER = "person"\n')
    assert _problems(d) == []
