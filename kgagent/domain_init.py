"""``kgagent init``: a new domain folder written from a training data set.

From the data (any format ``kgagent train`` reads: SpERT JSON, CoNLL columns) come the classes
(one per entity label), the relations (one per relation label) with the signatures the data
shows — every head and tail class seen, with counts in a comment so that the expert can prune
them — symmetric flags from a SpERT types file, the label map (the data's labels to the
ontology's names), a thresholds file for the shared rules, an empty graph holding the ontology,
and rule example cases that pass. Then ``kgagent train DATA --dev DEV --domain DIR`` gives it a
model and every command takes ``--domain DIR``.

>>> snake("OtherScientificTerm"), snake("Used-for"), snake("Adverse-Effect"), snake("PER"), snake("NOT")
('other_scientific_term', 'used_for', 'adverse_effect', 'per', 'not_')
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgagent.domain import Domain, LabelMap, Ontology
from kgagent.domain.labels import fold
from kgagent.domain.ontology import RESERVED, ClassDef, RelationDef
from kgagent.domain.tomlfile import read_toml_text, toml_string
from kgagent.errors import DomainError, Location, undecodable, visible
from kgagent.files import file_in_the_way

#: the shared rules' score bands and trust levels, as written into a new domain (the news
#: domain's values, chosen on CoNLL04 dev: a starting point to tune on the new domain's dev)
THRESHOLDS = """\
% ============================================================================
% thresholds.rules - this domain's score bands and trust levels
%
% The shared rules (types against signatures, score bands, graph confirms or
% contradicts, functional and symmetric relations, claims) read these facts.
% Written by `kgagent init` with kgagent's defaults; tune them on dev data
% (`kgagent rules tune DEV --domain DIR -t entity_accept=0.3,0.35,0.4`) and
% check with `kgagent rules test --domain DIR`.
% ============================================================================

% mentions: accepted from entity_accept, reviewed from entity_review, else rejected
threshold(entity_accept, 0.35).
threshold(entity_review, 0.2).

% a link is evidence about a mention's class from this similarity on
threshold(link_trusted, 0.9).

% relations: accepted from the encoder's own threshold plus this much; reviewed
% within relation_review_margin below that; rejected lower down
threshold(relation_accept_over_model, 0.0).
threshold(relation_review_margin, 0.15).

% repairs (the shared repairs.rules): a mention retyped or a relation relabelled
% by the joint decision is taken when it beats the encoder's own label by at
% least this margin (log-score: 0.5 = about 1.6 times as likely)
threshold(repair_min_margin, 0.5).

% the joint decision's weights (log units, read by the agent): the other
% mentions of a name in the document, and the corpus memory's votes
threshold(same_name_weight, 1.0).
threshold(memory_weight, 1.0).
"""


#: the files ``init`` writes, relative to the domain folder (the graph's file is ``kg.save``'s)
INIT_FILES = ("domain.toml", "ontology.toml", "labels.toml", "explain.toml", "rules/thresholds.rules",
              "rules/tests/cases.yaml", "graph/graph.nq.gz", "graph/.gitignore")
#: the folders it makes
INIT_FOLDERS = ("rules", "rules/tests", "graph")
#: what using the graph makes beside its file (the entity index, the Oxigraph store, the writer
#: lock, a killed writer's temp files): made again from the graph, and left out of git by the
#: graph/.gitignore init writes
GRAPH_DERIVED = ("index/", "oxigraph/", ".kgagent.lock", ".*.tmp-*")
#: the folders a domain init writes reads beside its files: whatever else is in them would be read
#: with the new domain (old rules, cases, graph files; a model trained on the old labels)
READ_FOLDERS = ("rules", "graph", "model")
#: init's record of what it wrote, in the domain folder: each file's relative path -> the sha256
#: of its bytes, and the kgagent that wrote them. Written last; read only by ``init --force`` (to
#: tell init's files from the user's changes); no command that reads the domain reads it
MANIFEST = ".kgagent-init.json"
#: the graph file among :data:`INIT_FILES`
GRAPH_FILE = "graph/graph.nq.gz"
#: explain.toml as init writes it
EXPLAIN = ("# How `kgagent explain` words the helper predicates of this domain's own rules:\n"
           '# "predicate/arity" = "words with {0}, {1}" ({a:1}: the argument with its article).\n'
           "[predicates]\n")


def snake(label: str) -> str:
    """An ontology name for a data label: lower case, words joined by ``_``."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", label.strip())
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").lower()
    if not s or not s[0].isalpha():
        s = "c_" + s
    return s + "_" if s in RESERVED else s  # "not" is the rule language's negation, no constant


