"""Places are known by their names (a domain's ``link_by_name``): an entity the embedding index
finds is a candidate only when one of its names says the mention's words; codes ("US") name a
place only for a mention of a place written in capitals; the GeoNames builder keeps airport codes
out of the alternate names and ISO codes out of the aliases."""

from __future__ import annotations

import doctest

import pytest
from rdflib import Literal, URIRef

import kgagent.kg.aliases
from kgagent.kg import KnowledgeGraph
from kgagent.kg.aliases import same_words
from kgagent.kg.vocab import KGA, SKOS_ALT

from support.kg_fakes import trigram_embed


def _places() -> KnowledgeGraph:
    kg = KnowledgeGraph()
    for c in ("person", "location", "other"):
        kg.add_class(c)
    kg.add_class("city", "location")
    kg.add_class("country", "location")
    kg.add_class("misc", "other")
    kg.add_entity("Hayesville", ["city"], iri="urn:ex:hayesville")
    kg.add_entity("Council Bluffs", ["city"], iri="urn:ex:council-bluffs")
    kg.add_entity("Bosnia and Herzegovina", ["country"], aliases=["Bosnia-Herzegovina"], iri="urn:ex:ba")
    us = kg.add_entity("United States", ["country"], iri="urn:ex:us")
    for code in ("US", "USA"):
        kg.add(URIRef(us), KGA.code, Literal(code))
    return kg


def _linker(kg: KnowledgeGraph, **kw):
    kw.setdefault("nil_threshold", 0.3)
    return kg.linker(embed=lambda t: trigram_embed(t, 64), embed_id="tri", persist=False,
                     kinds={"person", "location", "other"}, untyped="other", **kw)


def test_same_words_and_the_alias_modules_doctests() -> None:
    assert doctest.testmod(kgagent.kg.aliases).failed == 0
    assert same_words("Herzegovina Bosnia", "Bosnia-Herzegovina")  # any order, punctuation aside
    assert same_words("COUNCIL BLUFFS, Iowa", "Council Bluffs")
    assert not same_words("Iowa", "Council Bluffs, Iowa")  # the qualifier is the mention's, not the name's
    assert not same_words("Aumsville", "Hayesville") and not same_words("", "Hayesville")


def test_a_place_found_by_similarity_alone_needs_the_mentions_words() -> None:
    kg = _places()
    loose, by_name = _linker(kg), _linker(kg, by_name=True)
    mentions = [("Aumsville", "location"), ("Council Bluffs , Iowa", "location")]
    aums, bluffs = loose.link(mentions)
    assert aums.entity == "urn:ex:hayesville" and aums.method == "index"  # similar letters, another town
    aums, bluffs = by_name.link(mentions)
    assert aums.is_nil and all(c.entity != "urn:ex:hayesville" for c in aums.candidates)
    assert bluffs.entity == "urn:ex:council-bluffs" and bluffs.method == "index"  # its words, and a qualifier


def test_nearly_the_same_embedding_is_enough_without_the_words() -> None:
    kg = _places()
    sim = float(_linker(kg, nil_threshold=-1.0).link([("Hayesvil", "location")])[0].candidates[0].score)
    assert _linker(kg, by_name=True, similar_enough=sim - 0.1).link([("Hayesvil", "location")])[0].entity \
        == "urn:ex:hayesville"
    assert _linker(kg, by_name=True, similar_enough=1.01).link([("Hayesvil", "location")])[0].is_nil


def test_another_spelling_of_a_long_word_is_the_same_name() -> None:
    """A letter in a word of seven letters or more ("Kazakstan", "Hayesvile"), not in a short one."""
    kg = _places()
    by_name = _linker(kg, by_name=True, similar_enough=1.01)
    (one_letter,) = by_name.link([("Hayesvile", "location")])
    assert one_letter.entity == "urn:ex:hayesville" and one_letter.method == "index"
    assert same_words("Kazakstan", "Kazakhstan") and not same_words("Belen", "Belém")
    assert not same_words("Hayesvil", "Hayesville")  # two letters apart


