"""A domain: the folder of data that makes kgagent speak one field's language.

A domain folder holds (names are the defaults; ``domain.toml`` may point elsewhere)::

    domain.toml      name, description, and where the parts below are
    ontology.toml    classes and relations (kgagent.domain.ontology)
    labels.toml      data-set and model labels -> ontology names (kgagent.domain.labels)
    explain.toml     wording of the domain's own helper predicates for ``kgagent explain``
    rules/           the domain's rule files, read after the shared rules; rules/tests/ its cases
    graph/           the knowledge graph (graph.nq.gz or another RDF file) and its index
    model/           the encoder (written by ``kgagent train --domain DIR``)

The library reads a :class:`Domain`; it never names a class or relation of any domain. The
shipped default is the news domain (``kg_data/`` with ``rules/`` beside it), installed as the
package ``kgagent_news`` so that an installed kgagent finds it from any directory.

>>> d = Domain.load(default_domain_dir())            # doctest: +SKIP
>>> d.name, len(d.ontology.kinds) > 0               # doctest: +SKIP
('news', True)
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from kgagent.domain.labels import LabelMap
from kgagent.domain.ontology import Ontology
from kgagent.domain.tomlfile import TomlDoc, near_miss, read_toml, read_toml_text
from kgagent.errors import DomainError, Location
from kgagent.graph_files import graph_file_problem, graph_folder_problem

#: the package that holds the default (news) domain: kg_data/ in the repository
DEFAULT_DOMAIN_PACKAGE = "kgagent_news"
#: the rules every domain shares, written in the ontology's vocabulary (package data)
SHARED_RULES_DIR = Path(__file__).resolve().parent / "shared_rules"
DOMAIN_FILE = "domain.toml"
_KEYS = {"name", "description", "ontology", "labels", "wording", "rules", "rule_tests", "shared_rules",
         "graph", "model", "link_by_name"}
_PLACEHOLDER = re.compile(r"\{(a:)?(\d+)\}")
_WORDING_KEY = re.compile(r"([a-z][A-Za-z0-9_]*)/(\d+)")


def rule_display_name(path: Path) -> str:
    """How a rule file is named in rule ids and diagnostics: ``shared/<file>`` for the shared
    rules (wherever kgagent is installed), else its path relative to the working directory
    when inside it, else the absolute path."""
    p = Path(path)
    with contextlib.suppress(ValueError, OSError):
        return "shared/" + p.resolve().relative_to(SHARED_RULES_DIR).as_posix()
    with contextlib.suppress(ValueError, OSError):
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    return str(p)


def _named_under(resolved: Path, entries: Iterable[tuple[Path, str]]) -> str | None:
    """``<entry>/<path below it>`` for the first (folder or file, entry) that holds ``resolved``."""
    for base, entry in entries:
        if resolved == base:
            return entry
        if resolved.is_relative_to(base):
            return (PurePosixPath(entry) / resolved.relative_to(base).as_posix()).as_posix()
    return None


def rule_path_shown(path: Path) -> Path:
    """A rule file or folder as commands show and keep it: relative to the working directory
    when inside it (as given, links not followed: ``kg_data/rules``), else as given. Rule ids
    are :func:`rule_display_name`'s."""
    try:
        return Path(os.path.relpath(path)) if Path(path).resolve().is_relative_to(Path.cwd().resolve()) else Path(path)
    except ValueError:
        return Path(path)


