"""Text -> :class:`~kgagent.rules.ast.Program`: the rule language's parser (lark, LALR).

Three steps:

1. :func:`scan` walks the text once (strings, comments, clause ends): comments become blanks (so
   every line and column stays where it was) and the text is cut into clauses at each ``.`` that
   ends a clause (not inside a string, a comment or a number such as ``0.5``).
2. The whole cleaned text is parsed in one go (fast path).
3. Only if that fails, every clause is parsed on its own, so that a syntax error in one clause
   never hides the errors of the clauses after it; all of them become diagnostics (KGA101).

``%`` is a comment to the end of the line, except right after a value (a number, a name, a
variable, a string or ``)``), where it is the remainder operator: ``N % 2 = 0``.
"""

from __future__ import annotations

import functools
import heapq
import re
from dataclasses import dataclass
from importlib import resources

from lark import Lark, Token, Transformer, v_args
from lark.lexer import Lexer
from lark.exceptions import UnexpectedInput, UnexpectedToken

from kgagent.rules.ast import Atom, BinOp, Clause, Comparison, Const, Declaration, Program, SourceLoc, Var
from kgagent.rules.diagnostics import (
    E_DIRECTIVE,
    E_SYNTAX,
    Diagnostic,
    RuleCheckError,
)
from kgagent.rules.symbols import number_problem

_SCAN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|%|\.|\n|[^"%.\n]+')
_TERM_END = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_)\"")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}
_ESCAPE_RE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Chunk:
    """One clause's text span ``[start, end)`` in the cleaned text, and where it starts."""

    start: int
    end: int
    line: int
    col: int


_STRING_FULL = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _closed(tok: str) -> bool:
    """Whether a scanned string token ends with an unescaped quote."""
    return _STRING_FULL.fullmatch(tok) is not None


def scan(text: str) -> tuple[str, list[Chunk]]:
    """Blank out comments and cut the text into clauses.

    Returns the cleaned text (same length, same line breaks) and the clause spans; a span whose
    text is only blanks is dropped, a trailing span without a final ``.`` is kept (the parser
    then reports the missing ``.``).
    """
    out: list[str] = []
    chunks: list[Chunk] = []
    pos, n = 0, len(text)
    line, line_start = 1, 0
    prev = ""  # last non-blank character on this line (for '%')
    chunk_start, chunk_line, chunk_col = 0, 1, 1
    pending = False  # the current chunk has something besides blanks

    def close(end: int) -> None:
        nonlocal chunk_start, chunk_line, chunk_col, pending
        if pending:
            chunks.append(Chunk(chunk_start, end, chunk_line, chunk_col))
        chunk_start, chunk_line, chunk_col, pending = end, line, end - line_start + 1, False

    while pos < n:
        m = _SCAN.match(text, pos)
        tok = m.group()
        end = m.end()
        c = tok[0]
        if c == "\n":
            out.append(tok)
            line += 1
            line_start = end
            prev = ""
        elif c == '"':
            if not _closed(tok):
                end = pos + 1  # not closed on this line: let the parser report it, keep scanning
                tok = '"'
            out.append(tok)
            prev = '"'
            pending = True
        elif c == "%":
            if prev in _TERM_END and prev:
                out.append(tok)
                prev = "%"
                pending = True
            else:  # a comment: blank it to the end of the line
                eol = text.find("\n", pos)
                eol = n if eol < 0 else eol
                out.append(" " * (eol - pos))
                end = eol
        elif c == ".":
            out.append(tok)
            is_decimal = pos > 0 and text[pos - 1].isdigit() and end < n and text[end].isdigit()
            if is_decimal:
                prev = "0"
            else:
                prev = "."
                pending = True
                close(end)
        else:
            out.append(tok)
            stripped = tok.rstrip()
            if stripped:
                prev = stripped[-1]
                if not pending and tok.strip():
                    pending = True
        pos = end
    close(n)
    return "".join(out), chunks


