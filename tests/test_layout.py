"""The test tree itself: pytest's default import mode needs unique test module names."""

from collections import Counter
from pathlib import Path


def test_test_module_basenames_are_unique() -> None:
    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py"))
    clashes = sorted(name for name, n in names.items() if n > 1)
    assert clashes == [], f"rename these test modules, pytest cannot collect both: {clashes}"
