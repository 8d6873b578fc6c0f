"""requirements.lock pins, with hashes, every dependency pyproject.toml names, and set-up refuses
a lock that no longer matches pyproject.toml."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements.lock"


def _deps_hash(pyproject: Path) -> str:
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "deps_hash.py"), str(pyproject)],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.strip()


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match is not None
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def test_the_lock_matches_pyproject() -> None:
    header = re.search(r"^# pyproject-dependencies-sha256: (\w+)$", LOCK.read_text(), re.M)
    assert header is not None, "requirements.lock has no dependencies hash; run scripts/lock.sh"
    assert header.group(1) == _deps_hash(REPO / "pyproject.toml"), "run bash scripts/lock.sh"


def test_every_dependency_is_pinned_with_hashes() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    text = LOCK.read_text()
    pinned = {_name(m) for m in re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.M)}
    assert wanted <= pinned, sorted(wanted - pinned)
    for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2]):
        if "==" in block.splitlines()[0]:
            assert "--hash=sha256:" in block, block.splitlines()[0]


def test_setup_refuses_a_lock_that_does_not_match(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    (copy / "scripts").mkdir(parents=True)
    for name in ("setup.sh", "deps_hash.py"):
        shutil.copy(REPO / "scripts" / name, copy / "scripts" / name)
    shutil.copy(LOCK, copy / "requirements.lock")
    pyproject = (REPO / "pyproject.toml").read_text()
    (copy / "pyproject.toml").write_text(pyproject.replace('"rich>=13",', '"rich>=13",\n  "six",'))
    assert _deps_hash(copy / "pyproject.toml") != _deps_hash(REPO / "pyproject.toml")
    env = {"PATH": "/usr/bin:/bin", "PYTHON": sys.executable}
    done = subprocess.run(["bash", "scripts/setup.sh"], cwd=copy, capture_output=True, text=True,
                          env=env, timeout=600)  # fmt: skip
    assert done.returncode == 2
    assert "bash scripts/lock.sh" in done.stderr
    assert not (copy / ".venv").exists()  # refused before anything was installed