# ------------------------------------------------------------------------------------------------
# lexer: one regex; tokens carry absolute line/column and the file path
# ------------------------------------------------------------------------------------------------
_LEX = re.compile(
    r"(?P<WS>[ \t\r\f\v]+)|(?P<NL>\n)"
    r'|(?P<STRING>"(?:[^"\\\n]|\\.)*")'
    r"|(?P<FLOAT>\d+\.\d+(?:[eE][+-]?\d+)?)|(?P<INT>\d+)"
    r"|(?P<NAME>[a-z][A-Za-z0-9_]*)|(?P<VAR>[A-Z_][A-Za-z0-9_]*)"
    r"|(?P<IMPLIES>:-)|(?P<CMP><=|>=|!=|<|>|=)"
    r"|(?P<DIRECTIVE>#[A-Za-z_][A-Za-z0-9_]*)|(?P<LABEL>@[a-z][A-Za-z0-9_]*)"
    r"|(?P<PUNCT>[(),.+\-*/%])"
)
_PUNCT = {"(": "LPAR", ")": "RPAR", ",": "COMMA", ".": "DOT", "+": "PLUS", "-": "MINUS", "*": "STAR", "/": "SLASH", "%": "PERCENT"}


class _Tok(Token):
    """A lark token that also knows its file (for :class:`SourceLoc`)."""

    path: str


@dataclass(frozen=True)
class _Input:
    """What the lexer reads: ``text[start:end]``, which begins at ``line``:``col`` of ``path``."""

    text: str
    start: int
    end: int
    line: int
    col: int
    path: str


class _BadChar(Exception):
    """A character no token starts with."""

    def __init__(self, pos: int, line: int, col: int, allowed: set[str]):
        super().__init__(f"unexpected character at {line}:{col}")
        self.pos, self.line, self.col, self.allowed = pos, line, col, allowed


def _acceptable(parser_state) -> set[str]:
    """The terminals the parser can take next (exact: tried one by one on a copy)."""
    out = set()
    try:
        choices = parser_state.parse_conf.states[parser_state.position]
    except Exception:  # pragma: no cover - lark internals
        return out
    for t in choices:
        if t.isupper() or t == "$END":
            try:
                parser_state.copy(deepcopy_values=False).feed_token(Token(t, ""), t == "$END")
            except Exception:
                continue
            out.add(t)
    return out


class _RuleLexer(Lexer):
    """Lexes an :class:`_Input` with one compiled regex (much faster than a generic lexer)."""

    __future_interface__ = 1  # lex(lexer_state, parser_state)

    def __init__(self, lexer_conf=None):
        pass

    def lex(self, lexer_state, parser_state):
        inp: _Input = lexer_state.text
        text, path = inp.text, inp.path
        line = inp.line
        line_start = inp.start - (inp.col - 1)  # offset where column 1 of this line would be
        pos, end = inp.start, inp.end
        match = _LEX.match
        while pos < end:
            m = match(text, pos, end)
            if m is None:
                raise _BadChar(pos, line, pos - line_start + 1, _acceptable(parser_state))
            kind = m.lastgroup
            new = m.end()
            if kind == "WS":
                pos = new
                continue
            if kind == "NL":
                line += 1
                line_start = new
                pos = new
                continue
            value = m.group()
            if kind == "PUNCT":
                kind = _PUNCT[value]
            elif kind == "NAME" and value == "not":
                kind = "NOT"
            col = pos - line_start + 1
            tok = _Tok(kind, value, pos, line, col, line, col + len(value), new)
            tok.path = path
            yield tok
            pos = new


# ------------------------------------------------------------------------------------------------
# tokens -> AST (run inside the LALR parser: no parse tree is built)
# ------------------------------------------------------------------------------------------------
class _SyntaxProblem(Exception):
    """A problem found while building the AST (bad escape, unknown directive)."""

    def __init__(self, code: str, message: str, token: Token):
        super().__init__(message)
        self.code = code
        self.message = message
        self.token = token


