"""The CLI starts, lists its command groups, and prints errors without tracebacks."""

from typer.testing import CliRunner

from kgagent_cli.main import app


def test_help_lists_command_groups() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("rules", "kg"):
        assert name in result.output


def _commands():
    import typer

    stack = [("kgagent", typer.main.get_command(app))]
    while stack:
        path, cmd = stack.pop()
        yield path, cmd
        if hasattr(cmd, "commands"):  # a group (Typer 0.29 carries its own click)
            stack.extend((f"{path} {name}", sub) for name, sub in cmd.commands.items())


def test_every_help_paragraph_is_one_line_for_the_terminal_to_wrap() -> None:
    """Typer keeps a docstring's line breaks past its first paragraph: at 80 columns the
    docstrings' ~100-character lines printed as ragged pairs ("... a span otherwise (a new" /
    "model), by document ...")."""
    helps = {path: cmd.help for path, cmd in _commands() if cmd.help}
    assert len(helps) > 30
    ragged = [path for path, text in helps.items() if "\n" in text.replace("\n\n", "")]
    assert ragged == []
    result = CliRunner().invoke(app, ["rules", "diff", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "otherwise (a new model), by document and span" in result.output


def test_console_is_wide_off_a_terminal(monkeypatch, capsys) -> None:
    """A table written to a log keeps each row on one line; COLUMNS still decides when set."""
    from rich.table import Table

    from kgagent_cli.common import console

    reason = "the joint decision retyped it: the name's other mentions in the document are of that class"
    table = Table("rule", "reason")
    table.add_row("shared/repairs.rules:93", reason)
    monkeypatch.delenv("COLUMNS", raising=False)
    console().print(table)
    assert any(reason in line for line in capsys.readouterr().out.splitlines())
    monkeypatch.setenv("COLUMNS", "60")
    console().print(table)
    lines = capsys.readouterr().out.splitlines()
    assert not any(reason in line for line in lines) and max(len(line) for line in lines) <= 60


def test_loading_pauses_the_collector_then_freezes_what_was_loaded() -> None:
    import gc

    from kgagent.process_heap import loaded_heap as loading

    gc.unfreeze()
    with loading():
        assert not gc.isenabled()
        loaded = [[i] for i in range(1000)]  # long-lived containers, as a graph's
    assert gc.isenabled() and gc.get_freeze_count() >= len(loaded)
    gc.unfreeze()
    gc.disable()  # a caller that had it off keeps it off
    try:
        with loading():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_names_with_rich_markup_or_emoji_codes_print_as_written(tmp_path) -> None:
    """A domain named 'sci[/x]:smile:' ended `kgagent domain check` in a rich MarkupError traceback
    (and ':smile:' printed as an emoji): the CLI's console now reads no markup in what it prints."""
    import shutil
    from pathlib import Path

    from kgagent_cli.common import console

    dom = tmp_path / "dom"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "scierc", dom,
                    ignore=shutil.ignore_patterns("model"))
    toml = dom / "domain.toml"
    toml.write_text("\n".join('name = "sci[/x]:smile:"' if line.startswith("name =") else line
                               for line in toml.read_text().splitlines()) + "\n")
    r = CliRunner().invoke(app, ["domain", "check", str(dom)])
    assert r.exit_code == 0, r.output
    assert "domain 'sci[/x]:smile:' is sound" in r.output
    con = console()
    with con.capture() as cap:
        con.print("[bold]a[/bold] [/x] :smile: a:b:c")
    assert cap.get() == "[bold]a[/bold] [/x] :smile: a:b:c\n"
