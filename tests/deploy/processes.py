"""Real fabnet processes for deployment tests: ``fabnet serve`` and ``fabnet worker`` as
subprocesses in process groups of their own (so a kill reaches a prefork worker's children too),
logging to files, all of them ended when the block ends, whatever happened in it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx

FABNET = (sys.executable, "-m", "fabnet.cli.main")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def signal_group(self, signum: int) -> None:
        """Send ``signum`` to the process and every process it started."""
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """``kill -9`` of the process and its children; waits until it is gone."""
        self.signal_group(signal.SIGKILL)
        self.popen.wait(timeout=20)


@dataclass
class Processes:
    env: Mapping[str, str]
    folder: Path
    started: list[Process] = field(default_factory=list)

    def run(self, *args: str, timeout: float = 120) -> str:
        """Run ``fabnet args`` to completion; its output (fails the test on a non-zero exit)."""
        done = subprocess.run(
            [*FABNET, *args], env=dict(self.env), capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"fabnet {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def start(self, name: str, *args: str) -> Process:
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [*FABNET, *args],
                env=dict(self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.started.append(process)
        return process

    def serve(self, *names: str, timeout: float = 60) -> list[str]:
        """Start ``fabnet serve`` once per name, each on a free port, together; their base URLs
        once each answers 200 at ``/v1/health``."""
        started = []
        for name in names:
            port = free_port()
            process = self.start(name, "serve", "--port", str(port), "--log-level", "warning")
            started.append((process, f"http://127.0.0.1:{port}"))
        deadline = time.monotonic() + timeout
        for process, url in started:
            while not _healthy(url):
                assert process.popen.poll() is None, f"{process.name} ended:\n{process.output()}"
                assert time.monotonic() < deadline, (
                    f"{process.name} did not start:\n{process.output()}"
                )
                time.sleep(0.1)
        return [url for _, url in started]

    def workers(
        self, *names: str, args: tuple[str, ...] = (), timeout: float = 60
    ) -> list[Process]:
        """Start ``fabnet worker args`` once per name, together; once Celery says each is ready."""
        started = [self.start(name, "worker", *args) for name in names]
        deadline = time.monotonic() + timeout
        for process in started:
            while " ready." not in process.output():
                assert process.popen.poll() is None, f"{process.name} ended:\n{process.output()}"
                assert time.monotonic() < deadline, (
                    f"{process.name} did not start:\n{process.output()}"
                )
                time.sleep(0.1)
        return started

    def stop_all(self) -> None:
        """SIGTERM to every process group still running, SIGKILL to what has not ended in
        15 s (and to a group whose leader is gone but whose children may live on)."""
        for process in self.started:
            if process.popen.poll() is None:
                process.signal_group(signal.SIGCONT)  # a stopped process cannot end
                process.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.started:
            with suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            process.signal_group(signal.SIGKILL)
            process.popen.wait(timeout=20)


@contextmanager
def fabnet_processes(env: Mapping[str, str], folder: Path) -> Iterator[Processes]:
    processes = Processes(env, folder)
    try:
        yield processes
    finally:
        processes.stop_all()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/v1/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