def _unescape(raw: str, token: Token) -> str:
    body = raw[1:-1]
    if "\\" not in body:
        return body

    def repl(m: re.Match) -> str:
        ch = m.group(1)
        if ch not in _ESCAPES:
            raise _SyntaxProblem(
                E_SYNTAX,
                f"unknown escape '\\{ch}' in a string; the escapes are \\\" \\\\ \\n and \\t",
                token,
            )
        return _ESCAPES[ch]

    return _ESCAPE_RE.sub(repl, body)


def _loc(tok: _Tok) -> SourceLoc:
    return SourceLoc(tok.path, tok.line, tok.column)


def _label(items: tuple) -> tuple[str | None, tuple]:
    """A clause's name (``@name`` without the ``@``) and the rest of its items."""
    if items and isinstance(items[0], Token) and items[0].type == "LABEL":
        return items[0].value[1:], items[1:]
    return None, items


#: The deepest arithmetic expression a clause may hold (operations on one path). The checker,
#: the printer and the engine walk terms recursively; a longer chain is split with variables.
MAX_EXPRESSION_DEPTH = 200


def _bounded(term: BinOp, token: Token) -> BinOp:
    if term.depth > MAX_EXPRESSION_DEPTH:
        raise _SyntaxProblem(
            E_SYNTAX,
            f"this expression nests more than {MAX_EXPRESSION_DEPTH} operations; "
            "compute parts of it into variables first (X = A + B, Y = X + C, ...)",
            token,
        )
    return term


@v_args(inline=True)
class _ToAst(Transformer):
    """Builds AST nodes with exact :class:`SourceLoc` (path, 1-based line, column)."""

    # terms
    def var(self, tok):
        return Var(tok.value, _loc(tok))

    def name(self, tok):
        return Const(tok.value, _loc(tok))

    def string(self, tok):
        return Const(_unescape(tok.value, tok), _loc(tok))

    def int(self, tok):
        return self._number(int(tok.value), tok)

    def float(self, tok):
        return self._number(float(tok.value), tok)

    def _number(self, value, tok):
        if (problem := number_problem(value, tok.value)) is not None:
            raise _SyntaxProblem(E_SYNTAX, problem, tok)
        return Const(value, _loc(tok))

    def paren(self, _lpar, term, _rpar):
        return term

    def neg(self, minus, term):
        loc = _loc(minus)
        if isinstance(term, Const) and isinstance(term.value, (int, float)):
            return Const(-term.value, loc)
        return _bounded(BinOp("-", Const(0, loc), term, loc), minus)

    def binop(self, left, op, right):
        return _bounded(BinOp(op.value, left, right, _loc(op)), op)

    # literals
    def atom(self, name, *rest):
        args = tuple(a for a in rest if a is not None and not isinstance(a, Token))
        return Atom(name.value, args, False, _loc(name))

    def negated(self, not_tok, atom):
        return Atom(atom.pred, atom.args, True, _loc(not_tok))

    def comparison(self, left, op, right):
        return Comparison(op.value, left, right, _loc(op))

    def body(self, *items):
        return tuple(x for x in items if not isinstance(x, Token))

    # clauses
    def fact(self, *items):
        label, (head, _dot) = _label(items)
        return Clause(head, (), head.loc, label)

    def rule(self, *items):
        label, (head, _implies, body, _dot) = _label(items)
        return Clause(head, body, head.loc, label)

    def decl_args(self, *items):
        return tuple(x.value for x in items if x is not None and x.type in ("VAR", "NAME"))

    def declaration(self, directive, name, *rest):
        if directive.value != "#base":
            raise _SyntaxProblem(
                E_DIRECTIVE,
                f"unknown directive '{directive}'; the only directive is '#base' "
                "(rule files cannot include other files or run code)",
                directive,
            )
        cols = rest[0] if rest and isinstance(rest[0], tuple) else ()
        return Declaration(name.value, len(cols), _loc(directive), cols)

    def start(self, *items):
        return list(items)


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("kgagent.rules").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer=_RuleLexer, transformer=_ToAst(), maybe_placeholders=True)


