"""Exponential backoff with jitter between attempts of a failed job."""

from __future__ import annotations

import random


def backoff_seconds(
    attempt: int, *, base: float, maximum: float, rng: random.Random | None = None
) -> float:
    """Delay after failed attempt number ``attempt`` (1-based).

    The nominal delay doubles with each attempt (``base``, ``2 base``, ``4 base``...) up to
    ``maximum``; the actual delay is drawn uniformly from the upper half of it ("equal jitter"), so
    retries of many jobs spread out while each job's delays never shrink from one attempt to the
    next.
    """
    nominal = min(maximum, base * float(2 ** max(0, attempt - 1)))
    draw: float = (rng or random).random()
    return nominal / 2 + draw * nominal / 2
