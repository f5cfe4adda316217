"""kgagent: knowledge-graph-augmented, explainable information extraction.

>>> from kgagent import Agent                      # doctest: +SKIP
>>> agent = Agent.load()                           # shipped model, graph and rules
>>> results = agent.extract("Boston is in Texas.")  # list[DocumentResult]
"""

from kgagent.agent import Agent
from kgagent.claims import ClaimResult
from kgagent.corpus import read_corpus
from kgagent.decisions import Decision, DocumentResult, GraphDelta, MentionResult, RelationResult
from kgagent.errors import KGAError
from kgagent.schema import Document

__version__ = "0.1.0"

__all__ = [
    "Agent",
    "ClaimResult",
    "Decision",
    "Document",
    "DocumentResult",
    "GraphDelta",
    "KGAError",
    "MentionResult",
    "RelationResult",
    "__version__",
    "read_corpus",
]
