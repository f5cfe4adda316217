"""The ``kgagent`` command: sub-commands are defined in one module per part of the library."""

from __future__ import annotations

import inspect
import os

import typer

from kgagent_cli import (agent_cmd, domain_cmd, facts_cmd, kg_cmd, loop_cmd, model_cmd, review_cmd, rules_cmd,
                         validate_cmd)

app = typer.Typer(
    name="kgagent",
    help="Knowledge-graph-augmented, explainable information extraction.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _quiet_rdflib() -> None:
    """rdflib logs a warning with a whole traceback for each literal whose text does not fit its
    datatype ("big"^^xsd:integer, "2020-13-45"^^xsd:date), each time it reads one: RDF allows
    such literals and kgagent keeps them as written, so no command says anything of them (every
    command that reads a graph: kg, extract, validate --with, facts)."""
    import logging

    logging.getLogger("rdflib.term").setLevel(logging.ERROR)


app.add_typer(rules_cmd.app, name="rules")
app.add_typer(kg_cmd.app, name="kg")
model_cmd.register(app)
agent_cmd.register(app)
loop_cmd.register(app)
domain_cmd.register(app)
review_cmd.register(app)
validate_cmd.register(app)
facts_cmd.register(app)



def _reflowed(text: str) -> str:
    """Help text with each paragraph on one line (Typer rewraps it to the terminal): Typer keeps
    the line breaks of a docstring past its first paragraph, so at 80 columns a docstring's lines
    of ~100 characters printed as ragged pairs of a long and a short line."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def _reflow_help(group: typer.Typer) -> None:
    for info in group.registered_commands:
        text = info.help if info.help is not None else inspect.getdoc(info.callback)
        if text:
            info.help = _reflowed(text)
    for sub in group.registered_groups:
        _reflow_help(sub.typer_instance)


_reflow_help(app)


def main() -> None:
    """Entry point of the ``kgagent`` console script."""
    # process-wide settings belong to the program, not the library: no download progress bars
    # ("Loading weights") on the user's terminal
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    app()


if __name__ == "__main__":
    main()