def test_a_code_names_a_place_for_a_place_in_capitals_only() -> None:
    linker = _linker(_places())
    us_dotted, us, usa, typeless, person, era, lower = linker.link(
        [("U.S.", "location"), ("US", "location"), ("USA", "location"), ("U.S.", None), ("US", "person"),
         ("A.D.", "misc"), ("Us", "location")])
    for lk in (us_dotted, us, usa, typeless):
        assert lk.entity == "urn:ex:us" and lk.method == "alias", lk
    assert us_dotted.score >= 0.9  # trusted: the rules may use it
    assert person.entity != "urn:ex:us" and lower.entity != "urn:ex:us"
    assert era.is_nil or era.entity != "urn:ex:us"


def test_a_code_gives_way_to_a_name() -> None:
    kg = _places()
    kg.add(URIRef("urn:ex:ba"), KGA.code, Literal("BA"))
    ba = kg.add_entity("Ba", ["city"], iri="urn:ex:ba-city")
    assert _linker(kg).link([("BA", "location")])[0].entity == ba


def test_a_code_after_the_comma_says_which_namesake() -> None:
    """"Springfield, IL" as one mention: the postal code names Illinois (``kga:code``), so the
    Springfield there, not the larger one elsewhere."""
    from kgagent.kg.vocab import term_iri

    kg = _places()
    kg.add_class("region", "location")
    il = kg.add_entity("Illinois", ["region"], iri="urn:ex:il")
    kg.add(URIRef(il), KGA.code, Literal("IL"))
    for iri, where, people in (("urn:ex:spr-il", il, 110_000), ("urn:ex:spr-mo", "urn:ex:us", 160_000)):
        kg.add_entity("Springfield", ["city"], iri=iri)
        kg.add(URIRef(iri), term_iri("located_in"), URIRef(where))
        kg.add(URIRef(iri), KGA.population, Literal(people))
    linker = _linker(kg, by_name=True)
    alone, qualified = linker.link([("Springfield", "location"), ("Springfield, IL", "location")])
    assert alone.entity == "urn:ex:spr-mo" and qualified.entity == "urn:ex:spr-il"


def test_a_region_known_by_its_cities_outranks_a_namesake_town_not_the_city_of_its_name() -> None:
    """A region has no population in the sources: the builder gives a US state the people of its
    cities as ``kga:populationAtLeast``. "Virginia" is then the state, not a town of 122,000 of
    that name; "New York" is still New York City (its alternate name, a city of millions), as the
    state is a region, however large its cities: minor beside it."""
    from rdflib import XSD

    from kgagent.kg.vocab import term_iri

    kg = _places()
    kg.add_class("region", "location")
    people = lambda n: Literal(n, datatype=XSD.integer)  # noqa: E731
    va = kg.add_entity("Virginia", ["region"], iri="urn:ex:va")
    town = kg.add_entity("Virginia", ["city"], iri="urn:ex:virginia-za")
    kg.add(URIRef(town), KGA.population, people(122_502))
    ny = kg.add_entity("New York", ["region"], iri="urn:ex:ny")
    nyc = kg.add_entity("New York City", ["city"], aliases=["New York"], iri="urn:ex:nyc")
    kg.add(URIRef(nyc), KGA.population, people(8_175_133))
    kg.add(URIRef(nyc), term_iri("located_in"), URIRef(ny))
    assert _linker(kg).link([("Virginia", "location")])[0].entity == town  # a region by its degree alone
    kg.add(URIRef(va), KGA.populationAtLeast, people(1_500_000))
    kg.add(URIRef(ny), KGA.populationAtLeast, people(9_000_000))
    assert kg.population_bounded_only(va) and not kg.population_bounded_only(town)
    virginia, new_york = _linker(kg).link([("Virginia", "location"), ("New York", "location")])
    assert virginia.entity == va and new_york.entity == nyc


def test_a_stated_prominence_is_the_prior_a_sea_by_its_name_over_a_namesake_region() -> None:
    """A sea has no people and lies in no place, so its prior by degree was 0 and Sudan's "Red Sea"
    state (a region known by its degree) won the tie of their names; the news graph states a sea's
    prominence (``kga:prominence``), which ``prior`` and the linker's profiles read first."""
    from rdflib import XSD

    from kgagent.kg.vocab import term_iri

    kg = _places()
    kg.add_class("region", "location")
    kg.add_class("sea", "location")
    state = kg.add_entity("Red Sea", ["region"], iri="urn:ex:sd-rs")
    kg.add(URIRef(state), term_iri("located_in"), URIRef("urn:ex:us"))
    sea = kg.add_entity("Red Sea", ["sea"], iri="urn:ex:red-sea")
    assert kg.prior(sea) == 0.0 and _linker(kg).link([("Red Sea", "location")])[0].entity == state
    kg.add(URIRef(sea), KGA.prominence, Literal(0.7, datatype=XSD.decimal))
    assert kg.prior(sea) == 0.7 and kg.entity_profiles()[0][sea] == 0.7
    assert _linker(kg).link([("Red Sea", "location")])[0].entity == sea
    kg.add(URIRef(state), KGA.prominence, Literal("much"))  # not a number: the prior as before
    assert kg.prior(state) == kg.entity_profiles()[0][state] < 0.1


