"""Where the project's shared data sets are: ``../shared/data`` beside the repository (the
development and CI layout), or ``FABNET_SHARED_DATA`` when set. Tests read them; the product
never does."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("FABNET_SHARED_DATA", REPO.parent / "shared" / "data"))
