"""The rule language (parser, checker) and the engine (evaluation, proofs, facts files)."""

# RULES-ENGINE: evaluation, proofs, facts files
from kgagent.rules.engine import Engine, Model, format_fact  # noqa: E402
from kgagent.rules.facts_io import read_facts_dir, write_facts_dir  # noqa: E402