def default_domain_dir() -> Path:
    """The folder of the shipped default domain (package data of ``kgagent_news``)."""
    spec = importlib.util.find_spec(DEFAULT_DOMAIN_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise DomainError(f"the default domain package {DEFAULT_DOMAIN_PACKAGE} is not installed: reinstall "
                          "kgagent, or give --domain DIR", code="KGA603")
    return Path(locations[0])


@dataclass
class Domain:
    """Everything domain-specific, read from one folder (see the module docstring)."""

    root: Path
    name: str
    description: str
    ontology: Ontology
    labels: LabelMap
    rule_paths: list[Path]
    rule_tests: Path | None
    graph: Path | None
    model: Path | None
    wording: dict[str, str] = field(default_factory=dict)
    shared_rules: bool = True
    #: the graph's entities are known by their names: the linker takes an entity its embedding
    #: index finds only when one of its names says the mention's words, or nearly the same
    #: (``Linker(by_name=True)``); false: on similarity alone (descriptions, paraphrases)
    link_by_name: bool = False
    #: each of the domain's own rule paths (resolved) -> the entry domain.toml names it by ("rules")
    rule_entries: dict[Path, str] = field(default_factory=dict)

    def rule_name(self, path: str | Path, own: str | Path | None = None) -> str:
        """How a rule file is named in rule ids (decisions, feedback, review policies, rule
        statistics), the same from every working directory and installation: ``shared/<file>``
        for the shared rules, ``<entry>/<file>`` for the domain's own (``rules/geography.rules``,
        the entry as domain.toml writes it), a file elsewhere in the domain folder by its path
        there, a file of ``own`` (the rules given instead of the domain's: ``--rules my-rules/``)
        as ``<own's name>/<file>``, any other file by :func:`rule_display_name`. Diagnostics of
        ``kgagent rules check`` keep the path as the user can open it."""
        p = Path(path)
        try:
            resolved = p.resolve()
            given = Path(own).resolve() if own is not None else None
        except (OSError, RuntimeError):
            return rule_display_name(p)
        if resolved.is_relative_to(SHARED_RULES_DIR):
            return rule_display_name(p)
        named = _named_under(resolved, self.rule_entries.items())
        if named is None and resolved.is_relative_to(self.root):
            named = resolved.relative_to(self.root).as_posix()
        if named is None and given is not None:
            named = _named_under(resolved, [(given, given.name)])
        return named if named is not None else rule_display_name(p)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path | None = None) -> "Domain":
        """Read the domain folder ``path`` (None = the default domain).

        Raises DomainError with every problem found (``.problems``), the first in the message;
        ``check_domain`` returns them instead.
        """
        domain, problems, _ = _read(_root(path))
        if problems:
            raise DomainProblems(problems)
        assert domain is not None
        return domain

    @cached_property
    def _rule_facts(self) -> dict[str, frozenset[tuple]]:
        return {k: frozenset(v) for k, v in self.ontology.rule_facts().items()}

    def rule_facts(self) -> dict[str, frozenset[tuple]]:
        """The ontology's facts for the rules (computed once; the sets are frozen, so callers
        union them into their own facts)."""
        return self._rule_facts

    def rules_with(self, own: str | Path | None = None) -> list[Path]:
        """The rule paths an agent of this domain reads: the shared rules (when the domain uses
        them), then ``own`` instead of the domain's own rule files when it is given."""
        if own is None:
            return list(self.rule_paths)
        return ([SHARED_RULES_DIR] if self.shared_rules else []) + [Path(own)]

    def model_dir(self) -> Path:
        """The domain's model directory; DomainError KGA605 (with the command that makes one) if missing."""
        if self.model is None or not (self.model / "config.json").is_file():
            raise DomainError(f"the domain {self.name!r} has no model yet ({self.model or self.root / 'model'}): "
                              f"train one with `kgagent train TRAIN.json --dev DEV.json --domain {self.root}`",
                              code="KGA605", location=Location(str(self.root / DOMAIN_FILE)))
        return self.model

    def check_model_labels(self, entity_labels: Iterable[str], relation_labels: Iterable[str],
                           model: str = "the model") -> None:
        """Refuse a model whose labels this domain's label map does not know (KGA606, naming them),
        or maps to the wrong kind of name: an entity label to a relation, a relation label to a
        class (the first of :meth:`model_label_problems`)."""
        problems = self.model_label_problems(entity_labels, relation_labels, model)
        if problems:
            raise problems[0]

    def model_label_problems(self, entity_labels: Iterable[str], relation_labels: Iterable[str],
                             model: str = "the model", location: Location | None = None) -> list[DomainError]:
        """KGA606, worded here only: the model's labels this domain's label map cannot map, and
        those it maps to the wrong kind of name ("the entity label 'Drug' to the relation causes");
        ``location``: where the labels are written (the model's config.json)."""
        entity_labels, relation_labels = list(entity_labels), list(relation_labels)
        labels_file = self.labels.path or "labels.toml"
        out = []
        missing = self.labels.missing([*entity_labels, *relation_labels])
        if missing:
            out.append(DomainError(f"{model} predicts labels the domain {self.name!r} cannot map: "
                                   f"{', '.join(missing)}; add them to {labels_file} or use the model's own domain",
                                   code="KGA606", location=location))
        wrong = []
        for what, labels, want, other in (("entity", entity_labels, self.ontology.classes, "relation"),
                                          ("relation", relation_labels, self.ontology.relations, "class")):
            for label in labels:
                name = self.labels.lookup(label)
                if name is not None and name not in want:
                    wrong.append(f"the {what} label {label!r} to the {other} {name}")
        if wrong:
            out.append(DomainError(f"{model}: the domain {self.name!r} maps {'; '.join(wrong)}; map each to a name "
                                   f"of its kind in {labels_file}", code="KGA606", location=location))
        return out

    def check_data_labels(self, examples: Any, path: str | Path) -> None:
        """Refuse data with a label this domain's map does not know (KGA607, naming the file, the
        line of its first use and the label). ``examples``: encoder Examples (``entities`` and
        ``relations`` with ``type``; ``meta["source_file"]`` = "file:line")."""
        first: dict[str, str] = {}
        for ex in examples:
            for part in (ex.entities, ex.relations, getattr(ex, "negative_entities", ()),
                         getattr(ex, "negative_relations", ())):
                for item in part:
                    if item.type not in first and self.labels.lookup(item.type) is None:
                        first[item.type] = str(ex.meta.get("source_file", path)) if getattr(ex, "meta", None) else str(path)
        if first:
            label, where = next(iter(first.items()))
            others = sorted(set(first) - {label})
            more = f" (also: {', '.join(others[:8])}{', ...' if len(others) > 8 else ''})" if others else ""
            loc = Location.parse(where)
            raise DomainError(f"the label {label!r} is not in the domain {self.name!r}'s label map{more}: add it to "
                              f"{self.labels.path or 'labels.toml'} (a table per data set, 'Label = \"name\"')",
                              code="KGA607", location=loc)

    @property
    def kinds(self) -> frozenset[str]:
        """The ontology's kinds (root classes)."""
        return frozenset(self.ontology.kinds)

    def linker_options(self) -> dict[str, Any]:
        """What the domain tells the graph's linker (``KnowledgeGraph.linker(**options)``): its
        kinds, its untyped class, whether its entities are known by their names, the name
        suffixes and the classes whose names take them (``short_name`` stem), the endings of
        words derived from names (``derived_suffixes``) and the words after a name that say its
        class (``kind_words``)."""
        onto = self.ontology
        return {"kinds": self.kinds, "untyped": onto.untyped, "by_name": self.link_by_name,
                "name_suffixes": onto.name_suffixes, "derived_suffixes": onto.derived_suffixes,
                "kind_words": onto.kind_words(),
                "stem_classes": frozenset(c for c in onto.classes if "stem" in onto.short_name_of(c))}

    def fingerprint_text(self) -> str:
        """The domain's files as one text (what a run's fingerprint depends on)."""
        parts = [self.name]
        for p in (self.ontology.path, self.labels.path):
            if p and Path(p).is_file():
                parts.append(Path(p).read_text(encoding="utf-8"))
        return "\x1f".join(parts)


