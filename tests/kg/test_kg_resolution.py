"""Entity resolution: one new entity across documents, evidence recorded, no transitive chaining."""

from __future__ import annotations

import numpy as np
import pytest
from rdflib import OWL, URIRef

from kgagent.kg.resolution import canonical, resolve_new_entities
from kgagent.kg.vocab import ONT, RESOLUTION_GRAPH
from kgagent.schema import Provenance

from support.kg_fakes import ENT, trigram_embed


def _table_embed(table: dict[str, list[float]]):
    def embed(texts):
        v = np.array([table[t] for t in texts], dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    return embed


def test_same_new_entity_across_documents_is_merged_with_evidence(tiny):
    a = tiny.add_entity("Richard Parsons", ["person"], provenance=Provenance("d1", 0, 0, 15, 0.9))
    b = tiny.add_entity("Richard D. Parsons", ["person"], provenance=Provenance("d2", 0, 0, 18, 0.9))
    c = tiny.add_entity("Richard Parsons", ["organization"], provenance=Provenance("d3", 0, 0, 15, 0.9))
    tiny.add_fact(a, "work_for", ENT + "acme", Provenance("d1", 0, 0, 40, 0.9))
    tiny.add_fact(b, "work_for", ENT + "acme", Provenance("d2", 0, 0, 40, 0.8))
    merges = resolve_new_entities(tiny, trigram_embed, threshold=0.6)
    assert len(merges) == 1
    (m,) = merges
    assert {m.canonical, *m.members} == {a, b}  # the organization is another thing
    assert m.documents[m.members[0]] and m.similarity[m.members[0]] >= 0.6
    keep, gone = m.canonical, m.members[0]
    assert tiny.entity(gone) is None
    assert set(tiny.entity(keep).aliases) >= {"Richard D. Parsons"} or tiny.entity(keep).label == "Richard D. Parsons"
    assert canonical(tiny, gone) == keep
    assert (URIRef(gone), OWL.sameAs, URIRef(keep)) in tiny.dataset.graph(RESOLUTION_GRAPH)
    assert tiny.query(f"ASK {{ ?m a <https://w3id.org/kgagent/meta/Merge> ; "
                      f"<https://w3id.org/kgagent/meta/member> <{gone}> }}") is True
    # both documents now support the fact about the merged entity
    assert sorted(p.doc for p in tiny.provenance(keep, "work_for", ENT + "acme")) == ["d1", "d2"]
    tiny.remove_document("d1")
    assert tiny.query(f"ASK {{ <{keep}> <{ONT.work_for}> <{ENT}acme> }}") is True
    assert tiny.entity(c) is not None


def test_no_transitive_chaining():
    from kgagent.kg import KnowledgeGraph

    kg = KnowledgeGraph()
    kg.add_class("person")
    # "J. Smith" resembles both, but John and Jane do not resemble each other
    vec = {"John Smith": [1.0, 0.0, 0.2], "J. Smith": [1.0, 1.0, 0.2], "Jane Smith": [0.0, 1.0, 0.2]}
    ids = {n: kg.add_entity(n, ["person"], provenance=Provenance(f"d{i}", 0, 0, 5, 0.9))
           for i, n in enumerate(vec)}
    # J. Smith is seen in two documents, so it is clustered first: a single-linkage (chaining)
    # resolver would then pull both John and Jane into its cluster
    kg.add_entity("J. Smith", ["person"], provenance=Provenance("d9", 0, 0, 5, 0.9))
    embed = _table_embed(vec)
    sims = embed(list(vec)) @ embed(list(vec)).T
    assert sims[0, 1] > 0.7 and sims[1, 2] > 0.7 and sims[0, 2] < 0.1
    merges = resolve_new_entities(kg, embed, threshold=0.7)
    clusters = [{m.canonical, *m.members} for m in merges]
    assert len(clusters) == 1 and merges[0].canonical == ids["J. Smith"]
    assert clusters[0] in ({ids["J. Smith"], ids["John Smith"]}, {ids["J. Smith"], ids["Jane Smith"]})


def test_curated_entities_are_left_alone_and_dry_run_changes_nothing(tiny):
    a = tiny.add_entity("Acme Corp", ["organization"], provenance=Provenance("d1", 0, 0, 9, 0.9))
    b = tiny.add_entity("ACME Corp.", ["organization"], provenance=Provenance("d2", 0, 0, 9, 0.9))
    n = len(tiny)
    merges = resolve_new_entities(tiny, trigram_embed, threshold=0.6, apply=False)
    assert len(merges) == 1 and {merges[0].canonical, *merges[0].members} == {a, b}
    assert len(tiny) == n and tiny.entity(a) and tiny.entity(b)
    assert ENT + "acme" not in merges[0].members and merges[0].canonical != ENT + "acme"


def test_names_with_other_numbers_never_merge():
    """kg resolve over examples/corpus.txt merged '1986' with '1988' and 'July 1 1986', '$13
    billion' with six other sums, '3 p.m.' with '6 p.m.': alike to the embedder, other things."""
    from kgagent.kg import KnowledgeGraph
    from kgagent.kg.resolution import name_numbers

    kg = KnowledgeGraph()
    kg.add_class("misc")
    names = ["1986", "1988", "13 billion dlrs", "1.8 billion dlrs", "18 billion dlrs", "Agrimont", "Agrimont SpA",
             "Boeing 747", "Boeing 0747", "Group of Five", "Group of Seven", "G7"]
    ids = {n: kg.add_entity(n, ["misc"], provenance=Provenance(f"d{i}", 0, 0, 5, 0.9)) for i, n in enumerate(names)}
    same = _table_embed({n: [1.0, 0.0] for n in names})  # the embedder finds every pair alike
    # each name in a document of its own, in no company: the names alone decide here
    merges = resolve_new_entities(kg, same, threshold=0.6, shared_context=False)
    clusters = sorted(sorted([m.canonical, *m.members]) for m in merges)
    assert clusters == sorted([sorted([ids["Agrimont"], ids["Agrimont SpA"]]), sorted([ids["Boeing 747"], ids["Boeing 0747"]]),
                               sorted([ids["Group of Seven"], ids["G7"]])])
    assert name_numbers("$1.8 billion") == ("1", "8") and name_numbers("No. 007") == ("7",)
    assert name_numbers("Third Bank of Ninety Ones") == ("3",)  # whole words only
    assert kg.query("ASK { ?m <https://w3id.org/kgagent/meta/method> ?t FILTER(CONTAINS(?t, 'numbers')) }") is True


def test_names_that_say_one_another():
    """`kg resolve` over RSS-500's extraction merged 146 clusters, most of them namesakes of a
    topic: Terri Bowman and Terri Butler, FBI and CIA, Medicare and Medicaid, Chelsea and Arsenal,
    7:30 a.m. and 7:30 p.m. Two names must now say one another, word by word."""
    from kgagent.kg.resolution import name_agreement

    same = [("Jet Propulsion Lab", "Jet Propulsion Laboratory"), ("Martin Dempsey", "Martin E. Dempsey"),
            ("Department of Education", "Education Department"), ("Aug. 14, 2012", "August 14, 2012"),
            ("Calhoun Co.", "CALHOUN COUNTY"), ("Olympics", "Olympic"), ("J. Smith", "John Smith"),
            ("Kazakstan Airways", "Kazakhstan Airways")]
    assert [name_agreement(a, b) for a, b in same] == ["same"] * len(same)
    assert name_agreement("Smith", "Paul Smith") == name_agreement("Paul Smith", "Smith") == "last"
    assert name_agreement("Dish", "Dish Network") == "first"
    assert name_agreement("Apple", "Apple Inc.", frozenset({"inc"})) == "stem"
    assert name_agreement("Apple", "Apple Inc.") == "first"  # without the ontology's suffixes
    assert name_agreement("Luther", "Martin Luther King") == "inner"
    assert name_agreement("EU", "European Union") == "initials" and name_agreement("G7", "Group of Seven") == "same"
    never = [("Terri Bowman", "Terri Butler"), ("FBI", "CIA"), ("Medicare", "Medicaid"), ("Chelsea", "Arsenal"),
             ("7:30 a.m.", "7:30 p.m."), ("Manchester City", "New Manchester"), ("CIA", "Cianbro"),
             ("Post", "Postmedia"), ("EU", "European Commission"), ("Bill Clinton", "Hillary Clinton"),
             ("1986", "1988"), ("", "Smith")]
    assert [name_agreement(a, b) for a, b in never] == [None] * len(never)
    # words from inside another name: merged only where the ontology lets a kind's names shorten so
    assert name_agreement("University of Virginia", "West Virginia State University") == "inner"


def test_short_names_follow_the_ontology():
    """A person's name shortens to its last words, an organisation's to its first ones or its
    initials (the news ontology's short_name): "Pietersen" is Kevin Pietersen, "Kevin" is not;
    "Dish" is Dish Network, "Red Sox" stays apart from "Boston Red Sox" for such an ontology."""
    from kgagent.kg import KnowledgeGraph

    kg = KnowledgeGraph()
    kg.add_class("person")
    kg.add_class("organization")
    people = ["Kevin Pietersen", "Pietersen", "Kevin"]
    orgs = ["Dish Network", "Dish", "Boston Red Sox", "Red Sox", "Federal Aviation Administration", "FAA"]
    ids = {n: kg.add_entity(n, ["person"], provenance=Provenance(f"p{i}", 0, 0, 5, 0.9)) for i, n in enumerate(people)}
    ids |= {n: kg.add_entity(n, ["organization"], provenance=Provenance(f"o{i}", 0, 0, 5, 0.9)) for i, n in enumerate(orgs)}
    same = _table_embed({n: [1.0, 0.0] for n in people + orgs})
    short = {"person": ["last"], "organization": ["initials", "stem", "first"]}
    merges = resolve_new_entities(kg, same, threshold=0.6, kinds=["person", "organization"], short_names=short,
                                  apply=False, shared_context=False)  # the names alone decide here
    got = sorted((m.labels[m.canonical], m.labels[x], m.agreement[x]) for m in merges for x in m.members)
    assert got == [("Dish Network", "Dish", "first"), ("FAA", "Federal Aviation Administration", "initials"),
                   ("Kevin Pietersen", "Pietersen", "last")] or got == [
        ("Dish", "Dish Network", "first"), ("FAA", "Federal Aviation Administration", "initials"),
        ("Kevin Pietersen", "Pietersen", "last")], got
    # with no ontology, any part may merge (the library's default): "Red Sox" joins "Boston Red Sox"
    merges = resolve_new_entities(kg, same, threshold=0.6, apply=True, shared_context=False)
    assert canonical(kg, ids["Red Sox"]) == canonical(kg, ids["Boston Red Sox"])
    node = kg.query(f"SELECT ?how WHERE {{ ?m <https://w3id.org/kgagent/meta/member> <{ids['Red Sox']}> ; "
                    f"<https://w3id.org/kgagent/meta/nameAgreement> ?how }}")
    assert [r["how"] for r in node] == ["last"]


def test_a_part_of_a_name_merges_across_documents_only_in_company():
    """RSS-500's "Lee" (a Taiwanese official's story) merged with Bill Lee (a Tennessee story),
    "Cain", "Jones" and "Clark" likewise: a surname alone in one document and the only full name
    with it in another. Across documents a part of a name now merges only where the documents
    name another entity in common; the same words merge as before, and without shared_context
    the names alone decide."""
    from kgagent.kg import KnowledgeGraph

    kg = KnowledgeGraph()
    kg.add_class("person")
    kg.add_class("location")

    def mention(name: str, kind: str, doc: str) -> str:
        return kg.add_entity(name, [kind], provenance=Provenance(doc, 0, 0, len(name), 0.9))

    lee, bill_lee = mention("Lee", "person", "taiwan"), mention("Bill Lee", "person", "tennessee")
    mention("Taiwan", "location", "taiwan")
    mention("Tennessee", "location", "tennessee")
    obama, barack = mention("Obama", "person", "debate"), mention("Barack Obama", "person", "campaign")
    romney = mention("Mitt Romney", "person", "debate")
    kg.add_fact(barack, "rivals", romney, Provenance("campaign", 0, 0, 30, 0.9))  # a fact's argument is company too
    richard, parsons = mention("Richard Parsons", "person", "merger"), mention("Richard D. Parsons", "person", "board")
    names = ["Lee", "Bill Lee", "Taiwan", "Tennessee", "Obama", "Barack Obama", "Mitt Romney", "Richard Parsons",
             "Richard D. Parsons"]
    same = _table_embed({n: [1.0, 0.0] for n in names})
    kinds = {"person": ["last"]}
    merges = resolve_new_entities(kg, same, threshold=0.6, kinds=["person"], short_names=kinds, apply=False)
    got = {frozenset([m.canonical, *m.members]): m.agreement for m in merges}
    assert set(got) == {frozenset([obama, barack]), frozenset([richard, parsons])}
    assert list(got[frozenset([obama, barack])].values()) == ["last"]
    assert list(got[frozenset([richard, parsons])].values()) == ["same"]  # no company needed
    merges = resolve_new_entities(kg, same, threshold=0.6, kinds=["person"], short_names=kinds, apply=False,
                                  shared_context=False)
    assert frozenset([lee, bill_lee]) in {frozenset([m.canonical, *m.members]) for m in merges}


def test_a_part_of_several_names_merges_with_none():
    """RSS-500's "Smith" was merged with Brian Smith though Paul, Steve and Steven Smith were
    there too; N3's "Cain" with Cain Chemical though Gordon Cain was there. A short name that is
    a part of two or more names which are not one name stays apart; one of a single name merges."""
    from kgagent.kg import KnowledgeGraph

    kg = KnowledgeGraph()
    kg.add_class("person")
    names = ["Smith", "Paul Smith", "Steve Smith", "Pietersen", "Kevin Pietersen", "Cain", "Gordon Cain",
             "Cain Chemical", "Dempsey", "Martin Dempsey", "Martin E. Dempsey"]
    ids = {n: kg.add_entity(n, ["person"], provenance=Provenance(f"d{i}", 0, 0, 5, 0.9)) for i, n in enumerate(names)}
    same = _table_embed({n: [1.0, 0.0] for n in names})
    resolve_new_entities(kg, same, threshold=0.6, shared_context=False)  # the names alone decide here
    one = lambda a, b: canonical(kg, ids[a]) == canonical(kg, ids[b])  # noqa: E731
    assert not one("Smith", "Paul Smith") and not one("Smith", "Steve Smith") and not one("Paul Smith", "Steve Smith")
    assert not one("Cain", "Gordon Cain") and not one("Cain", "Cain Chemical")
    assert one("Pietersen", "Kevin Pietersen")
    # two names that are one name ("Martin E. Dempsey") leave "Dempsey" a part of one person
    assert one("Martin Dempsey", "Martin E. Dempsey") and one("Dempsey", "Martin Dempsey")


@pytest.mark.parametrize("seed,short_names", [(7, None), (11, {"person": ["last"]})])
def test_blocking_by_names_changes_no_merge(monkeypatch, seed, short_names):
    """Clustering compares a name only with those that may agree with it (a word said strongly,
    an initial or an abbreviation beside one, an acronym and what it stands for, numbers): the
    merges are those of comparing every pair."""
    import random

    import kgagent.kg.resolution as res
    from kgagent.kg import KnowledgeGraph

    rng = random.Random(seed)
    words = ["Smith", "Smyth", "Jones", "Acme", "Acme Corp", "Kazakhstan", "Kazakstan", "Airways", "Paul", "P.",
             "Steve", "European", "Union", "EU", "Aug.", "August", "14", "2012", "Group", "of", "Seven", "G7",
             "Laboratory", "Lab", "Jet", "Propulsion", "Dodgers", "Los", "Angeles", "Medicare", "Medicaid",
             "J.", "S.", "SJ", "PS", "JP", "LA", "Labs"]
    names = sorted({" ".join(rng.choice(words) for _ in range(rng.randint(1, 4))) for _ in range(300)})

    def build():
        kg = KnowledgeGraph()
        kg.add_class("person")
        for i, n in enumerate(names):
            kg.add_entity(n, ["person"], provenance=Provenance(f"d{i % 17}", 0, 0, 5, 0.9))
        return kg

    def embed(texts):  # alike where the first letters are: many pairs reach the threshold
        v = np.array([[1.0, (ord(t[0]) % 5) / 10.0, len(t) % 3 / 10.0] for t in texts], dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def merges(kg):
        return sorted((m.canonical, tuple(m.members), tuple(sorted(m.agreement.items())))
                      for m in resolve_new_entities(kg, embed, threshold=0.9, apply=False, short_names=short_names))

    blocked = merges(build())
    monkeypatch.setattr(res, "_NameBlocks", res.EveryPair)
    assert blocked == merges(build()) and len(blocked) >= 20


def test_blocking_meets_few_names_through_a_common_word_or_initials():
    """Names that share only a common first name, their initials or a middle initial cannot say
    one another: each meets the few names that say its rare word (the surname), not the
    thousand holding "John" (which made clustering quadratic in the names)."""
    from kgagent.kg.aliases import alias_keys
    from kgagent.kg.resolution import _NameBlocks, name_numbers

    surnames = [f"Sur{a}{b}{c}" for a in "bdgklmnprs" for b in "aeiou" for c in "tvz"]  # 150
    labels = [f"John {s}" for s in surnames] + [f"John J. {s}" for s in surnames] + surnames
    labels += ["Jay Surbat", "JS", "J. Surbat Corp"]
    blocks = _NameBlocks(labels, [alias_keys(x)[2] for x in labels], [name_numbers(x) for x in labels])
    sizes = [len(blocks.near(i)) for i in range(len(labels))]
    assert max(sizes[:-3]) <= 6 and sum(sizes[:-3]) / len(sizes[:-3]) < 5
    near = {labels[j] for j in blocks.near(labels.index("John Surbat"))}
    # the same surname, an initial standing for "John", the acronym of its initials; no other
    # John, though every one of them has the initials JS too
    assert {"John J. Surbat", "Surbat", "Jay Surbat", "J. Surbat Corp", "JS"} <= near
    assert not near & {"John Surbav", "John J. Surbav", "Surbav"}
