"""Training on several data sets at once: sources, the data manifest, per-source label sets.

Two data sets rarely annotate the same things. CoNLL04 marks people, organisations, places,
"Other" (dates, amounts, events...) and relations; CoNLL-2003 marks people, organisations,
places and MISC (nationalities, events, works) and no relation at all. Trained together
naively, each would teach the other wrong negatives: a date is a plain non-entity in
CoNLL-2003, a nationality one in CoNLL04, and every CoNLL-2003 entity pair would look
unrelated. So every example carries its source's **annotation scheme**
(``meta["annotates"]``): the entity labels its source uses and whether it annotates relations.
The trainer reads it as partial labels (see :func:`allowed_labels`):

- a span the source marks as class ``c`` is ``c``;
- a span the source leaves unmarked is "no entity" **or any class the source does not use**;
- a source without relations teaches the relation head nothing;
- ``{"entities": [], "relations": "judged"}`` marks examples that judge single decisions (a
  reviewer's answers): only the judged spans and pairs carry loss, nothing else in the sentence
  is read as "no entity" or "no relation".

A manifest (TOML) names the sources, their dev splits and how often each is seen per epoch::

    # paths are relative to this file
    [[source]]
    name = "conll04"                 # the label map's table for this data set
    train = "conll04_train.json"
    dev = "conll04_dev.json"
    repeat = 2                       # passes per epoch; a fraction samples (0.3 = 30 %)

``train`` may list several files of one data set (``train = ["conll04_train.json",
"conll04_dev.json"]``: a train+dev model, its epochs fixed beforehand on dev).

>>> allowed_labels("other", {"person", "other"}, ["misc", "other", "person"])
['other']
>>> allowed_labels(None, {"person", "other"}, ["misc", "other", "person"])
[None, 'misc']

A marked class is taken as written, even where the ontology has a narrower one (CoNLL04's
Other and CoNLL-2003's MISC under it): allowing CoNLL04's dates to be "misc" let them drift
there, so they were lost to CoNLL04's scheme (test: Other F1 71.8 -> 42.9 in a first run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgagent.encoder.data import Example, labels_of, read_examples, relabel
from kgagent.errors import DomainError, EncoderError, Location

SOURCE_KEYS = ("name", "train", "dev", "repeat")


@dataclass(frozen=True)
class Source:
    """One data set of a training run: its train file, its dev file and its passes per epoch."""

    name: str
    train: Path
    dev: Path | None = None
    repeat: float = 1.0
    #: more training files of the same data set (read after ``train``, with its scheme)
    also: tuple[Path, ...] = ()

    @property
    def train_files(self) -> tuple[Path, ...]:
        """Every training file of the source, ``train`` first."""
        return (self.train, *self.also)


def allowed_labels(gold: str | None, annotated: Iterable[str], model_labels: Sequence[str]) -> list[str | None]:
    """The labels a span may have under one source's scheme (None = no entity), sorted with None first.

    ``gold`` is the source's label for the span (None: the source marks nothing there);
    ``annotated`` the labels the source uses.
    """
    labels = set(model_labels)
    if gold is not None:
        return [gold] if gold in labels else []
    return [None, *sorted(labels - set(annotated))]


def mark_scheme(examples: Iterable[Example], dataset: str, entities: Iterable[str], relations: bool) -> list[Example]:
    """``examples`` with ``meta["dataset"]`` and ``meta["annotates"]`` set (in place; returned)."""
    ents = sorted(set(entities))
    out = []
    for ex in examples:
        ex.meta["dataset"] = dataset
        ex.meta["annotates"] = {"entities": ents, "relations": relations}
        out.append(ex)
    return out


def read_manifest(path: str | Path) -> list[Source]:
    """The sources of a data manifest; EncoderError KGA312 naming the file and line of a problem
    (a missing file, an unknown key, a bad repeat, two sources of one name)."""
    from kgagent.domain.tomlfile import read_toml  # line-aware TOML (file:line errors)

    path = Path(path)
    try:
        doc = read_toml(path)
    except DomainError as err:  # not TOML, not UTF-8, unreadable: a bad manifest, where it is bad
        raise EncoderError(err.message, code="KGA312", location=err.location) from None
    tables = doc.data.get("source")
    if not isinstance(tables, list) or not tables:
        raise EncoderError("a data manifest needs one [[source]] table per data set (name, train, dev, repeat)",
                           code="KGA312", location=Location(str(path), 1))
    out: list[Source] = []
    for i, table in enumerate(tables):
        line = doc.line("source", str(i))

        def bad(msg: str) -> EncoderError:
            return EncoderError(msg, code="KGA312", location=Location(str(path), line))

        unknown = sorted(set(table) - set(SOURCE_KEYS))
        if unknown:
            raise bad(f"[[source]] {i + 1}: unknown key {unknown[0]!r} (keys: {', '.join(SOURCE_KEYS)})")
        given = table.get("train")
        files = [given] if isinstance(given, str) else given
        if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
            raise bad(f"[[source]] {i + 1}: needs train = \"PATH\" (or a list of paths)")
        trains = [(path.parent / f).resolve() for f in files]
        train = trains[0]
        if "dev" in table and not (isinstance(table["dev"], str) and table["dev"]):
            raise bad(f"[[source]] {i + 1}: dev must be one path, dev = \"PATH\", not {table['dev']!r}")
        dev = (path.parent / table["dev"]).resolve() if "dev" in table else None
        name = table.get("name", train.stem)
        repeat = table.get("repeat", 1.0)
        if not isinstance(name, str) or not name:
            raise bad(f"[[source]] {i + 1}: name must be a string")
        if isinstance(repeat, bool) or not isinstance(repeat, (int, float)) or not 0 < repeat <= 100:
            raise bad(f"[[source]] {name}: repeat must be a number in (0, 100], got {repeat!r}")
        checks = [("train", f, t) for f, t in zip(files, trains)] + [("dev", table.get("dev"), dev)]
        for role, given_path, p in checks:
            if p is not None and not p.is_file():
                what = "is a directory, not a file" if p.is_dir() else "does not exist"
                raise bad(f"[[source]] {name}: {role} file {given_path!r} {what} ({p})")
        if any(s.name == name for s in out):
            raise bad(f"[[source]] {name}: two sources share this name")
        out.append(Source(name, train, dev, float(repeat), tuple(trains[1:])))
    return out


def sources_from_paths(data: Sequence[Path], dev: Sequence[Path]) -> list[Source]:
    """Sources for ``kgagent train A B --dev DA --dev DB`` (dev files pair with data files in order;
    one dev for one data file, or none)."""
    if dev and len(dev) != len(data):
        raise EncoderError(f"{len(data)} training files but {len(dev)} --dev files: give one --dev per training "
                           "file, in the same order (or a data manifest)", code="KGA312")
    out = []
    for i, p in enumerate(data):
        if not Path(p).is_file():
            what = "is a directory, not a file" if Path(p).is_dir() else "does not exist"
            raise EncoderError(f"training file {p} {what}", code="KGA312", location=Location(str(p)))
        name = Path(p).stem
        if any(s.name == name for s in out):
            name = f"{name}_{i}"
        out.append(Source(name, Path(p), Path(dev[i]) if dev else None))
    return out


def load_sources(sources: Sequence[Source], normalize: Callable[[str], str] | None = None,
                 check: Callable[[list[Example], Path], Any] | None = None) -> tuple[list[Example], list[Example]]:
    """Train and dev examples of every source, labels put through ``normalize`` (the domain's
    label map), each marked with its source's scheme. ``check(examples, path)`` vets a file's
    labels before anything is relabelled (a label the domain does not know is an error)."""
    train: list[Example] = []
    dev: list[Example] = []
    for s in sources:
        tr = []
        for f in s.train_files:
            part = read_examples(f)
            if not part:  # a data set that adds nothing is a mistake, not a source
                raise EncoderError(f"source {s.name}: the training file has no sentences", code="KGA331",
                                   location=Location(str(f), 1))
            if check is not None:
                check(part, f)
            tr += part
        dv = read_examples(s.dev) if s.dev is not None else []
        if s.dev is not None and not dv:
            raise EncoderError(f"source {s.name}: the dev file has no sentences", code="KGA331",
                               location=Location(str(s.dev), 1))
        if check is not None and s.dev is not None:
            check(dv, s.dev)
        if normalize is not None:
            tr, dv = relabel(tr, normalize), relabel(dv, normalize)
        ents, rels = labels_of(tr)
        train += mark_scheme(tr, s.name, ents, bool(rels))
        dev += mark_scheme(dv, s.name, ents, bool(rels))
    return train, dev

