"""Stable ids from content: one hash for every id kgagent mints (decisions, mentions, entities,
statement nodes, document fingerprints), so a re-run or a resumed run writes the same ids.

>>> content_hash("doc-1", 3), stable_id("d", "doc-1", 3), text_hash("Boston is in Texas.")
('5b3de2e80192', 'd:5b3de2e8019297d6', '586d4206dbf15c7c')
"""

from __future__ import annotations

import hashlib


def content_hash(*parts: object, n: int = 12) -> str:
    """A short stable hash of the parts (joined by a unit separator)."""
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:n]


def stable_id(prefix: str, *parts: object, n: int = 16) -> str:
    """``prefix:`` + a short hash of the parts: the same content always gives the same id."""
    return f"{prefix}:{content_hash(*parts, n=n)}"


def text_hash(text: str) -> str:
    """A short content hash of a document's text (stable document fingerprints)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
