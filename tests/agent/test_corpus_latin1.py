"""A Latin-1 / Windows-1252 corpus is told how to convert it, as a UTF-16 one is."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgagent.corpus import read_corpus
from kgagent.errors import InputError


def test_latin1_text_is_told_how_to_convert(tmp_path: Path) -> None:
    """Before: 'not UTF-8 text: byte 0xe9 at column 4' and no word on what to do (UTF-16 got iconv's command)."""
    p = tmp_path / "c.txt"
    p.write_bytes("Ok.\n\nCafé in Boston, 20 \u20ac.\n".encode("cp1252"))
    with pytest.raises(InputError) as err:
        list(read_corpus(p))
    assert err.value.code == "KGA401" and str(err.value.location) == f"{p}:3:4"
    assert err.value.message == ("not UTF-8 text: byte 0xe9 at column 4; it reads as Windows-1252 (Latin-1): convert "
                                 "it (iconv -f WINDOWS-1252 -t UTF-8 FILE > NEW)")


def test_bytes_no_single_byte_code_page_reads_get_no_hint(tmp_path: Path) -> None:
    p = tmp_path / "c.txt"
    p.write_bytes(b"Boston \x81\x8d.\n")  # bytes Windows-1252 leaves undefined
    with pytest.raises(InputError) as err:
        list(read_corpus(p))
    assert err.value.message == "not UTF-8 text: byte 0x81 at column 8"