def _words(label: str) -> str:
    return snake(label).replace("_", " ")


@dataclass
class InitReport:
    """What ``init_domain`` wrote and found."""

    root: Path
    classes: dict[str, int] = field(default_factory=dict)  # name -> mentions in the data
    relations: dict[str, int] = field(default_factory=dict)  # name -> relations in the data
    signatures: dict[str, Counter] = field(default_factory=dict)  # name -> (head, tail) -> count
    files: list[str] = field(default_factory=list)
    cases: int = 0
    #: with ``force``: the files of an earlier init written over, what was made from its graph and
    #: removed, and what init neither writes nor reads that was left as it was (relative paths)
    replaced: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def init_domain(target: str | Path, train: str | Path, types: str | Path | None = None, *,
                name: str | None = None, force: bool = False) -> InitReport:
    """Write a new domain folder ``target`` from the training data ``train``.

    ``types``: a SpERT types file (``{"relations": {"Compare": {"symmetric": true}}}``) for the
    symmetric flags. Refuses (DomainError KGA640) a non-empty ``target`` unless ``force``, and a
    ``target`` that is a file (or lies under one) always.
    The folder it writes passes ``check_domain`` and its example cases pass.

    ``force`` writes over an earlier init's folder, which then reads as a fresh one: init's files
    are written again and what was made from the old graph (its index) is removed. Anything else
    the new domain would read (a rule file, a case file or a graph file init did not write, a
    model trained on the old labels) is refused, named, before anything is read or written
    (KGA650); init deletes nothing it did not make. Other files (a README, ``.git``) are kept as
    they are (``InitReport.kept``).

    Nor does ``force`` write over what was changed since init wrote it: the graph after ``kg
    import`` or ``add_entity``, a hand-edited ontology, label map or thresholds file. Init records
    what it wrote in :data:`MANIFEST` (each file's sha256), written last; with ``force`` one of
    init's files is written again only when nothing it holds would be lost:

    - its bytes are those the record names (init wrote it, nobody changed it), or
    - its bytes are those this init writes now, for a file the data's labels do not make
      (explain.toml, rules/thresholds.rules, graph/.gitignore, domain.toml), or
    - for the graph: it holds exactly the empty graph init writes (the ontology and nothing else,
      no entity, no fact) for the ``ontology.toml`` in the folder (compared by its N-Quads lines,
      so a graph saved again unchanged still counts).

    Any other is refused, each named, before anything is written (DomainError KGA651): the user
    moves or deletes them and runs init again. All of this is decided before the data is read,
    and one refusal names every file that stops init (KGA650 when there are files of both kinds).
    Without a readable record (a folder an older kgagent wrote or one made by hand; a record that
    is not JSON counts as none, and the refusal says so) init cannot tell its own old output
    from an edit, so it takes the safe side and refuses what differs from what it writes now,
    the data's files too, but never loses a graph that holds no more than an init's empty one
    (of the folder's ontology or this init's); that is decided once the data is read.

    While ``force`` removes what was made from the old graph (its index, its Oxigraph store) and
    writes the new graph, it holds the graph folder's writer lock (``.kgagent.lock``, as
    ``KnowledgeGraph.save`` does), and checks the folder again under it; a folder another run
    holds is refused (DomainError KGA652), before the data is read and again then.
    """
    from kgagent.encoder.data import read_examples

    root = Path(target)
    if (path := file_in_the_way(root, directory=True)) is not None:  # never written over, not even with force
        what = "is a file, not a folder" if path == root else f"cannot be made under {path}, a file"
        raise DomainError(f"the domain {what}: choose a new one", code="KGA640", location=Location(str(root)))
    for link in (root, *root.parents):  # a link to nothing, or a loop: never made or followed
        if link.is_symlink() and not link.exists():
            what = "the domain folder" if link == root else f"{link}, a folder above it,"
            raise DomainError(f"{what} is a symbolic link that leads nowhere (or back to itself): choose a new "
                              "folder, or fix the link", code="KGA640", location=Location(str(root)))
    if root.exists() and any(root.iterdir()) and not force:
        raise DomainError("the folder exists and is not empty: choose a new one (or --force to write over it)",
                          code="KGA640", location=Location(str(root)))
    if name is not None and not name.strip():
        raise DomainError(f"the domain's name {name!r} is blank: give one with a letter in it, or no --name (the "
                          "folder's name)", code="KGA640", location=Location(str(root)))
    domain_name = name or snake(root.resolve().name)
    earlier = force and root.is_dir()
    if earlier:  # every problem of the earlier init's folder that the data does not decide, before reading it
        _refuse_earlier(root, {"domain.toml": _domain_toml(domain_name, train)})
        _lock_graph(root).unlock()  # a graph in use (KGA652): said now, not after reading the data
    examples = read_examples(train)
    if not examples:
        raise DomainError("no sentences in the training data", code="KGA641", location=Location(str(train)))
    symmetric = _symmetric_labels(types) if types is not None else set()
    ent_counts: Counter = Counter()
    rel_counts: Counter = Counter()
    pairs: dict[str, Counter] = defaultdict(Counter)
    for ex in examples:
        for e in ex.entities:
            ent_counts[e.type] += 1
        for r in ex.relations:
            rel_counts[r.type] += 1
            pairs[r.type][(ex.entities[r.head].type, ex.entities[r.tail].type)] += 1
    if not ent_counts:
        raise DomainError("the data has no entity annotation: a domain needs classes", code="KGA641",
                          location=Location(str(train)))
    _one_meaning(list(ent_counts), list(rel_counts), train)
    by_fold = {fold(lab): lab for lab in rel_counts}
    for lab in sorted(symmetric - set(rel_counts)):  # a flag that would fall on no relation, unseen
        if fold(lab) in by_fold:
            raise DomainError(f"the types file marks {lab!r} symmetric, but the data writes it {by_fold[fold(lab)]!r}: "
                              "write the label as the data does", code="KGA643", location=Location(str(types)))
    cls_name = {lab: snake(lab) for lab in sorted(ent_counts)}
    rel_name = {lab: snake(lab) for lab in sorted(rel_counts)}
    _unique(cls_name, train)
    _unique(rel_name, train)
    taken = set(cls_name.values()) | set(rel_name.values())
    for lab in list(rel_name):
        if rel_name[lab] in cls_name.values():  # a relation named as a class: a name of its own
            base, n = rel_name[lab] + "_rel", 1
            while (new := base if n == 1 else f"{base}{n}") in taken:
                n += 1
            rel_name[lab] = new
            taken.add(new)
    onto = Ontology()
    for lab in sorted(ent_counts, key=lambda x: -ent_counts[x]):
        onto.classes[cls_name[lab]] = ClassDef(
            name=cls_name[lab], label=_words(lab),
            description=f"TODO: describe this class ({ent_counts[lab]} mentions labelled {lab} in {Path(train).name})")
    report = InitReport(root=root)
    for lab in sorted(rel_counts, key=lambda x: -rel_counts[x]):
        seen = pairs[lab]
        head_c: Counter = Counter()
        tail_c: Counter = Counter()
        for (h, t), n in seen.items():
            head_c[cls_name[h]] += n
            tail_c[cls_name[t]] += n
        heads, tails = _ordered(head_c), _ordered(tail_c)
        sym = lab in symmetric
        if sym:  # one class set both ways
            both = _ordered(head_c + tail_c)
            heads = tails = both
        onto.relations[rel_name[lab]] = RelationDef(
            name=rel_name[lab], domains=tuple(heads), ranges=tuple(tails), symmetric=sym, label=_words(lab),
            description=f"TODO: describe this relation ({rel_counts[lab]} relations labelled {lab})")
        report.signatures[rel_name[lab]] = Counter({(cls_name[h], cls_name[t]): n for (h, t), n in seen.items()})
    report.classes = {cls_name[k]: v for k, v in ent_counts.items()}
    report.relations = {rel_name[k]: v for k, v in rel_counts.items()}
    source = re.sub(r"[_\-.](train|dev|test)$", "", Path(train).stem) or "data"
    labels = LabelMap(sources={snake(source): {**{lab: cls_name[lab] for lab in sorted(ent_counts)},
                                               **{lab: rel_name[lab] for lab in sorted(rel_counts)}}},
                      names=set(onto.classes) | set(onto.relations))
    texts = {"domain.toml": _domain_toml(domain_name, train),
             "ontology.toml": _ontology_toml(onto, report.signatures, train, types),
             "labels.toml": f"# What the labels of {visible(Path(train).name)} (and of models trained on it) mean "
                            f"in this domain's ontology.\n# Written by `kgagent init`; add a table per further data "
                            f"set or model.\n\n" + labels.to_toml()}
    _refuse_unsound(texts, root, labels.names, train)
    from kgagent.kg import KnowledgeGraph

    # over an earlier init: the graph's lock held from here to its new file (no run writes the graph,
    # nor its index, while init removes what was made from it), and the folder checked again under it
    # with the data's files (what the data decides; what changed while the data was read)
    kg = _lock_graph(root) if earlier else KnowledgeGraph()
    try:
        owned = _refuse_earlier(root, texts, onto) if earlier else None
        made = _first_missing(root)  # what to remove again if writing fails half way
        emptied = made is None and not any(root.iterdir())  # an empty folder given: emptied again on failure
        if owned is not None:
            report.replaced, report.removed, report.kept = _clear_earlier_init(root, owned)
        try:
            _write_domain(report, root, texts, onto, kg)
        except BaseException:
            if made is not None:
                shutil.rmtree(made, ignore_errors=True)
            elif emptied:
                for child in root.iterdir():
                    shutil.rmtree(child, ignore_errors=True) if child.is_dir() and not child.is_symlink() \
                        else child.unlink(missing_ok=True)
            raise
    finally:
        kg.unlock()
    return report


