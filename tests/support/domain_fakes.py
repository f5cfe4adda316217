"""Small data sets for `kgagent init` tests beside the drugs fixture."""

from __future__ import annotations

import json
from pathlib import Path


def chemicals_train(folder: Path) -> Path:
    """A second SpERT data set, of other labels than tests/fixtures/domain/drugs_train.json,
    written to ``folder/chem_train.json``."""
    path = folder / "chem_train.json"
    path.write_text(json.dumps([
        {"tokens": ["Cocaine", "induced", "seizures", "."],
         "entities": [{"type": "Chemical", "start": 0, "end": 1}, {"type": "Disease", "start": 2, "end": 3}],
         "relations": [{"type": "Induces", "head": 0, "tail": 1}]},
        {"tokens": ["Lithium", "caused", "tremor", "."],
         "entities": [{"type": "Chemical", "start": 0, "end": 1}, {"type": "Disease", "start": 2, "end": 3}],
         "relations": [{"type": "Induces", "head": 0, "tail": 1}]}]))
    return path


#: an example case any domain's rules pass (nothing proposed, nothing accepted): a domain without
#: one is warned of by `domain check` (KGA655)
ANY_DOMAIN_CASE = 'cases:\n  - name: nothing proposed, nothing accepted\n    facts: ""\n    not_holds:\n      - accept(_)\n'


def write_domain(tmp_path: Path, *, ontology: str, labels: str = "", domain: str = 'name = "d"\n',
                 cases: bool = True) -> Path:
    """A domain folder ``tmp_path/d`` of these ontology, label map and domain.toml texts, with the
    thresholds `kgagent init` writes as its rules (the news domain's set some for its own rules,
    which this domain has not: `domain check` warns about them, KGA128) and, with ``cases``, one
    example case in rules/tests/cases.yaml (:data:`ANY_DOMAIN_CASE`)."""
    from kgagent.domain_init import THRESHOLDS

    d = tmp_path / "d"
    (d / "rules").mkdir(parents=True)
    (d / "rules" / "thresholds.rules").write_text(THRESHOLDS)
    if cases:
        (d / "rules" / "tests").mkdir()
        (d / "rules" / "tests" / "cases.yaml").write_text(ANY_DOMAIN_CASE)
    (d / "domain.toml").write_text(domain)
    (d / "ontology.toml").write_text(ontology)
    (d / "labels.toml").write_text(labels)
    return d


def domain_problems(d: Path) -> list[tuple[str, str, int, str]]:
    """``check_domain(d)`` as (code, file name, line, message) rows."""
    from kgagent.domain import check_domain

    return [(p.code, Path(p.location.path).name if p.location else "", p.location.line if p.location else 0,
             p.message) for p in check_domain(d)]
