"""docs/errors.md lists every error code the source uses, and no code the source no longer uses.

The source is kgagent/ and cli/ (``*.py``, and ``*.rules`` files under kgagent/); a code is
``KGA`` and three digits. The catalogue's rows are table rows whose first cell is one code.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "docs" / "errors.md"
CODE = re.compile(r"KGA\d{3}")
ROW = re.compile(r"^\|\s*(KGA\d{3})\s*\|", re.MULTILINE)


def _source_files() -> list[Path]:
    files = [*(ROOT / "kgagent").rglob("*.py"), *(ROOT / "cli").rglob("*.py"), *(ROOT / "kgagent").rglob("*.rules")]
    return sorted(f for f in files if f.is_file())


def _source_codes() -> dict[str, Path]:
    """Each code the source uses -> the first file that uses it."""
    out: dict[str, Path] = {}
    for f in _source_files():
        for code in CODE.findall(f.read_text(encoding="utf-8")):
            out.setdefault(code, f.relative_to(ROOT))
    return out


def _catalogue_rows() -> list[str]:
    return ROW.findall(CATALOGUE.read_text(encoding="utf-8"))


def test_sources_are_found():
    assert len(_source_files()) > 10
    assert "KGA101" in _source_codes()


def test_every_code_in_the_source_has_a_row():
    listed = set(_catalogue_rows())
    missing = {code: str(path) for code, path in sorted(_source_codes().items()) if code not in listed}
    assert not missing, f"codes used in the source but not in docs/errors.md (code: first file): {missing}"


def test_every_row_is_a_code_in_use():
    used = _source_codes()
    stale = sorted(set(_catalogue_rows()) - set(used))
    assert not stale, f"docs/errors.md has rows for codes the source no longer uses: {stale}"


def test_one_row_per_code():
    twice = sorted(code for code, n in Counter(_catalogue_rows()).items() if n > 1)
    assert not twice, f"codes with more than one row in docs/errors.md: {twice}"


def test_each_row_under_its_range():
    """A row sits in the table of its range (the heading ``## KGA4xx ...`` above it)."""
    section = None
    wrong = []
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (KGA\d)(?:xx|00)", line)
        if heading:
            section = heading.group(1)
        row = ROW.match(line)
        if row and (section is None or not row.group(1).startswith(section)):
            wrong.append(row.group(1))
    assert not wrong, f"rows outside the table of their range in docs/errors.md: {wrong}"


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading's text."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_to_sections_exist():
    """Each ``(../x.md#anchor)`` or ``(x.md#anchor)`` link of the catalogue names a heading there."""
    broken = []
    for target, anchor in re.findall(r"\]\(([^)#]+\.md)#([^)]+)\)", CATALOGUE.read_text(encoding="utf-8")):
        doc = (CATALOGUE.parent / target).resolve()
        headings = re.findall(r"^#+ (.+)$", doc.read_text(encoding="utf-8"), re.MULTILINE) if doc.is_file() else []
        if anchor not in {_anchor(h) for h in headings}:
            broken.append(f"{target}#{anchor}")
    assert not broken, f"links in docs/errors.md to sections that do not exist: {sorted(set(broken))}"
