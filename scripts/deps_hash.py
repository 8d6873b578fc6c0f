"""Prints the sha256 of pyproject.toml's dependency lists (run and optional), the value
requirements.lock records, so set-up can tell when the lock no longer matches pyproject.toml."""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

project = tomllib.loads(Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml").read_text())
deps = project["project"]
canonical = {
    "requires-python": deps.get("requires-python"),
    "dependencies": sorted(deps.get("dependencies", [])),
    "optional-dependencies": {
        extra: sorted(reqs) for extra, reqs in deps.get("optional-dependencies", {}).items()
    },
}
print(hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest())
