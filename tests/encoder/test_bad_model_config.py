"""A model whose config.json disagrees with its weights, or has fields of the wrong type or out of
range, is refused at load with KGA305 at config.json naming the field: never a RuntimeError
(state-dict size mismatch), TypeError, AttributeError or a negative tensor dimension."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import torch
from typer.testing import CliRunner

from kgagent.encoder.model import ModelConfig
from kgagent.encoder.pretrained import Encoder, build_model, read_model_config
from kgagent.errors import EncoderError
from kgagent_cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny_model(tiny_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained compact model on the tiny random base: 3 entity and 2 relation labels."""
    torch.manual_seed(0)
    cfg = ModelConfig(base=str(tiny_base), entity_labels=["Loc", "Org", "Peop"],
                      relation_labels=["Live_In", "Work_For"], lora=False, frozen_word_embeddings=True)
    model, tok = build_model(cfg, tiny_base)
    out = tmp_path_factory.mktemp("tiny_model")
    Encoder(model, tok, cfg).save_pretrained(out, encoder_dtype=torch.float32)
    return out


def _broken(tiny_model: Path, tmp_path: Path, change: Callable[[dict[str, Any]], Any]) -> Path:
    out = tmp_path / "model"
    shutil.copytree(tiny_model, out)
    cfg = json.loads((out / "config.json").read_text(encoding="utf-8"))
    (out / "config.json").write_text(json.dumps(change(cfg)), encoding="utf-8")
    return out


def _load_error(model_dir: Path) -> str:
    with pytest.raises(EncoderError) as err:
        Encoder.from_pretrained(model_dir)
    assert err.value.code == "KGA305"
    text = str(err.value)
    assert text.startswith(f"{model_dir / 'config.json'}: KGA305 "), text
    return text


def test_the_untouched_tiny_model_loads(tiny_model: Path) -> None:
    assert Encoder.from_pretrained(tiny_model).entity_labels == ["Loc", "Org", "Peop"]


@pytest.mark.parametrize(("change", "wanted"), [
    (lambda c: {**c, "entity_labels": [*c["entity_labels"], "Misc"]},
     "entity_labels has 4 labels but the weights have 3 entity classes"),
    (lambda c: {**c, "entity_labels": c["entity_labels"][:-1]},
     "entity_labels has 2 labels but the weights have 3 entity classes"),
    (lambda c: {**c, "relation_labels": [*c["relation_labels"], "Kill"]},
     "relation_labels has 3 labels but the weights have 2 relation classes"),
    (lambda c: {**c, "max_width": 12}, "max_width is 12 but the weights have span widths up to 10"),
    (lambda c: {**c, "ffn_dim": 100}, "ffn_dim is 100 but the weights have 384"),
    (lambda c: {**c, "type_dim": 5}, "type_dim is 5 but the weights have 25"),
], ids=["one-label-too-many", "one-label-too-few", "relation-label-too-many", "max-width", "ffn-dim", "type-dim"])
def test_config_disagreeing_with_the_weights_names_the_field(tiny_model: Path, tmp_path: Path,
                                                             change: Callable[[dict[str, Any]], Any],
                                                             wanted: str) -> None:
    assert wanted in _load_error(_broken(tiny_model, tmp_path, change))


@pytest.mark.parametrize(("change", "wanted"), [
    (lambda c: {**c, "entity_temperature": "hot"}, 'entity_temperature must be a positive number, not "hot"'),
    (lambda c: {**c, "relation_temperature": 0}, "relation_temperature must be a positive number, not 0"),
    (lambda c: {**c, "ffn_dim": -1}, "ffn_dim must be a whole number of at least 1, not -1"),
    (lambda c: {**c, "max_width": 2.5}, "max_width must be a whole number of at least 1, not 2.5"),
    (lambda c: {**c, "width_dim": True}, "width_dim must be a whole number of at least 1, not true"),
    (lambda c: {**c, "relation_threshold": 1.5}, "relation_threshold must be a number from 0 to 1, not 1.5"),
    (lambda c: {**c, "dropout": 1}, "dropout must be a number from 0 up to (not including) 1, not 1"),
    (lambda c: {**c, "lora": "no"}, 'lora must be true or false, not "no"'),
    (lambda c: {**c, "entity_labels": "Loc"}, 'entity_labels must be a list of label names, not "Loc"'),
    (lambda c: {**c, "entity_labels": ["Loc", "Org", "Loc"]}, "entity_labels has Loc more than once"),
    (lambda c: {**c, "info": []}, "info must be an object, not []"),
    (lambda c: [1], "the config must be a JSON object, not a list"),
], ids=["temperature-string", "temperature-zero", "negative-ffn", "float-width", "bool-dim", "threshold",
        "dropout", "lora-string", "labels-string", "labels-twice", "info-list", "json-list"])
def test_config_fields_of_the_wrong_type_or_range(tiny_model: Path, tmp_path: Path,
                                                  change: Callable[[dict[str, Any]], Any], wanted: str) -> None:
    broken = _broken(tiny_model, tmp_path, change)
    assert wanted in _load_error(broken)
    with pytest.raises(EncoderError, match="KGA305"):  # without loading the weights too
        read_model_config(broken)


def test_broken_json_gives_the_line(tiny_model: Path, tmp_path: Path) -> None:
    broken = _broken(tiny_model, tmp_path, lambda c: c)
    (broken / "config.json").write_text('{\n  "entity_labels": ["Loc",\n}\n', encoding="utf-8")
    with pytest.raises(EncoderError, match="corrupt model config") as err:
        Encoder.from_pretrained(broken)
    assert str(err.value).startswith(f"{broken / 'config.json'}:3:")


def test_evaluate_with_a_broken_config_is_one_line(tiny_model: Path, tmp_path: Path, fixtures: Path) -> None:
    broken = _broken(tiny_model, tmp_path, lambda c: {**c, "entity_labels": [*c["entity_labels"], "Misc"]})
    res = runner.invoke(app, ["evaluate", str(fixtures / "tiny_train.json"), "--model", str(broken),
                              "--threads", "1"])
    assert isinstance(res.exception, SystemExit) and res.exit_code == 1, res.output
    assert "KGA305" in res.output and str(broken / "config.json") in res.output
    assert "entity_labels has 4 labels but the weights have 3" in res.output
    assert "Traceback" not in res.output
