"""How the local cloud shows its functions' output (infra.local.logs) and its own log lines."""

from __future__ import annotations

import io
import json
import logging
import os
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from infra.local.errors import LocalCloudError
from infra.local.event_sources import BurstSummary
from infra.local.logs import NAME_WIDTH, FunctionOutput, LocalFormatter, function_line
from infra.local.settings import LocalSettings
from infra.local.workers import WorkerPool, WorkerSpec

BERLIN = timezone(timedelta(hours=1))  # a fixed zone: the time shown is the local one
PAD = " " * (NAME_WIDTH - len("products"))
CONTEXT = {  # what Powertools' inject_lambda_context adds to every record
    "location": "_refresh:146",
    "timestamp": "2026-12-01 14:40:58,255+0000",
    "service": "products",
    "cold_start": True,
    "function_name": "products",
    "function_memory_size": "1024",
    "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:products",
    "function_request_id": "5c3a09db-2477-4714-889f-5bae4737ba6b",
    "correlation_id": "5c3a09db-2477-4714-889f-5bae4737ba6b",
    "xray_trace_id": "1-5759e988-bd862e3fe1be46a994272793",
    "sampling_rate": 0.1,
}
TRACEBACK = "Traceback (most recent call last):\n  File \"service.py\", line 7, in add\nKeyError: 'name'"
EMF = {
    "_aws": {
        "Timestamp": 1796136058397,
        "CloudWatchMetrics": [
            {
                "Namespace": "Shopfloor",
                "Dimensions": [["function_name", "service"]],
                "Metrics": [{"Name": "ColdStart", "Unit": "Count"}],
            }
        ],
    },
    "function_name": "products",
    "service": "products",
    "ColdStart": [1.0],
}


def record(**fields: Any) -> str:
    return json.dumps({**CONTEXT, **fields}, separators=(",", ":"))


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        pytest.param(
            record(
                level="INFO",
                message="Stored a new offers service access token",
                expires_at=1796136359.0,
                product_id=7,
                title="55-inch television",
                offers={"inserted": 3, "deleted": []},
            ),
            f"15:40:58.255 products{PAD} INFO  Stored a new offers service access token "
            'expires_at=1796136359.0 product_id=7 title="55-inch television" '
            'offers={"inserted":3,"deleted":[]}',
            id="info-with-extras",
        ),
        pytest.param(
            record(
                level="ERROR",
                message="Unhandled error",
                exception=TRACEBACK,
                exception_name="KeyError",
                stack_trace={"type": "KeyError", "frames": []},
                path="/products",
            ),
            f"15:40:58.255 products{PAD} ERROR Unhandled error path=/products\n"
            "    Traceback (most recent call last):\n"
            '      File "service.py", line 7, in add\n'
            "    KeyError: 'name'",
            id="error-with-exception",
        ),
        pytest.param(
            record(level="WARNING", message="two\nlines", correlation_id="from-the-client"),
            f"15:40:58.255 products{PAD} WARNING two\n    lines correlation_id=from-the-client",
            id="multi-line-message-and-a-correlation-id-that-is-not-the-request-id",
        ),
        pytest.param(
            record(level="INFO", message={"a": 1}),
            f'15:40:58.255 products{PAD} INFO  {{"a":1}}',
            id="a-logged-dict",
        ),
        pytest.param(
            json.dumps(EMF),
            f"15:40:58.397 products{PAD} INFO  metrics ColdStart=1",
            id="metrics",
        ),
        pytest.param("Traceback (most recent call last):", "Traceback (most recent call last):", id="text"),
        pytest.param('  File "handler.py", line 3', '  File "handler.py", line 3', id="indented-text"),
        pytest.param("{not json", "{not json", id="almost-json"),
        pytest.param('{"some": "object"}', '{"some": "object"}', id="json-that-is-not-a-record"),
        pytest.param("", "", id="empty"),
    ],
)
def test_a_line_of_a_function_reads_as_one_human_line(line: str, shown: str) -> None:
    assert function_line(line, "products", BERLIN) == shown


