"""Where the project's shared data sets are: ``../shared/data`` beside the repository (the
development and CI layout), or ``FABNET_SHARED_DATA`` when set. Tests read them; the product
never does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("FABNET_SHARED_DATA", REPO.parent / "shared" / "data"))


def require_shared(path: Path) -> Path:
    """``path`` inside the shared data, or a failure that says where the data is looked for (a
    missing data set must not quietly skip the tests that stand on it)."""
    if not path.exists():
        pytest.fail(
            f"shared data set {path} is missing: put the project's shared data at {SHARED_DATA} "
            "or point FABNET_SHARED_DATA at it",
            pytrace=False,
        )
    return path
