"""Text handling with character offsets: sentence splitting and word tokenisation.

Offsets are ``[start, end)`` into the string given. The word tokeniser follows the Penn
Treebank conventions that CoNLL04 and CoNLL-2003 were tokenised with, so that a model trained
on them sees the tokens it was trained on: punctuation, quotes and brackets apart; clitics apart
(``WPP 's``, ``banks '``, ``do n't``, ``ca n't``); abbreviations, initials and acronyms keep
their period inside a sentence (``Dr.``, ``John F. Kennedy``, ``Calif.``, ``U.S.``) but give it
up at the sentence's end (``Acme Corp .``), as both data sets do; numbers stay whole (``3.5``,
``1,000``, ``1/2``); names with an apostrophe stay whole (``O'Neil``). Curly quotes and
apostrophes are words of their own like straight ones; :func:`model_word` gives the form the
data sets write them in (``“`` -> ``"``), which is what the encoder is shown.

Line breaks: a blank line always ends a sentence. A single line break is *soft* when it is a
hard wrap inside a paragraph, otherwise *hard* (:func:`hard_breaks`); a hard break before a line
that does not start in lower case ends a sentence, so a headline or a byline is its own
sentence, and no mention may cross a hard break (the agent drops one that would).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import lru_cache


def name_key(text: str) -> str:
    """A surface name as a key: white space collapsed, case-folded ("YUKOS " and "Yukos" are one)."""
    return " ".join(str(text).split()).casefold()


# Titles before a name: they never end a sentence, nor a line that a name continues
_TITLES = ("Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Rev|Capt|Cmdr|Adm|Maj|Brig|Cpl|Pvt|Msgr|Hon|Pres"
           "|Supt|Atty|St")
# Abbreviations that keep their period and do not end a sentence: titles, suffixes, months
_ABBREVIATIONS = _TITLES + "|Jr|Sr|Inc|Corp|Co|Ltd|Mt|Ft|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
# Words that keep their period inside a sentence but may well end one ("in Nashville, Tenn. He
# was"): US states as AP (CoNLL04's newswire) writes them, vs., etc.
#: US states as AP abbreviates them (alternatives of a regular expression; AP spells out Alaska,
#: Hawaii, Idaho, Iowa, Maine, Ohio, Texas and Utah, and writes N.Y., S.C. ... with initials)
US_STATE_ABBREVIATIONS = ("Ala|Ariz|Ark|Calif|Colo|Conn|Del|Fla|Ga|Ill|Ind|Kan|Kans|Ky|La|Md|Mass|Mich|Minn"
                          "|Miss|Mo|Mont|Neb|Nev|Okla|Ore|Pa|Tenn|Tex|Va|Vt|Wash|Wis|Wyo")
_WORD_ABBREVIATIONS = US_STATE_ABBREVIATIONS + "|vs|etc"
# "at 2 a.m. EST ranged ...": a clock time followed by its time zone does not end a sentence
_TIME_ZONE = re.compile(r"\s+(?:[ECMP][SD]T|GMT|UTC|BST|CET|CEST)\b")

_CLITIC = r"(?:s|S|re|RE|ve|VE|ll|LL|d|D|m|M)\b"
# an abbreviation keeps its period before a space, punctuation or a hyphen (U.S.-led), unless
# nothing but closing quotes/brackets follows: then the period is the sentence's
_KEEP_PERIOD = r"""(?![)\]}"'”’]*\s*$)(?=[\s,;:)\]}"'”’-])"""

