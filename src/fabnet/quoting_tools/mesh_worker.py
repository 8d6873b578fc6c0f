"""Measuring meshes away from the calling process, within a time and a memory limit.

A worker process (``python -m fabnet.quoting_tools.geometry_worker``) imports trimesh once and
then, for every request read from its stdin, forks a child that sets ``RLIMIT_AS``, measures the
mesh and writes its answer to a pipe. The worker kills a child that runs past the time limit. The
worker is single-threaded, so forking it is safe where forking a threaded server is not; a fork
costs milliseconds where a fresh Python importing trimesh costs about a second.

Workers are pooled per process: a request takes an idle worker or starts one (so concurrent
requests never wait for each other), and gives it back afterwards (up to
:data:`MAX_IDLE_WORKERS` are kept). A worker ends when its stdin
closes, which happens when the calling process exits or dies.

The requests and answers are JSON lines; an answer is ``{"outcome": ...}`` with ``ok``
(``geometry``), ``input`` (an :class:`~fabnet.errors.InputError`'s fields), ``timeout``,
``memory`` (a MemoryError in the child), ``error`` (``why``: another exception) or ``died``
(``why``: the child ended without an answer, e.g. killed at the address-space limit inside native
code).
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from fabnet.errors import ExternalToolError

WORKER_MODULE = "fabnet.quoting_tools.geometry_worker"
_REPLY_MARGIN_S = 30.0
"""How much longer than the time limit the caller waits for a worker's answer before it gives up
on the worker (the worker itself kills the child at the time limit)."""
_MEMORY_REPLY = b'{"outcome": "memory"}'
MAX_IDLE_WORKERS = 2
"""Idle workers kept for the next requests (each holds about 100 MB with trimesh imported);
more are started when more requests run at once, and closed when they are given back."""

Measure = Callable[[str, str], dict[str, Any]]


class _Worker:
    def __init__(self) -> None:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )

    def ask(self, request: dict[str, Any], wait_s: float) -> dict[str, Any] | None:
        """Send one request and read its answer; None when the worker gave none in time."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(json.dumps(request).encode() + b"\n")
            stdin.flush()
        except OSError:
            return None
        line = _read_line(stdout, wait_s)
        if not line:
            return None
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


def _read_line(stream: IO[bytes], wait_s: float) -> bytes:
    """One line from ``stream`` within ``wait_s`` seconds (b"" at end of file or time out)."""
    fd = stream.fileno()
    deadline = time.monotonic() + wait_s
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return b""
        chunk = os.read(fd, 65536)
        if not chunk:
            return b""
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            return b"".join(chunks)


class _Pool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []

    def take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.poll() is None:
                    return worker
                worker.close()
        return _Worker()

    def give(self, worker: _Worker) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE_WORKERS:
                self._idle.append(worker)
                return
        worker.close()

    def close_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()


_POOL = _Pool()
atexit.register(_POOL.close_all)


def measure(path: str, kind: str, *, timeout_s: float, memory_bytes: int) -> dict[str, Any]:
    """The answer of a worker's child measuring the mesh at ``path`` (see the module docstring)."""
    worker = _POOL.take()
    request = {"path": path, "kind": kind, "timeout_s": timeout_s, "memory_bytes": memory_bytes}
    answer = worker.ask(request, timeout_s + _REPLY_MARGIN_S)
    if answer is None:
        worker.close()
        raise ExternalToolError(
            "the mesh worker process gave no answer",
            hint="see the server's error output; the next request starts a new worker",
        )
    _POOL.give(worker)
    return answer


def serve(measure_one: Measure) -> None:
    """The worker's loop: one request per stdin line, one answer per stdout line."""
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        request = json.loads(line)
        answer = _in_child(
            measure_one,
            str(request["path"]),
            str(request["kind"]),
            float(request["timeout_s"]),
            int(request["memory_bytes"]),
        )
        out.write(json.dumps(answer).encode() + b"\n")
        out.flush()


def _in_child(
    measure_one: Measure, path: str, kind: str, timeout_s: float, memory_bytes: int
) -> dict[str, Any]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child(measure_one, write_fd, path, kind, memory_bytes)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout_s
    timed_out = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([read_fd], [], [], remaining)[0]:
                timed_out = True
                break
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if timed_out:
        return {"outcome": "timeout"}
    try:
        answer: dict[str, Any] = json.loads(b"".join(chunks))
    except ValueError:
        code = os.waitstatus_to_exitcode(status)
        why = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        return {"outcome": "died", "why": why}
    return answer


def _child(measure_one: Measure, write_fd: int, path: str, kind: str, memory_bytes: int) -> None:
    code = 0
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)  # the worker's stdout carries answers: nothing else may write there
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        try:
            data = json.dumps(measure_one(path, kind)).encode()
        except MemoryError:
            data = _MEMORY_REPLY
        except Exception as exc:  # trimesh failing on a mesh it read: say how
            data = json.dumps({"outcome": "error", "why": f"{type(exc).__name__}: {exc}"}).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view) :]
    except BaseException:  # the parent reports a child that ends without an answer
        code = 1
    finally:
        os._exit(code)
