"""The news domain, kgagent's shipped default (installed as the package ``kgagent_news``).

This folder is a domain folder like any other (see docs/domains.md): domain.toml,
ontology.toml, labels.toml, explain.toml, rules/ (a link to the repository's rules/), graph/
and model/. It holds no code; this file only makes the folder findable as package data.
"""
