"""A part of a name that names again what the full name named: "Ottinger" after "James Ottinger".

Two mentions of one document, the words of one (case-folded, punctuation left out) a proper
run of the words of the other, at its start ("first"), its end ("last") or inside ("inner").
The agent asserts these as ``name_part(M, Full, Where)`` facts; which classes' names shorten,
and to which part, is the ontology's word (a class's ``short_name``), read by the shared
names.rules and by the joint decision's name prior.

>>> name_part(name_words("Ottinger"), name_words("James Ottinger"))
('last',)
>>> name_part(name_words("MONTEDISON"), name_words("Montedison S.p.A."))
('first',)
>>> name_part(name_words("Luther"), name_words("Martin Luther King"))
('inner',)
>>> name_part(name_words("James Ottinger"), name_words("James Ottinger"))
()
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Protocol

_WORD = re.compile(r"\w+")

#: where a part sits in a full name
PLACES = ("first", "last", "inner")


class Named(Protocol):
    """What :func:`name_parts` reads of a mention."""

    id: str
    text: str


def name_words(text: str) -> tuple[str, ...]:
    """The words of a name, case-folded, without punctuation ("Mir-Hossein Mousavi" -> mir, hossein, mousavi)."""
    return tuple(_WORD.findall(text.casefold()))


def name_part(part: Sequence[str], full: Sequence[str]) -> tuple[str, ...]:
    """Where the words ``part`` sit in the longer ``full`` as a run: "first", "last" (both for a
    name said twice over, "Ali Ali"), else "inner"; empty when they are not a proper part."""
    n = len(part)
    if n == 0 or n >= len(full):
        return ()
    places = tuple(p for p, ok in (("first", tuple(full[:n]) == tuple(part)),
                                   ("last", tuple(full[-n:]) == tuple(part))) if ok)
    if places:
        return places
    if any(tuple(full[i:i + n]) == tuple(part) for i in range(1, len(full) - n)):
        return ("inner",)
    return ()


def name_parts(mentions: Sequence[Named]) -> Iterator[tuple[str, str, str]]:
    """``(part id, full id, where)`` for every two mentions (of one document) where the first's
    words are a proper part of the second's; in the order of ``mentions``."""
    words = [(m, name_words(m.text)) for m in mentions]
    for m, mw in words:
        for f, fw in words:
            for where in name_part(mw, fw) if len(mw) < len(fw) else ():
                yield m.id, f.id, where
