"""The knowledge graph: store, ontology, provenance, entity index, linker, resolution.

``KnowledgeGraph.load(path=None)`` opens a graph (None = the shipped default in kg_data/graph);
``kg.linker()`` links mentions; ``kg.rule_facts(entities)`` hands the rules their graph facts.
"""

from typing import Any

from kgagent.kg.store import Entity, Fact, KnowledgeGraph, default_graph_dir

__all__ = ["Entity", "Fact", "KnowledgeGraph", "Linker", "Merge", "default_graph_dir", "resolve_new_entities"]


def __getattr__(name: str) -> Any:  # the linker pulls in FAISS and numpy: import it on first use
    if name == "Linker":
        from kgagent.kg.linker import Linker

        return Linker
    if name in ("Merge", "resolve_new_entities"):
        from kgagent.kg import resolution

        return getattr(resolution, name)
    raise AttributeError(name)
