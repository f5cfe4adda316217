"""The knowledge graph: store, ontology, provenance, entity index, linker, resolution."""

from kgagent.kg.store import DEFAULT_GRAPH_DIR, Entity, KnowledgeGraph

__all__ = ["DEFAULT_GRAPH_DIR", "Entity", "KnowledgeGraph"]
