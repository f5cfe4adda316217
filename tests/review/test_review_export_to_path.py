"""``kgagent feedback export-reviews --to`` a path that cannot be a file (fuzz finding): it was
KGA551 after all the work, with the OS's "File exists" for a path under a file; now KGA510
before any work, as ``learn-policy --save`` says it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import StorageError
from kgagent.review.export import export_reviews
from kgagent_cli.main import app


def test_export_reviews_to_a_directory_or_under_a_file_is_kga510(out: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    for to, words in ((tmp_path, "it is a directory; give a file name such as"),
                      (blocker / "fb.jsonl", "is a file, not a directory")):
        with pytest.raises(StorageError) as err:
            export_reviews(out, to=to)
        assert err.value.code == "KGA510" and words in err.value.message
        res = CliRunner().invoke(app, ["feedback", "export-reviews", str(out), "--to", str(to)])
        assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
        assert "error: KGA510 cannot write" in res.output and words in res.output