# ------------------------------------------------------------------------------------------------
# error messages in plain words
# ------------------------------------------------------------------------------------------------
_WORDS = {
    "NAME": "a name",
    "VAR": "a variable",
    "STRING": "a quoted string",
    "INT": "a number",
    "FLOAT": "a number",
    "IMPLIES": "':-'",
    "CMP": "a comparison (< <= > >= = !=)",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "DOT": "'.'",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "PERCENT": "'%'",
    "NOT": "'not'",
    "DIRECTIVE": "'#base'",
    "LABEL": "a rule's name (@name)",
    "$END": "the end of the file",
}
_ORDER = list(_WORDS)
_TERM_START = {"VAR", "NAME", "STRING", "INT", "FLOAT", "MINUS", "LPAR"}
_OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "PERCENT"}
_HINTS = {
    "&": "use ',' to join the conditions of a rule",
    "|": "write one rule per alternative instead of '|'",
    "'": "strings use double quotes: \"like this\"",
    "!": "write 'not p(X)' for negation and '!=' for 'not equal'",
    "\\": "write 'not p(X)' for negation",
    ";": "write one rule per alternative instead of ';'",
    "#": "the only directive is '#base'",
    "@": "a rule's name is '@' and a lower-case name, before its head: '@tail_kind reject(R, ...) :- ...'",
}


def _expected_words(expected: set[str]) -> str:
    exp = set(expected)
    parts: list[str] = []
    if "DIRECTIVE" in exp:  # the start of a clause
        parts.append("a new clause (a fact or rule starting with a predicate name such as p(...)) or '#base'")
        exp -= {"DIRECTIVE", "NAME", "$END", "LABEL"}
    if {"NAME", "NOT", "VAR"} <= exp:  # the start of a body literal
        parts.append("a condition (an atom such as p(X), 'not p(X)' or a comparison such as X > 3)")
        exp -= _TERM_START | {"NOT"}
    elif _TERM_START <= exp:
        parts.append("a value (a variable, a name, a number or a quoted string)")
        exp -= _TERM_START
    if len(exp & _OPERATORS) >= 3:
        parts.append("an arithmetic operator (+ - * / %)")
        exp -= _OPERATORS
    if {"INT", "FLOAT"} <= exp:
        exp.discard("FLOAT")
    names = sorted((e for e in exp if e in _WORDS), key=_ORDER.index)
    parts += [_WORDS[e] for e in names]
    parts += sorted(e for e in exp if e not in _WORDS)
    if not parts:
        return "something else"
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " or " + parts[-1]



def _snippet(text: str, start: int, end: int) -> str:
    s = " ".join(text[start:end].split())
    return s if len(s) <= 40 else s[:37] + "..."


def _describe_stack(stack: list, text: str) -> str | None:
    """Words for what was read just before the error: "the atom 'q(X)'", "'X'", ..."""
    if not stack:
        return None
    prev = stack[-1]
    if isinstance(prev, Token) and prev.type == "RPAR":
        depth = 0
        for i in range(len(stack) - 1, -1, -1):
            item = stack[i]
            if isinstance(item, Token) and item.type == "RPAR":
                depth += 1
            elif isinstance(item, Token) and item.type == "LPAR":
                depth -= 1
                if depth == 0:
                    if i > 0 and isinstance(stack[i - 1], Token) and stack[i - 1].type == "NAME":
                        snippet = _snippet(text, stack[i - 1].start_pos, prev.end_pos)
                        if i > 1 and isinstance(stack[i - 2], Token) and stack[i - 2].type == "NOT":
                            return f"the condition 'not {snippet}'"
                        return f"the atom '{snippet}'"
                    break
    return _describe_value(prev)


def _describe_value(value) -> str | None:
    from kgagent.rules.printer import format_literal, format_term

    if isinstance(value, Token):
        return f"'{value}'" if value.type != "$END" else None
    if isinstance(value, tuple) and value:  # a body read so far
        value = value[-1]
    if isinstance(value, Atom):
        return f"{'the condition' if value.negated else 'the atom'} '{format_literal(value)}'"
    if isinstance(value, Comparison):
        return f"the comparison '{format_literal(value)}'"
    if isinstance(value, (Var, Const, BinOp)):
        return f"'{format_term(value)}'"
    return None


