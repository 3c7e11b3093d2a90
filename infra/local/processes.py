"""Child processes of the local cloud (DynamoDB Local, moto): started with their output in a log
file, waited on until they answer, and stopped (terminate, then kill) when the cloud stops."""

from __future__ import annotations

import errno
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from infra.local.errors import LocalCloudError

STOP_TIMEOUT_SECONDS = 10.0
_POLL_SECONDS = 0.1
_LOG_TAIL_CHARS = 2000


class Child:
    def __init__(
        self, name: str, command: Sequence[str], log_file: Path, env: Mapping[str, str] | None = None
    ) -> None:
        self.name = name
        self.log_file = log_file
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("wb") as log:
            self._process = subprocess.Popen(
                list(command),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=None if env is None else dict(env),
            )

    @property
    def pid(self) -> int:
        return self._process.pid

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> None:
        """Poll `ready` until it holds; a LocalCloudError if the child exits or time runs out."""
        deadline = time.monotonic() + timeout
        while not ready():
            if self._process.poll() is not None:
                raise LocalCloudError(
                    f"{self.name} exited with code {self._process.returncode}: {self._log_tail()}"
                )
            if time.monotonic() > deadline:
                raise LocalCloudError(f"{self.name} did not start within {timeout:.0f} s: {self._log_tail()}")
            time.sleep(_POLL_SECONDS)

    def check_running(self) -> None:
        if self._process.poll() is not None:
            raise LocalCloudError(
                f"{self.name} stopped unexpectedly with code {self._process.returncode}: {self._log_tail()}"
            )

    def stop(self) -> None:
        if self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _log_tail(self) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return f"(no output in {self.log_file})"
        return " | ".join(text[-_LOG_TAIL_CHARS:].split("\n")).strip(" |") or "(no output)"


def accepts_connections(host: str, port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            return False

    return check


def ensure_port_free(host: str, port: int, what: str, variable: str) -> None:
    """A LocalCloudError naming the setting to change when something already listens on `port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Like the servers themselves: a port in TIME_WAIT is free, one with a listener is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            reason = "is already in use" if error.errno == errno.EADDRINUSE else f"cannot be used ({error})"
            raise LocalCloudError(
                f"port {port} ({what}) {reason} on {host or 'all interfaces'}: "
                f"stop what uses it or set {variable}"
            ) from error
