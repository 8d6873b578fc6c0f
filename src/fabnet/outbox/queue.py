"""The one job interface: ``submit(job_name, payload) -> job id``, and its two runners.

Every job is first recorded in the ``jobs`` table (in the caller's transaction when a session is
passed, so a job exists exactly when the change that caused it was committed), then handed to the
runner chosen by ``settings.job_backend``:

``inprocess`` (default)
    A small thread pool in this process, fed by a scheduler thread that claims due jobs from the
    table. Retries are rows with a later ``next_run_at``; after a restart the new runner finds them
    (and running jobs whose lease expired).
``celery``
    The job id is sent to the Celery task ``fabnet.run_job`` through Redis (``settings.redis_url``);
    a worker (``celery -A fabnet.outbox.celery_app worker``) runs the same handler and re-sends the
    id with an ETA for a retry; every worker's sweeper sends again the jobs nobody holds (a killed
    worker's job once its lease lapsed, a job whose message was lost).

Both runners renew a running job's lease while it runs (``settings.job_lease_seconds``), so a job
is taken over only when its runner stopped renewing it.
"""

from __future__ import annotations

import abc
import json
import logging
import math
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fabnet.errors import ConfigurationError
from fabnet.outbox.execution import run_attempt
from fabnet.outbox.registry import get_spec
from fabnet.settings import Settings, get_settings
from fabnet.storage import jobs as job_store
from fabnet.storage.base import utc_now
from fabnet.storage.db import Database

log = logging.getLogger(__name__)


class JobQueue(abc.ABC):
    """Records jobs and hands them to a runner. Subclasses decide how they are run."""

    backend = "none"

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def submit(
        self,
        job_name: str,
        payload: dict[str, Any],
        *,
        session: Session | None = None,
        delay_seconds: float = 0.0,
        now: datetime | None = None,
        job_id: str | None = None,
    ) -> str:
        """Record a job and schedule it ``delay_seconds`` after ``now`` (default: the wall
        clock); returns its id.

        With ``session`` the job row joins the caller's transaction and is dispatched only after
        that transaction commits (nothing runs for a rolled-back change). ``job_id`` names the
        row (default: a random id); recording an id that exists raises ``IntegrityError``.
        """
        spec = get_spec(job_name)
        try:
            stored_payload = json.loads(json.dumps(payload))
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"job {job_name!r}: payload is not JSON: {exc}") from exc
        run_at = (now or utc_now()) + timedelta(seconds=max(0.0, delay_seconds))
        row = job_store.JobRow(
            id=job_id or uuid.uuid4().hex,
            name=job_name,
            payload=stored_payload,
            status=job_store.JobStatus.QUEUED,
            attempts=0,
            max_attempts=spec.max_attempts,
            next_run_at=run_at,
        )
        job_id = row.id
        if session is None:
            with self.db.transaction() as own:
                own.add(row)
                self._dispatch_after_commit(own, job_id, run_at)
        else:
            session.add(row)
            self._dispatch_after_commit(session, job_id, run_at)
        return job_id

    def _dispatch_after_commit(self, session: Session, job_id: str, run_at: datetime) -> None:
        dispatched = False

        def after_commit(committed: Session) -> None:
            nonlocal dispatched
            # SQLAlchemy also calls after_commit when a savepoint is released (the blocks of a
            # held transaction, storage.db, ADR 0014): dispatch only after the real commit.
            if dispatched or committed.in_nested_transaction():
                return
            dispatched = True
            self.dispatch(job_id, run_at)

        event.listen(session, "after_commit", after_commit)

    @abc.abstractmethod
    def dispatch(self, job_id: str, run_at: datetime) -> None:
        """Hand the recorded job to the runner, to run at ``run_at``."""

    def start(self) -> None:  # noqa: B027 - a no-op by default, on purpose
        """Start background work (no-op for runners that live elsewhere)."""

    def stop(self) -> None:  # noqa: B027 - a no-op by default, on purpose
        """Stop background work, letting running attempts finish."""


