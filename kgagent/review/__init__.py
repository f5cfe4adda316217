"""Reviewing the agent's decisions: a local web page, a durable answers store, and the path
from answers to training data and rule evidence.

- :mod:`kgagent.review.items`: the decisions of an extraction's ``OUT`` as review items;
- :mod:`kgagent.review.store`: answers in SQLite (WAL, append-only), schema in its docstring;
- :mod:`kgagent.review.queue`: queue order, filters, progress, where a reviewer stopped;
- :mod:`kgagent.review.judgements`: what reviewers agree on, and their conflicts;
- :mod:`kgagent.review.export`: answers -> feedback examples (``kgagent feedback export-reviews``);
- :mod:`kgagent.review.policy`: which decisions to ask about (random, margins, LinUCB);
- :mod:`kgagent.review.learn`: a LinUCB policy fitted to the answers (``kgagent feedback learn-policy``);
- :mod:`kgagent.review.graph_update`: reviewer-rejected facts leave the graph (``kgagent kg import``);
- :mod:`kgagent.review.server`: the Starlette app behind ``kgagent review OUT``.
"""

from kgagent.review.items import Filters, ReviewSet
from kgagent.review.store import ACTIONS, DB_NAME, Answer, ReviewStore

__all__ = ["ACTIONS", "DB_NAME", "Answer", "Filters", "ReviewSet", "ReviewStore"]
