"""Fakes for the feedback loop (kgagent.loop.run_loop): a trainer whose models save as a folder
with config.json and their tag, each round's better than the last, and no labelling."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class TaggedModel:
    """A model the fake trainer makes: saved, it is a folder with config.json and its tag."""

    def __init__(self, tag: str) -> None:
        self.tag, self.path = tag, None

    def save_pretrained(self, path: str | Path) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / "tag.txt").write_text(self.tag)
        (Path(path) / "config.json").write_text("{}")


def loop_fakes(prefix: str) -> dict[str, Any]:
    """``run_loop``'s trainer, evaluator and labeller: models tagged ``prefix`` + their number."""
    made: list[str] = []

    def trainer(cfg, train, dev, out, init=None):  # type: ignore[no-untyped-def]
        made.append(f"{prefix}{len(made)}")
        return TaggedModel(made[-1]), {}

    def evaluator(model, dev):  # type: ignore[no-untyped-def]
        f1 = 0.1 * (int(model.tag[len(prefix):]) + 1)  # each round better than the last
        return {"entity": {"f1": f1}, "relation_strict": {"f1": f1}}

    return {"trainer": trainer, "evaluator": evaluator, "labeller": lambda *a: []}
