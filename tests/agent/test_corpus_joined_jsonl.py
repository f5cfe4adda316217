"""JSON Lines files joined with cat: the byte-order mark the second one began with is no error."""

from __future__ import annotations

from pathlib import Path

from kgagent.corpus import read_corpus


def test_a_byte_order_mark_at_the_head_of_any_json_line_is_dropped(tmp_path: Path) -> None:
    """Before: 'c.jsonl:2:1: KGA404 malformed JSON: Unexpected UTF-8 BOM (decode using utf-8-sig)'
    for `cat a.jsonl b.jsonl > c.jsonl` where b.jsonl began with a BOM (as Windows tools write)."""
    p = tmp_path / "c.jsonl"
    p.write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "Boston."}\n\xef\xbb\xbf{"id": "b", "text": "\xef\xbb\xbfTexas."}\n')
    docs = [(d.id, d.text, d.source) for d in read_corpus(p)]
    assert docs == [("a", "Boston.", f"{p}:1"), ("b", "\ufeffTexas.", f"{p}:2")]  # the text's own is kept