def test_a_documents_places_choose_among_namesakes_of_like_size() -> None:
    """Linker.cohere: "Greenville" names a town in North Carolina (90,000) and one in Mississippi
    (30,000); beside "Clarksdale", in Mississippi, it is Mississippi's. "Paris" beside "Dallas"
    stays Paris, France: Paris, Texas is a hundred times smaller. Alone, each is the linker's."""
    from kgagent.kg.vocab import term_iri

    kg = _places()
    kg.add_class("region", "location")
    within = term_iri("located_in")
    people = {"urn:ex:gv-nc": 90_000, "urn:ex:gv-ms": 30_000, "urn:ex:clarksdale": 16_000,
              "urn:ex:paris": 2_100_000, "urn:ex:paris-tx": 25_000, "urn:ex:dallas": 1_300_000}
    for iri, name in (("urn:ex:nc", "North Carolina"), ("urn:ex:ms", "Mississippi"), ("urn:ex:tx", "Texas")):
        kg.add_entity(name, ["region"], iri=iri)
        kg.add(URIRef(iri), within, URIRef("urn:ex:us"))
    kg.add_entity("France", ["country"], iri="urn:ex:fr")
    for iri, name, where in (("urn:ex:gv-nc", "Greenville", "urn:ex:nc"), ("urn:ex:gv-ms", "Greenville", "urn:ex:ms"),
                             ("urn:ex:clarksdale", "Clarksdale", "urn:ex:ms"), ("urn:ex:paris", "Paris", "urn:ex:fr"),
                             ("urn:ex:paris-tx", "Paris", "urn:ex:tx"), ("urn:ex:dallas", "Dallas", "urn:ex:tx")):
        kg.add_entity(name, ["city"], iri=iri)
        kg.add(URIRef(iri), within, URIRef(where))
        kg.add(URIRef(iri), KGA.population, Literal(people[iri]))
    linker = _linker(kg, by_name=True)

    def linked(*names: str) -> list[tuple[str | None, str]]:
        return [(lk.entity, lk.method) for lk in linker.cohere(linker.link([(n, "location") for n in names]))]

    assert linked("Greenville") == [("urn:ex:gv-nc", "alias")]
    assert linked("Greenville", "Clarksdale") == [("urn:ex:gv-ms", "coherence"), ("urn:ex:clarksdale", "alias")]
    assert linked("Paris", "Dallas")[0] == ("urn:ex:paris", "alias")
    assert linker.cohere(linker.link([("Greenville", "location")]), max_gap=1.0)[0].entity == "urn:ex:gv-nc"
    # the size guard is what keeps Paris: without it, Texas's
    either = linker.cohere(linker.link([("Paris", "location"), ("Dallas", "location")]), max_gap=1.0)
    assert either[0].entity == "urn:ex:paris-tx" and either[0].method == "coherence"
    # a US state is of no known size (kga:populationAtLeast): "Georgia" beside Atlanta is the state
    kg.add_entity("Georgia", ["country"], iri="urn:ex:ge")
    kg.add(URIRef("urn:ex:ge"), KGA.population, Literal(3_700_000))
    kg.add_entity("Georgia", ["region"], iri="urn:ex:ga")
    kg.add(URIRef("urn:ex:ga"), within, URIRef("urn:ex:us"))
    kg.add(URIRef("urn:ex:ga"), KGA.populationAtLeast, Literal(2_000_000))
    kg.add_entity("Atlanta", ["city"], iri="urn:ex:atlanta")
    kg.add(URIRef("urn:ex:atlanta"), within, URIRef("urn:ex:ga"))
    kg.add(URIRef("urn:ex:atlanta"), KGA.population, Literal(500_000))
    linker = _linker(kg, by_name=True)
    assert linked("Georgia") == [("urn:ex:ge", "alias")]
    assert linked("Georgia", "Atlanta")[0] == ("urn:ex:ga", "coherence")
    # an ambiguous mention tells what all its namesakes share: "Badajoz", the city or its
    # province, lies in Spain, so "Salamanca" beside it is Spain's, not Mexico's
    for iri, name, kind, where, people in (
            ("urn:ex:es", "Spain", "country", None, 47_000_000), ("urn:ex:mx", "Mexico", "country", None, 126_000_000),
            ("urn:ex:ba-prov", "Badajoz", "region", "urn:ex:es", None),
            ("urn:ex:ba-city", "Badajoz", "city", "urn:ex:ba-prov", 150_000),
            ("urn:ex:sa-es", "Salamanca", "city", "urn:ex:es", 147_000),
            ("urn:ex:sa-mx", "Salamanca", "city", "urn:ex:mx", 160_000)):
        kg.add_entity(name, [kind], iri=iri)
        if where:
            kg.add(URIRef(iri), within, URIRef(where))
        if people:
            kg.add(URIRef(iri), KGA.population, Literal(people))
    kg.add(URIRef("urn:ex:ba-city"), within, URIRef("urn:ex:es"))
    linker = _linker(kg, by_name=True)
    assert linked("Salamanca") == [("urn:ex:sa-mx", "alias")]
    assert linked("Salamanca", "Badajoz")[0] == ("urn:ex:sa-es", "coherence")


