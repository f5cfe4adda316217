"""Regression: a malformed JSON-LD file was named by its line alone ("graph.jsonld:1: KGA201
malformed json-ld graph: Expecting value"), and a JSON-LD file is often one long line: the
column where the JSON goes wrong is now said too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgagent.errors import GraphError
from kgagent.kg import KnowledgeGraph


def test_malformed_json_ld_on_one_long_line_names_the_column(tmp_path: Path) -> None:
    text = json.dumps([{"@id": f"urn:e{i}", "urn:p": [{"@value": f"v{i}"}]} for i in range(500)])
    cut = text.index("urn:e300") - 8  # a stray comma before the 301st object
    f = tmp_path / "graph.jsonld"
    f.write_text(text[:cut] + "," + text[cut:])
    with pytest.raises(GraphError) as err:
        KnowledgeGraph.load(f)
    assert err.value.code == "KGA201" and str(err.value.location) == f"{f}:1:{cut + 1}"
    assert err.value.message.startswith("malformed json-ld graph: Expecting ")