def _write_domain(report: InitReport, root: Path, texts: dict[str, str], onto: Ontology, kg: Any) -> None:
    """Write the domain folder's files, its empty graph (into ``kg``, a new KnowledgeGraph that may
    hold the graph folder's lock) and its example cases (which must pass)."""
    from kgagent.rule_tests import run_rule_tests

    root.mkdir(parents=True, exist_ok=True)
    (root / "rules" / "tests").mkdir(parents=True, exist_ok=True)
    for file, text in texts.items():
        _write(report, root / file, text)
    _write(report, root / "explain.toml", EXPLAIN)
    _write(report, root / "rules" / "thresholds.rules", THRESHOLDS)
    kg.add_ontology(onto)
    path = kg.save(root / "graph")
    report.files.append(str(path))
    # the entity index and the lock are made where the graph is used: not data to keep in git
    _write(report, root / "graph" / ".gitignore", "".join(f"{p}\n" for p in GRAPH_DERIVED))
    domain = Domain.load(root)
    cases = _cases(domain.ontology)
    _write(report, root / "rules" / "tests" / "cases.yaml", cases)
    results = run_rule_tests(domain.rule_paths, domain=domain, tests_dir=root / "rules" / "tests")
    failed = [r for r in results if not r.passed]
    if failed:  # pragma: no cover - the cases are written to pass
        raise DomainError(f"a written example case fails: {failed[0].name}: {failed[0].failures}", code="KGA642")
    report.cases = len(results)
    # last: the record of what init wrote, which init --force trusts to replace them
    from kgagent import __version__

    record = {"written_by": "kgagent init", "kgagent": __version__,
              "files": {rel: _sha256(root / rel) for rel in INIT_FILES}}
    _write(report, root / MANIFEST, json.dumps(record, indent=1, sort_keys=True) + "\n")