def test_a_domains_own_name_of_a_city_ranks_as_its_label() -> None:
    """GeoNames lists "Hanover" among Hannover's many alternate names, which lose to another
    place's label ("Hanover", Maryland); a name the domain gives (``kga:ownName``, from
    place_names.toml's [city_names]) is as much the city's own as its label: the prior decides."""
    kg = _places()
    for iri, label, people in (("urn:ex:hannover", "Hannover", 515_000), ("urn:ex:hanover-md", "Hanover", 36_000)):
        kg.add_entity(label, ["city"], iri=iri)
        kg.add(URIRef(iri), KGA.population, Literal(people))
    kg.add(URIRef("urn:ex:hannover"), SKOS_ALT, Literal("Hanover"))
    assert _linker(kg, by_name=True).link([("Hanover", "location")])[0].entity == "urn:ex:hanover-md"
    kg.add(URIRef("urn:ex:hannover"), KGA.ownName, Literal("Hanover"))
    assert list(kg.own_name_table()) == [("urn:ex:hannover", "Hanover")]
    assert _linker(kg, by_name=True).link([("Hanover", "location")])[0].entity == "urn:ex:hannover"


def test_the_news_domain_links_places_by_name_and_a_domain_may_not() -> None:
    from kgagent.domain import Domain

    assert Domain.load().link_by_name is True


def test_link_by_name_must_be_true_or_false(tmp_path) -> None:
    from kgagent.domain import check_domain

    d = tmp_path / "d"
    d.mkdir()
    (d / "domain.toml").write_text('name = "d"\nlink_by_name = "yes"\n')
    (d / "ontology.toml").write_text('[classes.thing]\n')
    problems = check_domain(d)
    assert [(p.code, p.location.line, p.message) for p in problems if p.code == "KGA610"] == \
        [("KGA610", 2, "link_by_name is true or false")]


def test_geonames_alternates_leave_airport_codes_out() -> None:
    from kgagent.kg.geonames import _good_alternates

    got = _good_alternates(["DAY", "Dejton", "Dayton OH", "JAN"], "Dayton", 8)
    assert "DAY" not in got and "JAN" not in got and "Dejton" in got


