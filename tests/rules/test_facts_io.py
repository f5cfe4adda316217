"""Facts files: reading (numbers vs strings, malformed lines), writing, fact syntax."""

from __future__ import annotations

import pytest

from kgagent.errors import RuleError
from kgagent.rules import Engine, read_facts_dir, write_facts_dir
from kgagent.rules.facts_io import parse_fact, read_facts_columns
from kgagent.rules.symbols import parse_field

from engine_helpers import parse


def test_fields_become_numbers_only_when_spelled_like_rule_numbers():
    assert parse_field("3") == 3 and type(parse_field("3")) is int
    assert parse_field("-2") == -2
    assert parse_field("0.91") == 0.91
    assert parse_field("1e-3") == 0.001
    for text in ("r1", "3a", "1.", ".5", "1,5", "", " 3", "+3", "nan", "inf", "New York"):
        assert parse_field(text) == text


def test_read_and_write_round_trip(tmp_path):
    rel = {"score": [("r1", 0.91), ("r2", 3)], "text": [("m1", "New York"), ("m2", 'say "hi"')], "flag": [("x",)]}
    write_facts_dir(rel, tmp_path)
    assert (tmp_path / "score.facts").read_text() == "r1\t0.91\nr2\t3\n"
    back = read_facts_dir(tmp_path)
    assert {p: sorted(v) for p, v in back.items()} == {p: sorted(v) for p, v in rel.items()}


def test_numbers_from_files_compare_like_rule_numbers(tmp_path):
    (tmp_path / "score.facts").write_text("r1\t0.91\nr2\t0.2\nr3\t1\n")
    engine = Engine(parse("high(R) :- score(R, S), S >= 0.5.\none(R) :- score(R, 1)."))
    model = engine.evaluate(read_facts_columns(tmp_path, engine.arity))
    assert model.facts("high") == {("r1",), ("r3",)}
    assert model.facts("one") == {("r3",)}
    assert engine.evaluate(read_facts_dir(tmp_path)).facts("high") == model.facts("high")


def test_malformed_line_names_file_and_line(tmp_path):
    (tmp_path / "edge.facts").write_text("a\tb\n\nc\td\ne\n")
    with pytest.raises(RuleError) as err:
        read_facts_dir(tmp_path)
    assert err.value.code == "KGA112"
    assert str(err.value).startswith(f"{tmp_path / 'edge.facts'}:4: KGA112")
    assert "expected 2" in err.value.message and "found 1" in err.value.message


def test_arity_from_program_is_checked_on_the_first_line(tmp_path):
    (tmp_path / "edge.facts").write_text("a\tb\tc\n")
    with pytest.raises(RuleError) as err:
        read_facts_columns(tmp_path, {"edge": 2})
    assert str(err.value).startswith(f"{tmp_path / 'edge.facts'}:1:")


def test_empty_lines_and_crlf_are_accepted(tmp_path):
    (tmp_path / "edge.facts").write_text("a\tb\r\n\r\nc\td\r\n")
    assert sorted(read_facts_dir(tmp_path)["edge"]) == [("a", "b"), ("c", "d")]


def test_blank_lines_of_one_column_files_are_skipped(tmp_path):
    (tmp_path / "flag.facts").write_text("a\n\n  \nb")
    (tmp_path / "blank.facts").write_text("\n \n")
    got = read_facts_dir(tmp_path)
    assert sorted(got["flag"]) == [("a",), ("b",)] and got["blank"] == []


def test_a_line_too_long_and_one_too_short_are_caught_even_when_the_tabs_add_up(tmp_path):
    (tmp_path / "edge.facts").write_text("a\tb\nc\td\te\nf\n")
    with pytest.raises(RuleError) as err:
        read_facts_dir(tmp_path)
    assert str(err.value).startswith(f"{tmp_path / 'edge.facts'}:2: KGA112")


def test_invalid_utf8_names_line(tmp_path):
    (tmp_path / "edge.facts").write_bytes(b"a\tb\nc\t\xff\n")
    with pytest.raises(RuleError) as err:
        read_facts_dir(tmp_path)
    assert ":2:" in str(err.value) or "edge.facts:2" in str(err.value)