_WORD = re.compile(
    r"""
    -[LR][RCS]B-                             # PTB bracket escapes in pre-tokenised text
  | (?:[A-Z]-)?(?:[A-Za-z]\.)+[A-Za-z](?:\.""" + _KEEP_PERIOD + r""")?(?![A-Za-z])  # U.S., e.g., R-S.C.
  | (?:[A-Z]-)?(?:""" + _ABBREVIATIONS + "|" + _WORD_ABBREVIATIONS + r""")\.""" + _KEEP_PERIOD + r"""
  | [A-Z]\.""" + _KEEP_PERIOD + r"""   # an initial: John F. Kennedy
  | \d+(?:[.,:/]\d+)+                        # 3.5, 1,000, 10:30, 1/2, 1996/97
  | [A-Z][A-Z0-9]+\.[A-Z]{1,2}(?![\w.])       # an exchange ticker: PGLO.AS, RABN.CN (one word in CoNLL-2003)
  | [A-Za-z0-9][A-Za-z0-9-]*\.(?:com|net|org)(?![\w.])  # a web name: Amazon.com
  | (?<![\w.])\.\d+                          # .500, .38
  | [A-Z]{1,2}\$                             # US$, C$, HK$
  | [A-Z]+(?:&[A-Z]+)+(?![a-z])              # S&P, AT&T
  | n['’]t|N['’]T
  | ['’]""" + _CLITIC + r"""
  | \w+?(?=n['’]t\b|N['’]T\b)                # do|n't, ca|n't
  | [^\W_]+(?:-[^\W_]+|['’](?!""" + _CLITIC + r""")[^\W_]+)*  # words, well-known, O'Neil
  | ['’][tT]\b                               # pre-tokenised "wasn 't"
  | ['’]n(?=['’])                            # rock 'n' roll, as CoNLL04: 'n | '
  | ``|''|-{2,}|\.{2,}
  | \S                                       # any other single character: quotes, brackets
    """,
    re.VERBOSE | re.UNICODE,
)

# The Penn Treebank's escapes of round and square brackets (in pre-tokenised text: N3's RSS-500,
# OntoNotes). Not of curly ones: CoNLL04, which the news model learnt from, writes "-LCB-" for
# a lost "½" ("2 -LCB- minutes"), and the model reads it as it learnt it.
_PTB_BRACKETS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]"}

# How the data sets write what real text writes with typographic quotes.
_MODEL_FORM = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'"})

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before whitespace
# and an upper-case letter, digit or opening quote; not after a known abbreviation or initial.
_INITIALS_AT_END = r"\b[A-Z]|(?:\b[A-Za-z]\.)+[A-Za-z]"  # "John F", "U.S", "N.J"
_ABBREV = re.compile(r"(?:\b(?:" + _ABBREVIATIONS + r"|vs|etc)|" + _INITIALS_AT_END + ")$")
# An abbreviation or initials right before a stop: the stop is theirs too ("Colo.", "N.J.", "Inc.")
_ABBREV_BEFORE_STOP = re.compile(r"(?:\b(?:" + _ABBREVIATIONS + "|" + _WORD_ABBREVIATIONS + ")|"
                                 + _INITIALS_AT_END + ")$")
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n\s*\n")
# A US state written with initials after its town ends a sentence before a capital, as a state
# in words does ("born in Kinderhook, N.Y. In 1791, ...", "Grants, N.M. Ms. Calico, then 19,
# disappeared"): unless a day or a month follows ("Albany, N.Y. Monday"). Not "U.S.": "the U.S.
# Ambassador".
_MONTHS_AND_DAYS = ("Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|May|June|July"
                    "|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday"
                    "|Saturday|Sunday")
#: US states AP writes with initials (alternatives of a regular expression, the last stop left out)
US_STATE_INITIALS = r"N\.[YJMCHD]|S\.[CD]|D\.C|R\.I|W\.Va"
_STATE_INITIALS_END = re.compile(r",\s*(?:" + US_STATE_INITIALS + r")$")
_NOT_A_START = re.compile(r"\s+(?:" + _MONTHS_AND_DAYS + r")\b")
# After an abbreviation, a word that starts sentences and never continues a name starts one:
# "... by First Boston Corp. The underwriters sold", "expanding into the U.S. The company",
# "July 31, 1989 A.D. He will be" (Reuters-128 had 17 such sentences run into the next).
# Not "And": Reuters-128 writes "the U.S. And Japan" inside a sentence.
_SENTENCE_WORD = re.compile(
    r"\s+[\"'“‘(\[]?(?:The|A|An|It|Its|He|His|She|Her|They|Their|We|Our|In|On|At|But|This|That|These|Those"
    r"|Last|Earlier|Later|There|Meanwhile|However|Also|Some|Many|Most|Both|When|While|After|Before|If|As"
    r"|For|Under)(?=\s)")

# A line that ends like this goes on on the next line: a comma, a dash, a function word, a
# title or an initial ("Bank of\nAmerica", "said Mr.\nJones", "John F.\nKennedy").
_CONTINUES = re.compile(r"(?:[,;:&/(\[{–—-]|(?<![\w'’])(?:a|an|the|and|or|but|nor|of|to|for|with|from|by|at|in"
                        r"|on|as|than|that)|\b(?:" + _TITLES + r")\.|(?<![\w.])[A-Z]\.)$")