def test_a_city_loses_an_alternate_name_that_names_a_larger_place() -> None:
    """GeoNames lists "Berlin" among North Canton's old names and "New York" among New York
    City's: the first is Berlin's name (a larger city), taken away; the second is the state's,
    a region without a population of its own, which takes nothing away; "Canton" stays."""
    from rdflib import RDF, RDFS, XSD

    from kgagent.kg.geonames import _borrowed_alternates
    from kgagent.kg.vocab import SKOS_ALT

    ppl, e = URIRef("urn:ex:PPL"), (lambda x: URIRef("urn:ex:" + x))
    people = lambda n: Literal(n, datatype=XSD.integer)  # noqa: E731
    t = [(e("berlin"), RDFS.label, Literal("Berlin")), (e("berlin"), KGA.population, people(3_400_000)),
         (e("berlin"), RDF.type, ppl),
         (e("canton"), RDFS.label, Literal("North Canton")), (e("canton"), RDF.type, ppl),
         (e("canton"), KGA.population, people(17_000)), (e("canton"), SKOS_ALT, Literal("BERLIN")),
         (e("canton"), SKOS_ALT, Literal("Canton")),
         (e("ny"), RDFS.label, Literal("New York")), (e("ny"), KGA.populationAtLeast, people(9_000_000)),
         (e("nyc"), RDFS.label, Literal("New York City")), (e("nyc"), RDF.type, ppl),
         (e("nyc"), KGA.population, people(8_000_000)), (e("nyc"), SKOS_ALT, Literal("New York"))]
    assert _borrowed_alternates(t, ppl) == {(e("canton"), "BERLIN")}


def test_country_spellings_from_countryinfo_without_codes_or_names_in_use() -> None:
    from kgagent.kg.geonames import country_alt_spellings

    d = country_alt_spellings()
    assert "UK" in d["GB"] and "Great Britain" in d["GB"]
    assert not {"GB", "GBR"} & set(d["GB"]) and not {"US", "USA"} & set(d.get("US", []))
    assert "Holland" in d["NL"] and "Holland" not in country_alt_spellings({"holland"}).get("NL", [])


@pytest.mark.slow
def test_the_default_graph_links_us_by_its_code_and_not_a_town_by_its_look() -> None:
    kg = KnowledgeGraph.load()
    linker = kg.linker(by_name=True)
    us, dotted, town, britain = linker.link([("US", "location"), ("U.S.", "location"), ("Aumsville", "location"),
                                            ("Britain", "location")])
    assert us.entity == dotted.entity and kg.entity(us.entity).label == "United States" and dotted.score >= 0.9
    assert town.is_nil  # GeoNames' Hayesville is not Aumsville
    assert kg.entity(britain.entity).label == "United Kingdom"  # kg_data/place_names.toml


def test_a_qualifier_after_a_comma_chooses_the_namesake_that_lies_there() -> None:
    """ "Springfield, Mass." is the Springfield a relation leads from to Massachusetts; with a
    qualifier the graph knows but no namesake there, the graph lacks the place (NIL); a qualifier
    that names nothing leaves the choice to the scores."""
    from kgagent.kg.vocab import term_iri

    kg = _places()
    loc = term_iri("located_in")
    ma = kg.add_entity("Massachusetts", ["location"], aliases=["Mass."], iri="urn:ex:ma")
    il = kg.add_entity("Illinois", ["location"], iri="urn:ex:il")
    oh = kg.add_entity("Ohio", ["location"], iri="urn:ex:oh")
    big = kg.add_entity("Springfield", ["city"], iri="urn:ex:springfield-il")
    small = kg.add_entity("Springfield", ["city"], iri="urn:ex:springfield-ma")
    kg.add(URIRef(big), loc, URIRef(il))
    kg.add(URIRef(small), loc, URIRef(ma))
    kg.add(URIRef(big), KGA.population, Literal(1_000_000))  # the prior prefers it
    assert kg.related(small) == {ma} and oh not in kg.related(big)
    by_name = _linker(kg, by_name=True)
    mass, ohio, nowhere, alone = by_name.link([("Springfield , Mass.", "location"), ("Springfield, Ohio", "location"),
                                               ("Springfield , Narnia", "location"), ("Springfield", "location")])
    assert mass.entity == small and ohio.is_nil
    assert nowhere.entity in (big, small) and alone.entity in (big, small)
    assert _linker(kg).link([("Springfield, Ohio", "location")])[0].entity in (big, small)  # not by name: no check


def test_the_namesake_that_lies_there_is_found_among_more_namesakes_than_the_top_k() -> None:
    from kgagent.kg.vocab import term_iri

    kg = _places()
    ma = kg.add_entity("Massachusetts", ["location"], aliases=["Mass."], iri="urn:ex:ma")
    for i in range(12):  # larger namesakes elsewhere, ahead of it by their prior
        big = kg.add_entity("Springfield", ["city"], iri=f"urn:ex:springfield-{i}")
        kg.add(URIRef(big), KGA.population, Literal(1_000_000 + i))
    small = kg.add_entity("Springfield", ["city"], iri="urn:ex:springfield-ma")
    kg.add(URIRef(small), term_iri("located_in"), URIRef(ma))
    (lk,) = _linker(kg, by_name=True).link([("Springfield, Mass.", "location")], top_k=3)
    assert lk.entity == small


