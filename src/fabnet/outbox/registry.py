"""Named job handlers: ``@job_handler("name")`` registers a function every runner can call."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fabnet.errors import ConfigurationError
from fabnet.settings import Settings
from fabnet.storage import jobs as job_store
from fabnet.storage.db import Database

BUILTIN_HANDLER_MODULES = (
    "fabnet.jobs.webhooks",
    "fabnet.jobs.housekeeping",
    "fabnet.jobs.quoting",
    "fabnet.jobs.planning",
    "fabnet.jobs.contracts",
)


@dataclass(frozen=True)
class JobContext:
    """What a handler knows about the attempt it runs in."""

    db: Database
    settings: Settings
    job_id: str
    attempt: int
    max_attempts: int
    now: datetime
    """The attempt's clock: when it started (a handler's timers read this, not the wall clock,
    so a test or a catch-up run can run an attempt "at" a given time)."""

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts

    def report_progress(self, fraction: float, message: str) -> None:
        """Record how far this attempt is (0..1) and what it does now, in its own short
        transaction, so a page polling the job sees it while the handler still runs."""
        with self.db.transaction() as session:
            job_store.report_progress(session, self.job_id, fraction, message)


JobHandler = Callable[[JobContext, dict[str, Any]], dict[str, Any] | None]
"""Runs one attempt; raises to fail it (it is retried with backoff until ``max_attempts``)."""


@dataclass(frozen=True)
class JobSpec:
    name: str
    handler: JobHandler
    max_attempts: int


_REGISTRY: dict[str, JobSpec] = {}


def job_handler(name: str, *, max_attempts: int = 5) -> Callable[[JobHandler], JobHandler]:
    """Register ``handler`` under ``name`` (``area.verb``, e.g. ``webhooks.deliver``)."""
    if max_attempts < 1:
        raise ConfigurationError(f"job {name!r}: max_attempts must be at least 1")

    def register(handler: JobHandler) -> JobHandler:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.handler is not handler:
            raise ConfigurationError(f"two handlers for job {name!r}")
        _REGISTRY[name] = JobSpec(name=name, handler=handler, max_attempts=max_attempts)
        return handler

    return register


def load_builtin_handlers() -> None:
    for module in BUILTIN_HANDLER_MODULES:
        importlib.import_module(module)


def get_spec(name: str) -> JobSpec:
    load_builtin_handlers()
    spec = _REGISTRY.get(name)
    if spec is None:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise ConfigurationError(f"no job handler named {name!r}; known: {known}")
    return spec
