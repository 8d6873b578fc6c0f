"""One way to create a HiGHS instance (silently), and one way to run its MIP (until a deadline).

HiGHS prints a copyright banner on standard output the first time a ``Highs`` object is made in a
process, before any option can be set. That banner would corrupt ``fabnet plan --json`` (and any
adapter writing to stdout), so the first construction runs with file descriptor 1 pointed at
/dev/null.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import struct
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from numpy.typing import NDArray

_LOCK = threading.Lock()
_BANNER_SHOWN = False


def new_highs() -> highspy.Highs:
    """A ``Highs`` instance with output switched off, the banner swallowed."""
    global _BANNER_SHOWN
    with _LOCK:
        if _BANNER_SHOWN:
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h


# --- a MIP that stops at its deadline ---------------------------------------------------------
#
# HiGHS checks its time limit (and the interrupt callbacks) between the steps of branch and cut,
# not inside them: on a 50,000-column order its root cut separation ran 17 s against a 10 s
# limit. ``run_mip`` therefore solves in a forked child (copy-on-write: the model is not copied
# or serialised) that streams every improving plan back through a pipe; at the deadline the
# child is killed and the best plan it reported is the answer. Where ``os.fork`` is missing the
# MIP runs in this process, with HiGHS's own limit.

GRACE_S = 0.25
"""How long past the deadline a child may take to report HiGHS's own time-limit answer."""

_HEADER = struct.Struct("<Q")
_RECORD = struct.Struct("<bddbi")  # kind, objective, dual bound, primal status valid, status


@dataclass(frozen=True)
class MipRun:
    """What one MIP solve found."""

    status: str
    """optimal | infeasible | time_limit | error (``time_limit`` also when killed)."""
    values: NDArray[np.float64] | None
    """The best plan's column values; None when none was found."""
    objective: float | None
    bound: float | None
    """HiGHS's dual bound when it reported one."""
    killed: bool = False
    """The child was stopped at the deadline (HiGHS had not returned)."""


def status_name(status: highspy.HighsModelStatus) -> str:
    ms = highspy.HighsModelStatus
    if status == ms.kOptimal:
        return "optimal"
    if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return "infeasible"
    if status in (ms.kTimeLimit, ms.kInterrupt, ms.kIterationLimit, ms.kSolutionLimit):
        return "time_limit"
    return "error"


def run_mip(h: highspy.Highs, deadline: float, *, isolate: bool = True) -> MipRun:
    """Solve the MIP held by ``h`` until ``deadline`` (a ``time.perf_counter()`` value) at the
    latest. ``h`` itself is left unsolved when the solve ran in a child."""
    h.setOptionValue("time_limit", max(0.05, deadline - time.perf_counter()))
    if not isolate or not hasattr(os, "fork"):
        h.run()
        return finished(h)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: solve, report, never return into the caller's code
        code = 1
        try:
            os.close(read_end)
            highspy.Highs.resetGlobalScheduler(True)  # the parent's worker threads are gone
            _solve_and_report(h, write_end)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        records, killed = _collect(read_end, pid, deadline + GRACE_S)
    except BaseException:
        # interrupted while waiting (Ctrl-C, a job cancelled): the child must not outlive us
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        raise
    finally:
        os.close(read_end)
    return _outcome(records, killed)


def finished(h: highspy.Highs) -> MipRun:
    """The answer of a HiGHS run that returned in this process (a MIP, or an LP: then its
    ``bound`` is meaningless)."""
    info = h.getInfo()
    status = status_name(h.getModelStatus())
    if info.primal_solution_status != 2:
        return MipRun("infeasible" if status == "optimal" else status, None, None, None)
    values = np.asarray(h.getSolution().col_value, dtype=np.float64)
    return MipRun(status, values, float(info.objective_function_value), float(info.mip_dual_bound))


def _send(fd: int, kind: int, objective: float, bound: float, valid: bool, status: int,
          values: NDArray[np.float64]) -> None:  # fmt: skip
    payload = _RECORD.pack(kind, objective, bound, valid, status) + values.tobytes()
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view) :]


def _solve_and_report(h: highspy.Highs, fd: int) -> None:
    def improved(event: Any) -> None:
        out = event.data_out
        values = np.asarray(out.mip_solution, dtype=np.float64)
        _send(fd, 1, float(out.objective_function_value), float(out.mip_dual_bound), True, 0,
              values)  # fmt: skip

    h.cbMipImprovingSolution.subscribe(improved)
    h.run()
    info = h.getInfo()
    valid = info.primal_solution_status == 2
    values = np.asarray(h.getSolution().col_value if valid else [], dtype=np.float64)
    _send(fd, 2, float(info.objective_function_value), float(info.mip_dual_bound), valid,
          int(h.getModelStatus()), values)  # fmt: skip


def _collect(fd: int, pid: int, kill_at: float) -> tuple[list[tuple[tuple[Any, ...], bytes]], bool]:
    """Read the child's records until it closes the pipe or ``kill_at`` passes (then kill it)."""
    buffer = bytearray()
    records: list[tuple[tuple[Any, ...], bytes]] = []
    killed = False
    while True:
        left = kill_at - time.perf_counter()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            killed = True
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        buffer += chunk
        while len(buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buffer)
            if len(buffer) < _HEADER.size + size:
                break
            body = bytes(buffer[_HEADER.size : _HEADER.size + size])
            del buffer[: _HEADER.size + size]
            records.append((_RECORD.unpack_from(body), body[_RECORD.size :]))
    os.waitpid(pid, 0)
    return records, killed


def _outcome(records: list[tuple[tuple[Any, ...], bytes]], killed: bool) -> MipRun:
    final = [(head, body) for head, body in records if head[0] == 2]
    if final:
        (_, objective, bound, valid, status), body = final[-1]
        name = status_name(highspy.HighsModelStatus(status))
        if not valid:
            return MipRun("infeasible" if name == "optimal" else name, None, None, None)
        return MipRun(name, np.frombuffer(body, dtype=np.float64).copy(), objective, bound)
    improving = [(head, body) for head, body in records if head[0] == 1]
    if not improving:
        return MipRun("time_limit" if killed else "error", None, None, None, killed=killed)
    (_, objective, bound, _, _), body = min(improving, key=lambda r: r[0][1])
    values = np.frombuffer(body, dtype=np.float64).copy()
    return MipRun("time_limit", values, objective, bound, killed=killed)
