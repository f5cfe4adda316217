"""A domain's label map: what each data set's and each model's labels mean in its ontology.

``labels.toml`` has one table per source (a data set, a model, an imported graph)::

    [ade]              # the ADE corpus in SpERT JSON, and models trained on it
    Drug = "drug"
    Adverse-Effect-Of = "adverse_effect_of"

    [n2c2]
    DRUG = "drug"

Names of the ontology map to themselves, so a model trained on data already labelled with the
ontology's names needs no table. A label is looked up exactly first, then case-folded with
``-`` and spaces read as ``_`` (``B-DRUG`` minus its prefix, ``Adverse-Effect-Of``).

>>> m = LabelMap({"ade": {"Drug": "drug", "Adverse-Effect-Of": "adverse_effect_of"}},
...              names={"drug", "adverse_effect_of"})
>>> m.normalize("Drug"), m.normalize("adverse effect of"), m.normalize("drug"), m.lookup("Award")
('drug', 'adverse_effect_of', 'drug', None)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kgagent.domain.tomlfile import TomlDoc, near_miss, read_toml, toml_key, toml_string
from kgagent.errors import DomainError


def fold(label: str) -> str:
    """The case-folded key of a label (``Adverse-Effect`` -> ``adverse_effect``)."""
    return label.strip().casefold().replace("-", "_").replace(" ", "_")


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
        folded: dict[str, tuple[str, str]] = {}
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
                key = fold(label)
                if key in own and own[key] != name:
                    problems.append(DomainError(f"[{source}] maps {label!r} to {name!r}, but {label!r} reads as the "
                                                f"ontology's own name {own[key]!r} (labels are matched case-folded, "
                                                "'-' and spaces as '_'): one label, one meaning; rename the class or "
                                                "relation, or drop the line", code="KGA622",
                                                location=doc.where(source, label)))
                    continue
                if key in folded and folded[key][1] != name:
                    other, was = folded[key]
                    problems.append(DomainError(f"[{source}] maps {label!r} to {name!r} but [{other}] maps it to "
                                                f"{was!r}: one label, one meaning", code="KGA622",
                                                location=doc.where(source, label)))
                    continue
                folded.setdefault(key, (source, name))
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
