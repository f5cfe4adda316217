"""``kgagent rules ...``: check, run, explain, test and report on rule files."""

from __future__ import annotations

import typer

from kgagent_cli import loop_cmd, rules_run_cmd, rules_test_cmd

app = typer.Typer(help="Check, run, explain and test rule files.", no_args_is_help=True)

rules_run_cmd.register(app)  # run, explain
rules_test_cmd.register(app)  # test
loop_cmd.register_rules(app)  # stats
