"""The rule language parser: every construct, exact source locations, syntax errors with
recovery, the printer round trip (hypothesis), loading files and directories, stratification."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgagent.errors import RuleError
from kgagent.rules import Diagnostic, load_rules, parse_rules, stratify
from kgagent.rules.ast import Atom, BinOp, Clause, Comparison, Const, Declaration, Program, SourceLoc, Var
from kgagent.rules.diagnostics import RuleCheckError
from kgagent.rules.parser import parse_program, scan
from kgagent.rules.printer import format_clause, format_const, format_program, format_term

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "rules"


def one(text: str) -> Clause:
    prog = parse_rules(text, "t.rules")
    assert len(prog.clauses) == 1
    return prog.clauses[0]


def errors(text: str) -> list[Diagnostic]:
    _, diags = parse_program(text, "t.rules")
    return diags


# ------------------------------------------------------------------------------------------------
# constructs
# ------------------------------------------------------------------------------------------------
def test_fact_with_every_kind_of_constant():
    c = one('p(a, "B c", 3, -4, 2.5, -0.25, 1.5e3, "x\\"y\\\\z\\nw\\tv").')
    assert c.is_fact and c.head.pred == "p"
    assert [a.value for a in c.head.args] == ["a", "B c", 3, -4, 2.5, -0.25, 1500.0, 'x"y\\z\nw\tv']
    assert type(c.head.args[2].value) is int and type(c.head.args[4].value) is float


def test_rule_with_negation_comparisons_and_arithmetic():
    c = one(
        "r(X, Y * 2) :- p(X, Y), not q(X, _), Y >= 1, Y <= 9, Y < 10, Y > 0, X != b, Z = (Y + 1) * 3 % 4, Z = Z."
    )
    pos, neg, *cmps = c.body
    assert pos == Atom("p", (Var("X"), Var("Y")))
    assert neg == Atom("q", (Var("X"), Var("_")), negated=True)
    assert [x.op for x in cmps] == [">=", "<=", "<", ">", "!=", "=", "="]
    assert c.head.args[1] == BinOp("*", Var("Y"), Const(2))
    z = cmps[5]
    assert z.right == BinOp("%", BinOp("*", BinOp("+", Var("Y"), Const(1)), Const(3)), Const(4))


def test_arithmetic_precedence_and_unary_minus():
    c = one("p(A) :- q(A, B), A = B - 2 - 3 * -B + -(4).")
    expr = c.body[1].right
    # ((B - 2) - (3 * (0 - B))) + -4
    assert expr == BinOp(
        "+",
        BinOp("-", BinOp("-", Var("B"), Const(2)), BinOp("*", Const(3), BinOp("-", Const(0), Var("B")))),
        Const(-4),
    )


def test_zero_arity_atoms_and_keyword_prefixes():
    prog = parse_rules("ready. go :- ready, nothing(x), not notice. note().", "t.rules")
    assert [format_clause(c) for c in prog.clauses] == ["ready.", "go :- ready, nothing(x), not notice.", "note."]


def test_declarations():
    prog = parse_rules("#base mention(Mention, Label, Score).\n#base flag.\n#base pair(a, B).", "t.rules")
    assert prog.declarations == [
        Declaration("mention", 3, columns=("Mention", "Label", "Score")),
        Declaration("flag", 0),
        Declaration("pair", 2, columns=("a", "B")),
    ]
    assert prog.declarations[0].loc == SourceLoc("t.rules", 1, 1)
    assert prog.clauses == []


def test_names_and_strings_are_the_same_constant():
    assert one("p(abc).").head == one('p("abc").').head


def test_comments_and_remainder_operator():
    text = (
        "% whole line\n"
        "p(X) :-       % after :-\n"
        "    q(X, N),  % after a comma; with 'quotes' and a . and (parens\n"
        "    N % 2 = 0,\n"
        '    X != "50% off".  % after the dot\n'
        "r(N) :- q(_, M), N = (M)%3.\n"
    )
    prog = parse_rules(text, "t.rules")
    assert [format_clause(c) for c in prog.clauses] == [
        'p(X) :- q(X, N), N % 2 = 0, X != "50% off".',
        "r(N) :- q(_, M), N = M % 3.",
    ]


def test_decimal_point_does_not_end_a_clause_and_clauses_may_share_a_line():
    prog = parse_rules("p(1.5).q(2).r(3) :- q(3).", "t.rules")
    assert [format_clause(c) for c in prog.clauses] == ["p(1.5).", "q(2).", "r(3) :- q(3)."]


def test_scan_blanks_comments_and_keeps_positions():
    text = 'a(1). % c1\nb("%.") :- a(1). % c2\n'
    cleaned, chunks = scan(text)
    assert len(cleaned) == len(text) and cleaned.count("\n") == 2
    assert "c1" not in cleaned and '"%."' in cleaned
    assert [(c.line, c.col) for c in chunks] == [(1, 1), (1, 6)]


# ------------------------------------------------------------------------------------------------
# source locations
# ------------------------------------------------------------------------------------------------
def test_every_node_has_its_exact_location():
    text = "% header\n\nrule(X, N + 1) :-\n\tfoo(X, \"s\"),\n    not bar(X), N = 3 * X.\n"
    c = parse_rules(text, "loc.rules").clauses[0]
    L = lambda line, col: SourceLoc("loc.rules", line, col)  # noqa: E731
    assert c.loc == L(3, 1) and c.rule_id == "loc.rules:3"
    assert c.head.loc == L(3, 1)
    assert c.head.args[0].loc == L(3, 6)
    plus = c.head.args[1]
    assert plus.loc == L(3, 11) and plus.left.loc == L(3, 9) and plus.right.loc == L(3, 13)
    foo, bar, cmp = c.body
    assert foo.loc == L(4, 2) and foo.args[0].loc == L(4, 6) and foo.args[1].loc == L(4, 9)
    assert bar.loc == L(5, 5) and bar.negated and bar.args[0].loc == L(5, 13)
    assert cmp.loc == L(5, 19) and cmp.left.loc == L(5, 17)
    mul = cmp.right
    assert mul.loc == L(5, 23) and mul.left.loc == L(5, 21) and mul.right.loc == L(5, 25)


def test_negative_number_location_is_its_minus_sign():
    c = one("p(X) :- q(X), X > -12.")
    assert c.body[1].right == Const(-12) and c.body[1].right.loc.col == 19


# ------------------------------------------------------------------------------------------------
# syntax errors (KGA101, KGA109): exact line:col, plain words, recovery
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, line, col, words",
    [
        ("p(X) :- q(X) r(X).", 1, 14, "expected ',' or '.' after the atom 'q(X)', found 'r'"),
        ("p(a) q(b).", 1, 6, "expected ':-' or '.' after the atom 'p(a)', found 'q'"),
        ("p(X) :- q(X), X =< 3.", 1, 18, "write '<=' for 'less than or equal'"),
        ("p(X) :- q(X), X == 3.", 1, 18, "compare with a single '='"),
        ("Big(X) :- q(X).", 1, 1, "predicate names start with a lower-case letter"),
        ("p(X) :- q(X), X < 'a'.", 1, 19, "strings use double quotes"),
        ("p(X) :- q(X) & r(X).", 1, 14, "use ',' to join the conditions"),
        ('p("abc) .', 1, 3, "this string is not closed"),
        ('p("a\\qb").', 1, 3, "unknown escape '\\q'"),
        ("p(X :- q(X).", 1, 5, "expected an arithmetic operator (+ - * / %), ')' or ','"),
        ("p(X) :- .", 1, 9, "expected a condition"),
        ("p(X) :- q(X), X > 3", 1, 20, "found the end of the file (is the '.' at the end of the clause missing?)"),
        ("p(X) :- q(X Y).", 1, 13, "(is a ',' missing?)"),
        ("p(X) :- q(X) % note\n  , r(X).", 1, 14, "'%' right after a value is the remainder operator"),
    ],
)
def test_syntax_error_position_and_words(text, line, col, words):
    diags = errors(text)
    assert len(diags) == 1, diags
    d = diags[0]
    assert d.code == "KGA101" and d.severity == "error"
    assert (d.loc.line, d.loc.col) == (line, col), str(d)
    assert words in d.message


def test_missing_dot_points_at_the_end_of_the_clause_and_the_next_clause_still_parses():
    prog, diags = parse_program("edge(a, b).\npath(X, Y) :- edge(X, Y)\npath(X, Z) :- path(X, Y), edge(Y, Z).\n", "t.rules")
    assert len(diags) == 1
    assert (diags[0].loc.line, diags[0].loc.col) == (2, 25)
    assert "found 'path' on line 3" in diags[0].message and "'.' at the end of this clause missing" in diags[0].message
    assert [c.rule_id for c in prog.clauses] == ["t.rules:1", "t.rules:3"]


def test_every_syntax_error_in_a_file_is_reported():
    text = (
        "ok(1).\n"
        "p(X) :- q(X) r(X).\n"  # 2:14
        "ok(2).\n"
        "s(X) :- t(X), & u(X).\n"  # 4:15
        '#include "other.rules".\n'  # 5:1 KGA109
        "v(X :- w.\n"  # 6:5
        'z("unclosed) .\n'  # 7:3
        "ok(3).\n"
    )
    prog, diags = parse_program(text, "t.rules")
    assert [(d.code, d.loc.line, d.loc.col) for d in diags] == [
        ("KGA101", 2, 14),
        ("KGA101", 4, 15),
        ("KGA109", 5, 1),
        ("KGA101", 6, 5),
        ("KGA101", 7, 3),
    ]
    assert [format_clause(c) for c in prog.clauses] == ["ok(1).", "ok(2).", "ok(3)."]


def test_unknown_directives_cannot_include_or_run_anything():
    for text in ('#include "/etc/passwd".', "#python import os.", "#base p(X). #exec q."):
        diags = errors(text)
        assert diags and diags[-1].code == "KGA109", text
        assert "the only directive is '#base'" in diags[-1].message


def test_parse_rules_raises_one_error_holding_every_diagnostic():
    with pytest.raises(RuleError) as info:
        parse_rules("p(X) :- q(X) r(X).\nok.\ns(X) :- & t.\n", "t.rules")
    err = info.value
    assert isinstance(err, RuleCheckError) and err.code == "KGA101"
    assert [(d.loc.line, d.loc.col) for d in err.diagnostics] == [(1, 14), (3, 9)]
    assert str(err).startswith("t.rules:1:14: KGA101 expected") and str(err).endswith("(and 1 more error)")
    assert "\n" not in str(err)


def test_diagnostic_format_shows_line_and_caret_under_the_column_with_tabs():
    text = "ok.\n\tp(X) :- q(X) r(X).\n"
    d = errors(text)[0]
    lines = d.format({"t.rules": text}).split("\n")
    assert lines[0] == "t.rules:2:15: KGA101 expected ',' or '.' after the atom 'q(X)', found 'r' (is a ',' missing?)"
    assert lines[1] == "  \tp(X) :- q(X) r(X)."
    assert lines[2] == "  \t" + " " * 13 + "^"
    assert d.format({}) == lines[0]  # no source: just the first line


def test_garbage_never_crashes_the_parser():
    for text in ["", "   \n% only a comment\n", ".", "...", "(", ")", ":-", '"', "p(", "p(X) :-", "%", "# \x00 \u00e9t\u00e9(x)."]:
        prog, diags = parse_program(text, "g.rules")
        assert isinstance(prog, Program)
        assert all(d.loc.line >= 1 and d.loc.col >= 1 for d in diags), (text, diags)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet='pqXY_(),.:-"%#\\ \n<>=!+*/0123456789abnot', max_size=60))
def test_random_text_gives_diagnostics_never_exceptions(text):
    prog, diags = parse_program(text, "r.rules")
    for d in diags:
        assert d.code in ("KGA101", "KGA109") and 1 <= d.loc.line <= text.count("\n") + 1


# ------------------------------------------------------------------------------------------------
# printer round trip (hypothesis): random programs print and parse back to the same AST
# ------------------------------------------------------------------------------------------------
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_TAIL = st.text(alphabet=_LOWER + "ABCXYZ0123456789_", max_size=5)
names = st.builds(lambda a, b: a + b, st.sampled_from(_LOWER), _TAIL).filter(lambda s: s != "not")
var_names = st.builds(lambda a, b: a + b, st.sampled_from("ABCXYZ_"), _TAIL)
consts = st.one_of(
    names.map(Const),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8).map(Const),
    st.integers(-(10**12), 10**12).map(Const),
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(Const),
)
leaves = st.one_of(var_names.map(Var), consts)
terms = st.recursive(
    leaves, lambda sub: st.builds(BinOp, st.sampled_from("+-*/%"), sub, sub), max_leaves=6
)
plain_args = st.lists(leaves, max_size=4).map(tuple)


@st.composite
def clauses(draw):
    head = Atom(draw(names), tuple(draw(st.lists(terms, max_size=4))))
    body = draw(
        st.lists(
            st.one_of(
                st.builds(Atom, names, plain_args, st.booleans()),
                st.builds(Comparison, st.sampled_from(["<", "<=", ">", ">=", "=", "!="]), terms, terms),
            ),
            max_size=4,
        )
    )
    return Clause(head, tuple(body), label=draw(st.one_of(st.none(), names)))


decls = st.builds(
    lambda p, cols: Declaration(p, len(cols), columns=tuple(cols)),
    names,
    st.lists(st.one_of(var_names, names), max_size=4),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(clauses(), max_size=5), st.lists(decls, max_size=2))
def test_printed_programs_parse_back_to_the_same_ast(cls, ds):
    program = Program(clauses=cls, declarations=ds)
    text = format_program(program)
    back = parse_rules(text, "h.rules")
    assert back.clauses == cls, text
    assert back.declarations == ds, text


def _parsed_by_lalr_alone(text: str, path: str) -> list:
    from kgagent.rules.parser import _Input, _lark

    cleaned, _ = scan(text)
    return [it for it in _lark().parse(_Input(cleaned, 0, len(cleaned), 1, 1, path)) if isinstance(it, Clause)]


_blank = st.sampled_from(["", " ", "  ", "\t", "\n", "\n\n", " % note\n", "\n  "])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.one_of(clauses(), st.builds(lambda a, n: Clause(a, (), label=n),
                                                          st.builds(Atom, names, st.lists(consts, max_size=4).map(tuple)),
                                                          st.one_of(st.none(), names))),
                          _blank, _blank), max_size=8))
def test_plain_facts_read_without_the_lalr_parser_are_the_clauses_it_builds(items):
    # plain facts (constants only, one line) skip the LALR parser: same clauses, same places, same order
    text = "".join(f"{before}{format_clause(c)}{after}" for c, before, after in items)
    program, diags = parse_program(text, "f.rules")
    assert not diags
    assert repr(program.clauses) == repr(_parsed_by_lalr_alone(text, "f.rules")), text


def test_a_list_of_facts_among_rules_keeps_the_files_order_and_errors():
    text = 'p(a).\nq(X) :- p(X).\n@two p(-2, 1.5, "b c").\nr(X) :- q(X) s(X).\np(c).\np(d) p(e).\n'
    program, diags = parse_program(text, "o.rules")
    assert [(c.head.pred, c.loc.line, c.label) for c in program.clauses] == [
        ("p", 1, None), ("q", 2, None), ("p", 3, "two"), ("p", 5, None)]
    assert [c.head.args[0].loc.col for c in program.clauses if c.head.pred == "p"] == [3, 8, 3]
    assert [(d.code, d.loc.line, d.loc.col) for d in diags] == [("KGA101", 4, 14), ("KGA101", 6, 6)]


def test_format_const_quotes_what_is_not_a_bare_name():
    assert [format_const(v) for v in ["abc", "Abc", "not", "a b", 'q"', "", 3, -2, 0.5, 1e20]] == [
        "abc",
        '"Abc"',
        '"not"',
        '"a b"',
        '"q\\""',
        '""',
        "3",
        "-2",
        "0.5",
        "1.0e+20",
    ]
    assert format_term(BinOp("-", Var("A"), BinOp("-", Var("B"), Const(-1)))) == "A - (B - -1)"


# ------------------------------------------------------------------------------------------------
# loading files and directories
# ------------------------------------------------------------------------------------------------
def test_load_rules_reads_a_directory_in_name_order(tmp_path):
    (tmp_path / "b.rules").write_text("q(X) :- p(X).\n")
    (tmp_path / "a.rules").write_text("#base p(X).\n")
    (tmp_path / "notes.txt").write_text("not rules (\n")
    prog = load_rules(tmp_path)
    assert prog.files == [str(tmp_path / "a.rules"), str(tmp_path / "b.rules")]
    assert prog.clauses[0].rule_id == f"{tmp_path / 'b.rules'}:1"
    assert prog.declarations[0].loc.path == str(tmp_path / "a.rules")
    assert set(prog.sources) == set(prog.files) and prog.warnings == []


def test_load_rules_single_file_and_fixture_directory():
    prog = load_rules(FIX / "clean" / "10_places.rules")
    assert len(prog.clauses) == 2 and len(prog.declarations) == 2
    prog = load_rules(FIX / "clean")
    assert [c.head.pred for c in prog.rules] == ["located_in", "big_city", "review", "accept", "millions"]


def test_load_rules_keeps_warnings_and_raises_on_errors():
    prog = load_rules(FIX / "warnings")
    assert [w.code for w in prog.warnings] == ["KGA105", "KGA106"]
    with pytest.raises(RuleCheckError) as info:
        load_rules(FIX / "errors")
    codes = [d.code for d in info.value.diagnostics if d.is_error]
    assert codes == ["KGA101", "KGA101", "KGA102", "KGA103", "KGA104"]


def test_load_rules_io_problems_name_the_path(tmp_path):
    with pytest.raises(RuleError) as info:
        load_rules(tmp_path / "missing")
    assert info.value.code == "KGA107" and str(tmp_path / "missing") in str(info.value)
    with pytest.raises(RuleError) as info:
        load_rules(tmp_path)  # no *.rules
    assert info.value.code == "KGA107" and "no *.rules files" in str(info.value)
    bad = tmp_path / "latin1.rules"
    bad.write_bytes(b"ok.\np(\xe9t\xe9).\n")
    with pytest.raises(RuleError) as info:
        load_rules(bad)
    assert info.value.code == "KGA107" and str(info.value).startswith(f"{bad}:2:3: KGA107 not UTF-8")


def test_utf8_bom_and_crlf_are_accepted(tmp_path):
    f = tmp_path / "win.rules"
    f.write_bytes("\ufeffp(a).\r\nq(X) :- p(X).\r\n".encode())
    prog = load_rules(f)
    assert [c.rule_id for c in prog.clauses] == [f"{f}:1", f"{f}:2"]


# ------------------------------------------------------------------------------------------------
# stratification
# ------------------------------------------------------------------------------------------------
def test_stratify_orders_groups_by_dependency_and_keeps_recursion_together():
    prog = parse_rules(
        "ok(X) :- node(X), not bad(X).\n"
        "bad(X) :- odd(X), not even(X).\n"
        "even(X) :- zero(X).\n"
        "even(X) :- odd(Y), succ(Y, X).\n"
        "odd(X) :- even(Y), succ(Y, X).\n"
        "zero(0). succ(0, 1).\n",
        "s.rules",
    )
    strata = [[c.rule_id for c in s] for s in stratify(prog)]
    assert strata == [["s.rules:3", "s.rules:4", "s.rules:5"], ["s.rules:2"], ["s.rules:1"]]
    assert all(not c.is_fact for s in stratify(prog) for c in s)


def test_stratify_refuses_a_negation_cycle():
    prog = parse_rules("p(X) :- e(X), not q(X).\nq(X) :- e(X), r(X).\nr(X) :- p(X).\n", "c.rules")
    with pytest.raises(RuleError) as info:
        stratify(prog)
    assert info.value.code == "KGA103"
    assert "c.rules:1" in str(info.value) and "c.rules:2" in str(info.value) and "c.rules:3" in str(info.value)


def test_docstring_examples_run():
    import doctest

    import kgagent.rules.depgraph
    import kgagent.rules.diagnostics
    import kgagent.rules.parser
    import kgagent.rules.printer
    import kgagent.rules.why_not

    for mod in (kgagent.rules.parser, kgagent.rules.printer, kgagent.rules.depgraph, kgagent.rules.diagnostics,
                kgagent.rules.why_not):
        result = doctest.testmod(mod)
        assert result.attempted > 0 and result.failed == 0, mod.__name__


# ------------------------------------------------------------------------------------------------
# rule names
# ------------------------------------------------------------------------------------------------
def test_a_named_clause_is_known_by_its_name_wherever_its_line_moves():
    text = "@base_path\npath(X, Y) :- edge(X, Y).\n@edge_ab edge(a, b).\npath(X, Z) :- edge(X, Y), path(Y, Z).\n"
    prog = parse_rules(text, "g.rules")
    assert [c.label for c in prog.clauses] == ["base_path", "edge_ab", None]
    assert [c.rule_id for c in prog.clauses] == ["g.rules:base_path", "g.rules:edge_ab", "g.rules:4"]
    assert prog.clauses[0].loc == SourceLoc("g.rules", 2, 1)  # the head's place, for messages
    moved = parse_rules("% a comment\n\n" + text, "g.rules")
    assert [c.rule_id for c in moved.clauses] == ["g.rules:base_path", "g.rules:edge_ab", "g.rules:6"]
    assert format_clause(prog.clauses[0]) == "@base_path path(X, Y) :- edge(X, Y)."


@pytest.mark.parametrize("text, where, words", [
    ("@Big p(a).", (1, 1), "a rule's name is '@' and a lower-case name"),
    ("@ p(a).", (1, 1), "a rule's name is '@' and a lower-case name"),
    ("@x #base p(X).", (1, 4), "expected the head of the clause named '@x'"),
    ("@x @y p(a).", (1, 4), "(a clause has one name)"),
    ("p(a).\n@last\n", (2, 1), "expected the head of the clause named '@last' (a predicate name such as p(...)), found the end of the file"),
    ("p(a) @x.", (1, 6), "expected ':-' or '.'"),
])
def test_a_misplaced_or_malformed_rule_name_is_a_syntax_error(text, where, words):
    diags = errors(text)
    assert len(diags) == 1, diags
    assert (diags[0].code, (diags[0].loc.line, diags[0].loc.col)) == ("KGA101", where)
    assert words in diags[0].message, diags[0].message


def test_an_expression_too_deep_to_walk_is_a_syntax_error_naming_its_line():
    from kgagent.rules import Engine
    from kgagent.rules.parser import MAX_EXPRESSION_DEPTH

    longest = " + ".join(["S"] * (MAX_EXPRESSION_DEPTH + 1))  # exactly the bound: it works
    program = parse_rules(f"p(X) :- q(S), X = {longest}.", "t.rules")
    result = Engine(program).evaluate({"q": [(1,)]})
    assert set(result.facts("p")) == {(MAX_EXPRESSION_DEPTH + 1,)}

    deeper = " + ".join(["S"] * 5000)
    for text in (f"ok.\np(X) :- q(S), X = {deeper}.", "ok.\np(X) :- q(S), X = " + "-(" * 300 + "S" + ")" * 300 + "."):
        (d,) = errors(text)
        assert (d.code, d.loc.line) == ("KGA101", 2)
        assert f"more than {MAX_EXPRESSION_DEPTH} operations" in d.message and "variables" in d.message
    # brackets alone do not nest an operation
    assert not errors("p(X) :- q(S), X = " + "(" * 5000 + "S" + ")" * 5000 + ".")


def test_a_diagnostic_on_a_long_line_shows_the_part_around_its_column():
    from kgagent.rules.diagnostics import SHOWN_WIDTH

    text = "p(X) :- " + ", ".join(f"q(A{i}, X)" for i in range(100)) + " r(X)."
    (d,) = errors(text)
    head, src, caret = d.format({"t.rules": text}).split("\n")
    assert src.startswith("  ...") and src.endswith("r(X).")
    assert len(src) <= 2 + 3 + SHOWN_WIDTH
    assert src[caret.index("^")] == "r"