def _earlier_init(root: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """What ``init --force`` finds in ``root``: the files init writes (to write over), what was
    made from the graph (to remove), what init neither writes nor reads (to keep), and whatever
    else the new domain would read (foreign files under rules/, graph/ or model/; one of init's
    names that is a link or a folder: KGA650), as paths relative to ``root``."""
    import fnmatch

    replaced: list[str] = []
    removed: list[str] = []
    kept: list[str] = []
    foreign: list[str] = []

    def walk(folder: Path, rel: str) -> None:
        for child in sorted(folder.iterdir(), key=lambda p: p.name):
            path = rel + child.name
            is_dir = child.is_dir() and not child.is_symlink()
            shown = path + ("/" if is_dir else "")
            read = bool(rel) or path in READ_FOLDERS or path in INIT_FILES or path == MANIFEST  # or written
            if child.is_symlink():  # never written through, nor followed
                (foreign if read else kept).append(f"{path} (a symbolic link)" if read else path)
            elif path == MANIFEST and child.is_file():  # init's record: read, then written again
                pass
            elif path in INIT_FILES and child.is_file():
                replaced.append(path)
            elif path in INIT_FOLDERS and is_dir:
                walk(child, path + "/")
            elif rel == "graph/" and any(fnmatch.fnmatch(shown[len(rel):], p) for p in GRAPH_DERIVED):
                if child.name != ".kgagent.lock":  # the lock stays: a fresh init's graph has one too
                    removed.append(shown)
            else:
                (foreign if read else kept).append(shown)

    walk(root, "")
    return replaced, removed, kept, foreign


def _refuse_earlier(root: Path, texts: dict[str, str], onto: Ontology | None = None
                    ) -> tuple[list[str], list[str], list[str]]:
    """What ``init --force`` writes over, removes and keeps in ``root`` (see :func:`_earlier_init`),
    or one DomainError naming every file that stops it: those init did not write that the new
    domain would read (KGA650) and init's own files changed since it wrote them (KGA651; see
    ``init_domain``). The code is KGA650 when there are both, and the message names both lists.

    ``texts`` and ``onto``: what this init writes, as far as it is known (before the data is read:
    domain.toml, ``onto`` None). With init's record every problem is found before the data is
    read. Without one, the ontology, label map, cases and graph are compared with what the data
    makes: while one of them is still to compare, the refusal waits for the data (one run names
    every problem, rather than a first run some of them)."""
    replaced, removed, kept, foreign = _earlier_init(root)
    changed, undecided, why = _changed(root, replaced, texts, onto)
    if undecided or (not foreign and not changed):  # undecided: all of it named once the data is read
        return replaced, removed, kept
    note = f" ({why}, so a file of init's counts as changed unless it holds what this init writes)" if why else ""
    fix = "move {} out of the folder (or delete them) and run init again, or choose a new folder"
    if foreign:
        shown = ", ".join(foreign[:12]) + (f" and {len(foreign) - 12} more" if len(foreign) > 12 else "")
        also = f"; and init's own files changed since it wrote them (KGA651){note}: {', '.join(changed)}" \
            if changed else ""
        raise DomainError(f"--force writes over what init wrote, but the folder also holds what init did not write "
                          f"and the new domain would read: {shown}{also}; "
                          f"{'nothing was written: ' if changed else ''}{fix.format('these')}",
                          code="KGA650", location=Location(str(root)))
    raise DomainError(f"--force writes init's files again only as init wrote them, but these were changed since"
                      f"{note}: {', '.join(changed)}; nothing was written: {fix.format('them')}", code="KGA651",
                      location=Location(str(root)))


def _lock_graph(root: Path) -> Any:
    """A new, empty KnowledgeGraph holding the writer lock of ``root``'s graph folder (when there
    is one): while init removes what was made from the old graph and writes the new one, no
    other run writes there. DomainError KGA652, naming the folder and its holder, when another
    run holds it."""
    from kgagent.errors import GraphError
    from kgagent.kg import KnowledgeGraph

    folder = root / "graph"
    kg = KnowledgeGraph()
    if not folder.is_dir():  # no graph to guard: its save makes the folder and takes the lock itself
        return kg
    try:
        return kg.lock(folder)
    except GraphError as err:
        if err.code != "KGA203":
            raise
        try:
            holder = (folder / ".kgagent.lock").read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            holder = ""
        raise DomainError(f"the graph folder {folder} is in use by another kgagent run ({holder or 'a process'}): "
                          "--force would remove its index and write its graph while that run reads or writes "
                          "them; nothing was written: wait for the run to end (its lock goes with it) and run init "
                          "again", code="KGA652", location=Location(str(folder))) from None


def _clear_earlier_init(root: Path, found: tuple[list[str], list[str], list[str]]
                        ) -> tuple[list[str], list[str], list[str]]:
    """Remove what was made from an earlier init's graph (``_earlier_init``'s second list; init's
    own files are written over) and the earlier init's record, which a half-written folder must not
    keep. Returns ``found``."""
    (root / MANIFEST).unlink(missing_ok=True)
    for rel in found[1]:
        path = root / rel.rstrip("/")
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    return found


def _sha256(path: Path) -> str:
    """The sha256 of the file ``path``'s bytes (read in blocks: a graph may be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(root: Path) -> tuple[dict[str, str] | None, str]:
    """The record an earlier init left in ``root`` (relative path -> sha256), or None and why
    there is none to trust (no record; one that is not init's JSON)."""
    path = root / MANIFEST
    if not path.is_file():
        return None, f"the folder holds no {MANIFEST}, init's record of what it wrote (an older kgagent's folder " \
                     "or one made otherwise)"
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):  # ValueError: not JSON, not UTF-8
        data = None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return None, f"init's record of what it wrote, {MANIFEST}, is unreadable (not the JSON init writes)"
    return files, ""


def _graph_lines(onto: Ontology) -> set[bytes]:
    """The N-Quads lines of the empty graph init writes for ``onto`` (its file holds them sorted)."""
    from kgagent.kg import KnowledgeGraph

    kg = KnowledgeGraph()
    kg.add_ontology(onto)
    return set(kg.dataset.serialize(format="nquads", encoding="utf-8").splitlines()) - {b""}


def _holds_only(path: Path, lines: set[bytes]) -> bool:
    """Whether the gzip'd N-Quads file ``path`` holds exactly ``lines`` (read until the first
    other line; False for a file that cannot be read)."""
    import gzip
    import zlib

    seen: set[bytes] = set()
    try:
        with gzip.open(path, "rb") as fh:
            for line in fh:
                line = line.rstrip(b"\r\n")
                if not line:
                    continue
                if line not in lines:
                    return False
                seen.add(line)
    except (OSError, EOFError, zlib.error):
        return False
    return seen == lines


def _changed(root: Path, present: list[str], texts: dict[str, str], onto: Ontology | None
             ) -> tuple[list[str], list[str], str]:
    """Which of init's files in ``root`` (``present``: relative paths) ``init --force`` would lose
    a change to (see ``init_domain``), those undecided until the data is read, and why there is
    no record of what init wrote to trust ("" when there is one).

    ``texts``: the files this init writes that are known (domain.toml before the data is read;
    with ``onto``, this init's ontology, all of them). With a record every file is decided from
    it, before the data: as recorded, or holding what init writes whatever the data (explain.toml,
    thresholds.rules, graph/.gitignore, this domain.toml; a graph holding exactly the empty graph
    of the folder's ontology.toml), or changed. Without one, a file is compared with what this
    init writes, which for the ontology, label map, cases and graph the data decides."""
    record, why = _read_manifest(root)
    now = {**{rel: text.encode("utf-8") for rel, text in texts.items()},
           "explain.toml": EXPLAIN.encode("utf-8"), "rules/thresholds.rules": THRESHOLDS.encode("utf-8"),
           "graph/.gitignore": "".join(f"{p}\n" for p in GRAPH_DERIVED).encode("utf-8")}
    empties: list[Ontology] = []  # the ontologies whose empty graph init may write over
    try:
        theirs, problems = Ontology.from_toml_text((root / "ontology.toml").read_text(encoding="utf-8"),
                                                   str(root / "ontology.toml"))
        if not problems:
            empties.append(theirs)
    except (OSError, ValueError, DomainError):
        pass
    if onto is not None and record is None:  # the data's files count only where no record decides
        ours = Ontology.from_toml_text(texts["ontology.toml"], str(root / "ontology.toml"))[0]
        now["rules/tests/cases.yaml"] = _cases(ours).encode("utf-8")
        empties.insert(0, onto)
    elif onto is not None:
        now = {rel: data for rel, data in now.items() if rel not in ("ontology.toml", "labels.toml")}
    changed: list[str] = []
    undecided: list[str] = []
    for rel in present:
        path = root / rel
        if record is not None and record.get(rel) == _sha256(path):
            continue  # as init wrote it
        if rel == GRAPH_FILE:
            if any(_holds_only(path, _graph_lines(o)) for o in empties):
                continue
            (undecided if record is None and onto is None else changed).append(rel)
        elif rel in now:
            if path.read_bytes() != now[rel]:
                changed.append(rel)
        else:  # the data's ontology, label map or cases: changed since init wrote them, or not known yet
            (changed if record is not None else undecided).append(rel)
    return changed, undecided, why


def _refuse_unsound(texts: dict[str, str], root: Path, names: set[str], train: Any) -> None:
    """Refuse (KGA641), before anything is written, data whose labels would make an ontology or a
    label map with a problem (a label that reads as another label's class name)."""
    found = Ontology.from_toml_text(texts["ontology.toml"], str(root / "ontology.toml"))[1]
    found += LabelMap.from_toml(read_toml_text(texts["labels.toml"], str(root / "labels.toml")), names)[1]
    if found:
        raise DomainError(f"the data's labels would make a domain with a problem ({found[0].code} "
                          f"{found[0].message}); rename the label in the data", code="KGA641",
                          location=Location(str(train)))


def _first_missing(path: Path) -> Path | None:
    """The outermost folder of ``path`` (itself included) that does not exist yet; None if it does."""
    missing = None
    for p in (path, *path.parents):
        if p.exists():
            break
        missing = p
    return missing


def _one_meaning(entity_labels: list[str], relation_labels: list[str], train: Any) -> None:
    """Refuse (KGA641) labels the label map could not tell apart: one label of entities and of
    relations, or two labels that differ only in case, ``-``, ``_`` or spaces (the map folds them)."""
    seen: dict[str, tuple[str, str]] = {}
    for kind, labels in (("entities", entity_labels), ("relations", relation_labels)):
        for lab in sorted(labels):
            key = fold(lab)
            if key in seen:
                other, other_kind = seen[key]
                what = (f"the label {lab!r} names both entities and relations" if other == lab else
                        f"the labels {other!r} ({other_kind}) and {lab!r} ({kind}) differ only in case, '-', '_' "
                        "or spaces")
                raise DomainError(f"{what}: a label map gives each label one meaning; rename one in the data",
                                  code="KGA641", location=Location(str(train)))
            seen[key] = (lab, kind)


def _unique(names: dict[str, str], train: Any) -> None:
    seen: dict[str, str] = {}
    for lab, n in names.items():
        if n in seen:
            raise DomainError(f"the labels {seen[n]!r} and {lab!r} both become the name {n!r}: rename one in the data",
                              code="KGA641", location=Location(str(train)))
        seen[n] = lab


def _ordered(c: Counter) -> list[str]:
    return [k for k, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))]


