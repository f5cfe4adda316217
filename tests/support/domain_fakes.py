"""Small data sets for `kgagent init` tests beside the drugs fixture."""

from __future__ import annotations

import json
from pathlib import Path


def chemicals_train(folder: Path) -> Path:
    """A second SpERT data set, of other labels than tests/fixtures/domain/drugs_train.json,
    written to ``folder/chem_train.json``."""
    path = folder / "chem_train.json"
    path.write_text(json.dumps([
        {"tokens": ["Cocaine", "induced", "seizures", "."],
         "entities": [{"type": "Chemical", "start": 0, "end": 1}, {"type": "Disease", "start": 2, "end": 3}],
         "relations": [{"type": "Induces", "head": 0, "tail": 1}]},
        {"tokens": ["Lithium", "caused", "tremor", "."],
         "entities": [{"type": "Chemical", "start": 0, "end": 1}, {"type": "Disease", "start": 2, "end": 3}],
         "relations": [{"type": "Induces", "head": 0, "tail": 1}]}]))
    return path