def test_a_domains_extra_place_names_are_read_with_clear_errors(tmp_path) -> None:
    from dataclasses import replace as with_fields

    from kgagent.domain import Domain
    from kgagent.errors import GraphError
    from kgagent.kg.geonames import EXTRA_NAMES_FILE, build_geonames_graph, read_extra_places

    assert read_extra_places(tmp_path / EXTRA_NAMES_FILE).names == []  # no file: nothing
    f = tmp_path / EXTRA_NAMES_FILE
    f.write_text('[names]\nGB = ["Britain",  "Blighty"]\n')
    assert read_extra_places(f).names == [("GB", "Britain", 2), ("GB", "Blighty", 2)]
    for text, line, words in (('[names]\nGB = "Britain"\n', 2, "list of names"),
                              ('[places]\nGB = ["Britain"]\n', 1, "[names]"),
                              ('[names]\nGB = ["Britain", ""]\n', 2, "list of names")):
        f.write_text(text)
        with pytest.raises(GraphError) as err:
            read_extra_places(f)
        assert err.value.code == "KGA217" and err.value.location.line == line and words in err.value.message
    f.write_text('[names]\nGB = ["Britain"]\nXX = ["Nowhere"]\n')
    with pytest.raises(GraphError) as err:
        build_geonames_graph(with_fields(Domain.load(), root=tmp_path))
    assert err.value.code == "KGA217" and err.value.location.line == 3 and "'XX'" in err.value.message
    f.write_text('[names]\nGB = ["Blighty"]\n')
    kg = build_geonames_graph(with_fields(Domain.load(), root=tmp_path))
    assert any(name == "Blighty" and kg.entity(iri).label == "United Kingdom" for iri, name, _ in kg.label_table())


