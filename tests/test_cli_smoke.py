"""The CLI starts, lists its command groups, and prints errors without tracebacks."""

from typer.testing import CliRunner

from kgagent_cli.main import app


def test_help_lists_command_groups() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("rules", "kg"):
        assert name in result.output
