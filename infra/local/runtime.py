"""The runtime inside a local function worker: one process per container, like Lambda's.

Run by file path (`python -P runtime.py <function> <requests-fd> <responses-fd>`) with only the
function's folder and the shared layer on PYTHONPATH, so it uses nothing but the standard library.
It imports the handler named by `_HANDLER` (init phase), says `{"ready": true}`, then answers one
invocation per line of JSON read from <requests-fd> with one line written to <responses-fd>:
`{"result": ...}` or `{"error": {"errorType": ..., "errorMessage": ...}}`. The handler's stdout
goes to the worker's stderr; the protocol has its own pipes. EOF on <requests-fd> ends the worker.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any, BinaryIO

Handler = Callable[[Any, Any], Any]


class LambdaContext:
    """What Lambda's Python runtime passes as `context` (memory_limit_in_mb is a string there too)."""

    def __init__(self, function_name: str, request_id: str, deadline_ms: int) -> None:
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.function_name = function_name
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{function_name}"
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{function_name}")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def main(argv: list[str]) -> int:
    function_name, requests_fd, responses_fd = argv[0], int(argv[1]), int(argv[2])
    # Ctrl-C reaches the whole process group; the local cloud, not the terminal, stops its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with os.fdopen(requests_fd, "rb") as requests, os.fdopen(responses_fd, "wb") as responses:
        try:
            handler = _load_handler(os.environ.get("_HANDLER", "handler.lambda_handler"))
        except Exception as error:
            traceback.print_exc()
            _send(responses, {"initError": _error(error)})
            return 1
        _send(responses, {"ready": True})
        for line in requests:
            _write(responses, _invoke(handler, function_name, json.loads(line)))
    return 0


def _load_handler(spec: str) -> Handler:
    module_name, _, attribute = spec.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler


def _invoke(handler: Handler, function_name: str, message: dict[str, Any]) -> str:
    """The answer line for one invocation."""
    context = LambdaContext(function_name, message["requestId"], message["deadlineMs"])
    try:
        result = handler(message["event"], context)
    except Exception as error:
        traceback.print_exc()
        return json.dumps({"error": _error(error)})
    try:
        return json.dumps({"result": result})
    except (TypeError, ValueError) as error:
        return json.dumps({"error": {"errorType": "Runtime.MarshalError", "errorMessage": str(error)}})


def _error(error: BaseException) -> dict[str, str]:
    return {"errorType": type(error).__name__, "errorMessage": str(error)}


def _send(stream: BinaryIO, message: dict[str, Any]) -> None:
    _write(stream, json.dumps(message))


def _write(stream: BinaryIO, line: str) -> None:
    # json.dumps escapes newlines and (ensure_ascii) every non-ASCII character: one message, one line.
    stream.write(line.encode("ascii") + b"\n")
    stream.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