#: a text whose lines broken mid-sentence are all narrower than this is not taken for wrapped
MIN_WRAP_WIDTH = 30
# a wrapped paragraph's longest line exceeds its next longest by a few characters at most
_WRAP_SLACK = 8


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` (one sentence, usually).

    >>> t = "Dr. Smith doesn't work for the U.S. Army, he said."
    >>> [t[s:e] for s, e in word_spans(t)]
    ['Dr.', 'Smith', 'does', "n't", 'work', 'for', 'the', 'U.S.', 'Army', ',', 'he', 'said', '.']
    >>> t = "WPP's chief and O'Neil's firm; the banks' loans"
    >>> [t[s:e] for s, e in word_spans(t)]
    ['WPP', "'s", 'chief', 'and', "O'Neil", "'s", 'firm', ';', 'the', 'banks', "'", 'loans']
    >>> t = "NV Philips PGLO.AS shares, Amazon.com Inc and the U.S.A. end.It"
    >>> [t[s:e] for s, e in word_spans(t)]
    ['NV', 'Philips', 'PGLO.AS', 'shares', ',', 'Amazon.com', 'Inc', 'and', 'the', 'U.S.A.', 'end', '.', 'It']
    >>> t = '“Don’t,” said John F. Kennedy (D-Mass.) in Boston, Mass.'
    >>> [t[s:e] for s, e in word_spans(t)]
    ['“', 'Do', 'n’t', ',', '”', 'said', 'John', 'F.', 'Kennedy', '(', 'D-Mass.', ')', 'in', 'Boston', ',', 'Mass', '.']

    A combining mark belongs to the word it marks (decomposed accents, Indic vowel signs):

    >>> t = "Jose\u0301 Marti\u0301nez in नमस्ते."
    >>> [t[s:e] for s, e in word_spans(t)] == ["Jose\u0301", "Marti\u0301nez", "in", "नमस्ते", "."]
    True
    """
    spans: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        start, end = m.span()
        if spans and spans[-1][1] == start and (_is_mark(text[start]) or
                                                 (_is_mark(text[start - 1]) and _WORD_CHAR.match(text, start))):
            spans[-1] = (spans[-1][0], end)  # a mark and what follows it go on the word before
        else:
            spans.append((start, end))
    return spans


_WORD_CHAR = re.compile(r"[^\W_]")


def _is_mark(ch: str) -> bool:
    """Whether ``ch`` is a combining mark (Unicode category M: an accent written apart, a vowel sign)."""
    return unicodedata.category(ch)[0] == "M"


def model_word(word: str) -> str:
    """A word as the data sets write it: typographic quotes and apostrophes made straight, and the
    Penn Treebank's bracket escapes of pre-tokenised text the brackets they stand for (the
    encoder, which had never seen "-LRB-", took it for a name: 18 accepted mentions "-LRB-" or
    "-RRB-" in N3's RSS-500).

    >>> [model_word(w) for w in ["“", "’s", "n’t", "``", "Ha’aretz", "Paris", "-LRB-", "-RRB-", "-LSB-", "-LCB-"]]
    ['"', "'s", "n't", '"', "Ha'aretz", 'Paris', '(', ')', '[', '-LCB-']
    """
    if word in ("``", "''"):
        return '"'
    if word in _PTB_BRACKETS:
        return _PTB_BRACKETS[word]
    return word.translate(_MODEL_FORM)


def hard_breaks(text: str) -> list[int]:
    """Offsets of the line breaks of ``text`` that end a line as written (sorted).

    A single line break between two lines is *soft* -- the wrap of a hard-wrapped paragraph,
    really a space -- when the line before it goes on (it ends with a comma, a dash, a function
    word, a title or an initial), or when the text is wrapped and the line is full: the next
    line's first word would not have fitted on it. The text is taken for wrapped, at width W,
    when it has other lines that break mid-sentence (the next line starts in lower case); W is
    the longest of them, and must reach :data:`MIN_WRAP_WIDTH`. A greedy wrapper never leaves
    room for the next word, and W is never wider than the width it wrapped to, so a wrap is
    taken for hard only when its line is more than a few characters longer than W. Every
    other line break is hard: after a headline, a byline, a list item, a line of a text written
    one paragraph a line, and around blank lines.

    >>> hard_breaks("Pernod Ricard buys Allied Domecq\\nShares rose 5% on Monday.")
    [32]
    >>> t = ("Pernod Ricard buys Allied Domecq\\n"
    ...      "Shares in Pernod Ricard rose on Monday after the French group\\n"
    ...      "agreed to buy its British rival Allied Domecq for 14 billion\\n"
    ...      "dollars. Analysts in London said the price was fair.")
    >>> hard_breaks(t)
    [32]
    """
    if "\n" not in text:
        return []
    lines: list[tuple[int, int, int]] = []  # (start, end without trailing space, line break) of each line
    start = 0
    while start <= len(text):
        nl = text.find("\n", start)
        end = len(text) if nl < 0 else nl
        stop = end
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        lines.append((start, stop, nl))
        if nl < 0:
            break
        start = nl + 1
    nexts = [_first_word(text, lines[i + 1][:2]) if i + 1 < len(lines) else "" for i in range(len(lines))]
    # the two longest lines broken mid-sentence: a line's own break is no evidence of wrapping
    mid = sorted(((stop - s, i) for i, ((s, stop, _), w) in enumerate(zip(lines, nexts)) if w[:1].islower()),
                 reverse=True)[:2]
    out: list[int] = []
    for i, ((s, stop, nl), nxt) in enumerate(zip(lines, nexts)):
        if nl < 0:
            break
        if stop > s and nxt:
            n = stop - s
            width = next((w for w, j in mid if j != i), 0)
            width = width if width >= MIN_WRAP_WIDTH else 0
            if _CONTINUES.search(text, s, stop) or (width and n + 1 + len(nxt) > width
                                                    and n <= width + _WRAP_SLACK):
                continue
        out.append(nl)
    return out


def crosses(breaks: Sequence[int], start: int, end: int) -> bool:
    """Whether the span ``[start, end)`` holds one of ``breaks`` (sorted offsets).

    >>> t = "Pernod Ricard buys Allied Domecq\\nShares rose."
    >>> crosses(hard_breaks(t), t.index("Domecq"), t.index(" rose"))
    True
    """
    i = bisect_left(breaks, start)
    return i < len(breaks) and breaks[i] < end


def _first_word(text: str, line: tuple[int, int]) -> str:
    words = text[line[0] : line[1]].split(None, 1)
    return words[0] if words else ""


def sentence_spans(text: str, max_chars: int = 2000) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (leading/trailing space trimmed).

    A sentence never runs across a blank line, nor across a hard line break (see
    :func:`hard_breaks`) before a line that does not start in lower case: a headline is a
    sentence of its own. A sentence longer than ``max_chars`` (say, a line with no sentence
    breaks) is cut at the last whitespace before the limit, so no piece of text is ever dropped
    or made unbounded.

    >>> t = "Mr. Jones met the Rev. Lee in Boston. They left at 5 p.m. Then rain at 2 a.m. EST fell."
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['Mr. Jones met the Rev. Lee in Boston.', 'They left at 5 p.m.', 'Then rain at 2 a.m. EST fell.']
    >>> t = "Pernod Ricard buys Allied Domecq\\nShares rose 5% on Monday."
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['Pernod Ricard buys Allied Domecq', 'Shares rose 5% on Monday.']
    >>> t = "He was born in Kinderhook, N.Y. In 1791, he left. The U.S. Ambassador met Albany, N.Y. Monday."
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['He was born in Kinderhook, N.Y.', 'In 1791, he left.', 'The U.S. Ambassador met Albany, N.Y. Monday.']
    >>> t = "It was led by First Boston Corp. The shares rose in the U.S. It said so to John A. A. Smith."
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['It was led by First Boston Corp.', 'The shares rose in the U.S.', 'It said so to John A. A. Smith.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in hard_breaks(text):
        nxt = text[cut + 1 : cut + 80].lstrip()
        if nxt and not nxt[0].islower():
            spans.extend(_split(text, start, cut, max_chars))
            start = cut + 1
    spans.extend(_split(text, start, len(text), max_chars))
    return [piece for span in spans for piece in _dateline_apart(text, *span)]


#: a dateline's state or country after its place: ", Iowa", ", W. Va.", ", England"
_DATELINE_REGION = r"(?:\s*,\s*[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)*)?"

#: a news agency in brackets, as a dateline names it: "(AP)", "( Reuters )", "-LRB- CNN -RRB-",
#: "(ITAR-TASS)", "(KMOV.com)"; not a legislator's "(R-Utah)" nor a bracketed phrase in lowercase
_DATELINE_AGENCY = (r"\s*(?:\(|-LRB-)\s*[A-Z][A-Za-z.&]*(?:-[A-Z]+)?(?:\s+[A-Z][A-Za-z.&]*){0,2}"
                    r"\s*(?:\)|-RRB-)")

# A news story's dateline: the place it was filed from, its state or country, the agency, and a
# dash before the story ("KNOXVILLE, Iowa (AP) -- Donny Schatz won ...", "Beijing (CNN) --
# Chinese authorities ..."). The story's people do not live there: CoNLL04 writes most
# datelines as sentences of their own ("BANGKOK , Thailand ( AP )"), as CoNLL-2003 does
# ("LONDON 1996-08-30"), and so does :func:`sentence_spans`. A place in capitals may have a long
# dash alone ("WASHINGTON --"); one in mixed case ("Beijing") needs its agency and a dash, and a
# single "-" comes only after an agency: "SOCCER - JAPAN WIN" is a headline.
_DATELINE = re.compile(
    r"(?:[A-Z][A-Z'.-]*[A-Z.](?:\s+[A-Z][A-Z'.-]*[A-Z.])*"                 # KNOXVILLE, NEW YORK, ST. LOUIS
    + _DATELINE_REGION +
    r"(?:" + _DATELINE_AGENCY + r"\s*(?:--|—|–|_|-)"                       # (AP) --
    r"|\s*(?:--|—|_))"                                                     # or a long dash alone
    r"|[A-Z][a-z]+(?:[\s-]+[A-Z][a-z]+){0,2}"                              # Beijing, Salt Lake City: only
    + _DATELINE_REGION + _DATELINE_AGENCY + r"\s*(?:--|—|–|-))"            # with its agency and a dash
    r"(?=\s+[\"'`(“‘]*[A-Z0-9][^\n]{0,40}[a-z])")                         # before a story in lower case


