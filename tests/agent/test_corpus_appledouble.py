"""A folder unpacked from a Mac's zip file: its ._ twins (AppleDouble) are named, with what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgagent.corpus import read_corpus
from kgagent.errors import InputError


def test_an_appledouble_twin_is_named_with_how_to_remove_it(tmp_path: Path) -> None:
    """Before: 'KGA402 binary file (NUL bytes), not text' for corpus/__MACOSX/._a.txt, a file the
    user never made and may not see (Finder hides it)."""
    d = tmp_path / "corpus"
    (d / "__MACOSX").mkdir(parents=True)
    (d / "a.txt").write_text("Alpha.\n")
    twin = d / "__MACOSX" / "._a.txt"
    header = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02"
    twin.write_bytes((header + b"\x00" * 4096)[:4096])  # mostly zeros: no UTF-16 either
    with pytest.raises(InputError) as err:
        list(read_corpus(d))
    assert err.value.code == "KGA402" and err.value.location.path == str(twin)
    assert err.value.message == ("a macOS AppleDouble file (the ._ twin a Mac writes beside a file on other disks "
                                 "and in zip files), not text: delete the ._ files (find DIR -name '._*' -delete) "
                                 "and __MACOSX folders")
