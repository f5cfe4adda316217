"""Helpers every CLI module shares: one-line errors with exit codes, the console."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from kgagent.errors import PATH_CODES, KGAError, path_error, visible

if TYPE_CHECKING:
    from kgagent.domain import Domain

# Exit codes shared by all commands.
EXIT_OK = 0
EXIT_ERRORS = 1  # the input has errors (rule errors, bad corpus, ...)
EXIT_USAGE = 2  # usage or I/O failure


# Width of a console that is not a terminal (a log, a pipe) when COLUMNS does not say: rich's 80
# columns wrap the summary tables' reasons over five lines; a table is only as wide as its cells.
LOG_WIDTH = 200


def console(stderr: bool = False) -> Console:
    """A rich console for this command (stdout by default); wide when it writes to a log."""
    # markup and emoji codes off: what a command prints holds paths, rule names, labels and
    # document text as written ('[/x]' was a MarkupError traceback, 'a:b:c' an emoji)
    out = Console(stderr=stderr, highlight=False, soft_wrap=True, markup=False, emoji=False)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out.width = LOG_WIDTH
    return out


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print one error line to stderr and return the Exit to raise (a line break or an escape
    sequence in a file name or a value quoted is written as ``\\x0a``, ``\\x1b``: one line, inert)."""
    print(f"error: {visible(message, keep=chr(9))}", file=sys.stderr)
    return typer.Exit(code)


@contextlib.contextmanager
def guarded(exit_code: int = EXIT_ERRORS) -> Iterator[None]:
    """Turn library errors into one line on stderr and an exit code, never a traceback."""
    try:
        yield
    except KGAError as err:  # a library error about a path exits as the OSError it stands for
        raise fail(str(err), EXIT_USAGE if err.code in PATH_CODES else exit_code) from None
    except BrokenPipeError:
        raise typer.Exit(EXIT_ERRORS) from None  # the reader went away (`| head`): nothing to say to it
    except OSError as err:
        raise fail(str(path_error(err)), EXIT_USAGE) from None
    except KeyboardInterrupt:
        raise fail("interrupted", 130) from None


#: the help of the options that replace one part of the domain (extract, rules tune)
RULES_DIR_HELP = ("Rules directory or file instead of the domain's own rule files (its rules/); the shared "
                  "rules are still read first when the domain uses them.")
GRAPH_DIR_HELP = "Graph directory or file instead of the domain's graph/."
MODEL_DIR_HELP = "Encoder directory instead of the domain's model/."

WITH_GRAPHS_HELP = ("{what} this graph too (repeatable): an extraction's output directory or its graph.nq "
                    "(without the facts reviewers rejected), or any graph file; added to the graph in memory, "
                    "nothing saved.")


def check_out_place(out: Path | None, *, directory: bool) -> None:
    """Exit 2 (KGA510, as extract's --out) for an --out that lies under a file, or that is a file
    where a directory is wanted, before any work is done (``-`` and None: nothing to check)."""
    from kgagent.files import file_in_the_way

    if out is None or str(out) == "-" or (blocker := file_in_the_way(out, directory=directory)) is None:
        return
    if blocker == out:
        raise fail(f"KGA510 --out {out} exists and is not a directory", EXIT_USAGE)
    raise fail(f"KGA510 cannot write to --out {out}: {blocker} is a file, not a directory", EXIT_USAGE)


def check_graph_paths(paths: list[Path]) -> None:
    """Exit 2 (KGA409) for a ``--with`` graph that does not exist, before anything is loaded."""
    for f in paths:
        if not f.exists():
            raise fail(f"KGA409 no such graph directory or file: {f}", EXIT_USAGE)


DOMAIN_HELP = ("Domain folder: ontology, label map, rules, graph and model (default: the shipped news "
               "domain). Made by `kgagent init`; checked by `kgagent domain check`.")


def open_domain(path: Path | None, need_model: bool = False) -> "Domain":
    """The domain of a ``--domain`` option, checked first: every problem on stderr as
    ``file:line: CODE message``, then exit 2 (the start of every command that takes --domain)."""
    from kgagent.domain import Domain, check_domain

    problems = check_domain(path, need_model=need_model)
    if problems:
        for p in problems:  # a value quoted from a domain's file never acts on the terminal
            print(f"error: {visible(str(p), keep=chr(9))}", file=sys.stderr)
        where = path if path is not None else "the default domain"
        raise fail(f"KGA600 {len(problems)} problem(s) in {where}; fix them (see above)", EXIT_USAGE)
    with guarded(EXIT_USAGE):
        return Domain.load(path)
