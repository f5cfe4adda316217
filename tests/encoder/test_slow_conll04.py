"""The real packaged base, trained briefly on a CoNLL04 slice, must beat a floor (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgagent.encoder.data import read_spert_json
from kgagent.encoder.pretrained import Encoder
from kgagent.encoder.train import TrainConfig, train
from kgagent.evaluate import evaluate


@pytest.mark.slow
def test_packaged_base_learns_conll04_slice(shared_data: Path, tmp_path: Path) -> None:
    # short sentences keep this cheap on 2 shared cores: 40 sentences, 3 epochs, 15 steps
    short = [ex for ex in read_spert_json(shared_data / "conll04" / "conll04_train.json") if len(ex.tokens) <= 22]
    train_ex = short[:40]
    cfg = TrainConfig(epochs=3, lr=2e-3, head_lr=5e-3, batch_size=8, max_width=5, neg_entities=40,
                      num_threads=2, seed=1, device="cpu", warmup=0.2)
    enc, report = train(cfg, train_ex, None, out_dir=tmp_path)
    assert report["history"][-1]["loss"] < report["history"][0]["loss"] / 2
    m = evaluate(train_ex, Encoder.from_pretrained(tmp_path).predict_examples(train_ex))
    # 15 optimiser steps: far from converged, but the entities of the slice are being learnt
    assert m["entity"]["f1"] > 20.0, m["entity"]["micro"]