def _symmetric_labels(path: str | Path) -> set[str]:
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise DomainError(f"cannot read the types file: {err.strerror or err}", code="KGA643",
                          location=Location(str(path))) from None
    try:
        data = json.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError as err:
        line, column, byte = undecodable(raw, err)
        raise DomainError(f"not UTF-8 text: byte {byte} (save the file as UTF-8)", code="KGA643",
                          location=Location(str(path), line, column)) from None
    except json.JSONDecodeError as err:
        raise DomainError(f"not valid JSON: {err.msg}", code="KGA643",
                          location=Location(str(path), err.lineno, err.colno)) from None
    except RecursionError:
        raise DomainError("not valid JSON: nested too deeply to read", code="KGA643",
                          location=Location(str(path))) from None
    shape = 'expected {"relations": {"Label": {"symmetric": true}}}'
    rels = data.get("relations", {}) if isinstance(data, dict) else None
    if not isinstance(rels, dict):
        raise DomainError(f"{shape}, not {json.dumps(data)[:60]}", code="KGA643", location=Location(str(path)))
    for lab, spec in rels.items():  # a flag misread would make a relation one-way, or both ways, unseen
        if not isinstance(spec, dict) or not isinstance(spec.get("symmetric", False), bool):
            raise DomainError(f"{shape}: relation {lab!r} has {json.dumps(spec)[:60]} (symmetric is true or "
                              "false)", code="KGA643", location=Location(str(path)))
    return {lab for lab, spec in rels.items() if spec.get("symmetric") is True}


