"""What a person sees of the local cloud: its own log lines and its functions' output, one line each.

Every function's Powertools logger writes one JSON object per line, as CloudWatch receives them. A
worker's stdout and stderr come here (`FunctionOutput`), and with SHOPFLOOR_LOG_FORMAT=text (the
default) each such line becomes one line a person reads:

    14:40:58.255 products          INFO  Stored a new offers service access token expires_at=1796136359.0

the record's time (local time), the function, the level, the message and the record's own fields as
key=value, without what Powertools adds to every record (location, service, timestamp, the Lambda
context, ...). An exception's traceback follows on indented lines. A metrics blob (EMF) becomes one
line of its metric values. Any other line (a print, the runtime's traceback of a failed handler)
passes through unchanged. The local cloud's own log (the gateway's access log, the event sources)
has the same columns, its component in the function's column.

With SHOPFLOOR_LOG_FORMAT=json the workers write straight to the console, as deployed functions do
to CloudWatch, and the local cloud's own lines keep their plain `date time LEVEL message` form.
"""

from __future__ import annotations

import json
import logging
import os
import select
import sys
import threading
from datetime import UTC, datetime, tzinfo
from typing import Any, TextIO

from infra.topology import FUNCTIONS

# What Powertools puts in every record: shown as the line's columns, or not at all.
NOISE_FIELDS = frozenset(
    {
        "level",
        "message",
        "timestamp",
        "location",
        "service",
        "name",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "xray_trace_id",
        "sampling_rate",
        "exception",
        "exception_name",
        "stack_trace",
        "correlation_id",
    }
)
MAX_VALUE_CHARS = 160
INDENT = "    "
# The local cloud's loggers (shopfloor.local.<part>) as named in the function column.
COMPONENTS = {"offers": "offers-service"}
NAME_WIDTH = max(len(name) for name in [*(function.name for function in FUNCTIONS), *COMPONENTS.values()])
LEVEL_WIDTH = 5
_CHUNK = 1 << 16
_CONSOLE_LOCK = threading.RLock()


def function_line(line: str, function_name: str, tz: tzinfo | None = None) -> str:
    """One line of a function's output as a person reads it (no trailing newline; a traceback adds
    indented lines). `tz`: the zone of the time shown (None: the local one)."""
    record = _json_object(line)
    if record is None:
        return line
    if "_aws" in record:
        return _metrics_line(record, function_name, tz)
    if "level" not in record or "message" not in record:
        return line
    fields = {
        name: value for name, value in record.items() if name not in NOISE_FIELDS and not name.startswith("_")
    }
    correlation = record.get("correlation_id")
    if correlation is not None and correlation != record.get("function_request_id"):
        fields["correlation_id"] = correlation  # not the request id (which it is locally): worth showing
    message = record["message"] if isinstance(record["message"], str) else _compact(record["message"])
    exception = record.get("exception")
    return layout(
        _record_time(record.get("timestamp"), tz),
        function_name,
        str(record["level"]),
        " ".join(filter(None, [message, key_values(fields)])),
        exception if isinstance(exception, str) else None,
    )


def layout(moment: datetime, source: str, level: str, message: str, detail: str | None = None) -> str:
    """The columns every line shares: time, source (a function or a component), level, message."""
    first, *more = message.splitlines() or [""]
    clock = f"{moment:%H:%M:%S}.{moment.microsecond // 1000:03d}"
    lines = [f"{clock} {source:<{NAME_WIDTH}} {level:<{LEVEL_WIDTH}} {first}"]
    lines += [INDENT + line for line in more]
    if detail:
        lines += [INDENT + line for line in detail.rstrip("\n").splitlines()]
    return "\n".join(lines)


def key_values(fields: dict[str, Any]) -> str:
    return " ".join(f"{name}={_value(value)}" for name, value in fields.items())


def _json_object(line: str) -> dict[str, Any] | None:
    if not line.lstrip().startswith("{"):
        return None
    try:
        parsed = json.loads(line)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _metrics_line(blob: dict[str, Any], function_name: str, tz: tzinfo | None) -> str:
    names = [
        metric.get("Name")
        for directive in blob["_aws"].get("CloudWatchMetrics", [])
        for metric in directive.get("Metrics", [])
    ]
    values = {name: _metric_value(blob.get(name)) for name in names if isinstance(name, str)}
    timestamp = blob["_aws"].get("Timestamp")
    moment = _record_time(timestamp / 1000 if isinstance(timestamp, int | float) else None, tz)
    return layout(moment, function_name, "INFO", f"metrics {key_values(values)}".rstrip())


