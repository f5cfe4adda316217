"""Text handling with character offsets: sentence splitting and word tokenisation.

Offsets are ``[start, end)`` into the string given. The word tokeniser follows the Penn
Treebank conventions that CoNLL04 and CoNLL-2003 were tokenised with closely enough that a
model trained on them sees familiar tokens: punctuation apart, clitics (``'s``, ``n't``) apart,
abbreviations (``U.S.``, ``Dr.``) and numbers (``3.5``, ``1,000``) kept whole.
"""

from __future__ import annotations

import re

# Abbreviations that keep their period and do not end a sentence: titles, suffixes, months
_ABBREVIATIONS = ("Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Rev|Capt|Cmdr|Adm|Maj|Brig|Cpl|Pvt|Msgr|Hon|Pres"
                  "|Supt|Atty|St|Jr|Sr|Inc|Corp|Co|Ltd|Mt|Ft|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
# "at 2 a.m. EST ranged ...": a clock time followed by its time zone does not end a sentence
_TIME_ZONE = re.compile(r"\s+(?:[ECMP][SD]T|GMT|UTC|BST|CET|CEST)\b")

_WORD = re.compile(
    r"""
    (?:[A-Za-z]\.){2,}(?![A-Za-z])          # U.S., e.g.
  | (?:""" + _ABBREVIATIONS + r""")\.(?=\s|$)
  | \d+(?:[.,:]\d+)+                         # 3.5, 1,000, 10:30
  | n't|N'T
  | ['’](?:s|S|re|RE|ve|VE|ll|LL|d|D|m|M)\b
  | \w+?(?=n't\b|N'T\b)                      # do|n't
  | [^\W_]+(?:-[^\W_]+|['’](?!(?:s|S|re|RE|ve|VE|ll|LL|d|D|m|M)\b)[^\W_]+)*  # words, well-known, O'Neil
  | ``|''|--|\.\.\.
  | \S                                       # any other single character
    """,
    re.VERBOSE | re.UNICODE,
)

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before whitespace
# and an upper-case letter, digit or opening quote; not after a known abbreviation or initial.
_ABBREV = re.compile(r"(?:\b(?:" + _ABBREVIATIONS + r"|vs|etc)|\b[A-Z]|(?:\b[A-Za-z]\.){1,}[A-Za-z])$")
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n\s*\n")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the words of ``text``.

    >>> t = "Dr. Smith doesn't work for the U.S. Army, he said."
    >>> [t[s:e] for s, e in word_spans(t)]
    ['Dr.', 'Smith', 'does', "n't", 'work', 'for', 'the', 'U.S.', 'Army', ',', 'he', 'said', '.']
    >>> t = "WPP's chief and O'Neil's firm; the banks' loans"
    >>> [t[s:e] for s, e in word_spans(t)]
    ['WPP', "'s", 'chief', 'and', "O'Neil", "'s", 'firm', ';', 'the', 'banks', "'", 'loans']
    """
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


def sentence_spans(text: str, max_chars: int = 2000) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (leading/trailing space trimmed).

    A sentence longer than ``max_chars`` (say, a line with no sentence breaks) is cut at the
    last whitespace before the limit, so no piece of text is ever dropped or made unbounded.

    >>> t = "Mr. Jones met the Rev. Lee in Boston. They left at 5 p.m. Then rain at 2 a.m. EST fell."
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['Mr. Jones met the Rev. Lee in Boston.', 'They left at 5 p.m.', 'Then rain at 2 a.m. EST fell.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if m.group().strip() and _ABBREV.search(text[start : m.start() + 1].rstrip(".!?\"'”’)]")):
            # "Dr." or an initial: not a sentence end (but "p.m." followed by a capital is,
            # unless the capital is the time's zone)
            if not re.search(r"[a-z]\.[a-z]\.$", text[max(start, m.start() - 4) : m.end()]) \
                    or _TIME_ZONE.match(text, m.end()):
                continue
        spans.extend(_trimmed(text, start, end, max_chars))
        start = end
    spans.extend(_trimmed(text, start, len(text), max_chars))
    return spans


def _trimmed(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    out: list[tuple[int, int]] = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + 1, start + max_chars)
        cut = cut if cut > start else start + max_chars
        out.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append((start, end))
    return out
