"""kgagent: knowledge-graph-augmented, explainable information extraction."""

from kgagent.errors import KGAError

__version__ = "0.1.0"

__all__ = ["KGAError", "__version__"]
