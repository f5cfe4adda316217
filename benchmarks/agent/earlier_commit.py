"""An earlier commit beside today's code, for benchmarks that compare the two side by side.

``earlier_commit(commit)`` checks the commit out in a temporary git worktree and gives a shim
directory to put first on PYTHONPATH: it maps the packages ``kgagent_cli`` and ``kgagent_news``
to the worktree's cli/ and kg_data/ (the editable install would otherwise give the old library
today's CLI and domain data). The worktree is removed on exit.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def earlier_commit(commit: str, prefix: str = "kgagent-before-") -> Iterator[tuple[Path, Path, Path]]:
    """(worktree, shim directory, scratch directory) for ``commit``, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp_dir:
        tmp = Path(tmp_dir)
        tree = tmp / "before"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-f", str(tree), commit],
                       check=True, capture_output=True)
        try:
            shim = tmp / "shim"
            shim.mkdir()
            (shim / "kgagent_cli").symlink_to(tree / "cli")
            (shim / "kgagent_news").symlink_to(tree / "kg_data")
            yield tree, shim, tmp
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], capture_output=True)


def code_env(tree: Path, shim: Path | None) -> dict[str, str]:
    """The environment that makes a Python process import ``tree``'s code (and ``shim``'s packages)."""
    return dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                PYTHONPATH=os.pathsep.join(str(p) for p in (shim, tree) if p is not None))
