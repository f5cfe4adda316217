"""Which files hold a graph: the RDF suffixes kgagent reads and the graph file of a graph folder.

Plain data and two checks, without rdflib, so that a domain folder's check can tell a graph
that no command could read (``graph = "labels.toml"``, a graph folder without a graph file)
without loading any graph.
"""

from __future__ import annotations

from pathlib import Path

#: file suffix -> rdflib format name (any of them may end in .gz)
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
#: names of the graph file inside a graph directory, in the order they are looked for
GRAPH_FILE_NAMES = ("graph.nq.gz", "graph.nq", "graph.trig", "graph.ttl", "graph.nt.gz",
                    "graph.nt", "graph.jsonld", "graph.ttl.gz", "graph.trig.gz")
DEFAULT_GRAPH_FILE = "graph.nq.gz"


def formats_help() -> str:
    """One line listing the suffixes and formats that exist."""
    return ", ".join(f"{s} ({f})" for s, f in FORMATS.items()) + "; any of them may end in .gz"


def format_suffix(path: Path) -> str:
    """The suffix that tells ``path``'s format: ``.nq`` of ``graph.nq.gz``, ``.ttl`` of ``x.ttl``."""
    return Path(path.stem).suffix if path.suffix == ".gz" else path.suffix


def graph_file_problem(path: Path) -> str | None:
    """Why no command could read ``path`` as a graph file (None when one could): a suffix that
    is no RDF format (``labels.toml``)."""
    suffix = format_suffix(path)
    if suffix.lower() in FORMATS:
        return None
    return f"the graph path {path} is no graph file by its suffix ({suffix or 'none'}); formats: {formats_help()}"


def graph_folder_problem(path: Path) -> str | None:
    """Why no command could read the graph folder ``path`` (None when one could): it holds none
    of :data:`GRAPH_FILE_NAMES`."""
    if any((path / name).is_file() for name in GRAPH_FILE_NAMES):
        return None
    return f"the graph folder {path} holds no graph file (one of {', '.join(GRAPH_FILE_NAMES)})"