class InProcessQueue(JobQueue):
    """Thread pool plus a scheduler thread polling the jobs table."""

    backend = "inprocess"

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        workers: int = 2,
        poll_seconds: float = 1.0,
    ) -> None:
        super().__init__(db, settings)
        self.workers = workers
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._stopping.clear()
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="fabnet-job")
            self._thread = threading.Thread(
                target=self._schedule, name="fabnet-job-scheduler", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        with self._lock:
            thread, pool = self._thread, self._pool
            self._thread = self._pool = None
        if thread is None or pool is None:
            return
        self._stopping.set()
        self._wake.set()
        thread.join()
        pool.shutdown(wait=True)

    def dispatch(self, job_id: str, run_at: datetime) -> None:
        self.start()
        self._wake.set()

    def _schedule(self) -> None:
        while not self._stopping.is_set():
            wait = self.poll_seconds
            try:
                wait = min(wait, self._feed())
            except Exception:  # the database may be briefly unavailable; try again later
                log.exception("job scheduler could not read the jobs table")
            self._wake.wait(max(0.01, wait))
            self._wake.clear()

    def _feed(self) -> float:
        """Hand due jobs to the pool; return seconds until the next known due job."""
        now = utc_now()
        with self.db.read() as session:
            due = job_store.due_job_ids(session, now, limit=self.workers * 4)
            next_at = job_store.next_due_at(session)
        pool = self._pool
        for job_id in due:
            with self._lock:
                if job_id in self._in_flight or len(self._in_flight) >= self.workers * 2:
                    continue
                self._in_flight.add(job_id)
            if pool is None:
                return self.poll_seconds
            pool.submit(self._run, job_id)
        if next_at is None:
            return self.poll_seconds
        if next_at.tzinfo is None:
            next_at = next_at.replace(tzinfo=now.tzinfo)
        return max(0.0, (next_at - utc_now()).total_seconds())

    def _run(self, job_id: str) -> None:
        try:
            run_attempt(self.db, job_id, self.settings)
        except Exception:  # recording the outcome failed; the lease expires and it runs again
            log.exception("job %s could not be run", job_id)
        finally:
            with self._lock:
                self._in_flight.discard(job_id)
            self._wake.set()


class CeleryQueue(JobQueue):
    """Sends job ids to Celery workers through Redis."""

    backend = "celery"

    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__(db, settings)
        from fabnet.outbox import celery_app  # celery is imported only with the celery backend  # noqa: PLC0415

        celery_app.configure(settings)
        celery_app.set_context_provider(_installed_celery_context)

    def dispatch(self, job_id: str, run_at: datetime) -> None:
        from fabnet.outbox.celery_app import send_job  # noqa: PLC0415 (celery only with its backend)

        send_job(job_id, run_at)


def create_queue(db: Database, settings: Settings) -> JobQueue:
    if settings.job_backend == "inprocess":
        return InProcessQueue(db, settings)
    if settings.job_backend == "celery":
        return CeleryQueue(db, settings)
    raise ConfigurationError(
        f"FABNET_JOB_BACKEND {settings.job_backend!r} is not a job backend",
        hint="use inprocess or celery",
    )


_current: JobQueue | None = None
_current_lock = threading.Lock()


def _installed_celery_context() -> tuple[Database, Settings] | None:
    queue = installed_queue()
    return (queue.db, queue.settings) if isinstance(queue, CeleryQueue) else None


def install_queue(queue: JobQueue | None) -> JobQueue | None:
    """Make ``queue`` the process-wide queue (returns the previous one; None uninstalls)."""
    global _current
    with _current_lock:
        previous, _current = _current, queue
    return previous


def installed_queue() -> JobQueue | None:
    """The installed queue, if any (does not build one)."""
    with _current_lock:
        return _current


_by_database: dict[str, JobQueue] = {}
_built_current: JobQueue | None = None
"""The process-wide queue :func:`current_queue` built itself (none was installed)."""


def current_queue(db: Database | None = None) -> JobQueue:
    """The queue for ``db``: the installed queue when it serves that database (or when no
    database is named), else one built from the settings for ``db`` on first use.

    Jobs are recorded in the database of the change that submits them, so they must be run by a
    queue reading that same database: a process serving one database (the API, a worker) has
    one queue; a process touching several (tests, tools) gets one per database.
    """
    global _current, _built_current
    with _current_lock:
        if db is None or (_current is not None and _current.db.url_text == db.url_text):
            if _current is None:
                settings = get_settings()
                _current = create_queue(Database(settings.resolved_database_url), settings)
                _built_current = _current
            return _current
        queue = _by_database.get(db.url_text)
        if queue is None:
            queue = create_queue(db, get_settings())
            _by_database[db.url_text] = queue
        return queue


def stop_all_queues() -> None:
    """Stop and forget every queue this module built, the process-wide one it built for lack of
    an installed one included (tests call it between databases: a queue left running would take
    the next test's jobs with its own settings)."""
    global _current, _built_current
    with _current_lock:
        queues = list(_by_database.values())
        _by_database.clear()
        if _built_current is not None:
            queues.append(_built_current)
            if _current is _built_current:
                _current = None
            _built_current = None
    for queue in queues:
        queue.stop()


def submit(
    job_name: str,
    payload: dict[str, Any],
    *,
    db: Database | None = None,
    session: Session | None = None,
    delay_seconds: float = 0.0,
    now: datetime | None = None,
) -> str:
    """Record and schedule a job on the queue of ``db`` (default: the process-wide queue),
    ``delay_seconds`` after ``now`` (default: the wall clock); returns the job id."""
    queue = current_queue(db)
    return queue.submit(job_name, payload, session=session, delay_seconds=delay_seconds, now=now)


def period_of(at: datetime, interval_seconds: float) -> int:
    """The index of the ``interval_seconds`` period (from the Unix epoch) holding ``at``."""
    return math.floor(at.timestamp() / interval_seconds)


def periodic_job_id(job_name: str, interval_seconds: float, period: int) -> str:
    """The one id the run of ``job_name`` in ``period`` has, in every process."""
    return uuid.uuid5(_PERIODIC_NAMESPACE, f"{job_name}|{interval_seconds!r}|{period}").hex


_PERIODIC_NAMESPACE = uuid.UUID("6b1f3c0e-2f4a-4c1e-9a57-0f4c1b7e8d21")


def submit_periodic(
    job_name: str,
    payload: dict[str, Any],
    *,
    interval_seconds: float,
    period: int,
    db: Database | None = None,
) -> str | None:
    """Record the run of ``job_name`` for ``period`` (due when that period starts) unless some
    process already did; its id, or None when it was recorded before.

    Exactly once per period across processes: the run's id is derived from the job, the interval
    and the period, so a second process recording the same run hits the primary key (on
    PostgreSQL the second insert waits for the first to commit, then fails) instead of starting
    a second chain of timers.
    """
    if interval_seconds <= 0:
        raise ConfigurationError(f"job {job_name!r}: the interval must be positive")
    queue = current_queue(db)
    job_id = periodic_job_id(job_name, interval_seconds, period)
    with queue.db.read() as session:
        if session.get(job_store.JobRow, job_id) is not None:
            return None
    start = datetime.fromtimestamp(period * interval_seconds, tz=UTC)
    try:
        return queue.submit(job_name, payload, now=start, job_id=job_id)
    except IntegrityError:  # another process recorded this period's run first
        return None
