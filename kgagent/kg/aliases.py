"""The alias table: the linker's first, cheap step (exact, case-folded, accent/punctuation-free).

>>> alias_keys("  São  Paulo ")
('São Paulo', 'são paulo', 'sao paulo')
>>> alias_keys("The U.S.")[2]
'us'
>>> alias_keys("$ 1.2 million")[2], alias_keys("$12 million")[2]  # a decimal point is kept
('1.2 million', '12 million')
>>> alias_keys("W. Va.")[2], alias_keys("W.Va.")[2], alias_keys("D. C.")[2], alias_keys("St. Louis")[2]
('wva', 'wva', 'dc', 'st louis')
>>> AliasTable().add_many([("e:et", "Ethiopia")]).lookup("Ethiopia's")
{'e:et': 0.93}

A one-word abbreviation found without its full stop ("Mass" for "Mass.", "Mich" at a
sentence's end, where the stop ends the sentence too) is told apart (``undotted``): the linker
trusts it only for a mention of the entity's own kind ("Mass" the service is not Massachusetts).
"US" finds "U.S." as any name does (its stops are inside it):

>>> t = AliasTable().add_many([("e:ma", "Mass."), ("e:us", "U.S.")])
>>> t.lookup("Mass"), t.undotted("Mass"), t.undotted("Mass."), t.lookup("US"), t.undotted("US")
({'e:ma': 0.93}, {'e:ma'}, set(), {'e:us': 0.93}, set())
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

#: score of a hit at each level: exact, case-folded, stripped of accents/punctuation/article
LEVEL_SCORES = (1.0, 0.97, 0.93)
_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_ARTICLE = re.compile(r"^(the|a|an)\s+")
_POSSESSIVE = re.compile(r"\s*['’]s?$")
#: a short abbreviation's stop and the space before the next one ("W. Va.", "D. C.")
_SPACED_ABBREVIATION = re.compile(r"\b(\w{1,2})\.\s+(?=\w{1,3}\.)", re.UNICODE)
_ONE_WORD_ABBREVIATION = re.compile(r"^\w{2,}\.$", re.UNICODE)  # "Mass.", "Calif.", "Gen." (not "U.S.")


def alias_keys(text: str) -> tuple[str, str, str]:
    """The three lookup keys of a name: exact (whitespace collapsed), casefold, stripped."""
    exact = " ".join(text.split())
    fold = exact.casefold()
    t = fold
    if not t.isascii():  # ASCII has no accents to take off (and most names are ASCII: 5x faster)
        t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    t = _SPACED_ABBREVIATION.sub(r"\1.", t)  # "W. Va." is "W.Va.", "D. C." "D.C."
    t = _PUNCT.sub(_stripped, t)
    t = " ".join(t.split())
    t = _ARTICLE.sub("", t)
    return exact, fold, t


def _stripped(m: re.Match[str]) -> str:
    """What a punctuation mark becomes in the stripped key: nothing for a stop or an apostrophe
    ("U.S." is "us"), except a decimal point ("1.2" is not "12"); a space for the others."""
    ch, s, i = m.group(0), m.string, m.start()
    if ch == "." and 0 < i < len(s) - 1 and s[i - 1].isdigit() and s[i + 1].isdigit():
        return "."
    return "" if ch in ".'’" else " "


def same_words(mention: str, name: str) -> bool:
    """Does ``mention`` say ``name``'s words: the same words in any order, up to case, accents
    and punctuation ("Bosnia-Herzegovina", "Herzegovina Bosnia"), a letter in a long word
    (another spelling: "Kazakstan", "Kazakhstan"), or with a ", qualifier" after them ("Council
    Bluffs, Iowa" says "Council Bluffs")? Not a part of them ("West" is not "America West"),
    nor a word that begins like another ("Morgantown" is not "Morgan City"), nor a short word
    a letter apart ("Belen" is not "Belém").

    >>> same_words("Council Bluffs , Iowa", "Council Bluffs"), same_words("U.S", "U.S."), same_words("Kazakstan", "Kazakhstan")
    (True, True, True)
    >>> same_words("Morgan City", "Morgantown"), same_words("America West", "West"), same_words("Belen", "Belém")
    (False, False, False)
    """
    target = word_key(name)
    return bool(target) and words_said(mention_word_keys(mention), target)


def words_said(mention_keys: frozenset[tuple[str, ...]], name_key: tuple[str, ...]) -> bool:
    """Does one of a mention's word keys say ``name_key``'s words (see :func:`same_words`)?"""
    if name_key in mention_keys:
        return True
    for key in mention_keys:
        if len(key) == len(name_key):
            left = list(name_key)
            for w in key:
                hit = next((i for i, n in enumerate(left) if n == w or a_letter_apart(w, n)), None)
                if hit is None:
                    break
                del left[hit]
            else:
                return True
    return False


#: words at least this long may differ by a letter and still be one name (another spelling)
SPELLING_MIN_LENGTH = 7


def a_letter_apart(a: str, b: str) -> bool:
    """One letter inserted, deleted or changed, in words of ``SPELLING_MIN_LENGTH`` letters or more."""
    if min(len(a), len(b)) < SPELLING_MIN_LENGTH or abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i:] == b[i + 1:]


def word_key(text: str) -> tuple[str, ...]:
    """The sorted words of the stripped key (punctuation inside a word splits it: "R-Utah")."""
    return tuple(sorted(alias_keys(text.replace("-", " "))[2].split()))


def mention_word_keys(mention: str) -> frozenset[tuple[str, ...]]:
    """The word keys a mention says: its own, and its words before a ", qualifier"."""
    heads = (mention, mention.split(",")[0]) if "," in mention else (mention,)
    return frozenset(k for k in map(word_key, heads) if k)


class AliasTable:
    """Name -> entities, at three levels of normalisation."""

    def __init__(self) -> None:
        self._maps: tuple[dict[str, set[str]], ...] = (defaultdict(set), defaultdict(set), defaultdict(set))
        self._names: dict[str, list[str]] = defaultdict(list)  # entity -> its names, as given
        self._name_words: dict[str, frozenset[tuple[str, ...]]] = {}  # entity -> their word keys (on first use)
        self._dotted: dict[str, set[str]] = defaultdict(set)  # stripped key -> entities named so only by "Xxx."
        self._undotted: dict[str, set[str]] = defaultdict(set)  # stripped key -> entities with another name of it

    def add(self, iri: str, name: str) -> None:
        """Record that ``name`` names ``iri``."""
        keys = alias_keys(name)
        self._names[iri].append(name)
        self._name_words.pop(iri, None)
        for m, k in zip(self._maps, keys):
            if k:
                m[k].add(iri)
        if keys[2]:
            (self._dotted if _ONE_WORD_ABBREVIATION.match(keys[0]) else self._undotted)[keys[2]].add(iri)

    def add_many(self, rows: Iterable[tuple[str, str]]) -> "AliasTable":
        for iri, name in rows:
            self.add(iri, name)
        return self

    def lookup(self, name: str) -> dict[str, float]:
        """Entities this name may refer to, each with the score of its best (most exact) level.
        A possessive the name ends with does not hide its entity ("Ethiopia's" finds Ethiopia, at
        the stripped level's score at most)."""
        out: dict[str, float] = {}
        for m, k, score in zip(self._maps, alias_keys(name), LEVEL_SCORES):
            for iri in m.get(k, ()):
                out.setdefault(iri, score)
        if not out:
            bare = _POSSESSIVE.sub("", name.strip())
            if bare and bare != name.strip():
                out = {iri: min(score, LEVEL_SCORES[-1]) for iri, score in self.lookup(bare).items()}
        return out

    def names_said(self, mention_keys: frozenset[tuple[str, ...]], iri: str) -> bool:
        """Does a mention of these word keys (:func:`mention_word_keys`) say the words of one of
        ``iri``'s names (:func:`same_words`)?"""
        names = self._name_words.get(iri)
        if names is None:
            names = self._name_words[iri] = frozenset(k for k in map(word_key, self._names.get(iri, ())) if k)
        return not names.isdisjoint(mention_keys) or any(words_said(mention_keys, n) for n in names)

    def undotted(self, name: str) -> set[str]:
        """The entities ``name`` finds only as a one-word abbreviation of theirs without its full
        stop ("Mass" of "Mass."): no name of theirs is ``name`` itself."""
        keys = alias_keys(name)
        if keys[0].endswith(".") or not keys[2]:
            return set()
        return self._dotted.get(keys[2], set()) - self._undotted.get(keys[2], set())

    def __len__(self) -> int:
        return len(self._maps[0])
