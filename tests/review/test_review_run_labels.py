"""A reviewer may choose any label of the encoder, not only those some decision used: the run
records the encoder's labels by ontology name in run.json, and the page and the export read them."""

from __future__ import annotations

import json
from pathlib import Path

from kgagent.review.export import export_reviews
from kgagent.review.items import ReviewSet
from support.review_fakes import SMITH, WORK_FOR, serving

RUN_LABELS = {"entity": {"location": "Loc", "misc": "Misc", "organization": "Org", "other": "Other", "person": "Peop"},
              "relation": {"kill": "Kill", "live_in": "Live_In", "located_in": "Located_In",
                           "orgbased_in": "OrgBased_In", "work_for": "Work_For"}}


def with_run_labels(out: Path) -> Path:
    run = json.loads((out / "run.json").read_text())
    run["labels"] = RUN_LABELS
    (out / "run.json").write_text(json.dumps(run))
    return out


def test_the_choices_are_every_label_the_run_recorded(out: Path) -> None:
    before = ReviewSet.load(out)  # a run.json without labels (an older run): what the decisions use
    assert "kill" not in before.labels()["relation"] and "misc" not in before.labels()["entity"]
    rs = ReviewSet.load(with_run_labels(out))
    assert rs.labels() == {kind: sorted(names) for kind, names in RUN_LABELS.items()}
    assert rs.model_labels()[("relation", "kill")] == "Kill" and rs.model_labels()[("entity", "misc")] == "Misc"
    assert rs.fingerprint == before.fingerprint  # the labels are not part of what answers are stamped with


def test_a_label_no_decision_used_can_be_chosen_and_is_exported_as_the_models(out: Path) -> None:
    with serving(with_run_labels(out)) as (client, _):
        assert "kill" in client.get(f"/api/item?id={WORK_FOR}")["choices"]
        client.post("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": "relabel", "label": "misc"})
        status, err = client.request("/api/answer", {"reviewer": "ana", "decision": SMITH, "action": "relabel",
                                                     "label": "spaceship"})
        assert status == 400 and err["error"].startswith("KGA472")
    report = export_reviews(out)
    assert report.unmapped_labels == []
    (rec,) = [json.loads(line) for line in Path(report.path).read_text().splitlines()]
    ents = {(" ".join(rec["tokens"][e["start"]:e["end"]]), e["type"]) for e in rec["entities"]}
    assert ("Smith", "Misc") in ents
    assert [n["type"] for n in rec["negative_entities"]] == ["Peop"]


def test_a_run_json_with_labels_of_another_shape_is_ignored(out: Path) -> None:
    run = json.loads((out / "run.json").read_text())
    for bad in (["Loc"], {"entity": ["Loc"]}, {"verdict": {"x": "y"}}):
        run["labels"] = bad
        (out / "run.json").write_text(json.dumps(run))
        rs = ReviewSet.load(out)
        assert rs.run_labels == {} and "kill" not in rs.labels()["relation"]
