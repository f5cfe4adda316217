"""Domains: ontology, label map, rules, graph, model and wording as one folder of data.

Imports nothing heavy (no torch, no rdflib): the rule tooling, the CLI and the agent all read
a :class:`Domain`.
"""

from kgagent.domain.domain import (
    DEFAULT_DOMAIN_PACKAGE,
    SHARED_RULES_DIR,
    Domain,
    DomainProblems,
    check_domain,
    default_domain_dir,
    render_wording,
    rule_display_name,
    rule_path_shown,
)
from kgagent.domain.labels import LabelMap
from kgagent.domain.ontology import ClassDef, Ontology, RelationDef

__all__ = ["DEFAULT_DOMAIN_PACKAGE", "SHARED_RULES_DIR", "ClassDef", "Domain", "DomainProblems", "LabelMap",
           "Ontology", "RelationDef", "check_domain", "default_domain_dir", "render_wording", "rule_display_name",
           "rule_path_shown"]
