"""benchmarks/agent/learned_filter_bound.py: a learned filter over the relation candidates of an
e2e dump, the upper bound issue 12's rule tuning is measured against."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from support.agent_fakes import REPO
from support.scripts import load_script

SCRIPT = REPO / "benchmarks" / "agent" / "learned_filter_bound.py"


@pytest.fixture(scope="module")
def lfb() -> Any:
    return load_script(SCRIPT, "learned_filter_bound_bench")


def dump_rows(n_docs: int, seed: int, rule: str = "shared/relations.rules:67") -> list[dict]:
    """Each document: two mentions and one candidate; right candidates score high, wrong ones low,
    and the 'rules' accept every candidate (so they keep all the wrong ones)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n_docs):
        doc = f"d{i}"
        right = i % 2 == 0
        score = rng.uniform(0.75, 0.99) if right else rng.uniform(0.2, 0.45)
        rows += [
            {"doc": doc, "text": "Ann lives in Boston ."},
            {"doc": doc, "kind": "entity", "label": "person", "verdict": "accept", "span": [0, 3], "score": 0.99,
             "entity": "https://w3id.org/kgagent/entity/new/ann"},
            {"doc": doc, "kind": "entity", "label": "location", "verdict": "accept", "span": [13, 19], "score": 0.98,
             "entity": "https://w3id.org/kgagent/entity/geonames/1"},
            {"doc": doc, "kind": "relation", "label": "live_in", "verdict": "accept", "rule": rule, "score": score,
             "head": [0, 3], "head_label": "person", "tail": [13, 19], "tail_label": "location", "gold": right},
        ]
        if right:
            rows.append({"doc": doc, "gold": "relation", "label": "live_in", "head": [0, 3], "head_label": "person",
                         "tail": [13, 19], "tail_label": "location"})
    return rows


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_separating_score_is_learned_and_beats_rules_that_keep_everything(lfb, tmp_path):
    train = lfb.read_dump(write(tmp_path / "dev.jsonl", dump_rows(60, seed=1)))
    test = lfb.read_dump(write(tmp_path / "test.jsonl", dump_rows(40, seed=2, rule="rules/unseen.rules:1")))
    out = lfb.bound(train, test, folds=5, seed=0)
    # the rules accepted all 60: 30 right of 60, every gold relation found -> F1 66.67
    assert out["train"]["agent"] == (66.67, 30, 60)
    assert out["test"]["agent"] == (66.67, 20, 40)
    for model in lfb.MODELS:
        assert out[model]["alone"]["cv"] == (100.0, 30, 30)
        assert out[model]["over the rules"]["test"] == (100.0, 20, 20)


def test_test_rows_use_the_training_columns(lfb, tmp_path):
    train = lfb.read_dump(write(tmp_path / "dev.jsonl", dump_rows(4, seed=1)))
    test = lfb.read_dump(write(tmp_path / "test.jsonl", dump_rows(3, seed=2, rule="rules/unseen.rules:1")))
    x, vocab = lfb.featurise(train)
    xt, _ = lfb.featurise(test, vocab)
    assert x.shape[1] == xt.shape[1]
    # the unseen rule has no column: its one-hot block is all zero, the known rule's is one
    rule_col = x.shape[1] - 1
    assert x[:, rule_col].tolist() == [1.0] * 4 and xt[:, rule_col].tolist() == [0.0] * 3
    # the argument linked to the graph (geonames) and the one not linked (new)
    assert x[0, 11] == 0.0 and x[0, 12] == 1.0


def test_f1_counts_gold_missed_by_every_candidate(lfb):
    import numpy as np

    sel = np.array([True, True, False])
    right = np.array([True, False, True])
    # 1 right of 2 selected, 4 gold relations in all: P 0.5, R 0.25
    assert lfb.f1(sel, right, 4) == (33.33, 1, 2)
    assert lfb.f1(np.zeros(3, bool), right, 4) == (0.0, 0, 0)
