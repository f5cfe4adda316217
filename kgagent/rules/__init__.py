"""The rule language (parser, checker) and the engine (evaluation, proofs, facts files)."""

# RULES-ENGINE: evaluation, proofs, facts files
from kgagent.rules.engine import Engine, Model, format_fact  # noqa: E402
from kgagent.rules.facts_io import read_facts_dir, write_facts_dir  # noqa: E402

# RULES-LANG: parser, checker, stratification
from kgagent.rules.depgraph import stratify  # noqa: E402
from kgagent.rules.diagnostics import Diagnostic, RuleCheckError  # noqa: E402
from kgagent.rules.loader import check_rules, load_rules, parse_rules  # noqa: E402
from kgagent.rules.printer import format_clause  # noqa: E402