def test_a_domains_former_countries_unions_and_demonyms_enter_the_graph_with_clear_errors(tmp_path) -> None:
    """place_names.toml's [former.<key>] tables (a country that is no more, holding today's
    countries, regions and the cities of GeoNames' first-level codes), [members] (a union the
    sources hold without its members), [demonyms] (a region's words for its people) and [city_names]
    (a city's English names, by GeoNames id)."""
    from dataclasses import replace as with_fields

    from rdflib import URIRef

    from kgagent.domain import Domain
    from kgagent.errors import GraphError
    from kgagent.kg.geonames import EXTRA_NAMES_FILE, build_geonames_graph, read_extra_places
    from kgagent.kg.vocab import KGA, term_iri

    f = tmp_path / EXTRA_NAMES_FILE
    good = ('[members]\nCS = ["RS"]\n[demonyms]\nDE-BY = ["Bavarian"]\n[city_names]\n2886242 = ["Cologne"]\n\n'
            '[former.frg]\nlabel = "West Germany"\nnames = ["W. Germany"]\n'
            'demonyms = ["West German"]\ndissolved = 1990\nmembers = ["DE-HE"]\nadmin1 = ["DE.05"]\n')
    f.write_text(good)
    places = read_extra_places(f)
    assert places.members == [("CS", "RS", 2)] and places.names == [] and places.demonyms == [("DE-BY", "Bavarian", 4)]
    assert places.city_names == [("2886242", "Cologne", 6)]
    (frg,) = places.former
    assert (frg.key, frg.label, frg.names, frg.demonyms, frg.dissolved, frg.members, frg.admin1, frg.line) == (
        "frg", "West Germany", ("W. Germany",), ("West German",), 1990, ("DE-HE",), ("DE.05",), 8)
    for text, line, words in (
            ('[former.frg]\nnames = ["W. Germany"]\nmembers = ["DE-HE"]\n', 1, "needs a label"),
            ('[former.frg]\nlabel = "West Germany"\n', 1, "needs a label and members"),
            ('[former.frg]\nlabel = "West Germany"\nmembers = ["DE-HE"]\ncapital = "Bonn"\n', 4, "no key 'capital'"),
            ('[former.frg]\nlabel = "West Germany"\nmembers = "DE-HE"\n', 3, "a list of names or codes"),
            ('[former.frg]\nlabel = "West Germany"\nmembers = ["DE-HE"]\ndissolved = "1990"\n', 4, "a year"),
            ('[former]\nfrg = "West Germany"\n', 2, "must be a table"),
            ('[members]\nCS = "RS"\n', 2, "list of names")):
        f.write_text(text)
        with pytest.raises(GraphError) as err:
            read_extra_places(f)
        assert err.value.code == "KGA217" and err.value.location.line == line and words in err.value.message, (
            text, err.value)
    domain = with_fields(Domain.load(), root=tmp_path)
    for text, line, words in (('[members]\nCS = ["XX"]\n', 2, "'XX'"),
                              ('[demonyms]\nXX-YY = ["Nowherian"]\n', 2, "'XX-YY'"),
                              ('[city_names]\n1 = ["Nowhere"]\n', 2, "no city of id '1'"),
                              (good.replace('"DE.05"', '"DE.99"'), 8, "'DE.99'")):
        f.write_text(text)
        with pytest.raises(GraphError) as err:
            build_geonames_graph(domain)
        assert err.value.code == "KGA217" and err.value.location.line == line and words in err.value.message
    f.write_text(good)
    kg = build_geonames_graph(domain)
    by_label = {kg.entity(iri).label: iri for iri, name, _ in kg.label_table()
                if name in ("West Germany", "Serbia", "Serbia and Montenegro")}
    frg_iri = URIRef(by_label["West Germany"])
    inside = {kg.entity(str(s)).label for s in kg.dataset.subjects(term_iri("located_in"), frg_iri)}
    assert {"Hessen", "Frankfurt am Main", "Wiesbaden"} <= inside and "Munich" not in inside
    assert kg.entity_types(str(frg_iri)) >= {"country"}
    assert str(kg.dataset.value(frg_iri, KGA.dissolved)) == "1990"
    demonyms = {(kg.entity(e).label, d) for e, d in kg.demonym_table()}
    assert {("West Germany", "West German"), ("Bayern", "Bavarian")} <= demonyms
    assert "Cologne" in kg.entity("https://w3id.org/kgagent/entity/geonames/2886242").aliases
    assert (URIRef(by_label["Serbia"]), term_iri("located_in"), URIRef(by_label["Serbia and Montenegro"])) in kg.dataset


def test_a_domains_subdivision_suffixes_give_the_names_news_writes(tmp_path) -> None:
    """place_names.toml's [subdivision_suffixes]: "Jiangsu Sheng" is also "Jiangsu", the longest
    ending first ("Xinjiang Uygur Zizhiqu" is "Xinjiang"); a code that is no country's is
    refused with its file and line (KGA217), as is a value that is no list."""
    from dataclasses import replace as with_fields

    from kgagent.domain import Domain
    from kgagent.errors import GraphError
    from kgagent.kg.geonames import EXTRA_NAMES_FILE, build_geonames_graph, read_extra_places

    f = tmp_path / EXTRA_NAMES_FILE
    f.write_text('[subdivision_suffixes]\nCN = ["Sheng", "Zizhiqu", "Uygur Zizhiqu"]\n')
    assert read_extra_places(f).subdivision_suffixes == [("CN", "Sheng", 2), ("CN", "Zizhiqu", 2),
                                                          ("CN", "Uygur Zizhiqu", 2)]
    domain = with_fields(Domain.load(), root=tmp_path)
    kg = build_geonames_graph(domain, min_population=5_000_000)
    names = {kg.entity(iri).label: set(kg.entity(iri).aliases) for iri in
             ("https://w3id.org/kgagent/entity/iso3166-2/CN-JS", "https://w3id.org/kgagent/entity/iso3166-2/CN-XJ")}
    assert "Jiangsu" in names["Jiangsu Sheng"] and "Xinjiang" in names["Xinjiang Uygur Zizhiqu"]
    assert "Xinjiang Uygur" not in names["Xinjiang Uygur Zizhiqu"]
    for text, line, words in (('[subdivision_suffixes]\n\nXX = ["Sheng"]\n', 3, "'XX'"),
                              ('[subdivision_suffixes]\nCN = "Sheng"\n', 2, "list of names")):
        f.write_text(text)
        with pytest.raises(GraphError) as err:
            build_geonames_graph(domain, min_population=5_000_000)
        assert err.value.code == "KGA217" and err.value.location.line == line and words in err.value.message