def test_writing_refuses_values_that_cannot_be_read_back(tmp_path):
    with pytest.raises(RuleError):
        write_facts_dir({"t": [("a\tb",)]}, tmp_path)
    with pytest.raises(RuleError):
        write_facts_dir({"t": [("a\nb",)]}, tmp_path)


def test_missing_directory_is_an_io_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_facts_dir(tmp_path / "nope")


def test_parse_fact():
    assert parse_fact("accept(r12)") == ("accept", ("r12",))
    assert parse_fact('reject(r2, "tail \\"type\\"").') == ("reject", ("r2", 'tail "type"'))
    assert parse_fact("score(r1, 0.91)") == ("score", ("r1", 0.91))
    assert parse_fact("n(-3)") == ("n", (-3,))
    assert parse_fact("flag") == ("flag", ())
    for bad in ("Accept(r1)", "accept(r1", "accept(X)", "accept(r1,)", "accept(r1 r2)", "accept(r1); rm"):
        with pytest.raises(RuleError):
            parse_fact(bad)


def test_whole_numbers_past_64_bits_are_refused_where_they_are_written(tmp_path):
    # they used to read as 0 in comparisons and arithmetic: q(a, 10^23), Y > 1 derived nothing
    from kgagent.rules.symbols import INT64_MAX

    rules = "p(X) :- q(X, Y), Y > 1."
    (tmp_path / "q.facts").write_text(f"a\t{INT64_MAX}\nb\t-{INT64_MAX}\nc\t99999999999999999999999\n")
    with pytest.raises(RuleError) as err:
        read_facts_columns(tmp_path)
    assert err.value.code == "KGA112" and err.value.location.line == 3
    assert "99999999999999999999999 does not fit in 64 bits" in err.value.message
    (tmp_path / "q.facts").write_text(f"a\t{INT64_MAX}\nb\t-{INT64_MAX}\nc\t1.0e23\n")
    assert Engine(parse(rules)).evaluate(read_facts_columns(tmp_path)).facts("p") == {("a",), ("c",)}
    (tmp_path / "q.facts").write_text("a\t1.5e307\nb\t-2e999\n")  # no decimal holds it: it read as -inf
    with pytest.raises(RuleError) as err:
        read_facts_columns(tmp_path)
    assert (err.value.code, err.value.location.line) == ("KGA112", 2) and "-2e999 is too large" in err.value.message
    with pytest.raises(RuleError) as err:  # given from Python
        Engine(parse(rules)).evaluate({"q": [("a", 10**23)]})
    assert err.value.code == "KGA112" and "does not fit in 64 bits" in err.value.message


def test_a_whole_number_literal_past_64_bits_is_a_syntax_error():
    from kgagent.rules.parser import parse_program

    for text, col, words in (("p(99999999999999999999).", 3, "does not fit in 64 bits"),
                             ("p(X) :- q(X), X > -99999999999999999999.", 20, "does not fit in 64 bits"),
                             ("p(1.0e999).", 3, "1.0e999 is too large for a decimal")):
        _, (d,) = parse_program(text, "t.rules")
        assert (d.code, d.loc.col) == ("KGA101", col) and words in d.message
    prog, diags = parse_program("p(-9223372036854775807).", "t.rules")
    assert not diags and prog.clauses[0].head.args[0].value == -(2**63 - 1)


@pytest.mark.parametrize("expr", ["Y * Y", "Y + 9223372036854775000", "0 - Y - 9223372036854775000"])
def test_whole_number_arithmetic_past_64_bits_is_kga123_not_a_wrapped_number(expr):
    with pytest.raises(RuleError) as err:
        Engine(parse(f"p(Z) :- q(Y), Z = {expr}.")).evaluate({"q": [(4_000_000_000,)]})
    assert err.value.code == "KGA123" and "does not fit in 64 bits" in err.value.message
    assert Engine(parse("p(Z) :- q(Y), Z = Y * 2.0 * Y.")).evaluate({"q": [(4_000_000_000,)]}).facts("p") == {(3.2e19,)}