def test_long_values_are_cut() -> None:
    shown = function_line(record(level="INFO", message="m", body="x" * 1000), "products", BERLIN)

    assert len(shown) < 250
    assert shown.endswith("x...")


def test_the_local_clouds_own_lines_have_the_same_columns() -> None:
    formatter = LocalFormatter(BERLIN)
    entry = logging.LogRecord(
        "shopfloor.local.gateway", logging.INFO, __file__, 1, "%s %s %d", ("GET", "/health", 200), None
    )
    entry.created = 1796136058.255

    shown = formatter.format(entry)

    assert shown == f"15:40:58.255 {'gateway':<{NAME_WIDTH}} INFO  GET /health 200"
    assert shown.index("GET") == function_line(record(level="INFO", message="m"), "x", BERLIN).index("m")


@pytest.mark.parametrize(
    ("environ", "log_format"),
    [({}, "text"), ({"SHOPFLOOR_LOG_FORMAT": "JSON "}, "json"), ({"SHOPFLOOR_LOG_FORMAT": "text"}, "text")],
)
def test_the_log_format_setting(environ: dict[str, str], log_format: str) -> None:
    assert LocalSettings.from_environ(environ).log_format == log_format


def test_an_unknown_log_format_is_an_error_naming_the_setting() -> None:
    with pytest.raises(LocalCloudError, match="SHOPFLOOR_LOG_FORMAT"):
        LocalSettings.from_environ({"SHOPFLOOR_LOG_FORMAT": "pretty"})


def test_a_workers_output_is_shown_line_by_line_and_its_last_line_at_the_end() -> None:
    read, write = os.pipe()
    console = io.StringIO()
    output = FunctionOutput(read, "products", console, UTC)
    info = record(level="INFO", message="hello", product_id=1)
    os.write(write, (info + "\nplain text\npartial").encode())

    output.drain()
    shown_before_the_end = console.getvalue()
    os.close(write)
    output.wait(5)

    assert shown_before_the_end == f"14:40:58.255 products{PAD} INFO  hello product_id=1\nplain text\n"
    assert console.getvalue() == shown_before_the_end + "partial\n"
    assert not output.drain()


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_worker_shows_what_its_function_wrote_before_it_answers(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], log_format: str
) -> None:
    (tmp_path / "handler.py").write_text(
        "import json, sys\n"
        "def lambda_handler(event, context):\n"
        f"    print({record(level='INFO', message='handled', item=3)!r})\n"
        "    print('a print', file=sys.stderr)\n"
        "    return 'done'\n"
    )
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    spec = WorkerSpec("products", environment, tmp_path, 10, log_format)
    pool = WorkerPool(spec, 1)
    try:
        assert pool.invoke({}, "request-1") == "done"
        shown = capfd.readouterr().err  # nothing waited for: it was written before invoke returned
    finally:
        pool.close()

    if log_format == "text":
        assert shown.endswith(f" products{PAD} INFO  handled item=3\na print\n")
    else:
        assert shown == record(level="INFO", message="handled", item=3) + "\na print\n"


def test_a_burst_of_batches_is_one_info_line_once_it_is_over(caplog: pytest.LogCaptureFixture) -> None:
    summary = BurstSummary("sqs", "offers-worker", "messages")
    caplog.set_level(logging.DEBUG, "shopfloor.local")
    for failed in (0, 2, 0):
        summary.begin()
        summary.end(10, failed)
    summary.begin()
    summary.quiet()  # a batch in flight: not over
    assert caplog.records == []

    summary.end(5, 0)
    summary.quiet()
    summary.quiet()

    (line,) = caplog.records
    assert line.levelno == logging.WARNING
    assert line.getMessage().startswith("sqs: offers-worker 35 messages in 4 batches, 2 failed, ")