def _is_value(item) -> bool:
    if isinstance(item, Token):
        return item.type in ("VAR", "NAME", "STRING", "INT", "FLOAT", "RPAR")
    return isinstance(item, (Var, Const, BinOp))


def _found(tok: Token) -> str:
    if tok.type == "$END":
        return "the end of the file"
    return f"'{tok}'"


# ------------------------------------------------------------------------------------------------
# parsing
# ------------------------------------------------------------------------------------------------
def parse_program(text: str, path: str = "<string>") -> tuple[Program, list[Diagnostic]]:
    """Parse rule text; return the program of every clause that parsed and all syntax errors.

    Never raises for bad input: syntax errors come back as diagnostics (KGA101, KGA109).
    """
    cleaned, chunks = scan(text)
    facts: list[Clause] = []
    rest: list[Chunk] = []
    pieces: list[str] = []  # the text the parser reads: the plain facts blanked, offsets and lines kept
    done = 0
    for chunk in chunks:
        found = _plain_fact(_Input(cleaned, chunk.start, chunk.end, chunk.line, chunk.col, path))
        if found is None:
            rest.append(chunk)
            continue
        fact, start = found
        facts.append(fact)
        pieces += (cleaned[done:start], " " * (chunk.end - start))
        done = chunk.end
    parsed = Program(files=[path], sources={path: text})
    diags: list[Diagnostic] = []
    if rest:
        rest_text = "".join(pieces) + cleaned[done:] if facts else cleaned
        try:
            _add(parsed, _lark().parse(_Input(rest_text, 0, len(rest_text), 1, 1, path)))
        except (UnexpectedInput, _SyntaxProblem, _BadChar):
            parsed = Program(files=[path], sources={path: text})
            for chunk in rest:
                _parse_chunk(_Input(rest_text, chunk.start, chunk.end, chunk.line, chunk.col, path), parsed, diags)
    if facts:  # in the file's order
        parsed.clauses = list(heapq.merge(facts, parsed.clauses, key=_place))
    return parsed, diags


def _place(clause: Clause) -> tuple[int, int]:
    loc = clause.loc
    return (loc.line, loc.col) if loc is not None else (0, 0)


_BLANK = " \t\r\f\v"
_PLAIN_FACT = re.compile(rf"(?:@([a-z][A-Za-z0-9_]*)[{_BLANK}]+)?([a-z][A-Za-z0-9_]*)[{_BLANK}]*"
                         rf"(?:\(([^()]*)\))?[{_BLANK}]*\.")
_PLAIN_ARG = re.compile(rf'[{_BLANK}]*(?:("[^"\\\n]*")|(-?\d+\.\d+(?:[eE][+-]?\d+)?)|(-?\d+)|([a-z][A-Za-z0-9_]*))'
                        rf"[{_BLANK}]*(,|$)")


def _plain_fact(inp: _Input) -> tuple[Clause, int] | None:
    """A fact of constants on one line (``honour("Sir").``, ``@x p(a, -2, 1.5).``) and the offset
    it starts at, read without the LALR parser (a rule file may list thousands; 2x faster);
    None for anything else, which the parser reads (and reports). The clause is the one the
    parser builds, locations included."""
    text = inp.text
    start = inp.start
    while start < inp.end and text[start] in " \t\r\f\v\n":
        start += 1
    m = _PLAIN_FACT.fullmatch(text, start, inp.end)
    if m is None or "\n" in m.group() or m.group(2) == "not":
        return None
    line, col = _line_col(inp, start)
    col -= start  # the column of offset p is col + p
    args: list[Const] = []
    pos, end = m.start(3), m.end(3)
    while pos < end:  # no parentheses, or "()": no arguments
        a = _PLAIN_ARG.match(text, pos, end)
        if a is None or (a.group(5) == "," and a.end() == end) or a.group(4) == "not":
            return None
        kind = next(g for g in (1, 2, 3, 4) if a.group(g) is not None)
        raw = a.group(kind)
        value = raw[1:-1] if kind == 1 else float(raw) if kind == 2 else int(raw) if kind == 3 else raw
        if kind in (2, 3) and number_problem(value) is not None:
            return None  # the parser says what is wrong
        args.append(Const(value, SourceLoc(inp.path, line, col + a.start(kind))))
        pos = a.end()
    head = Atom(m.group(2), tuple(args), False, SourceLoc(inp.path, line, col + m.start(2)))
    return Clause(head, (), head.loc, m.group(1)), start


