"""A domain's ontology: classes (hierarchy, disjointness) and relations (signature, functional,
symmetric), each with a label and a one-line description, read from ``ontology.toml``.

The file format (see docs/domains.md)::

    [ontology]
    untyped = "thing"              # optional: the class of mentions of no particular kind
    name_suffixes = ["Inc", "Ltd"] # optional: words that may end a name without changing what
                                   # it names (a company's legal form; short_name "stem")
    derived_suffixes = ["-based"]  # optional: a word made of a name and one of these is about
                                   # what the name names: the linker links it so ("Houston-based")
    cues = { speech = ["told", "in an interview with"] }
                                   # optional: named lists of words that, between a relation's
                                   # two mentions, say something of it (the rules' cue facts)

    [classes.animal]
    label = "animal"
    description = "A living creature."
    disjoint_with = ["plant"]

    [classes.dog]
    subclass_of = "animal"         # one name or a list
    short_name = "last"            # optional: another mention may name one by the last (or
                                   # first) words of its full name ("Rex" for "Old Rex"), or
                                   # by its "initials" ("OR"); a list for several
    kind_words = ["breed"]         # optional: a word after a name that says the name is of
                                   # this class ("Beagle breed"): the linker links it so

    [relations.eats]
    label = "eats"
    description = "The head feeds on the tail."
    domain = "animal"              # the head's class; a list for several ("animal", "plant")
    range = "animal"               # the tail's class (or a list)
    functional = false
    symmetric = false

The *kinds* are the classes without a parent: a mention has one kind, and an entity whose kind
differs from a mention's label contradicts it. The graph holds the ontology as RDFS/OWL
(``rdfs:subClassOf``, ``rdfs:domain``/``rdfs:range``, ``owl:FunctionalProperty``,
``owl:SymmetricProperty``, ``owl:disjointWith``); the rules see it as facts (``rule_facts``).

>>> onto, problems = Ontology.from_toml_text('''
... [classes.animal]
... [classes.dog]
... subclass_of = "animal"
... [relations.chases]
... domain = "dog"
... range = "animal"
... ''', "ontology.toml")
>>> problems, onto.kinds, onto.kind_of("dog"), sorted(onto.ancestors("dog"))
([], ('animal',), 'animal', ['animal', 'dog'])
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgagent.components import strongly_connected
from kgagent.domain.tomlfile import TomlDoc, near_miss, read_toml, read_toml_text, toml_string
from kgagent.errors import DomainError, Location
from kgagent.names import name_words

NAME = re.compile(r"[a-z][A-Za-z0-9_]*")
#: words of the rule language that look like names but are not constants (``not p(X)``)
RESERVED = frozenset({"not"})
_CLASS_KEYS = {"label", "description", "subclass_of", "disjoint_with", "short_name", "kind_words"}
#: where a short name sits in the full one (a class's ``short_name``; kgagent.names)
SHORT_NAME_PLACES = ("first", "last", "initials", "stem")
_ONTOLOGY_KEYS = {"untyped", "name_suffixes", "derived_suffixes", "cues"}
_RELATION_KEYS = {"label", "description", "domain", "range", "functional", "symmetric", "asymmetric"}


@dataclass(frozen=True)
class ClassDef:
    """One class: its parents, the classes it excludes, a label and a description."""

    name: str
    parents: tuple[str, ...] = ()
    disjoint_with: tuple[str, ...] = ()
    label: str = ""
    description: str = ""
    line: int = 0
    #: "first" / "last" / "initials" / "stem": another mention may name an entity of this class
    #: by the first / last words of its full name ("Ottinger" for "James Ottinger"), by its
    #: initials ("KDP") or by its full name without the ontology's ``name_suffixes`` at its end
    #: ("Montedison" for "Montedison SPA"); empty: only by the whole name
    short_name: tuple[str, ...] = ()
    #: words (case-folded) that, after a name, say that it names an entity of this class: the
    #: news domain's region has "province", "state" ("Helmand province", "Washington state")
    kind_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelationDef:
    """One relation: its signature (the classes its head and its tail may be: one each, or a
    union of several) and its properties."""

    name: str
    domains: tuple[str, ...]
    ranges: tuple[str, ...]
    functional: bool = False
    symmetric: bool = False
    #: never holds both ways (owl:AsymmetricProperty): the graph holding it the other way round contradicts it
    asymmetric: bool = False
    label: str = ""
    description: str = ""
    line: int = 0

    @property
    def domain(self) -> str | None:
        """The head's class when there is exactly one."""
        return self.domains[0] if len(self.domains) == 1 else None

    @property
    def range(self) -> str | None:
        """The tail's class when there is exactly one."""
        return self.ranges[0] if len(self.ranges) == 1 else None