def _dateline_apart(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence that begins with a dateline (:data:`_DATELINE`) as two: the dateline, the rest.

    >>> t = "KNOXVILLE, Iowa (AP) -- Donny Schatz won the Knoxville Nationals. He left."
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['KNOXVILLE, Iowa (AP) --', 'Donny Schatz won the Knoxville Nationals.', 'He left.']
    >>> [t[s:e] for t in ("WASHINGTON -- GOP candidate Mitt Romney said", "SOCCER - JAPAN GET LUCKY WIN .",
    ...                   "NATO -- THE ALLIANCE", "US Airways -- the airline -- said") for s, e in sentence_spans(t)]
    ['WASHINGTON --', 'GOP candidate Mitt Romney said', 'SOCCER - JAPAN GET LUCKY WIN .', 'NATO -- THE ALLIANCE', 'US Airways -- the airline -- said']
    """
    m = _DATELINE.match(text, start, end)
    if m is None:
        return [(start, end)]
    rest = m.end() + (len(text[m.end():end]) - len(text[m.end():end].lstrip()))
    return [(start, m.end()), (rest, end)] if rest < end else [(start, end)]


# A sentence that is a dateline and nothing else, as kgagent's splitter leaves it (above) and as
# data sets write it: the place, its state or country, the agency in brackets, a dash or none
# ("BALTIMORE (AP) --", "BANGKOK , Thailand ( AP )", "Beijing -LRB- CNN -RRB- --").
_DATELINE_ALONE = re.compile(
    r"\s*[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)*"                             # BALTIMORE, NEW YORK, Beijing
    + _DATELINE_REGION + _DATELINE_AGENCY +                              # (AP), (ITAR-TASS); not (R-Utah)
    r"\s*(?:--|—|–|_|-)?\s*")


def dateline_alone(sentence: str) -> bool:
    """Is the sentence a news story's dateline and nothing else: the place it was filed from and
    the agency that filed it? (``dateline(Doc, Sentence)``, read by the news domain's rules.)

    >>> [dateline_alone(s) for s in ("BALTIMORE (AP) --", "BANGKOK , Thailand ( AP )",
    ...                             "AURORA , Colo. -LRB- AP -RRB- -", "Beijing -LRB- CNN -RRB- --")]
    [True, True, True, True]
    >>> [dateline_alone(s) for s in ("Acme (AP) said it would merge.", "John Smith (R-Utah)", "( Text )")]
    [False, False, False]
    """
    return _DATELINE_ALONE.fullmatch(sentence) is not None


def stops_read_apart(text: str) -> set[int]:
    """Offsets of the full stops of ``text`` that kgagent reads as words of their own: those that
    end a sentence ("... in Boise." at the end, "Salisbury , N.C." before "Polls published"),
    where data sets such as CoNLL04 glue the stop to the word before. A gold entity read from
    such tokens ends before the stop, as kgagent reads a user's text, unless the stop is an
    abbreviation's too ("N.C.": :func:`end_as_read`).

    >>> sorted(stops_read_apart("He lives in Salisbury , N.C. Polls showed it. Acme Inc. is fine"))
    [27, 44]
    """
    return {s + a for s, e in sentence_spans(text) for a, b in word_spans(text[s:e]) if text[s + a:s + b] == "."}


def end_as_read(text: str, start: int, end: int, stops: set[int]) -> int:
    """The end of a gold span ``[start, end)`` of ``text`` as kgagent reads the text: before its
    last character when that is a stop of :func:`stops_read_apart` that is not also an
    abbreviation's (:func:`stop_in_name`), and before the space such a stop may follow ("Minn ."
    where CoNLL04 counts the stop in the name: kgagent's mentions never end with a stop of their
    own, :func:`name_end`).

    >>> t = "in Boise. in Minn . in Mich."
    >>> end_as_read(t, 3, 9, {8}), end_as_read(t, 3, 9, set()), end_as_read(t, 8, 9, {8})
    (8, 9, 9)
    >>> t[13:end_as_read(t, 13, 19, {18})], t[23:end_as_read(t, 23, 28, {27})]
    ('Minn', 'Mich.')
    """
    if end - 1 not in stops or end - 1 <= start or stop_in_name(text, end - 1):
        return end
    end -= 1
    while end > start + 1 and text[end - 1].isspace():
        end -= 1
    return end


def spans_as_read(tokens: Sequence[str], ranges: Iterable[tuple[int, int]], *, as_read: bool = True
                  ) -> tuple[str, list[tuple[int, int]]]:
    """Pre-tokenised gold as kgagent reads a user's text: the tokens joined by spaces, and each
    token range ``[first, last + 1)`` (a data set's entity) as a character span of that text,
    ending as :func:`end_as_read` says (``as_read=False``: at its last token's end).

    >>> spans_as_read(["in", "Boise.", "Polls", "said", "N.C."], [(1, 2), (4, 5)])
    ('in Boise. Polls said N.C.', [(3, 8), (21, 25)])
    >>> spans_as_read(["in", "Boise."], [(1, 2)], as_read=False)[1]
    [(3, 9)]
    """
    text = " ".join(tokens)
    starts, pos = [], 0
    for t in tokens:
        starts.append(pos)
        pos += len(t) + 1
    stops = stops_read_apart(text) if as_read else set()
    return text, [(starts[a], end_as_read(text, starts[a], starts[b - 1] + len(tokens[b - 1]), stops))
                  for a, b in ranges]


def stop_in_name(text: str, at: int) -> bool:
    """Is the full stop at ``text[at]`` an abbreviation's as well as the sentence's: glued to an
    abbreviation or initials ("in Boulder, Colo.", "Trenton, N.J.", "Acme Inc.")? Then a name that
    ends there keeps it; after other words ("on April 29.", "Minn ." with a space) it is the
    sentence's alone.

    >>> [stop_in_name(t, len(t) - 1) for t in ("Boulder, Colo.", "N.J.", "Acme Inc.", "April 29.", "Minn .")]
    [True, True, True, False, False]
    """
    return at > 0 and text[at] == "." and _ABBREV_BEFORE_STOP.search(text, 0, at) is not None


def name_end(text: str, spans: Sequence[tuple[int, int]], start: int, end: int) -> int:
    """The end (a word index) of a mention over the words ``spans[start:end]`` of ``text``, its
    full stop as a name has it: without a last word that is a stop alone ("Minn .", "Dec. 18 .":
    a model trained on CoNLL04, which counts such a stop in the name, proposes them so), and with
    the stop after its last word when that is an abbreviation's too ("Columbus, Miss." at the end
    of a sentence: the tokeniser reads the stop apart, the name keeps it; :func:`stop_in_name`).

    >>> t = "in Minn . in Colo."
    >>> sp = word_spans(t)
    >>> [t[a:b] for a, b in sp]
    ['in', 'Minn', '.', 'in', 'Colo', '.']
    >>> name_end(t, sp, 1, 3), name_end(t, sp, 4, 6), name_end(t, sp, 4, 5), name_end(t, sp, 2, 3)
    (2, 6, 6, 3)
    """
    def stop_at(i: int) -> bool:
        return text[spans[i][0]:spans[i][1]] == "."

    if end - start > 1 and stop_at(end - 1):
        return end if stop_in_name(text, spans[end - 1][0]) else end - 1
    if end < len(spans) and stop_at(end) and spans[end][0] == spans[end - 1][1] and stop_in_name(text, spans[end][0]):
        return end + 1
    return end


def _ends_sentence(text: str, start: int, stop: re.Match[str]) -> bool:
    """Does the punctuation ``stop`` (of :data:`_BOUNDARY`, in the sentence that began at
    ``start``) end the sentence? Not after an abbreviation or an initial ("Dr. Lee", "John F.
    Kennedy"), unless what follows says so all the same."""
    before = text[start : stop.start() + 1].rstrip(".!?\"'”’)]")
    if not _ABBREV.search(before):
        return True
    after = stop.end()
    if re.search(r"[a-z]\.[a-z]\.$", text[max(start, stop.start() - 4) : after]):
        return not _TIME_ZONE.match(text, after)  # "at 5 p.m. Then", not "at 2 a.m. EST"
    if _STATE_INITIALS_END.search(before) and not _NOT_A_START.match(text, after):
        return True  # "born in Kinderhook, N.Y. In 1791"
    return _SENTENCE_WORD.match(text, after) is not None  # "by First Boston Corp. The underwriters"


def _split(text: str, start: int, stop: int, max_chars: int) -> list[tuple[int, int]]:
    """The sentences of ``text[start:stop]`` at sentence-final punctuation and blank lines."""
    spans: list[tuple[int, int]] = []
    for m in _BOUNDARY.finditer(text, start, stop):
        end = m.end()
        if m.group().strip() and not _ends_sentence(text, start, m):
            continue
        spans.extend(_trimmed(text, start, end, max_chars))
        start = end
    spans.extend(_trimmed(text, start, stop, max_chars))
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


_PHRASE_WORD = re.compile(r"\w+")


def _phrase_form(phrase: str) -> str:
    """A phrase as :func:`phrases_in` compares it: case aside, one space between its words."""
    return " ".join(phrase.split()).casefold()


@lru_cache(maxsize=64)
def _phrases_pattern(phrases: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for all ``phrases`` (whole words, any spacing, case aside; the longest first),
    and each phrase as listed by its :func:`_phrase_form`."""
    alternatives = sorted({r"\s+".join(map(re.escape, p.split())) for p in phrases if p.split()},
                          key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)
    return pattern, {_phrase_form(p): p for p in phrases if p.split()}


def phrases_in(text: str, phrases: Sequence[str]) -> list[str]:
    """The ``phrases`` (as listed) that ``text`` says as whole words, case and spacing aside, in
    their first occurrence's order.

    >>> phrases_in("Carlo Fusco TOLD  the Associated Press", ["told", "e-mail to"])
    ['told']
    >>> phrases_in("he was untold; said in an e-mail to the AP", ["told", "e-mail to"])
    ['e-mail to']
    """
    if not phrases or not text:
        return []
    pattern, listed = _phrases_pattern(tuple(phrases))
    found: list[str] = []
    for m in pattern.finditer(text):
        p = listed.get(_phrase_form(m.group(0)))
        if p is not None and p not in found:
            found.append(p)
    return found


def words_in(text: str) -> int:
    """How many words ``text`` holds (runs of letters and digits: "e-mail" is two).

    >>> words_in("said in an e-mail to the")
    7
    """
    return len(_PHRASE_WORD.findall(text))
