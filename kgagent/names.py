"""A part of a name that names again what the full name named: "Ottinger" after "James Ottinger".

Two mentions of one document, the words of one (case-folded, punctuation left out) a proper
run of the words of the other, at its start ("first"), its end ("last") or inside ("inner"); or
the one written in capitals as the initials of the other's words ("initials": "KDP" for
"Kurdistan Democratic Party", "SEC" for "Securities and Exchange Commission"); or the other's
words without the suffixes at their end that do not change what a name names ("stem":
"Montedison" for "Montedison S.p.A.", when the domain lists "S.p.A." among its
``name_suffixes``).
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
>>> initials("N.A.T.O.", "North Atlantic Treaty Organisation"), initials("Nato", "North Atlantic Treaty Organisation")
(True, False)
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Sequence
from typing import Protocol

_WORD = re.compile(r"\w+")


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


def in_capitals(text: str) -> bool:
    """Two or more letters, all capitals, dots allowed between them ("KDP", "U.N.", "ÖVP")."""
    letters = text.strip().replace(".", "")
    return len(letters) >= 2 and letters.isalpha() and letters.isupper()


def initials(short: str, full: str) -> bool:
    """Is ``short``, written in capitals (:func:`in_capitals`), the initials of the words of
    ``full`` (two or more), of all of them or of those written with a capital ("Securities and
    Exchange Commission": SEC)?"""
    return in_capitals(short) and short.strip().replace(".", "") in initials_of(full)


def initials_of(full: str) -> set[str]:
    """The initials of a name of two or more words: of all of them, and of its capitalised ones.
    A letter alone is not a word here ("aid-U.N." has no initials: its U and N are some already).

    >>> sorted(initials_of("Securities and Exchange Commission")), initials_of("aid-U.N.")
    (['SAEC', 'SEC'], set())
    """
    words = [w for w in _WORD.findall(full) if len(w) > 1]
    if len(words) < 2:
        return set()
    return {"".join(w[0] for w in words).upper(), "".join(w[0] for w in words if w[0].isupper())}


def name_stem(words: Sequence[str], suffixes: frozenset[str]) -> tuple[str, ...]:
    """The words of a name without the ``suffixes`` at its end, keeping at least one word. A
    suffix is matched against one word or a run of them joined ("S.p.A." is the words s, p, a
    to :func:`name_words`: the suffix "spa").

    >>> name_stem(name_words("Sangetsu Co. Ltd"), frozenset({"co", "ltd"}))
    ('sangetsu',)
    >>> name_stem(name_words("Montedison S.p.A."), frozenset({"spa"}))
    ('montedison',)
    """
    n = len(words)
    while n > 1:
        k = next((k for k in range(n - 1, 0, -1) if "".join(words[k:n]) in suffixes), None)
        if k is None:
            break
        n = k
    return tuple(words[:n])


def stem_text(text: str, suffixes: frozenset[str]) -> str:
    """``text`` up to the end of its :func:`name_stem`, as written; empty when no suffix ends it.

    >>> stem_text("Douglas & Lomason Co.", frozenset({"co"})), stem_text("Boston Celtics", frozenset({"co"}))
    ('Douglas & Lomason', '')
    """
    found = list(_WORD.finditer(text))
    stem = name_stem([m.group().casefold() for m in found], suffixes)
    return text[:found[len(stem) - 1].end()].strip() if stem and len(stem) < len(found) else ""


def derived_from(text: str, endings: Sequence[str]) -> tuple[str, str] | None:
    """(the name, the ending) of a word a domain derives from names with one of ``endings`` (the
    ontology's ``derived_suffixes``; case aside, the longest first), or None.

    >>> derived_from("Houston-based", ["-based"]), derived_from("-based", ["-based"])
    (('Houston', '-based'), None)
    """
    folded = text.casefold()
    for ending in sorted(endings, key=lambda x: (-len(x), x)):
        if folded.endswith(ending.casefold()) and len(folded) > len(ending):
            name = text[: len(text) - len(ending)].strip()
            if name:
                return name, ending
    return None


def only_suffix(text: str, suffixes: frozenset[str]) -> bool:
    """Whether the whole of ``text`` is one of the ``suffixes`` or a run of them ("Ltd", "Co. Ltd",
    "S.p.A."): a word that ends names, not a name.

    >>> only_suffix("Co. Ltd", frozenset({"co", "ltd"})), only_suffix("Shintoh Ltd", frozenset({"ltd"}))
    (True, False)
    """
    words = name_words(text)
    return bool(words) and name_stem(("", *words), suffixes) == ("",)  # "" stands for the name they would end


#: of the mentions of one full name (the same words) a short name is paired with at most this
#: many, the nearest in the document's order: a long text that says "Philips" and "NV Philips"
#: five hundred times each would otherwise make 250,000 pairs, each a fact for the rules
NEAREST_FULL_NAMES = 8


def name_parts(mentions: Sequence[Named], suffixes: frozenset[str] = frozenset(),
               nearest: int = NEAREST_FULL_NAMES) -> Iterator[tuple[str, str, str]]:
    """``(part id, full id, where)`` for every two mentions (of one document) where the first's
    words are a proper part of the second's (:func:`name_part`), its capitals the second's
    initials (:func:`initials`), or its words the second's without their ``suffixes``
    (:func:`name_stem`: "stem", and then not "first" as well: a stem is first words, and says
    more); in the order of ``mentions``, then of the full names. Of the mentions of one full
    name, a part is paired with the ``nearest`` in the order of ``mentions`` (the earlier of two
    as near). Each full name's runs of words, initials and stem are indexed once: a document of
    n mentions costs about n lookups, not n x n comparisons."""
    words = [name_words(m.text) for m in mentions]
    runs: dict[tuple[str, ...], set[int]] = {}
    capitals: dict[str, set[int]] = {}
    stems: dict[tuple[str, ...], set[int]] = {}
    for j, (f, fw) in enumerate(zip(mentions, words)):
        for n in range(1, len(fw)):
            for i in range(len(fw) - n + 1):
                runs.setdefault(tuple(fw[i:i + n]), set()).add(j)
        if not in_capitals(f.text):
            for key in initials_of(f.text):
                capitals.setdefault(key, set()).add(j)
        if suffixes and (stem := name_stem(fw, suffixes)) != tuple(fw):
            stems.setdefault(stem, set()).add(j)
    for i, (m, mw) in enumerate(zip(mentions, words)):
        acronym = m.text.strip().replace(".", "") if in_capitals(m.text) else None  # "KDP", "U.N."
        fulls = runs.get(mw, set()) | capitals.get(acronym or "", set()) | stems.get(mw, set())
        if len(fulls) > nearest:
            fulls = _nearest_of_each(fulls, i, words, nearest)
        for j in sorted(fulls):
            stem = j in stems.get(mw, ())
            if j in runs.get(mw, ()):
                for where in name_part(mw, words[j]):
                    if not (stem and where == "first"):  # a stem is first words too: it says more
                        yield m.id, mentions[j].id, where
            if acronym and j in capitals.get(acronym, ()):
                yield m.id, mentions[j].id, "initials"
            if stem:
                yield m.id, mentions[j].id, "stem"


def _nearest_of_each(fulls: set[int], i: int, words: Sequence[tuple[str, ...]], nearest: int) -> set[int]:
    """Of the mentions ``fulls`` (indices), per full name (its words), the ``nearest`` to ``i``."""
    by_name: dict[tuple[str, ...], list[int]] = {}
    for j in fulls:
        by_name.setdefault(words[j], []).append(j)
    keep: set[int] = set()
    for js in by_name.values():
        keep.update(heapq.nsmallest(nearest, js, key=lambda j: (abs(j - i), j)))
    return keep