@dataclass
class Ontology:
    """Classes and relations of a domain (see the module docstring)."""

    classes: dict[str, ClassDef] = field(default_factory=dict)
    relations: dict[str, RelationDef] = field(default_factory=dict)
    untyped: str | None = None
    #: words (case-folded, without dots) that may end a name without changing what it names:
    #: "spa", "inc", "ltd" (the ``[ontology]`` table's ``name_suffixes``; kgagent.names)
    name_suffixes: frozenset[str] = frozenset()
    #: endings that make a word of a name and keep what it names: "-based" ("Houston-based" is
    #: about Houston; the ``[ontology]`` table's ``derived_suffixes``; ``Linker(derived_suffixes=)``)
    derived_suffixes: tuple[str, ...] = ()
    #: named lists of words that, said between a relation's two mentions, tell the rules something
    #: of it: ``{"speech": ("told", ...)}`` ("Carlo Fusco told the Associated Press"; the
    #: ``[ontology]`` table's ``cues``; the rules' ``cue(R, Cue, Phrase, Words)``)
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    path: str = ""

    # ------------------------------------------------------------------ reading
    @classmethod
    def load(cls, path: str | Path) -> "Ontology":
        """Read ``ontology.toml``; raises the first problem (``check`` lists them all)."""
        onto, problems = cls.from_toml(read_toml(path))
        if problems:
            raise problems[0]
        return onto

    @classmethod
    def from_toml_text(cls, text: str, path: str = "ontology.toml") -> tuple["Ontology", list[DomainError]]:
        """The ontology in ``text`` and every problem found in it."""
        return cls.from_toml(read_toml_text(text, path))

    @classmethod
    def from_toml(cls, doc: TomlDoc) -> tuple["Ontology", list[DomainError]]:
        """The ontology of a parsed TOML file and every problem found in it (not raised)."""
        problems: list[DomainError] = []

        def bad(msg: str, code: str, *keys: str) -> None:
            problems.append(DomainError(msg, code=code, location=doc.where(*keys)))

        def table(spec: Any, table_name: str, name: str) -> dict[str, Any]:
            """A class's or relation's table (KGA610 when it is a value: ``foo = "x"``)."""
            if isinstance(spec, dict):
                return spec
            bad(f"{_SINGULAR[table_name]} {name} is a table "
                f"([{table_name}.{name}] with its keys), not {spec!r}", "KGA610", table_name, name)
            return {}

        def text(spec: dict[str, Any], key: str, default: str, table_name: str, name: str) -> str:
            """A label's or description's text (KGA610 when it is something else: ``label = 5``)."""
            value = spec.get(key, default)
            if isinstance(value, str):
                return value
            bad(f"{_SINGULAR[table_name]} {name}: {key} is text, not {value!r}",
                "KGA610", table_name, name, key)
            return default

        unread: set[tuple[str, str]] = set()  # (relation, "domain" / "range") whose value was not names

        def class_names(spec: dict[str, Any], key: str, table_name: str, name: str) -> tuple[str, ...]:
            """The class names of ``subclass_of``, ``disjoint_with``, ``domain`` or ``range``: one
            name or a list (KGA610 for anything else, a blank name or a name listed twice; the
            names that are names are kept)."""
            value = spec.get(key)
            if value is None:
                return ()
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
                bad(f"{_SINGULAR[table_name]} {name}: {key} is a class name or a list of class names, not {value!r}",
                    "KGA610", table_name, name, key)
                unread.add((name, key))
                return tuple(dict.fromkeys(v for v in items if isinstance(v, str) and v.strip())) \
                    if isinstance(items, list) else ()
            twice = sorted({v for v in items if items.count(v) > 1})
            if twice:
                bad(f"{_SINGULAR[table_name]} {name}: {key} lists {', '.join(repr(v) for v in twice)} twice",
                    "KGA610", table_name, name, key)
            return tuple(dict.fromkeys(items))

        data = doc.data
        for key in data:
            if key in _ONTOLOGY_KEYS:  # untyped = "other" above every table: read as nothing before
                bad(f"{key} belongs in the [ontology] table: write it under an [ontology] line", "KGA610", key)
            elif key not in ("ontology", "classes", "relations"):
                bad(f"unknown table [{key}]{near_miss(key, ('ontology', 'classes', 'relations'))}: an ontology "
                    "has [ontology], [classes.NAME] and [relations.NAME]",
                    "KGA610", key)
        onto = cls(path=doc.path)
        head = data.get("ontology", {})
        classes = data.get("classes", {})
        relations = data.get("relations", {})
        shapes = {"ontology": "a table of settings (an [ontology] line, then untyped = ...)",
                  "classes": "one table per class ([classes.NAME])", "relations": "one table per relation "
                  "([relations.NAME])"}
        wrong = [key for key, value in (("ontology", head), ("classes", classes), ("relations", relations))
                 if not isinstance(value, dict)]
        for key in wrong:
            bad(f"{key} holds {shapes[key]}, not {_toml_kind(data[key])}", "KGA610", key)
        if wrong:
            return onto, problems
        for name, spec in classes.items():
            spec = table(spec, "classes", name)
            if not NAME.fullmatch(name):
                bad(f"class name {name!r} must start with a lower-case letter and hold only ASCII letters, digits "
                    f"and _ (rule files write it as a constant){_as_constant(name)}", "KGA611", "classes", name)
            elif name in RESERVED:
                bad(_reserved("class", name), "KGA611", "classes", name)
            for k in spec:
                if isinstance(spec[k], dict) and k not in _CLASS_KEYS:
                    bad(_dotted("class", name, k), "KGA611", "classes", name, k)
                elif k not in _CLASS_KEYS:
                    bad(f"class {name}: unknown key {k!r}{near_miss(k, _CLASS_KEYS)} (keys: "
                        f"{', '.join(sorted(_CLASS_KEYS))})", "KGA610",
                        "classes", name, k)
            short = _names(spec.get("short_name"))
            if any(p not in SHORT_NAME_PLACES for p in short):
                bad(f"class {name}: short_name is {', '.join(repr(p) for p in SHORT_NAME_PLACES)} or a list of "
                    f"them (what of the full name another mention keeps), not {spec.get('short_name')!r}",
                    "KGA610", "classes", name, "short_name")
                short = ()
            words = spec.get("kind_words", [])
            if not isinstance(words, list) or not all(isinstance(w, str) and re.fullmatch(r"\w+", w.strip())
                                                      for w in words):
                bad(f"class {name}: kind_words is a list of single words (\"province\"), not {words!r}", "KGA610",
                    "classes", name, "kind_words")
                words = []
            onto.classes[name] = ClassDef(name=name, parents=class_names(spec, "subclass_of", "classes", name),
                                          disjoint_with=class_names(spec, "disjoint_with", "classes", name),
                                          label=text(spec, "label", "", "classes", name) or name.replace("_", " "),
                                          description=text(spec, "description", "", "classes", name),
                                          line=doc.line("classes", name), short_name=short,
                                          kind_words=tuple(sorted({w.strip().casefold() for w in words})))
        for name, spec in relations.items():
            spec = table(spec, "relations", name)
            if not NAME.fullmatch(name):
                bad(f"relation name {name!r} must start with a lower-case letter and hold only ASCII letters, "
                    f"digits and _{_as_constant(name)}", "KGA611", "relations", name)
            elif name in RESERVED:
                bad(_reserved("relation", name), "KGA611", "relations", name)
            if name in onto.classes:
                bad(f"{name!r} is declared both as a class and as a relation: rename one", "KGA613",
                    "relations", name)
            for k in spec:
                if isinstance(spec[k], dict) and k not in _RELATION_KEYS:
                    bad(_dotted("relation", name, k), "KGA611", "relations", name, k)
                elif k not in _RELATION_KEYS:
                    bad(f"relation {name}: unknown key {k!r}{near_miss(k, _RELATION_KEYS)} (keys: "
                        f"{', '.join(sorted(_RELATION_KEYS))})",
                        "KGA610", "relations", name, k)
            for k in ("functional", "symmetric", "asymmetric"):
                if k in spec and not isinstance(spec[k], bool):
                    bad(f"relation {name}: {k} is true or false, not {spec[k]!r}", "KGA610", "relations", name, k)
            onto.relations[name] = RelationDef(name=name, domains=class_names(spec, "domain", "relations", name),
                                               ranges=class_names(spec, "range", "relations", name),
                                               functional=spec.get("functional") is True,
                                               symmetric=spec.get("symmetric") is True,
                                               asymmetric=spec.get("asymmetric") is True,
                                               label=text(spec, "label", "", "relations", name)
                                               or name.replace("_", " "),
                                               description=text(spec, "description", "", "relations", name),
                                               line=doc.line("relations", name))
        for k in head:
            if k not in _ONTOLOGY_KEYS:
                bad(f"[ontology]: unknown key {k!r}{near_miss(k, _ONTOLOGY_KEYS)} (keys: "
                    f"{', '.join(sorted(_ONTOLOGY_KEYS))})", "KGA610",
                    "ontology", k)
        untyped = head.get("untyped")
        if untyped is not None and not (isinstance(untyped, str) and untyped.strip()):
            bad(f"[ontology]: untyped is the name of one class, not {untyped!r}", "KGA610", "ontology", "untyped")
            untyped = None
        onto.untyped = untyped
        suffixes = head.get("name_suffixes", [])
        if not isinstance(suffixes, list) or not all(isinstance(w, str) and name_words(w) for w in suffixes):
            bad(f"[ontology]: name_suffixes is a list of words (\"Inc\", \"S.p.A.\"), not {suffixes!r}", "KGA610",
                "ontology", "name_suffixes")
        else:
            onto.name_suffixes = frozenset("".join(name_words(w)) for w in suffixes)
        derived = head.get("derived_suffixes", [])
        if not isinstance(derived, list) or not all(isinstance(w, str) and w.strip() and " " not in w.strip()
                                                    for w in derived):
            bad(f"[ontology]: derived_suffixes is a list of word endings (\"-based\"), not {derived!r}", "KGA610",
                "ontology", "derived_suffixes")
        else:
            onto.derived_suffixes = tuple(sorted({w.strip() for w in derived}))
        cues = head.get("cues", {})
        if not isinstance(cues, dict):
            bad(f"[ontology]: cues is a table of named word lists (cues = {{ speech = [\"told\"] }}), not {cues!r}",
                "KGA610", "ontology", "cues")
        else:
            for cue, words in cues.items():
                if not NAME.fullmatch(cue):
                    bad(f"[ontology]: cue name {cue!r} must start with a lower-case letter and hold only ASCII "
                        f"letters, digits and _ (the rules write it){_as_constant(cue)}", "KGA611", "ontology", "cues")
                elif cue in RESERVED:
                    bad(f"[ontology]: {_reserved('cue', cue)}", "KGA611", "ontology", "cues")
                elif not isinstance(words, list) or not words or not all(isinstance(w, str) and w.split()
                                                                           for w in words):
                    bad(f"[ontology]: cue {cue} is a list of words or phrases (\"told\", \"in an interview with\"), "
                        f"not {words!r}", "KGA610", "ontology", "cues")
                else:
                    onto.cues[cue] = tuple(sorted({" ".join(w.split()) for w in words}))
        problems += onto._check(doc, unread)
        return onto, problems

    def _check(self, doc: TomlDoc, unread: set[tuple[str, str]]) -> list[DomainError]:
        """The problems of the ontology as a whole; ``unread``: the (relation, role) pairs whose
        value was reported already (not names), so not again as missing."""
        out: list[DomainError] = []
        known = self.classes

        def unknown(name: str) -> str:
            """What is wrong with a name that is no class: a relation's, or a near miss, or none."""
            if name in self.relations:
                return f"names {name!r}, which is a relation, not a class"
            return f"names the unknown class {name!r}{near_miss(name, known)}; declare [classes.{name}] or fix the name"

        for c in self.classes.values():
            for p in c.parents:
                if p not in known:
                    out.append(DomainError(f"class {c.name}: subclass_of {unknown(p)}", code="KGA612",
                                           location=doc.where("classes", c.name, "subclass_of")))
            for d in c.disjoint_with:
                if d not in known:
                    out.append(DomainError(f"class {c.name}: disjoint_with {unknown(d)}",
                                           code="KGA612", location=doc.where("classes", c.name, "disjoint_with")))
        for r in self.relations.values():
            for role, classes in (("domain", r.domains), ("range", r.ranges)):
                if not classes and (r.name, role) not in unread:
                    out.append(DomainError(f"relation {r.name}: no {role}; give the class its "
                                           f"{'head' if role == 'domain' else 'tail'} must have", code="KGA614",
                                           location=doc.where("relations", r.name)))
                for cls_ in classes:
                    if cls_ not in known:
                        out.append(DomainError(f"relation {r.name}: its {role} {unknown(cls_)}", code="KGA612",
                                               location=doc.where("relations", r.name, role)))
            if r.symmetric and set(r.domains) != set(r.ranges):
                out.append(DomainError(f"relation {r.name} is symmetric, so its domain and range must be the same "
                                       f"classes (not {', '.join(r.domains)} and {', '.join(r.ranges)})",
                                       code="KGA614", location=doc.where("relations", r.name, "symmetric")))
            if r.symmetric and r.asymmetric:
                out.append(DomainError(f"relation {r.name} cannot be both symmetric and asymmetric",
                                       code="KGA618", location=doc.where("relations", r.name, "asymmetric")))
        for cycle, others in self._cycles():
            first = self.classes[cycle[0]]
            also = f" ({', '.join(others)} in cycles with these too)" if others else ""
            out.append(DomainError("subclass cycle " + " -> ".join([*cycle, cycle[0]]) + also +
                                   ": a class cannot be its own ancestor; remove one subclass_of",
                                   code="KGA615", location=Location(doc.path, first.line)))
        if self.untyped is not None and self.untyped not in known:
            out.append(DomainError(f"untyped {unknown(self.untyped)}", code="KGA612",
                                   location=doc.where("ontology", "untyped")))
        for c in self.classes.values():
            for d in c.disjoint_with:
                if d in known and (d in self.ancestors(c.name) or c.name in self.ancestors(d)):
                    why = "itself" if d == c.name else f"{d}: one is a subclass of the other"
                    out.append(DomainError(f"class {c.name} cannot be disjoint with {why}", code="KGA616",
                                           location=doc.where("classes", c.name, "disjoint_with")))
        owner: dict[str, str] = {}
        for c in self.classes.values():
            for w in c.kind_words:
                if owner.setdefault(w, c.name) != c.name:
                    out.append(DomainError(f"class {c.name}: the kind word {w!r} is {owner[w]}'s too; a word after "
                                           "a name may say one class only", code="KGA617",
                                           location=doc.where("classes", c.name, "kind_words")))
        return out

    def _cycles(self) -> list[tuple[list[str], list[str]]]:
        """One subclass cycle for each group of classes that are each other's ancestors (a
        strongly connected part of the subclass graph), as the shortest cycle through its first
        class in file order, with the group's other classes (file order): listing every cycle
        would take time and lines exponential in the classes (twenty classes with two parents
        each have tens of thousands)."""
        order = {c: i for i, c in enumerate(self.classes)}
        parents = {c: [p for p in d.parents if p in self.classes] for c, d in self.classes.items()}
        found = []
        for group in map(set, strongly_connected(self.classes, parents.__getitem__)):
            start = min(group, key=order.__getitem__)
            if len(group) == 1 and start not in parents[start]:
                continue
            back: dict[str, str] = {}
            todo, cycle = deque([start]), [start]
            while todo:  # breadth first, inside the group: the shortest way back to start
                node = todo.popleft()
                if start in parents[node]:
                    cycle = [node]
                    while cycle[-1] != start:
                        cycle.append(back[cycle[-1]])
                    cycle.reverse()
                    break
                for p in parents[node]:
                    if p in group and p not in back and p != start:
                        back[p] = node
                        todo.append(p)
            found.append((cycle, sorted(group - set(cycle), key=order.__getitem__)))
        return sorted(found, key=lambda found_one: order[found_one[0][0]])

    # ------------------------------------------------------------------ questions
    def ancestors(self, cls: str) -> frozenset[str]:
        """``cls`` and all its superclasses (reflexive-transitive; unknown class: itself)."""
        seen, todo = {cls}, deque([cls])
        while todo:
            c = self.classes.get(todo.popleft())
            for p in c.parents if c else ():
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return frozenset(seen)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The classes without a parent, in file order: every mention has one kind."""
        return tuple(c.name for c in self.classes.values() if not c.parents)

    def kind_of(self, cls: str | None) -> str | None:
        """The kind (root class) of ``cls``; None for an unknown class or one under several kinds."""
        if cls is None or cls not in self.classes:
            return None
        roots = [k for k in self.kinds if k in self.ancestors(cls)]
        return roots[0] if len(roots) == 1 else None

    def disjoint(self, a: str, b: str) -> bool:
        """Do ``a`` and ``b`` exclude each other (declared on them or on an ancestor; or two kinds)?"""
        aa, bb = self.ancestors(a), self.ancestors(b)
        for x in aa:
            c = self.classes.get(x)
            if c and any(d in bb for d in c.disjoint_with):
                return True
        for y in bb:
            c = self.classes.get(y)
            if c and any(d in aa for d in c.disjoint_with):
                return True
        return False

    def kind_words(self) -> dict[str, str]:
        """Each class's ``kind_words`` as word (case-folded) -> class: "province" -> "region"."""
        return {w: c.name for c in self.classes.values() for w in c.kind_words}

    def short_name_of(self, cls: str | None) -> tuple[str, ...]:
        """What of the full name of an entity of ``cls`` another mention may name it by ("first",
        "last", "initials"): the class's own ``short_name`` or its nearest ancestor's; empty: none."""
        seen, todo = set(), deque([cls] if cls else [])
        while todo:  # breadth first: the nearest class that says
            c = self.classes.get(todo.popleft())
            if c is None or c.name in seen:
                continue
            seen.add(c.name)
            if c.short_name:
                return c.short_name
            todo.extend(c.parents)
        return ()

    def rule_facts(self) -> dict[str, set[tuple]]:
        """The ontology as rule facts: ``subclass`` (reflexive-transitive), ``signature``,
        ``functional``, ``symmetric``, ``asymmetric``, ``disjoint`` (both ways), ``core`` (the kinds),
        ``untyped`` (the class of mentions of no particular kind, if the ontology names one) and
        ``short_name`` (class, "first" / "last" / "initials": the classes whose entities a part
        of their name may name)."""
        sub = {(c, a) for c in self.classes for a in self.ancestors(c)}
        sig = {(r.name, d, g) for r in self.relations.values() for d in r.domains for g in r.ranges}
        out: dict[str, set[tuple]] = {
            "subclass": sub,
            "signature": sig,
            "functional": {(r.name,) for r in self.relations.values() if r.functional},
            "symmetric": {(r.name,) for r in self.relations.values() if r.symmetric},
            "asymmetric": {(r.name,) for r in self.relations.values() if r.asymmetric},
            "disjoint": {p for c in self.classes.values() for d in c.disjoint_with for p in ((c.name, d), (d, c.name))},
            "core": {(k,) for k in self.kinds},
            "untyped": {(self.untyped,)} if self.untyped else set(),
            "short_name": {(c.name, p) for c in self.classes.values() for p in c.short_name},
        }
        return out

    def to_toml(self) -> str:
        """The ontology as an ``ontology.toml`` text (what ``kgagent init`` writes)."""
        lines: list[str] = []
        head = ([f"untyped = {_q(self.untyped)}"] if self.untyped else []) + \
            ([f"name_suffixes = {_list(tuple(sorted(self.name_suffixes)))}"] if self.name_suffixes else []) + \
            ([f"derived_suffixes = {_list(self.derived_suffixes)}"] if self.derived_suffixes else []) + \
            ([f"cues = {{ {', '.join(f'{c} = {_list(w)}' for c, w in sorted(self.cues.items()))} }}"]
             if self.cues else [])
        if head:
            lines += ["[ontology]", *head, ""]
        for c in self.classes.values():
            lines.append(f"[classes.{c.name}]")
            lines.append(f"label = {_q(c.label or c.name)}")
            lines.append(f"description = {_q(c.description)}")
            if c.parents:
                lines.append(f"subclass_of = {_list(c.parents)}")
            if c.disjoint_with:
                lines.append(f"disjoint_with = {_list(c.disjoint_with)}")
            if c.short_name:
                lines.append(f"short_name = {_one_or_list(c.short_name)}")
            if c.kind_words:
                lines.append(f"kind_words = {_list(c.kind_words)}")
            lines.append("")
        for r in self.relations.values():
            lines.append(f"[relations.{r.name}]")
            lines.append(f"label = {_q(r.label or r.name)}")
            lines.append(f"description = {_q(r.description)}")
            lines.append(f"domain = {_one_or_list(r.domains)}")
            lines.append(f"range = {_one_or_list(r.ranges)}")
            lines.append(f"functional = {'true' if r.functional else 'false'}")
            lines.append(f"symmetric = {'true' if r.symmetric else 'false'}")
            if r.asymmetric:
                lines.append("asymmetric = true")
            lines.append("")
        return "\n".join(lines)