def _add(program: Program, items: list) -> None:
    for it in items:
        (program.declarations if isinstance(it, Declaration) else program.clauses).append(it)


def _line_col(inp: _Input, offset: int) -> tuple[int, int]:
    """Absolute line and column of ``offset`` (inside or at the end of the input)."""
    nl = inp.text.rfind("\n", inp.start, offset)
    if nl < 0:
        return inp.line, inp.col + offset - inp.start
    return inp.line + inp.text.count("\n", inp.start, offset), offset - nl


def _parse_chunk(inp: _Input, program: Program, diags: list[Diagnostic]) -> None:
    text, path = inp.text, inp.path
    try:
        _add(program, _lark().parse(inp))
        return
    except _SyntaxProblem as prob:
        tok = prob.token
        diags.append(_diag(prob.code, prob.message, path, tok.line, tok.column, len(tok)))
    except _BadChar as err:
        diags.append(_char_error(err, text, path))
    except UnexpectedToken as err:
        directive = re.match(r"\s*(#\w*)", text[inp.start : inp.end])
        if directive and directive.group(1) != "#base":
            word = directive.group(1)
            line, col = _line_col(inp, inp.start + directive.start(1))
            diags.append(
                _diag(
                    E_DIRECTIVE,
                    f"unknown directive '{word}'; the only directive is '#base' "
                    "(rule files cannot include other files or run code)",
                    path,
                    line,
                    col,
                    len(word),
                )
            )
            return
        diags.append(_token_error(err, inp))
        tok = err.token
        # A clause that lacks its '.': the next clause starts on a new line; parse it on its own.
        if tok.type != "$END" and tok.start_pos is not None:
            line_start = text.rfind("\n", inp.start, tok.start_pos) + 1
            first_on_line = line_start > 0 and not text[line_start : tok.start_pos].strip()
            if first_on_line and text[inp.start : line_start].strip():
                _parse_chunk(_Input(text, tok.start_pos, inp.end, tok.line, tok.column, path), program, diags)


def _diag(code: str, message: str, path: str, line: int, col: int, length: int = 1) -> Diagnostic:
    return Diagnostic(code, "error", message, SourceLoc(path, line, col), length=max(1, length))


