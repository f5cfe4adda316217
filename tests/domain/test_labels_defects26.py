"""The label map: a model's labels it cannot map are worded once (KGA606 said one thing in
`domain check` and another at load)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgagent.domain import Domain, check_domain
from kgagent.errors import DomainError
from support.agent_fakes import REPO

NEWS = REPO / "kg_data"
ONTOLOGY = ('[classes.person]\n\n[classes.place]\n\n[relations.lives_in]\ndomain = "person"\nrange = "place"\n')


def _domain(tmp_path: Path, labels: str, ontology: str = ONTOLOGY) -> Path:
    d = tmp_path / "d"
    (d / "rules").mkdir(parents=True)
    (d / "rules" / "thresholds.rules").write_text((NEWS / "rules" / "thresholds.rules").read_text())
    (d / "domain.toml").write_text('name = "d"\n')
    (d / "ontology.toml").write_text(ontology)
    (d / "labels.toml").write_text(labels)
    return d


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
