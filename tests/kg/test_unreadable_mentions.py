"""A text the embedding model reads nothing of (every token its vocabulary's unknown token: an
emoji, runes, "Kǝngǝrli" for an uncased English vocabulary) embeds as every other such text does,
cosine 1.0. `kg link 🙂` linked to the region Kǝngǝrli at score 1.000, and `validate` accepted
located_in(🙂, Azerbaijan). Such a mention is now found by its names only, never by its vector."""

from __future__ import annotations

from pathlib import Path

from kgagent.kg import KnowledgeGraph
from kgagent.kg.index import Embedder
from kgagent.kg.linker import Linker


def _graph() -> KnowledgeGraph:
    kg = KnowledgeGraph()
    kg.add_class("location")
    kg.add_entity("ǝǝǝ", ["location"])  # letters the tiny model's a-z vocabulary lacks
    kg.add_entity("baku", ["location"])
    return kg


def test_the_embedder_says_which_texts_it_reads_nothing_of(tiny_st: Path) -> None:
    emb = Embedder(tiny_st)
    assert emb.unreadable(["🙂", "ǝǝǝ", "ᚠᚢᚦ ǝ", "", "baku", "ǝǝǝ baku", "🙂 a"]) == [
        True, True, True, True, False, False, False]
    assert emb.unreadable([]) == []
    # and why it matters: two of them embed alike, whatever they say
    a, b = emb(["🙂", "ǝǝǝ"])
    assert float(a @ b) > 0.999


def test_an_unreadable_mention_links_by_its_names_only(tiny_st: Path, tmp_path: Path) -> None:
    linker = Linker(_graph(), model=tiny_st, index_dir=tmp_path / "index", nil_threshold=0.5)
    smiley, runes, same, readable = linker.link([("🙂", "location"), ("ᚠᚢᚦ", None), ("ǝǝǝ", "location"),
                                                 ("baku", "location")])
    assert smiley.entity is None and smiley.candidates == [] and smiley.method == "nil"
    assert runes.entity is None and runes.candidates == []
    assert same.method == "alias" and same.candidates[0].label == "ǝǝǝ"  # its own name still finds it
    assert readable.candidates and readable.candidates[0].label == "baku"