def _token_error(err: UnexpectedToken, inp: _Input) -> Diagnostic:
    text, path = inp.text, inp.path
    tok = err.token
    expected = set(err.expected)
    stack: list = []
    try:
        ip = err.interactive_parser
        stack = list(ip.parser_state.value_stack)
        expected = _acceptable(ip.parser_state) or expected  # exact (LALR merges lookaheads)
    except Exception:  # pragma: no cover - depends on lark internals
        pass
    prev = stack[-1] if stack else None
    after = _describe_stack(stack, text)
    where = f" after {after}" if after else ""
    if isinstance(prev, Token) and prev.type == "LABEL":  # '@name' and no head after it
        msg = (f"expected the head of the clause named '{prev}' (a predicate name such as p(...)), "
               f"found {_found(tok)}" + (" (a clause has one name)" if tok.type == "LABEL" else ""))
        if tok.type == "$END":
            return _diag(E_SYNTAX, msg, path, prev.line, prev.column, len(prev))
        return _diag(E_SYNTAX, msg, path, tok.line, tok.column, len(tok))
    if tok.type == "$END":
        stripped_end = len(text[inp.start : inp.end].rstrip()) + inp.start
        line, col = _line_col(inp, stripped_end)
        msg = f"expected {_expected_words(expected)}{where}, found the end of the file"
        if "DOT" in expected:
            msg += " (is the '.' at the end of the clause missing?)"
        return _diag(E_SYNTAX, msg, path, line, col)
    msg = f"expected {_expected_words(expected)}{where}, found {_found(tok)}"
    line_start = text.rfind("\n", 0, tok.start_pos) + 1
    starts_line = not text[line_start : tok.start_pos].strip()
    if "DOT" in expected and prev is not None and starts_line:
        # point where the '.' is missing: just after the last thing on the previous line
        end = len(text[inp.start : tok.start_pos].rstrip()) + inp.start
        line, col = _line_col(inp, end)
        msg = (
            f"expected {_expected_words(expected)}{where}, found {_found(tok)} on line {tok.line} "
            "(is the '.' at the end of this clause missing?)"
        )
        return _diag(E_SYNTAX, msg, path, line, col)
    if tok.type == "CMP" and tok == "=" and isinstance(prev, Token) and prev == "=":
        msg += " (compare with a single '=')"
    elif tok.type == "CMP" and str(tok) in ("<", ">") and isinstance(prev, Token) and prev == "=":
        msg += f" (write '{tok}=' for '{'less' if tok == '<' else 'greater'} than or equal')"
    elif tok.type == "VAR" and "NAME" in expected and "VAR" not in expected:
        msg += " (predicate names start with a lower-case letter)"
    elif tok.type == "PERCENT" or "%" in text[line_start : tok.start_pos].replace('"%', ""):
        msg += (
            " ('%' right after a value is the remainder operator; start a comment on its own line "
            "or after ',', ':-' or '.')"
        )
    elif tok.type in ("NAME", "VAR", "STRING", "INT", "FLOAT") and "COMMA" in expected and _is_value(prev):
        msg += " (is a ',' missing?)"
    return _diag(E_SYNTAX, msg, path, tok.line, tok.column, len(tok))


def _char_error(err: _BadChar, text: str, path: str) -> Diagnostic:
    ch = text[err.pos] if err.pos < len(text) else ""
    if ch == '"':
        return _diag(
            E_SYNTAX,
            "this string is not closed: add the closing '\"' on the same line (write \\n for a line break)",
            path,
            err.line,
            err.col,
        )
    if ch == "#":
        word = re.match(r"#\w*", text[err.pos :]).group()
        return _diag(
            E_DIRECTIVE,
            f"'{word}' is not allowed here; the only directive is '#base', at the start of a clause "
            "(rule files cannot include other files or run code)",
            path,
            err.line,
            err.col,
            len(word),
        )
    if ch == "=" and text[err.pos + 1 : err.pos + 2] == "<":
        return _diag(E_SYNTAX, "write '<=' for 'less than or equal'", path, err.line, err.col, 2)
    shown = repr(ch)[1:-1] if ch else "end of file"
    msg = f"unexpected character '{shown}'"
    if err.allowed:
        msg += f"; expected {_expected_words(err.allowed)}"
    if ch in _HINTS:
        msg += f" ({_HINTS[ch]})"
    elif ch.isalpha():
        msg += " (names start with a lower-case ASCII letter, variables with an upper-case one; quote other text)"
    return _diag(E_SYNTAX, msg, path, err.line, err.col)


def parse_rules(text: str, path: str = "<string>") -> Program:
    """Parse rule text into a :class:`Program` (no checks beyond syntax).

    Raises :class:`~kgagent.rules.diagnostics.RuleCheckError` (a ``RuleError``, code KGA101)
    whose ``.diagnostics`` lists every syntax error in the text, each with line and column.

    >>> prog = parse_rules('edge(a, b). path(X, Y) :- edge(X, Y).', 'g.rules')
    >>> [c.rule_id for c in prog.clauses]
    ['g.rules:1', 'g.rules:1']
    """
    program, diags = parse_program(text, path)
    if diags:
        raise RuleCheckError(diags)
    return program
