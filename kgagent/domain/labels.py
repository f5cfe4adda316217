"""A domain's label map: what each data set's and each model's labels mean in its ontology.

``labels.toml`` has one table per source (a data set, a model, an imported graph)::

    [ade]              # the ADE corpus in SpERT JSON, and models trained on it
    Drug = "drug"
    Adverse-Effect-Of = "adverse_effect_of"

    [n2c2]
    DRUG = "drug"

Names of the ontology map to themselves, so a model trained on data already labelled with the
ontology's names needs no table. A label is looked up exactly first, then case-folded with
``-`` and spaces read as ``_`` (``Adverse-Effect-Of``). A key written with a BIO tag's prefix
(``"B-DRUG"``: ``B-``, ``I-``, ``E-``, ``S-``, ``L-`` or ``U-``, upper case) also means the label
without it (``DRUG``): a model's and a data reader's labels carry none. Two keys that become one
label so and map to different names are a problem (KGA622), as two spellings of one label are.

>>> m = LabelMap({"ade": {"Drug": "drug", "Adverse-Effect-Of": "adverse_effect_of"}},
...              names={"drug", "adverse_effect_of"})
>>> m.normalize("Drug"), m.normalize("adverse effect of"), m.normalize("drug"), m.lookup("Award")
('drug', 'adverse_effect_of', 'drug', None)
>>> LabelMap({"n2c2": {"B-DRUG": "drug"}}, names={"drug"}).lookup("DRUG")
'drug'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kgagent.domain.tomlfile import TomlDoc, near_miss, read_toml, toml_key, toml_string
from kgagent.errors import DomainError


def fold(label: str) -> str:
    """The case-folded key of a label (``Adverse-Effect`` -> ``adverse_effect``)."""
    return label.strip().casefold().replace("-", "_").replace(" ", "_")


#: a BIO tag's prefix (BIO, BIOES, BILOU) before a label: ``B-DRUG``
_TAG_PREFIX = re.compile(r"\s*[BIESLU]-(?=\S)")
#: how a problem says that a prefix was dropped
_PREFIX_NOTE = "a B-, I-, E-, S-, L- or U- prefix of a BIO tag is dropped: a model's labels have none"


def without_tag_prefix(label: str) -> str | None:
    """The label a key written as a BIO tag names (``B-DRUG`` -> ``DRUG``); None for a key without
    such a prefix (lower case, ``e-mail``, is a label of its own).

    >>> without_tag_prefix("B-DRUG"), without_tag_prefix("U-Adverse-Effect"), without_tag_prefix("e-mail")
    ('DRUG', 'Adverse-Effect', None)
    """
    m = _TAG_PREFIX.match(label)
    return label[m.end():] if m else None


@dataclass
class LabelMap:
    """Source labels -> ontology names (see the module docstring)."""

    sources: dict[str, dict[str, str]] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # the ontology's class and relation names
    path: str = ""

    def __post_init__(self) -> None:
        self._exact: dict[str, str] = {n: n for n in self.names}
        self._folded: dict[str, str] = {fold(n): n for n in self.names}
        for table in self.sources.values():
            for label, name in table.items():
                self._exact.setdefault(label, name)
                self._folded.setdefault(fold(label), name)
        for table in self.sources.values():  # a tag's label, after every label written as it is
            for label, name in table.items():
                if (bare := without_tag_prefix(label)) is not None:
                    self._exact.setdefault(bare, name)
                    self._folded.setdefault(fold(bare), name)

    @classmethod
    def load(cls, path: str | Path, names: Iterable[str]) -> "LabelMap":
        """Read ``labels.toml``; raises the first problem (``from_toml`` lists them all)."""
        m, problems = cls.from_toml(read_toml(path), names)
        if problems:
            raise problems[0]
        return m

    @classmethod
    def from_toml(cls, doc: TomlDoc, names: Iterable[str]) -> tuple["LabelMap", list[DomainError]]:
        """The map in a parsed ``labels.toml`` and every problem (an unknown target, a label
        that two sources map to different names)."""
        known = set(names)
        own = {fold(n): n for n in known}  # the ontology's names map to themselves, folded too
        problems: list[DomainError] = []
        sources: dict[str, dict[str, str]] = {}
        folded: dict[str, tuple[str, str, str, bool]] = {}  # label -> source, name, key, prefix dropped
        for source, table in doc.data.items():
            if not isinstance(table, dict):
                problems.append(DomainError(f"{source} = ... must be a table: write [{source}] and one "
                                            "'Label = \"name\"' line per label", code="KGA620",
                                            location=doc.where(source)))
                continue
            sources[source] = {}
            for label, name in table.items():
                if not isinstance(name, str):
                    dotted = (f" (TOML reads {label}.{next(iter(name), '')} as a table: quote a label with a '.', "
                              f"\"{label}.{next(iter(name), '')}\" = \"name\")") if isinstance(name, dict) else ""
                    problems.append(DomainError(f"[{source}] {label} must map to a name in quotes{dotted}",
                                                code="KGA620", location=doc.where(source, label)))
                    continue
                if not label.strip():
                    problems.append(DomainError(f"[{source}] maps a blank label {label!r} to {name!r}: a label is the "
                                                "text a data set or model writes", code="KGA620",
                                                location=doc.where(source, label)))
                    continue
                if name not in known:
                    problems.append(DomainError(f"[{source}] maps {label!r} to {name!r}, which the ontology does not "
                                                f"declare{near_miss(name, known)}; declare it or map the label to a "
                                                "class or relation that exists", code="KGA621",
                                                location=doc.where(source, label)))
                    continue
                clash = None
                bare = without_tag_prefix(label)
                for read_as in ((label,) if bare is None else (label, bare)):
                    key = fold(read_as)
                    note = "labels are matched case-folded, '-' and spaces as '_'" if read_as == label else _PREFIX_NOTE
                    if key in own and own[key] != name:
                        clash = (f"[{source}] maps {label!r} to {name!r}, but {label!r} reads as the ontology's own "
                                 f"name {own[key]!r} ({note}): one label, one meaning; rename the class or relation, "
                                 "or drop the line")
                    elif key in folded and folded[key][1] != name:
                        other, was, written, stripped = folded[key]
                        clash = (f"[{source}] maps {label!r} to {name!r} but [{other}] maps it to {was!r}: one label, "
                                 "one meaning" if read_as == label and not stripped else
                                 f"[{source}] maps {label!r} to {name!r} but [{other}] maps {written!r} to {was!r}, "
                                 f"and both are the label {bare or read_as!r} ({_PREFIX_NOTE}): one label, one "
                                 "meaning")
                    if clash is not None:
                        break
                if clash is not None:
                    problems.append(DomainError(clash, code="KGA622", location=doc.where(source, label)))
                    continue
                for read_as in ((label,) if bare is None else (label, bare)):
                    folded.setdefault(fold(read_as), (source, name, label, read_as != label))
                sources[source][label] = name
        return cls(sources=sources, names=known, path=doc.path), problems

    def lookup(self, label: str) -> str | None:
        """The ontology name of ``label``, or None when neither the map nor the ontology knows it."""
        hit = self._exact.get(label)
        if hit is not None:
            return hit
        return self._folded.get(fold(label))

    def normalize(self, label: str) -> str:
        """The ontology name of ``label``; an unknown label is returned folded (the rules then
        reject it as a class or relation the ontology does not have)."""
        hit = self.lookup(label)
        return hit if hit is not None else fold(label)

    def missing(self, labels: Iterable[str]) -> list[str]:
        """The labels this map cannot translate (sorted), e.g. a model's from another domain."""
        return sorted({lab for lab in labels if self.lookup(lab) is None})

    def to_toml(self) -> str:
        """The map as a ``labels.toml`` text."""
        out: list[str] = []
        for source, table in self.sources.items():
            out.append(f"[{toml_key(source)}]")
            for label, name in table.items():
                out.append(f"{toml_key(label)} = {toml_string(name)}")
            out.append("")
        return "\n".join(out)
