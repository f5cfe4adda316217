"""A plain (non-editable) install finds its default domain from any directory.

Builds the wheel, installs it (no dependencies) into a fresh virtual environment that borrows
the test environment's third-party packages through a ``.pth`` line (nothing is downloaded, and
the checkout's editable install is not active there), and runs ``kgagent`` from a temporary
directory far from the checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from kgagent.decisions import VERDICTS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_runs_kgagent_extract_from_tmp(tmp_path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist),
                    str(ROOT)], check=True, cwd=tmp_path, capture_output=True)
    (wheel,) = dist.glob("kgagent-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for must in ("kgagent_news/domain.toml", "kgagent_news/ontology.toml", "kgagent_news/rules/geography.rules",
                 "kgagent_news/rules/tests/relations.yaml", "kgagent_news/model/config.json",
                 "kgagent_news/graph/graph.nq.gz", "kgagent/domain/shared_rules/relations.rules",
                 "kgagent/domain/shared_rules/explain.toml", "kgagent/rules/grammar.lark"):
        assert must in names, must
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    (purelib / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    away = tmp_path / "elsewhere"
    away.mkdir()
    (away / "corpus.txt").write_text((ROOT / "examples" / "corpus.txt").read_text(encoding="utf-8").split("\n\n")[0])
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": ""}
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import kgagent, kgagent_news; from kgagent.domain import default_domain_dir; "
                            "print(kgagent.__file__); print(default_domain_dir())"],
                           check=True, capture_output=True, text=True, cwd=away, env=env).stdout.split()
    assert all(str(venv) in w for w in where), where
    # rule ids as the domain names its files, not the install's path (decisions made here and in a
    # checkout share them)
    files = subprocess.run([str(venv / "bin" / "python"), "-c", "from kgagent import Agent; "
                            "print(' '.join(Agent.load().program.files))"],
                           check=True, capture_output=True, text=True, cwd=away, env=env).stdout.split()
    assert "rules/geography.rules" in files and "shared/relations.rules" in files, files
    assert all(f.startswith(("shared/", "rules/")) for f in files), files
    kgagent = str(venv / "bin" / "kgagent")
    r = subprocess.run([kgagent, "extract", "corpus.txt", "--out", "out", "-q"], cwd=away, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    decisions = [json.loads(line) for line in (away / "out" / "decisions.jsonl").read_text().splitlines()]
    assert decisions and {d["verdict"] for d in decisions} <= set(VERDICTS)
    assert any(d.get("rule", "").startswith("shared/") for d in decisions)
    r = subprocess.run([kgagent, "rules", "test"], cwd=away, env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "0 failed" in r.stdout, r.stdout + r.stderr
    r = subprocess.run([kgagent, "domain", "check"], cwd=away, env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "'news' is sound" in r.stdout, r.stdout + r.stderr
