"""Out-of-range CLI options are usage errors (exit 2) before anything runs, and an --out or an
init TARGET that is a file is refused with a coded line: never a traceback (RuntimeError from
torch.set_num_threads, ZeroDivisionError, OverflowError from bind, NotADirectoryError), never an
untrained model saved silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgagent.errors import DomainError, EncoderError, StorageError
from kgagent_cli.main import app
from support.encoder_fakes import FIXTURES, make_tiny_base

runner = CliRunner()
DATA = FIXTURES / "tiny_train.json"


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_base(tmp_path_factory.mktemp("tiny_base"))


def _train(base: Path, out: Path, *extra: str) -> list[str]:
    return ["train", str(DATA), "--dev", str(DATA), "--base", str(base), "--full", "--out", str(out),
            "--threads", "1", *extra]


def _usage_error(args: list[str], option: str) -> str:
    res = runner.invoke(app, args)
    assert isinstance(res.exception, SystemExit) and res.exit_code == 2, res.output
    assert f"Invalid value for '{option}'" in res.output, res.output
    return res.output


@pytest.mark.parametrize(("extra", "option"), [
    (["--threads", "-1"], "--threads"),
    (["--batch-size", "0"], "--batch-size"),
    (["--epochs", "0"], "--epochs"),
    (["--epochs", "-3"], "--epochs"),
    (["--device", "tpu"], "--device"),
], ids=["threads", "batch-size", "epochs-0", "epochs-negative", "device"])
def test_train_options_out_of_range(tiny_base: Path, tmp_path: Path, extra: list[str], option: str) -> None:
    args = _train(tiny_base, tmp_path / "m", "--epochs", "1", *extra)  # the later --epochs wins
    _usage_error(args, option)
    assert not (tmp_path / "m").exists()  # nothing trained, nothing saved


def test_train_device_error_names_the_devices(tiny_base: Path, tmp_path: Path) -> None:
    assert "auto, cpu, cuda" in _usage_error(_train(tiny_base, tmp_path / "m", "--device", "tpu"), "--device")


@pytest.mark.parametrize(("extra", "option"), [
    (["--threads", "-1"], "--threads"),
    (["--batch-size", "0"], "--batch-size"),
], ids=["threads", "batch-size"])
def test_evaluate_options_out_of_range(extra: list[str], option: str) -> None:
    _usage_error(["evaluate", str(DATA), *extra], option)


@pytest.mark.parametrize("port", ["-1", "70000"])
def test_review_port_out_of_range(tmp_path: Path, port: str) -> None:
    _usage_error(["review", str(tmp_path), "-p", port], "--port")


def test_train_out_that_is_a_file(tiny_base: Path, tmp_path: Path) -> None:
    out = tmp_path / "model.txt"
    out.write_text("not a model\n", encoding="utf-8")
    for target in (out, out / "sub"):
        res = runner.invoke(app, _train(tiny_base, target, "--epochs", "1"))
        assert isinstance(res.exception, SystemExit) and res.exit_code == 2, res.output
        assert "KGA510" in res.output and str(target) in res.output
        assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
    assert out.read_text(encoding="utf-8") == "not a model\n"


def test_init_target_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "domain.txt"
    target.write_text("keep me\n", encoding="utf-8")
    for args in (["init", str(target), "--from-data", str(DATA)],
                 ["init", str(target), "--from-data", str(DATA), "--force"],
                 ["init", str(target / "sub"), "--from-data", str(DATA)]):
        res = runner.invoke(app, args)
        assert isinstance(res.exception, SystemExit) and res.exit_code == 2, res.output
        assert "KGA640" in res.output and str(target) in res.output, res.output
        assert "Traceback" not in res.output
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_the_library_refuses_the_same_before_training(tmp_path: Path) -> None:
    from kgagent.encoder.train import TrainConfig, check_out_dir, check_settings

    for bad in (dict(epochs=0), dict(epochs=-3), dict(batch_size=0), dict(device="tpu"), dict(num_threads=-1)):
        with pytest.raises(EncoderError, match="KGA340"):
            check_settings(TrainConfig(**bad))  # type: ignore[arg-type]
    check_settings(TrainConfig())
    (tmp_path / "f").write_text("", encoding="utf-8")
    with pytest.raises(StorageError, match="KGA510"):
        check_out_dir(tmp_path / "f")
    check_out_dir(tmp_path / "new" / "model")  # to be made: fine
    from kgagent.domain_init import init_domain

    with pytest.raises(DomainError, match="KGA640"):
        init_domain(tmp_path / "f", DATA)


@pytest.mark.parametrize("args", [["evaluate", "{f}/x.json"], ["evaluate", "{f}/x.json", "--model", "{f}/m"]])
def test_a_path_under_a_file_is_kga504_not_a_traceback(tmp_path: Path, args: list[str]) -> None:
    """`kgagent evaluate FILE/x.json` ended in a NotADirectoryError traceback."""
    f = tmp_path / "plain.txt"
    f.write_text("not a directory\n")
    r = runner.invoke(app, [a.format(f=f) for a in args])
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit), r.output
    assert f"KGA504 not a directory: a part of {f}/x.json is a file" in r.output
    assert "Traceback" not in r.output


def test_other_os_errors_are_one_coded_line_and_a_closed_pipe_is_quiet(capsys) -> None:
    import errno

    import click
    import typer

    from kgagent_cli.common import guarded

    with pytest.raises((typer.Exit, click.exceptions.Exit)) as err:
        with guarded():
            raise OSError(errno.ENAMETOOLONG, "File name too long", "x" * 300)
    assert err.value.exit_code == 2
    assert capsys.readouterr().err == f"error: KGA550 File name too long: {'x' * 300}\n"
    with pytest.raises((typer.Exit, click.exceptions.Exit)) as err:
        with guarded():
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")
    assert err.value.exit_code == 1 and capsys.readouterr().err == ""
