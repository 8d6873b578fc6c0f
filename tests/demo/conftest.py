"""Fixtures of the demo tests: the demo world, built once per session (it takes seconds)."""

from __future__ import annotations

import pytest

from fabnet.demo.world import DEFAULT_SEED, World, build_world


@pytest.fixture(scope="session")
def demo_world() -> World:
    return build_world(DEFAULT_SEED)
