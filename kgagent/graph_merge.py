"""Graph files added to a graph: an extraction's output (its graph.nq, with what reviewers
rejected left out) or any other graph, its entities made twins of the ones already there.

What ``kgagent kg import`` saves, and what ``kgagent validate --with`` (``Agent.add_graphs``)
checks claims against without saving: the world's graph plus what a corpus said.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class MergeReport:
    """What adding graph files did: triples added, the decisions reviewers rejected and what
    leaving them out dropped (a ``DropReport``), the twins found (an ``AlignmentReport``), and the
    entities the files brought (IRIs, sorted)."""

    added: int = 0
    rejected: set[str] = field(default_factory=set)
    dropped: Any = None
    alignment: Any = None
    new_entities: list[str] = field(default_factory=list)


def merge_graph_files(kg: Any, files: Sequence[str | Path], *, fmt: str | None = None, reviews: bool = True,
                      align: bool = True, kinds: Iterable[str] | None = None) -> MergeReport:
    """Add every quad of ``files`` to ``kg`` (in memory; the caller saves). With ``reviews``, a
    file from an extraction's output that `kgagent review` answers exist for brings the
    reviewers' rejections: the facts and new entities they rejected leave ``kg``, provenance
    included. With ``align``, an added entity that names the same thing as one ``kg`` had
    (same name, ``kinds`` and classes that fit, neighbours that agree) becomes its twin
    (owl:sameAs with the evidence). Raises GraphError for a file that cannot be read."""
    from kgagent.kg import KnowledgeGraph

    report = MergeReport()
    before = len(kg)
    known = set(kg.entities())
    outs: list[Path | None] = [None] * len(files)
    if reviews:  # answers that cannot be applied stop the merge before kg changes
        from kgagent.review.graph_update import rejected_decisions, reviewed_out

        outs = [reviewed_out(f) for f in files]
    for f, out_dir in zip(files, outs):
        other = KnowledgeGraph.load(f, format=fmt)
        for quad in other.dataset.quads((None, None, None, None)):
            kg.dataset.add(quad)
        if out_dir is not None:
            report.rejected |= rejected_decisions(out_dir)
    kg.invalidate()
    report.added = len(kg) - before
    if report.rejected:
        from kgagent.review.graph_update import drop_decisions

        report.dropped = drop_decisions(kg, report.rejected)
    fresh = set(kg.entities()) - known
    if align and known:
        from kgagent.kg.alignment import align_entities, apply_alignment

        report.alignment = align_entities(kg, fresh, known, kinds=kinds)
        apply_alignment(kg, report.alignment.twins, source=", ".join(Path(f).name for f in files))
    report.new_entities = sorted(fresh)
    return report
