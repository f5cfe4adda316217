"""The shape of a mention's text: a number, an amount of money, a percentage, a date or a time,
a word in lowercase in a text written in case, or a legislator's party and state.

The agent asserts ``shape(M, Shape)`` for a mention whose whole text has one of these shapes, so
that a domain's rules can say what such words are not (in the news domain: people,
organisations or places). Plain English patterns, no model; a text that only *contains* a
number ("3M", "7-Eleven", "Route 66") has no shape.

>>> [mention_shape(t) for t in ("$5 million", "12.5 percent", "June 5, 1987", "1980s", "3:30 p.m.")]
['money', 'percent', 'date', 'date', 'time']
>>> [mention_shape(t) for t in ("1,200", "two million", "21st", "3M", "Venezuela", "May")]
['number', 'number', 'number', None, None, None]

``lowercase``: small letters and not one capital, told only of a text written in case
(``cased``: a document with a capital letter somewhere). A name in English news is capitalised;
"china" in "a china shop" and "communist" are not names. A user's claim, a text all in
lowercase, and a script without case (Chinese) have no such shape.

>>> [mention_shape(t, cased=True) for t in ("china", "communist party", "iPhone", "two million", "-", "林全")]
['lowercase', 'lowercase', None, 'number', None, None]
>>> mention_shape("china")

``party_tag``: a US legislator's party and state as AP writes them after the name ("Sen. Jake
Garn, R-Utah", "D-Fla.", "R-N.H."): no place's name, though it names a state.

>>> [mention_shape(t) for t in ("R-Utah", "D-Fla.", "R-N.H.", "I-Vt.", "D-Day", "R-Kansas City")]
['party_tag', 'party_tag', 'party_tag', 'party_tag', None, None]
"""

from __future__ import annotations

import re

from kgagent.text import US_STATE_ABBREVIATIONS, US_STATE_INITIALS

#: the shapes ``mention_shape`` finds by pattern, most specific first
SHAPES = ("money", "percent", "date", "time", "number")
#: the shape of a word in lowercase in a text written in case
LOWERCASE = "lowercase"
#: the shape of a legislator's party and state ("R-Utah")
PARTY_TAG = "party_tag"
_PARTY_TAG = re.compile(rf"[DRI]-(?:(?:{US_STATE_ABBREVIATIONS}|{US_STATE_INITIALS})\.?"
                        r"|Alaska|Hawaii|Idaho|Iowa|Maine|Ohio|Texas|Utah)")

_DIGITS = r"\d+(?:[.,]\d+)*"
_WORD_NUMBERS = (
    "zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    "hundred|thousand|dozen"
)
_SCALE = r"(?:hundred|thousand|million|billion|trillion)"
_NUMBER = (rf"(?:about\s+|some\s+|nearly\s+|more\s+than\s+|over\s+|almost\s+)?"
           rf"(?:(?:{_DIGITS}|(?:{_WORD_NUMBERS})(?:[-\s](?:{_WORD_NUMBERS}))*)(?:\s+{_SCALE})?"
           rf"|(?:a|an|half\s+a)\s+{_SCALE})")
#: an amount of money may abbreviate its scale ("$5m", "$2bn"); a number may not ("3M" is a company)
_AMOUNT = rf"{_NUMBER}(?:\s*(?:m|bn|mln|k)\b)?"
_CURRENCY_SIGN = r"(?:US\$|C\$|A\$|HK\$|\$|£|€|¥|₹)"
_CURRENCY_WORD = (r"(?:dollars?|cents?|pounds?(?:\s+sterling)?|pence|euros?|yen|yuan|francs?|marks?|"
                  r"deutsche\s+marks?|lire|lira|rubles?|roubles?|pesos?|rupees?|won|dinars?|shekels?)")
_CURRENCY_CODE = r"(?:USD|EUR|GBP|JPY|CNY|CHF|CAD|AUD|DM)"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"

_PATTERNS: dict[str, re.Pattern[str]] = {
    "money": re.compile(
        rf"(?:{_CURRENCY_SIGN}\s*{_AMOUNT}(?:\s+{_CURRENCY_WORD})?"
        rf"|{_CURRENCY_CODE}\s*{_AMOUNT}|{_AMOUNT}\s*{_CURRENCY_CODE}"
        rf"|{_AMOUNT}\s+(?:(?:US|U\.S\.|Canadian|Australian|Hong\s+Kong)\s+)?{_CURRENCY_WORD})", re.I),
    "percent": re.compile(rf"{_NUMBER}\s*(?:%|percent|per\s+cent|percentage\s+points?)", re.I),
    "date": re.compile(
        rf"(?:{_YEAR}s?|'\d0s|{_YEAR}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}"
        rf"|(?:{_WEEKDAY},?\s*)?{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?"
        rf"|(?:{_WEEKDAY},?\s*)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?"
        rf"|{_MONTH},?\s+{_YEAR}|{_WEEKDAY}(?:\s+(?:morning|afternoon|evening|night))?)", re.I),
    "time": re.compile(r"(?:\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)|\d{1,2}:\d{2}(?:\s*(?:GMT|EST|EDT|PST|UTC))?)",
                       re.I),
    "number": re.compile(rf"(?:{_NUMBER}|\d+(?:st|nd|rd|th)|No\.\s*\d+)", re.I),
}


def mention_shape(text: str, *, cased: bool = False) -> str | None:
    """The shape of the whole text (one of ``SHAPES``, or ``LOWERCASE`` where ``cased``: the text
    it comes from is written in case), or None when it has none."""
    t = " ".join(text.split()).strip(" .,;:")
    if not t:
        return None
    for shape in SHAPES:
        if _PATTERNS[shape].fullmatch(t):
            return shape
    if cased and any(c.islower() for c in t) and not any(c.isupper() for c in t):  # cased letters only
        return LOWERCASE
    if _PARTY_TAG.fullmatch(t):
        return PARTY_TAG
    return None