def test_a_domains_name_prefixes_give_the_names_news_writes(tmp_path) -> None:
    """place_names.toml's [name_prefixes]: the subdivision "Al Anbār" is also "Anbār" (news:
    "Anbar province") and the city "Al Qāmishlī" "Qāmishlī", but "An Najaf" not "Najaf" (the
    city's name) nor the governorate "Ar Raqqah" "Raqqah" (the city is "Ar Raqqah" too); a code
    that is no country's is refused with its file and line."""
    from dataclasses import replace as with_fields

    from kgagent.domain import Domain
    from kgagent.errors import GraphError
    from kgagent.kg.geonames import EXTRA_NAMES_FILE, build_geonames_graph, read_extra_places

    f = tmp_path / EXTRA_NAMES_FILE
    f.write_text('[name_prefixes]\nIQ = ["Al", "An"]\nSY = ["Al", "Ar"]\n')
    assert read_extra_places(f).name_prefixes == [("IQ", "Al", 2), ("IQ", "An", 2), ("SY", "Al", 3), ("SY", "Ar", 3)]
    domain = with_fields(Domain.load(), root=tmp_path)
    kg = build_geonames_graph(domain, min_population=100_000)
    aliases = {code: set(kg.entity(f"https://w3id.org/kgagent/entity/iso3166-2/{code}").aliases)
               for code in ("IQ-AN", "IQ-NA", "SY-RA", "SY-LA")}
    assert "Anbār" in aliases["IQ-AN"] and "Lādhiqīyah" in aliases["SY-LA"]
    assert "Najaf" not in aliases["IQ-NA"] and "Raqqah" not in aliases["SY-RA"]
    assert "Qāmishlī" in kg.entity("https://w3id.org/kgagent/entity/geonames/173377").aliases
    f.write_text('[name_prefixes]\n\nXX = ["Al"]\n')
    with pytest.raises(GraphError) as err:
        build_geonames_graph(domain, min_population=100_000)
    assert err.value.code == "KGA217" and err.value.location.line == 3 and "'XX'" in err.value.message


def test_a_domains_seas_enter_the_graph_as_the_class_its_label_map_names(tmp_path) -> None:
    """place_names.toml's [seas] (label = [other names]) become entities of the class the
    domain's label map gives GeoNames' H; a domain that does not map H is told so (KGA216)."""
    from dataclasses import replace as with_fields

    from kgagent.domain import Domain
    from kgagent.domain.labels import LabelMap
    from kgagent.errors import GraphError
    from kgagent.kg.geonames import EXTRA_NAMES_FILE, build_geonames_graph, read_extra_places

    f = tmp_path / EXTRA_NAMES_FILE
    f.write_text('[seas]\n"Pacific Ocean" = ["Pacific"]\n"Red Sea" = []\n')
    assert read_extra_places(f).seas == [("Pacific Ocean", ["Pacific"], 2), ("Red Sea", [], 3)]
    f.write_text('[seas]\n"Red Sea" = "Red"\n')
    with pytest.raises(GraphError) as err:
        read_extra_places(f)
    assert err.value.code == "KGA217" and err.value.location.line == 2
    f.write_text('[seas]\n"Pacific Ocean" = ["Pacific"]\n')
    news = Domain.load()
    kg = build_geonames_graph(with_fields(news, root=tmp_path))
    (pacific,) = [iri for iri, name, _ in kg.label_table() if name == "Pacific"]
    assert kg.entity(pacific).label == "Pacific Ocean" and kg.entity_types(pacific) == {"sea"}
    assert kg.linker(embed=lambda texts: __import__("numpy").zeros((len(texts), 8), "float32"), embed_id="zeros",
                     persist=False).link([("Pacific", "location")])[0].entity == pacific
    no_h = LabelMap(sources={k: {a: b for a, b in v.items() if a != "H"} for k, v in news.labels.sources.items()},
                    names=news.labels.names, path="labels.toml")
    with pytest.raises(GraphError) as err:
        build_geonames_graph(with_fields(news, root=tmp_path, labels=no_h))
    assert err.value.code == "KGA216" and "GeoNames' H" in err.value.message and "labels.toml" in err.value.message