def _metric_value(value: Any) -> Any:
    values = value if isinstance(value, list) else [value]
    whole = [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
    return whole[0] if len(whole) == 1 else whole


def _record_time(value: Any, tz: tzinfo | None) -> datetime:
    """Powertools' `2026-12-01 14:40:58,255+0000` (or ISO 8601, or epoch seconds); now if neither."""
    try:
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.replace(",", "."))
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(tz)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, tz).astimezone(tz)
    except (ValueError, OverflowError, OSError):
        pass
    return datetime.now(tz).astimezone(tz)


def _value(value: Any) -> str:
    if isinstance(value, str):
        plain = value and not any(char.isspace() or char in "\"='" for char in value)
        text = value if plain else json.dumps(value, ensure_ascii=False)
    else:
        text = _compact(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


# The console


def write_console(text: str, stream: TextIO | None = None) -> None:
    """Whole lines to the console (stderr), never interleaved with another writer's."""
    with _CONSOLE_LOCK:
        target = sys.stderr if stream is None else stream
        target.write(text)
        target.flush()


class _ConsoleHandler(logging.StreamHandler[TextIO]):
    def emit(self, record: logging.LogRecord) -> None:
        with _CONSOLE_LOCK:
            super().emit(record)


class LocalFormatter(logging.Formatter):
    """The local cloud's own records in the columns of the functions' lines."""

    def __init__(self, tz: tzinfo | None = None) -> None:
        super().__init__()
        self._tz = tz

    def format(self, record: logging.LogRecord) -> str:
        detail = self.formatException(record.exc_info) if record.exc_info else None
        if record.stack_info:
            detail = "\n".join(filter(None, [detail, self.formatStack(record.stack_info)]))
        return layout(
            datetime.fromtimestamp(record.created, self._tz).astimezone(self._tz),
            component(record.name),
            record.levelname,
            record.getMessage(),
            detail,
        )


def component(logger_name: str) -> str:
    """`shopfloor.local.gateway` -> `gateway`: the local cloud's part that logged."""
    part = logger_name.rsplit(".", 1)[-1] if logger_name.startswith("shopfloor.local.") else "local"
    return COMPONENTS.get(part, part)


def configure_logging(level: str, log_format: str) -> None:
    """The `shopfloor.local` loggers to stderr, in the columns of the functions' lines (text)."""
    handler = _ConsoleHandler(sys.stderr)
    if log_format == "text":
        handler.setFormatter(LocalFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    local_logger = logging.getLogger("shopfloor.local")
    local_logger.addHandler(handler)
    local_logger.setLevel(level)
    local_logger.propagate = False


class FunctionOutput:
    """A worker's stdout and stderr (the read end of their pipe), shown on the console line by line.

    A thread shows what arrives; `drain()` shows, before returning, whatever the worker has written
    so far, so the worker's lines of an invocation come before the gateway's line about it.
    """

    def __init__(
        self, fd: int, function_name: str, stream: TextIO | None = None, tz: tzinfo | None = None
    ) -> None:
        os.set_blocking(fd, False)
        self._fd = fd
        self._function_name = function_name
        self._stream = stream
        self._tz = tz
        self._buffer = bytearray()
        self._ended = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"output-{function_name}", daemon=True)
        self._thread.start()

    def drain(self) -> bool:
        """Show every line written so far; False once the output has ended (the worker is gone)."""
        with self._lock:
            if self._ended:
                return False
            while True:
                try:
                    chunk = os.read(self._fd, _CHUNK)
                except BlockingIOError:
                    return True
                except OSError:
                    chunk = b""
                if not chunk:
                    self._ended = True
                    if self._buffer:  # a last line without its newline
                        self._show(bytes(self._buffer))
                        self._buffer.clear()
                    return False
                self._buffer += chunk
                complete, newline, rest = self._buffer.rpartition(b"\n")
                if newline:
                    self._show(bytes(complete))
                    self._buffer = bytearray(rest)

    def wait(self, timeout: float) -> None:
        """Until the output has ended and been shown (at most `timeout` seconds)."""
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            while True:
                select.select([self._fd], [], [])
                if not self.drain():
                    break
        except (OSError, ValueError):
            pass
        finally:
            with self._lock:
                self._ended = True
                os.close(self._fd)

    def _show(self, data: bytes) -> None:
        lines = data.decode("utf-8", errors="replace").split("\n")
        shown = [function_line(line.rstrip("\r"), self._function_name, self._tz) for line in lines]
        write_console("\n".join(shown) + "\n", self._stream)