_SINGULAR = {"classes": "class", "relations": "relation"}


def _toml_kind(value: Any) -> str:
    """What a TOML value is, in a message: "a list of tables ([[classes]])", "the number 3"."""
    if isinstance(value, list):
        return "a list of tables" if value and all(isinstance(v, dict) for v in value) else f"the list {value!r}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return repr(value)
    return f"the number {value!r}"


def _as_constant(name: str) -> str:
    """``: write it 'cafe'`` for a name that is nearly a rule constant ('Café', 'Adverse Effect'),
    else ""."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    guess = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    return f"; write it {guess!r}" if NAME.fullmatch(guess) and guess not in RESERVED and guess != name else ""


def _dotted(what: str, name: str, key: str) -> str:
    """The problem of ``[classes.a.b]``: TOML reads a dotted name as a table inside a table."""
    return (f"{what} {name} holds a table {key!r}: [{_SINGULAR_TABLE[what]}.{name}.{key}] is a table inside {what} "
            f"{name}, not a {what} named '{name}.{key}' (a name holds no '.'; write it with '_')")


_SINGULAR_TABLE = {"class": "classes", "relation": "relations"}


def _reserved(what: str, name: str) -> str:
    """The problem of a name that is a word of the rule language (``not``)."""
    return (f"{what} name {name!r} is the rule language's word for negation: rule files cannot write it as a "
            f"constant; rename it ({name}_)")


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def _one_or_list(xs: tuple[str, ...]) -> str:
    return _q(xs[0]) if len(xs) == 1 else _list(xs)


def _q(s: str) -> str:
    return toml_string(s)


def _list(xs: tuple[str, ...]) -> str:
    return "[" + ", ".join(_q(x) for x in xs) + "]"