class DomainProblems(DomainError):
    """Several problems in one domain folder; the message names the first and the count."""

    def __init__(self, problems: list[DomainError]):
        first = problems[0]
        more = f" (and {len(problems) - 1} more problem(s): run `kgagent domain check`)" if len(problems) > 1 else ""
        super().__init__(first.message + more, code=first.code, location=first.location)
        self.problems = problems


def check_domain(path: str | Path | None = None, *, need_model: bool = False) -> list[DomainError]:
    """Every problem of a domain folder, in one run (empty list: the folder is sound).

    Checks domain.toml, the ontology, the label map, the wording file, that the rule
    directories exist, and, where there is a model, that the label map knows its labels
    (``need_model``: a missing model is a problem too).
    """
    root = _root(path)
    domain, problems, conf = _read(root)
    if domain is None or conf is None:
        return problems
    if not domain.rule_paths:
        problems.append(DomainError("the domain reads no rules: shared_rules is false and rules names none; name the "
                                    "domain's rule files in `rules` or set shared_rules = true", code="KGA604",
                                    location=conf.where("rules" if "rules" in conf.data else "shared_rules")))
    for p in domain.rule_paths:
        if not p.exists():
            problems.append(DomainError(f"the rules path {p} does not exist: create it or fix `rules` in "
                                        f"{DOMAIN_FILE}", code="KGA604", location=conf.where("rules")))
        elif p.is_dir() and not any(f.is_file() for f in p.glob("*.rules")):
            problems.append(DomainError(f"the rules folder {p} holds no *.rules file: add the domain's rules "
                                        f"(kgagent init writes thresholds.rules) or fix `rules` in {DOMAIN_FILE}",
                                        code="KGA604", location=conf.where("rules")))
    if domain.model is not None and (domain.model / "config.json").is_file():
        config = domain.model / "config.json"
        try:
            cfg = json.loads(config.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            problems.append(DomainError(f"unreadable model config: not valid JSON: {err.msg}", code="KGA605",
                                        location=Location(str(config), err.lineno, err.colno)))
        except (OSError, ValueError, RecursionError) as err:  # RecursionError: nested too deeply
            why = "nested too deeply to read" if isinstance(err, RecursionError) else str(err)
            problems.append(DomainError(f"unreadable model config: {why}", code="KGA605",
                                        location=Location(str(config))))
        else:
            if not isinstance(cfg, dict) or not all(
                    isinstance(cfg.get(k, []), list) and all(isinstance(x, str) for x in cfg.get(k, []))
                    for k in ("entity_labels", "relation_labels")):
                problems.append(DomainError("the model config is a JSON object whose entity_labels and "
                                            "relation_labels are lists of labels", code="KGA605",
                                            location=Location(str(domain.model / "config.json"))))
                cfg = {}
            problems += domain.model_label_problems(cfg.get("entity_labels", []), cfg.get("relation_labels", []),
                                                    location=Location(str(domain.model / "config.json")))
    elif need_model:
        try:
            domain.model_dir()
        except DomainError as err:
            problems.append(err)
    return problems


def _root(path: Any) -> Path:
    """The domain folder ``path`` names (None: the default domain's); DomainError KGA602 for a
    value that is no path (``Agent.load(domain=5)`` was a TypeError from pathlib)."""
    if path is None:
        return default_domain_dir()
    if not isinstance(path, (str, os.PathLike)) or isinstance(os.fspath(path), bytes):
        raise DomainError(f"a domain is a folder's path (str or Path) or a Domain, not {type(path).__name__} "
                          f"{path!r}", code="KGA602")
    return Path(path)


def _read(root: Path) -> tuple[Domain | None, list[DomainError], TomlDoc | None]:
    """The domain in ``root``, every problem found on the way, and its domain.toml as read (for
    the lines of its keys; None with no domain)."""
    problems: list[DomainError] = []
    if not root.is_dir():
        what = "is a file, not a domain folder" if root.exists() else "no such domain folder"
        return None, [DomainError(f"{what}: give a directory made by `kgagent init`", code="KGA602",
                                  location=Location(str(root)))], None
    conf_path = root / DOMAIN_FILE
    if not conf_path.is_file():
        what = (f"{DOMAIN_FILE} is a folder, not a file" if conf_path.is_dir() else
                f"{DOMAIN_FILE} is a symbolic link that leads nowhere (or back to itself)" if conf_path.is_symlink()
                else f"no {DOMAIN_FILE}")
        return None, [DomainError(f"not a domain folder: {what} (make one with `kgagent init DIR "
                                  "--from-data TRAIN.json`)", code="KGA602", location=Location(str(root)))], None
    try:
        conf = read_toml(conf_path)
    except DomainError as err:
        return None, [err], None
    data = conf.data
    for k in data:
        if k not in _KEYS:
            problems.append(DomainError(f"unknown key {k!r} in {DOMAIN_FILE}{near_miss(k, _KEYS)} (keys: "
                                        f"{', '.join(sorted(_KEYS))})",
                                        code="KGA610", location=conf.where(k)))

    def part(key: str, default: str | None) -> Path | None:
        value = data.get(key, default)
        if value is None or value is False or value == "":
            return None
        if not isinstance(value, str):
            problems.append(DomainError(f"{key} is a path (text), not {type(value).__name__} {value!r}",
                                        code="KGA610", location=conf.where(key)))
            return None
        return resolve(key, value, "KGA608")

    def resolve(key: str, value: str, code: str) -> Path | None:
        """``value`` (relative to the folder) resolved; a problem (``code``) and None when it is a
        symbolic link that loops (resolving it would raise)."""
        given = root / value
        try:
            return given.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
            problems.append(DomainError(f"the {key} path {given} is a symbolic link that leads back to itself: "
                                        f"fix the link or `{key}` in {DOMAIN_FILE}", code=code,
                                        location=conf.where(key) if key in data else Location(str(given))))
            return None

    def folder(key: str, default: str) -> Path | None:
        """``part`` for a path that must be a folder when it is there (``model``: a file there
        would read as "no model yet"); KGA608 when it is something else."""
        path = part(key, default)
        if path is not None and path.exists() and not path.is_dir():
            problems.append(DomainError(f"the {key} path {path} is not a folder: fix `{key}` in {DOMAIN_FILE}",
                                        code="KGA608", location=conf.where(key) if key in data
                                        else Location(str(path))))
            return None
        return path

    def present(key: str, default: str | None, *, file: bool) -> Path | None:
        """``part``, and a problem (KGA608) when domain.toml names a path that is not there, or
        what is there is a folder where a file belongs: a domain read without its graph or its
        label map would decide otherwise, and one without its cases would test nothing, without
        a word."""
        path = part(key, default)
        if path is None:
            return None
        named = key in data
        if (named and not path.exists()) or (file and path.exists() and not path.is_file()):
            what = "does not exist" if not path.exists() else "is not a file"
            fix = f"fix `{key}` in {DOMAIN_FILE}" + ((" or remove it (a domain without a graph)" if key == "graph"
                                                     else " or remove it") if named else "")
            problems.append(DomainError(f"the {key} path {path} {what}: {fix}", code="KGA608",
                                        location=conf.where(key) if named else Location(str(path))))
            return None
        return path

    files: dict[Path, str] = {conf_path.resolve(): DOMAIN_FILE}  # each part's file, once

    def own_file(key: str, path: Path | None) -> Path | None:
        """``path``, or a problem (KGA608) and None when another part's file is this one
        (``ontology = "domain.toml"`` read domain.toml's keys as unknown tables, one by one)."""
        if path is None or not path.is_file():
            return path
        other = files.setdefault(path.resolve(), key)
        if other == key:
            return path
        problems.append(DomainError(f"the {key} path {path} is the {other} file: give the {key} a file of its own",
                                    code="KGA608", location=conf.where(key) if key in data else Location(str(path))))
        return None

    before = len(problems)
    onto_path = own_file("ontology", present("ontology", "ontology.toml", file=True))
    onto_read = len(problems) == before  # False: its classes are not known (rather than absent)
    try:
        onto_doc = read_toml(onto_path) if onto_path else read_toml_text("", str(root / "ontology.toml"))
        ontology, found = Ontology.from_toml(onto_doc)
        problems += found
        onto_read = onto_read and all(isinstance(onto_doc.data.get(k, {}), dict)
                                      for k in ("ontology", "classes", "relations"))
    except DomainError as err:
        problems.append(err)
        ontology = Ontology()
        onto_read = False
    if onto_read and not ontology.classes:
        problems.append(DomainError("the ontology declares no class: a domain needs at least one ([classes.NAME]; "
                                    "`kgagent init DIR --from-data TRAIN.json` writes them from data)", code="KGA609",
                                    location=Location(str(onto_path)) if onto_path else conf.where("ontology")))
    names = set(ontology.classes) | set(ontology.relations)
    labels_path = own_file("labels", present("labels", "labels.toml", file=True))
    labels = LabelMap(names=names)
    if labels_path is not None and labels_path.is_file():
        try:
            labels, found = LabelMap.from_toml(read_toml(labels_path), names)
            # a label's target is unknown only against an ontology that was read and has classes
            problems += [p for p in found if (onto_read and ontology.classes) or p.code != "KGA621"]
        except DomainError as err:
            problems.append(err)
    wording: dict[str, str] = {}
    own_wording = own_file("wording", present("wording", "explain.toml", file=True))
    for wpath in (SHARED_RULES_DIR / "explain.toml", own_wording):
        if wpath is not None and wpath.is_file():
            try:
                w, found = read_wording(read_toml(wpath))
                wording.update(w)
                problems += found
            except DomainError as err:
                problems.append(err)
    rules_value = data.get("rules", ["rules"])
    rules_list = [rules_value] if isinstance(rules_value, str) else rules_value
    if not (isinstance(rules_list, list) and all(isinstance(r, str) and r for r in rules_list)):
        problems.append(DomainError(f"rules is a path or a list of paths (text), not {rules_value!r}",
                                    code="KGA610", location=conf.where("rules")))
        rules_list = []

    def flag(key: str, default: bool) -> bool:
        """A true-or-false key of domain.toml (KGA610, and the default, when it is something else)."""
        value = data.get(key, default)
        if isinstance(value, bool):
            return value
        problems.append(DomainError(f"{key} is true or false", code="KGA610", location=conf.where(key)))
        return default

    def words(key: str, default: str, *, empty: bool) -> str:
        """A text key of domain.toml (KGA610, and the default, when it is something else, or
        blank where ``empty`` is false)."""
        value = data.get(key, default)
        if isinstance(value, str) and (empty or value.strip()):
            return value
        problems.append(DomainError(f"{key} is {'' if empty else 'non-empty '}text in quotes, not {value!r}",
                                    code="KGA610", location=conf.where(key)))
        return default

    shared = flag("shared_rules", True)
    by_name = flag("link_by_name", False)
    own_rules = {path: PurePosixPath(Path(str(r)).as_posix()).as_posix() for r in rules_list
                 if (path := resolve("rules", str(r), "KGA604")) is not None}
    rule_paths = ([SHARED_RULES_DIR] if shared else []) + list(own_rules)
    tests = present("rule_tests", str(Path(str(rules_list[0])) / "tests") if rules_list else None, file=False)
    graph = present("graph", "graph", file=False)
    unreadable = (graph_file_problem(graph) if graph is not None and graph.is_file() else
                  graph_folder_problem(graph) if graph is not None and graph.is_dir() else None)
    if unreadable is not None:  # every command that uses the graph would stop on it (KGA201, KGA202)
        fix = (f"fix `graph` in {DOMAIN_FILE}" if "graph" in data or graph.is_file() else
               f"`kgagent kg import FILE --graph {graph}` makes one, or remove the folder (a domain without a graph)")
        problems.append(DomainError(f"{unreadable}: {fix}", code="KGA608",
                                    location=conf.where("graph") if "graph" in data else Location(str(graph))))
        graph = None
    domain = Domain(root=root.resolve(), name=words("name", root.name, empty=False),
                    description=words("description", "", empty=True), ontology=ontology, labels=labels,
                    rule_paths=rule_paths, rule_tests=tests if tests is not None and tests.exists() else None,
                    graph=graph, model=folder("model", "model"), wording=wording,
                    shared_rules=shared, link_by_name=by_name, rule_entries=own_rules)
    return domain, problems, conf


def read_wording(doc: TomlDoc) -> tuple[dict[str, str], list[DomainError]]:
    """``[predicates] "name/arity" = "template"`` -> {"name/arity": template} and the problems.

    A template names the arguments ``{0}``, ``{1}``, ... (an entity or mention is named by its
    label or text) and ``{a:1}`` (the argument with its article: "a city"); ``{{`` and ``}}``
    write a brace. A line whose template is malformed (see :func:`wording_problem`) is a
    problem (KGA630) and is left out: ``kgagent explain`` then writes the fact as the rules do.
    """
    out: dict[str, str] = {}
    problems: list[DomainError] = [
        DomainError(f"unknown table [{key}]{near_miss(key, ['predicates'])}: a wording file has one table, "
                    "[predicates], of "
                    "'\"name/arity\" = \"words\"' lines", code="KGA630", location=doc.where(key))
        for key in doc.data if key != "predicates"]
    table = doc.data.get("predicates", {})
    if not isinstance(table, dict):
        return out, [*problems, DomainError("[predicates] holds 'name/arity = \"words\"' lines", code="KGA630",
                                            location=doc.where("predicates"))]
    for key, template in table.items():
        m = _WORDING_KEY.fullmatch(key)
        if not m or not isinstance(template, str):
            what = "is not \"predicate/arity\"" if not m else f"maps to {type(template).__name__}, not words"
            problems.append(DomainError(f"{key!r} {what}: write \"predicate/arity\" = \"words with {{0}}, {{1}}\"",
                                        code="KGA630", location=doc.where("predicates", key)))
            continue
        why = wording_problem(template, int(m.group(2)))
        if why is not None:
            problems.append(DomainError(f"{key}: {why}", code="KGA630", location=doc.where("predicates", key)))
            continue
        out[key] = template
    return out, problems


def _wording_parts(template: str) -> list[str | tuple[bool, int]]:
    """A template as its pieces: text, and ``(with_article, argument)`` for each placeholder.
    ValueError (its words say what is wrong) for a brace that is not a placeholder."""
    parts: list[str | tuple[bool, int]] = []
    text: list[str] = []
    i = 0
    while i < len(template):
        c = template[i]
        if c in "{}" and template[i + 1:i + 2] == c:  # {{ and }}: the brace itself
            text.append(c)
            i += 2
            continue
        if c == "}":
            raise ValueError(f"the '}}' at character {i + 1} closes no placeholder (write '}}}}' for a brace)")
        if c != "{":
            text.append(c)
            i += 1
            continue
        end = template.find("}", i + 1)
        opened = template.find("{", i + 1)
        if end < 0 or 0 <= opened < end:
            raise ValueError(f"the '{{' at character {i + 1} is never closed: write {{0}}, {{a:0}} or '{{{{' for a "
                             "brace")
        m = _PLACEHOLDER.fullmatch(template, i, end + 1)
        if m is None:
            raise ValueError(f"{template[i:end + 1]} is not a placeholder: write {{0}} (the argument) or {{a:0}} "
                             "(the argument with its article), or '{{' for a brace")
        if text:
            parts.append("".join(text))
            text = []
        parts.append((m.group(1) is not None, int(m.group(2))))
        i = end + 1
    if text:
        parts.append("".join(text))
    return parts


def wording_problem(template: str, arity: int) -> str | None:
    """What is wrong with a wording template for a predicate of ``arity`` arguments, in words;
    None when it is sound.

    >>> wording_problem("{0} lies in {a:1}", 2) is None
    True
    >>> wording_problem("{0 is near", 2)
    "the '{' at character 1 is never closed: write {0}, {a:0} or '{{' for a brace"
    >>> wording_problem("{b:0} is near", 1)
    "{b:0} is not a placeholder: write {0} (the argument) or {a:0} (the argument with its article), or '{{' for a brace"
    >>> wording_problem("{2} is near", 2)
    '{2} names an argument the predicate does not have (it has {0} to {1})'
    """
    try:
        parts = _wording_parts(template)
    except ValueError as err:
        return str(err)
    for part in parts:
        if isinstance(part, tuple) and part[1] >= arity:
            has = "no arguments" if arity == 0 else "{0}" if arity == 1 else f"{{0}} to {{{arity - 1}}}"
            return f"{{{part[1]}}} names an argument the predicate does not have (it has {has})"
    return None


def render_wording(template: str, args: list[Any], name: Any, article: Any) -> str | None:
    """Fill a wording template (see ``read_wording``) with named arguments; None when the
    template is malformed or names an argument beyond ``args`` (the caller then writes the fact
    as the rules do: a wording given from Python is not checked as a domain's file is)."""
    try:
        parts = _wording_parts(template)
    except ValueError:
        return None
    if any(isinstance(part, tuple) and part[1] >= len(args) for part in parts):
        return None
    return "".join(part if isinstance(part, str) else article(str(args[part[1]])) if part[0] else name(args[part[1]])
                   for part in parts)
