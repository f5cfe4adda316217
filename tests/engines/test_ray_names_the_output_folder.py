"""Regression: with ``--engine ray`` a document changed since the output folder recorded it said
"KGA413 document 'c#2' changed since OUT was written" (and KGA490 "... which OUT does not hold"),
a placeholder, where the local engine names the folder; both engines now give the same error."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.agent_fakes import RULES
from support.engine_fakes import fake_agent


def _error(run) -> tuple[str, str, str]:
    from kgagent.errors import InputError

    with pytest.raises(InputError) as err:
        run()
    return err.value.code, str(err.value.location), str(err.value)


@pytest.mark.parametrize(("edited", "code"), [
    ("Boston lies in Texas.", "KGA413"),
    ("  Boston lies in Massachusetts.", "KGA490"),  # leading white space: the older kgagent's case
])
def test_a_changed_document_names_the_output_folder_on_both_engines(ray_cluster, graph_dir, tmp_path,
                                                                    edited: str, code: str) -> None:
    from kgagent.ray_engine import run_ray_extraction

    kw = {"kg": str(graph_dir), "rules": str(RULES), "batch_size": 3}
    corpus = tmp_path / "c.txt"
    corpus.write_text("Richard Parsons works for Time Warner.\n\nBoston lies in Massachusetts.\n")
    out = tmp_path / "run"
    fake_agent(**kw).extract_to([str(corpus)], out)
    corpus.write_text(f"Richard Parsons works for Time Warner.\n\n{edited}\n")

    local = _error(lambda: fake_agent(**kw).extract_to([str(corpus)], out))
    ray = _error(lambda: run_ray_extraction(kw, [corpus], out, workers=1, agent_factory=fake_agent))
    assert ray == local
    assert local[0] == code and local[1] == f"{corpus}:3"
    assert str(out) in local[2] and "OUT" not in local[2]
