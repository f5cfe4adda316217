"""Diagnostics: what the parser and the checker report, and how a terminal shows it.

Every diagnostic names a file, a 1-based line and column and a code from the KGA1xx catalogue
(documented with examples in rules/README.md, "Checking rules"):

======  ========  ==============================================================================
code    severity  meaning
======  ========  ==============================================================================
KGA101  error     syntax error (what was expected, what was found)
KGA102  error     unsafe variable: in the head, in ``not p(..)`` or in a comparison, but not
                  bound by a positive atom of the body (nor by ``X = expr``)
KGA103  error     negation cycle: a predicate depends on its own negation (names the rules)
KGA104  error     arity clash: one predicate used with two numbers of arguments (names both)
KGA105  warning   singleton variable: a named variable used once (write ``_`` or ``_X``)
KGA106  warning   a predicate used in a body is never defined by a rule or fact nor declared
KGA107  error     a rule file or directory cannot be read (I/O)
KGA108  error     arithmetic inside an atom of the body (bind it first: ``Y = X + 1, p(Y)``)
KGA109  error     unknown directive (only ``#base``; nothing can include files or run code)
KGA117  error     one rule name (``@name``) given to two clauses of a file
KGA129  warning   a rule name (``@name``) already given in another file (the shared rules'):
                  both rules apply, neither replaces the other
======  ========  ==============================================================================

KGA110 to KGA115 and KGA120 are raised by the engine while evaluating (type errors, division by
zero, rules that derive without end, ...).
The agent checks its own vocabulary too (``kgagent rules check --domain``, and when it loads): KGA116
warns about its repairs (kgagent.joint); KGA118 (a threshold that is not a number) and KGA119 (a
threshold set twice) are errors, and so is KGA127 (a threshold the shared rules cannot do without
that no file sets); KGA121 (another threshold the rules read that no file sets) and KGA128 (a
threshold set that nothing reads) are warnings (kgagent.thresholds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kgagent.errors import Location, RuleError
from kgagent.rules.ast import SourceLoc

E_SYNTAX = "KGA101"
E_UNSAFE = "KGA102"
E_NEG_CYCLE = "KGA103"
E_ARITY = "KGA104"
W_SINGLETON = "KGA105"
W_UNDEFINED = "KGA106"
E_IO = "KGA107"
E_BODY_ARITH = "KGA108"
E_DIRECTIVE = "KGA109"
E_DUP_LABEL = "KGA117"
W_NAME_ELSEWHERE = "KGA129"

ERROR = "error"
WARNING = "warning"


#: The most characters of a source line a diagnostic shows (the part around its column).
SHOWN_WIDTH = 100


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a rule file: ``code`` (KGA1xx), ``severity`` ("error" or "warning"),
    a plain-words ``message`` and where (``loc``); ``length`` is how many characters to underline.
    """

    code: str
    severity: str
    message: str
    loc: SourceLoc
    length: int = 1

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        kind = "" if self.is_error else "warning: "
        return f"{self.loc}: {self.code} {kind}{self.message}"

    def format(self, sources: Mapping[str, str] | None = None) -> str:
        """``file:line:col: KGA1xx message``, then the source line and a caret under the column.

        >>> d = Diagnostic("KGA102", "error", "variable Y is not bound", SourceLoc("a.rules", 1, 6))
        >>> print(d.format({"a.rules": "p(X, Y) :- q(X)."}))
        a.rules:1:6: KGA102 variable Y is not bound
          p(X, Y) :- q(X).
               ^
        """
        head = str(self)
        text = (sources or {}).get(self.loc.path)
        if text is None or self.loc.line < 1:
            return head
        lines = text.split("\n")  # the parser counts only '\n' as a line break
        if self.loc.line > len(lines):
            return head
        src = lines[self.loc.line - 1].rstrip("\r\n")
        col = self.loc.col
        if len(src) > SHOWN_WIDTH:  # a long line: the part around the column
            start = max(0, min(col - 1 - SHOWN_WIDTH // 2, len(src) - SHOWN_WIDTH))
            end = start + SHOWN_WIDTH
            before, after = ("..." if start else ""), ("..." if end < len(src) else "")
            src = before + src[start:end] + after
            col += len(before) - start
        lead = "".join("\t" if ch == "\t" else " " for ch in src[: max(0, col - 1)])
        if col - 1 > len(src):
            lead += " " * (col - 1 - len(src))
        width = max(1, min(self.length, max(1, len(src) - col + 1)))
        return f"{head}\n  {src}\n  {lead}{'^' * width}"

    def sort_key(self) -> tuple:
        return (self.loc.path, self.loc.line, self.loc.col, self.code)


class RuleCheckError(RuleError):
    """A ``RuleError`` carrying every diagnostic found (``.diagnostics``: errors first, in file
    order). Its code and location are those of the first error; ``str()`` is one line."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        diags = sorted(diagnostics, key=lambda d: (not d.is_error, *d.sort_key()))
        errors = [d for d in diags if d.is_error]
        first = errors[0] if errors else diags[0]
        more = len(errors) - 1
        message = first.message + (f" (and {more} more error{'s' if more != 1 else ''})" if more > 0 else "")
        super().__init__(
            message,
            code=first.code,
            location=Location(first.loc.path, first.loc.line, first.loc.col),
        )
        self.diagnostics: list[Diagnostic] = diags


def summary(diagnostics: Sequence[Diagnostic], n_files: int) -> str:
    """``2 errors, 1 warning in 3 files: a.rules (2 errors), b.rules (1 warning)`` (or ``no
    problems in 3 files``): the files with problems named, in the order their first one came,
    so that a summary alone (``--quiet``) says where to look."""
    files = f"{n_files} file{'s' if n_files != 1 else ''}"
    if not diagnostics:
        return f"no problems in {files}"
    per_file: dict[str, list[int]] = {}
    for d in diagnostics:
        per_file.setdefault(d.loc.path, [0, 0])[0 if d.is_error else 1] += 1
    where = ", ".join(f"{path} ({_counts(*n, both=False)})" for path, n in per_file.items())
    n_err = sum(1 for d in diagnostics if d.is_error)
    return f"{_counts(n_err, len(diagnostics) - n_err)} in {files}: {where}"


def _counts(errors: int, warnings: int, *, both: bool = True) -> str:
    """``2 errors, 0 warnings``; with ``both=False`` a zero count is left out (``2 errors``)."""
    parts = [(errors, "error"), (warnings, "warning")]
    return ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in parts if both or n)
