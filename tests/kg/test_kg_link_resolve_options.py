"""``kg link --type/--nil-threshold`` and ``kg resolve --threshold``: values the domain or the
score scale does not know are usage errors (exit 2), never silently ignored or all-merging."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kgagent.kg import KnowledgeGraph
from kgagent.schema import Provenance
from kgagent_cli.main import app


def run(*args):
    return CliRunner().invoke(app, ["kg", *map(str, args)])


def test_link_type_the_domain_does_not_know_is_refused_listing_what_it_knows(tiny_dir, tiny_st):
    r = run("link", "Paris", "--type", "Bogus", "--graph", tiny_dir, "--embedder", tiny_st)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert "KGA656" in r.stderr and "'Bogus'" in r.stderr
    assert "location" in r.stderr and "Peop" in r.stderr  # a class and a label of the news domain
    r = run("link", "Paris", "--type", "Peop", "--graph", tiny_dir, "--embedder", tiny_st)  # a label: fine
    assert r.exit_code == 0, r.output


def test_link_type_naming_a_relation_is_no_class(tiny_dir, tiny_st):
    r = run("link", "Paris", "--type", "work_for", "--graph", tiny_dir, "--embedder", tiny_st)
    assert r.exit_code == 2 and "KGA656" in r.stderr


@pytest.mark.parametrize("value", ["nan", "-0.1", "1.5", "inf"])
def test_link_nil_threshold_must_be_in_0_1(tiny_dir, tiny_st, value):
    r = run("link", "Paris", "--nil-threshold", value, "--graph", tiny_dir, "--embedder", tiny_st)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert "--nil-threshold" in r.output and "[0, 1]" in r.output


def _two_new_people(tiny_dir):
    kg = KnowledgeGraph.load(tiny_dir)
    kg.add_entity("Jean Dupont", ["person"], provenance=Provenance("d1", 0, 0, 4, 0.9))
    kg.add_entity("Marie Curie", ["person"], provenance=Provenance("d2", 0, 0, 4, 0.9))
    kg.save(tiny_dir / "graph.nq")
    (tiny_dir / "graph.ttl").unlink()


@pytest.mark.parametrize("value", ["-1", "0", "5", "nan"])
def test_resolve_threshold_must_be_a_cosine_in_0_1(tiny_dir, tiny_st, value):
    _two_new_people(tiny_dir)
    r = run("resolve", "--graph", tiny_dir, "--embedder", tiny_st, "--threshold", value)
    assert isinstance(r.exception, SystemExit) and r.exit_code == 2, r.output
    assert "--threshold" in r.output and "(0, 1]" in r.output
    assert len([e for e in KnowledgeGraph.load(tiny_dir).entities() if "/new/" in e]) == 2  # nothing merged


def test_resolve_threshold_1_is_allowed(tiny_dir, tiny_st):
    _two_new_people(tiny_dir)
    r = run("resolve", "--graph", tiny_dir, "--embedder", tiny_st, "--threshold", "1", "--dry-run")
    assert r.exit_code == 0 and "0 merge(s) (dry run)" in r.stdout, r.output
