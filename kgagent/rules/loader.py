"""Rule files -> a checked :class:`~kgagent.rules.ast.Program`.

``load_rules`` is what the engine's callers use: it parses every file, runs every check and
raises one ``RuleError`` listing all errors (warnings are kept on ``program.warnings``).
``check_rules`` is what ``kgagent rules check`` uses: all diagnostics, no raise for rule errors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from kgagent.errors import Location, RuleError, undecodable
from kgagent.rules.ast import Program
from kgagent.rules.checker import check_program
from kgagent.rules.diagnostics import E_IO, Diagnostic, RuleCheckError
from kgagent.rules.parser import parse_program, parse_rules

__all__ = ["parse_rules", "load_rules", "check_rules", "rule_files", "read_rule_file"]


#: one rule file or directory, or several (a domain's shared rules, then its own), read in order
RulePaths = str | Path | Sequence[str | Path]
#: the name a rule file goes by in rule ids and diagnostics ("shared/relations.rules"); default str(path)
DisplayName = Callable[[Path], str]


def rule_files(path: RulePaths) -> list[Path]:
    """A directory's ``*.rules`` files, sorted by name, or the one file ``path``; for several
    paths, the files of each in the order given (a file named twice is read once).

    Raises ``RuleError`` (KGA107) if a path does not exist or a directory has no rule files.
    """
    if not isinstance(path, (str, Path)):
        out: list[Path] = []
        for one in path:
            out += [f for f in rule_files(one) if f not in out]
        if not out:
            raise RuleError("no rule files given", code=E_IO, location=Location("."))
        return out
    p = Path(path)
    if p.is_dir():
        try:
            files = sorted(f for f in p.glob("*.rules") if f.is_file())
        except OSError as err:
            raise RuleError(f"cannot list the rule directory: {err.strerror or err}", code=E_IO, location=Location(str(p))) from None
        if not files:
            raise RuleError("no *.rules files in this directory", code=E_IO, location=Location(str(p)))
        return files
    if p.exists():
        return [p]
    raise RuleError("no such rule file or directory", code=E_IO, location=Location(str(p)))


def read_rule_file(path: str | Path) -> str:
    """The text of one rule file (UTF-8); ``RuleError`` KGA107 with the path if unreadable."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except PermissionError:
        raise RuleError("permission denied reading this rule file", code=E_IO, location=Location(str(p))) from None
    except IsADirectoryError:
        raise RuleError("is a directory, expected a rule file", code=E_IO, location=Location(str(p))) from None
    except FileNotFoundError:
        raise RuleError("no such rule file", code=E_IO, location=Location(str(p))) from None
    except OSError as err:
        raise RuleError(f"cannot read this rule file: {err.strerror or err}", code=E_IO, location=Location(str(p))) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, col, byte = undecodable(data, err)
        raise RuleError(
            f"not UTF-8 text (byte {byte}); save the file as UTF-8",
            code=E_IO,
            location=Location(str(p), line, col),
        ) from None
    return text.removeprefix("\ufeff")


def _parse_all(path: RulePaths, display: DisplayName | None = None) -> tuple[Program, list[Diagnostic], bool]:
    """(merged program, syntax diagnostics, any syntax error) over all files of ``path``."""
    merged = Program()
    diags: list[Diagnostic] = []
    for f in rule_files(path):
        name = display(f) if display is not None else str(f)
        text = read_rule_file(f)
        prog, errs = parse_program(text, name)
        merged.clauses += prog.clauses
        merged.declarations += prog.declarations
        merged.files.append(name)
        merged.sources[name] = text
        diags += errs
    return merged, diags, bool(diags)


def check_rules(path: RulePaths, display: DisplayName | None = None) -> list[Diagnostic]:
    """Every error and warning in a rule file, a directory of ``*.rules`` files or several of them, in
    file order.

    Raises ``RuleError`` (KGA107) only for I/O problems (missing path, unreadable file).
    Where a file has syntax errors, the clauses that did parse are still checked (but no
    "never defined" warnings are given, since the broken clauses may define the predicate).
    """
    program, diags, syntax_errors = _parse_all(path, display)
    diags += check_program(program, undefined_warnings=not syntax_errors)
    files = {f: i for i, f in enumerate(program.files)}
    return sorted(diags, key=lambda d: (files.get(d.loc.path, len(files)), d.loc.line, d.loc.col, d.code))


def load_rules(path: RulePaths, display: DisplayName | None = None) -> Program:
    """Parse and check a rule file, a directory of ``*.rules`` files (sorted by name), or a list of
    them (read in that order, e.g. ``Domain.rule_paths``: the shared rules, then the domain's).

    Returns the program with ``program.warnings`` set; raises ``RuleError`` (KGA107) for I/O
    problems and a ``RuleCheckError`` (a ``RuleError``; ``.diagnostics`` = every error and
    warning) if any error is found. ``display`` names each file in rule ids and diagnostics
    (default: its path as given).
    """
    program, diags, syntax_errors = _parse_all(path, display)
    diags += check_program(program, undefined_warnings=not syntax_errors)
    errors = [d for d in diags if d.is_error]
    if errors:
        raise RuleCheckError(diags)
    program.warnings = [d for d in diags if not d.is_error]
    return program