def _write(report: InitReport, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    report.files.append(str(path))


def _domain_toml(name: str, train: Any) -> str:
    return (f"# A kgagent domain, written by `kgagent init` from {visible(Path(train).name)}. Paths are relative "
            f"to this\n# folder. Next: kgagent train TRAIN --dev DEV --domain <this folder>\n"
            f"name = {toml_string(name)}\n"
            f'description = "TODO: what texts this domain reads and what it extracts."\n'
            f'ontology = "ontology.toml"\nlabels = "labels.toml"\nwording = "explain.toml"\n'
            f'rules = ["rules"]\nrule_tests = "rules/tests"\nshared_rules = true\n'
            f'graph = "graph"\nmodel = "model"\n'
            f"# true when the graph's entities are known by their names (places, people): the linker then\n"
            f"# takes an entity found by embedding similarity only when one of its names says the mention's\n"
            f"# words (docs/domains.md)\n"
            f'link_by_name = false\n')


def _ontology_toml(onto: Ontology, signatures: dict[str, Counter], train: Any, types: Any) -> str:
    head = [f"# The ontology inferred from {visible(Path(train).name)} by `kgagent init`"
            + (f" (symmetric flags from {visible(Path(types).name)})" if types else "") + ".",
            "# Review it by hand: describe each class and relation, put classes under one another",
            "# (subclass_of), mark classes that exclude each other (disjoint_with), and prune the",
            "# signatures: each relation lists every head and tail class the data shows, with counts.",
            "# Classes without subclass_of are the kinds: every mention is of exactly one.",
            '# Where a document names an entity again by part of its name, say so on its class:',
            '# short_name = "last" ("Ottinger" for "James Ottinger"), "first" or "initials" ("KDP").', ""]
    body = onto.to_toml().splitlines()
    out: list[str] = []
    for line in body:
        m = re.fullmatch(r"\[relations\.(\w+)\]", line)
        if m and m.group(1) in signatures:
            seen = signatures[m.group(1)]
            shown = ", ".join(f"{h} -> {t} {n}" for (h, t), n in sorted(seen.items(), key=lambda kv: -kv[1]))
            out.append(f"# seen in the data: {shown}")
        out.append(line)
    return "\n".join(head + out) + "\n"


def _cases(onto: Ontology) -> str:
    """Example cases in the domain's own names (its ontology ``onto``'s) that the shared rules
    decide as written."""
    rel = next(iter(onto.relations.values()), None)
    cls = next(iter(onto.classes.values()))
    lines = ["# Example cases for this domain's rules: base facts in, verdicts out.",
             "# Run them with: kgagent rules test --domain <this folder>", "cases:"]
    lines += ["  - name: a confident mention is accepted, a very unsure one rejected",
              "    facts: |",
              f"      mention(m1, {cls.name}, 0.95).  text(m1, \"first\").   nil(m1).",
              f"      mention(m2, {cls.name}, 0.05).  text(m2, \"second\").  nil(m2).",
              "    expect: {m1: accept, m2: reject}", ""]
    if rel is None:
        return "\n".join(lines) + "\n"
    h, t = rel.domains[0], rel.ranges[0]
    lines += [f"  - name: a confident {rel.name} between the classes its signature names is accepted",
              "    facts: |",
              f"      mention(m1, {h}, 0.95).  text(m1, \"head\").  nil(m1).",
              f"      mention(m2, {t}, 0.95).  text(m2, \"tail\").  nil(m2).",
              f"      relation(r1, {rel.name}, m1, m2).  score(r1, 0.9).",
              "    expect: {r1: accept}", "",
              f"  - name: an unsure {rel.name} goes to review, a very unsure one is rejected",
              "    facts: |",
              f"      mention(m1, {h}, 0.95).  text(m1, \"head\").  nil(m1).",
              f"      mention(m2, {t}, 0.95).  text(m2, \"tail\").  nil(m2).",
              f"      relation(r1, {rel.name}, m1, m2).  score(r1, 0.4).",
              f"      relation(r2, {rel.name}, m1, m2).  score(r2, 0.1).",
              "    expect: {r1: review, r2: reject}", "",
              "  - name: a predicate outside the ontology is rejected",
              "    facts: |",
              f"      mention(m1, {h}, 0.95).  nil(m1).",
              f"      mention(m2, {t}, 0.95).  nil(m2).",
              "      relation(r1, no_such_relation, m1, m2).  score(r1, 0.9).",
              "    expect: {r1: reject}",
              "    reason: {r1: no such relation}", ""]
    outside = [c for c in onto.kinds if c not in {onto.kind_of(d) for d in rel.domains}]
    if outside:
        lines += [f"  - name: a {rel.name} whose head is of a kind its signature does not name is rejected",
                  "    facts: |",
                  f"      mention(m1, {outside[0]}, 0.95).  nil(m1).",
                  f"      mention(m2, {t}, 0.95).  nil(m2).",
                  f"      relation(r1, {rel.name}, m1, m2).  score(r1, 0.9).",
                  "    expect: {r1: reject}",
                  "    reason: {r1: head}", ""]
    return "\n".join(lines) + "\n"
