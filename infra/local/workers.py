"""Function workers: one process per warm container, a small pool of them per function.

A worker runs `runtime.py` with the function's own environment and folder, handles one event at a
time, and is replaced when it dies or times out. Its stdout and stderr reach the console through
`infra.local.logs` (one readable line per JSON log record), or directly with the `json` log format.
The pool starts workers lazily, up to its concurrency, so concurrent requests to one function do not
wait for each other.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.logs import FunctionOutput

RUNTIME = Path(__file__).resolve().parent / "runtime.py"
INIT_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 3.0
OUTPUT_TIMEOUT_SECONDS = 1.0
_CHUNK = 1 << 16


class FunctionError(Exception):
    """The invocation failed: the handler raised, timed out, or its worker died."""


@dataclass(frozen=True)
class WorkerSpec:
    function_name: str
    environment: Mapping[str, str]
    code_dir: Path
    timeout_seconds: float
    log_format: str = "text"  # "json": the worker writes straight to stderr (see infra.local.logs)


class Worker:
    """One warm container: a process running the function's handler."""

    def __init__(self, spec: WorkerSpec) -> None:
        self._spec = spec
        requests_read, self._requests = os.pipe()
        self._responses, responses_write = os.pipe()
        output_read, output_write = os.pipe() if spec.log_format == "text" else (-1, -1)
        try:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-P",
                    str(RUNTIME),
                    spec.function_name,
                    str(requests_read),
                    str(responses_write),
                ],
                env=dict(spec.environment),
                cwd=spec.code_dir,
                stdin=subprocess.DEVNULL,
                stdout=sys.stderr.fileno() if output_write < 0 else output_write,
                stderr=None if output_write < 0 else subprocess.STDOUT,
                pass_fds=(requests_read, responses_write),
            )
        except OSError:
            for fd in (self._requests, self._responses, output_read):
                if fd >= 0:
                    os.close(fd)
            raise
        finally:
            for fd in (requests_read, responses_write, output_write):
                if fd >= 0:
                    os.close(fd)
        self._output = None if output_read < 0 else FunctionOutput(output_read, spec.function_name)
        self._buffer = bytearray()
        self._alive = True
        message = self._receive(time.monotonic() + max(INIT_TIMEOUT_SECONDS, spec.timeout_seconds))
        if "initError" in message:
            self.stop()
            raise FunctionError(_describe(message["initError"], "Runtime.InitError"))

    @property
    def alive(self) -> bool:
        return self._alive and self._process.poll() is None

    def invoke(self, event: dict[str, Any], request_id: str) -> Any:
        timeout = self._spec.timeout_seconds
        deadline_ms = int((time.time() + timeout) * 1000)
        line = json.dumps({"event": event, "requestId": request_id, "deadlineMs": deadline_ms}).encode()
        try:
            _write_all(self._requests, line + b"\n")
        except OSError as error:
            self.stop()
            raise FunctionError(f"the worker of {self._spec.function_name} is gone") from error
        message = self._receive(time.monotonic() + timeout, f"Task timed out after {timeout:.2f} seconds")
        if "error" in message:
            raise FunctionError(_describe(message["error"], "Error"))
        return message["result"]

    def terminate(self) -> None:
        """Ask it to exit now; whoever waits on its answer sees it gone and stops it."""
        if self._process.poll() is None:
            self._process.terminate()

    def stop(self) -> None:
        """Close its input (it exits on EOF); kill it if it does not."""
        if not self._alive:
            return
        self._alive = False
        for fd in (self._requests, self._responses):
            os.close(fd)
        try:
            self._process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._output is not None:
            self._output.wait(OUTPUT_TIMEOUT_SECONDS)  # its last lines, say a crash's traceback

    def _receive(self, deadline: float, timeout_reason: str = "Runtime.InitTimeout") -> dict[str, Any]:
        try:
            return self._receive_message(deadline, timeout_reason)
        finally:
            if self._output is not None:
                self._output.drain()  # what the function wrote before answering, shown before the answer

    def _receive_message(self, deadline: float, timeout_reason: str) -> dict[str, Any]:
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._responses], [], [], remaining)[0]:
                self._process.kill()
                self.stop()
                raise FunctionError(timeout_reason)
            chunk = os.read(self._responses, _CHUNK)
            if not chunk:
                self.stop()
                raise FunctionError(
                    f"the worker of {self._spec.function_name} exited with code {self._process.returncode}"
                )
            self._buffer += chunk
        line, _, rest = self._buffer.partition(b"\n")
        self._buffer = bytearray(rest)
        message: dict[str, Any] = json.loads(line)
        return message


class WorkerPool:
    """The warm containers of one function: at most `concurrency`, started on demand."""

    def __init__(self, spec: WorkerSpec, concurrency: int) -> None:
        self._spec = spec
        self._concurrency = concurrency
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._starting = 0
        self._closed = False
        self._changed = threading.Condition()

    def invoke(self, event: dict[str, Any], request_id: str) -> Any:
        worker = self._acquire()
        try:
            return worker.invoke(event, request_id)
        finally:
            self._release(worker)

    def close(self) -> None:
        """Stop the idle workers now; busy ones are terminated, and their invocations fail."""
        with self._changed:
            self._closed = True
            idle, busy = list(self._idle), list(self._busy)
            self._idle.clear()
            self._changed.notify_all()
        for worker in busy:
            worker.terminate()
        for worker in idle:
            worker.stop()

    def _acquire(self) -> Worker:
        with self._changed:
            while True:
                if self._closed:
                    raise FunctionError("the local cloud is stopping")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive:
                        self._busy.add(worker)
                        return worker
                if len(self._busy) + self._starting < self._concurrency:
                    self._starting += 1
                    break
                self._changed.wait()
        try:
            worker = Worker(self._spec)  # the cold start, outside the lock
        except BaseException:
            with self._changed:
                self._starting -= 1
                self._changed.notify()
            raise
        with self._changed:
            self._starting -= 1
            self._busy.add(worker)
        return worker

    def _release(self, worker: Worker) -> None:
        with self._changed:
            self._busy.discard(worker)
            keep = worker.alive and not self._closed
            if keep:
                self._idle.append(worker)
            self._changed.notify()
        if not keep:
            worker.stop()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _describe(error: Any, default_type: str) -> str:
    if not isinstance(error, dict):
        return default_type
    return f"{error.get('errorType', default_type)}: {error.get('errorMessage', '')}"
