"""`kgagent facts`: what the graph holds about names, and where each fact came from, from a terminal."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kgagent_cli.main import app


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_facts_of_the_graph_and_of_an_extraction(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    r = run("facts", "--head", "Boston", "--graph", graph_dir)
    assert r.exit_code == 0, r.output
    assert "head 'Boston' -> Boston (urn:ex:boston; alias, 1.00)" in r.output and "2 facts" in r.output
    assert "located_in(Boston, Massachusetts)" in r.output and "located_in(Boston, United States)" in r.output
    assert r.output.count("graph") >= 2
    # what an extraction accepted, with its document, sentence, score, rule and decision (--with, nothing saved)
    corpus = tmp_path / "news.txt"
    corpus.write_text("Richard Parsons works for Time Warner.\n")
    out = tmp_path / "out"
    assert run("extract", corpus, "--out", out, "--graph", graph_dir, "--quiet").exit_code == 0
    (decision,) = [d for d in map(json.loads, (out / "decisions.jsonl").read_text().splitlines())
                   if d["kind"] == "relation" and d["verdict"] == "accept"]
    r = run("facts", "-p", "work_for", "--tail", "Time Warner", "--graph", graph_dir, "--with", out)
    assert r.exit_code == 0, r.output
    assert "work_for(Richard Parsons, Time Warner)" in r.output and f"news#1 sentence 0, {decision['score']:.3f}" in r.output
    assert decision["id"] in r.output.replace("\n", "").replace("│", "").replace(" ", "")
    r = run("facts", "-p", "work_for", "--tail", "Time Warner", "--graph", graph_dir)
    assert "tail 'Time Warner': the graph knows no such entity of the kind asked" in r.output and "no facts" in r.output


def test_facts_as_json_with_a_limit(fake_cli, graph_dir: Path) -> None:
    r = run("facts", "-p", "located_in", "--tail", "United States", "--graph", graph_dir, "--json", "--limit", "1")
    assert r.exit_code == 0, r.output
    answer = json.loads(r.stdout)
    assert answer["total"] == 3 and len(answer["facts"]) == 1
    assert answer["tail"]["entity"] == "urn:ex:us" and answer["head"] is None and answer["predicate"] == "located_in"
    assert answer["facts"][0] == {"head": "Boston", "predicate": "located_in", "tail": "United States",
                                  "head_iri": "urn:ex:boston", "tail_iri": "urn:ex:us", "curated": True, "sources": []}


def test_facts_usage_errors(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    r = run("facts", "--graph", graph_dir)
    assert r.exit_code == 2 and "KGA417 ask about something" in r.output
    r = run("facts", "--head", "Boston", "-p", "works_at", "--graph", graph_dir)
    assert r.exit_code == 2 and "KGA416 the ontology has no relation 'works_at'" in r.output
    r = run("facts", "--head", "Boston", "--with", tmp_path / "none")
    assert r.exit_code == 2 and "KGA409" in r.output
    bad = tmp_path / "bad.nt"
    bad.write_text("<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> \"unterminated .\n")
    r = run("facts", "--head", "Boston", "--graph", graph_dir, "--with", bad)
    assert r.exit_code == 1 and f"{bad}:2: KGA201 malformed nt graph" in r.output
    assert all("Traceback" not in x for x in (r.output,))


def test_facts_by_alias_never_load_torch(graph_dir: Path) -> None:
    # the query use starts without torch (about 2 s): the precision is checked by name, and whether
    # the linker embeds in bfloat16 is asked only when a name needs its embedder
    import subprocess
    import sys

    code = ("import sys\nfrom kgagent import Agent\n"
            f"agent = Agent.load(kg={str(graph_dir)!r})\n"
            "answer = agent.facts(head='Boston', predicate='located_in')\n"
            "print(sorted(f.object_label for f in answer.facts), 'torch' in sys.modules)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "['Massachusetts', 'United States'] False"


def test_a_label_s_control_characters_are_shown_not_sent(fake_cli, graph_dir: Path, tmp_path: Path) -> None:
    """Before: a graph label holding ESC (a label from a corpus, or a graph given) reached the
    terminal in the facts table and recoloured it."""
    g = tmp_path / "g"
    g.mkdir()
    (g / "graph.ttl").write_text((graph_dir / "graph.ttl").read_text().replace('"Boston"', '"Bos\\u001B[31mton"'))
    r = run("facts", "-p", "located_in", "--graph", g)
    assert r.exit_code == 0, r.output
    assert "located_in(Bos\\x1b[31mton, Massachusetts)" in r.output and "\x1b" not in r.output
