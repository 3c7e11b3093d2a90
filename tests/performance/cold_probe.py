"""One cold start in a fresh interpreter, run by tests/performance/cold_start.py.

Usage: python cold_probe.py RESULT_FILE (handler EVENT_JSON | floor TABLE KEY_JSON)

`handler`: import the function's `handler` module (its folder and the shared layer are on
sys.path, as in Lambda) and serve one event. `floor`: what any Python function talking to
DynamoDB pays: import boto3, create a DynamoDB client, one GetItem. The result file gets the
milliseconds, the status and the interpreter's peak resident memory; stdout is left to the
function's own logs and metrics.
"""

import json
import sys
import time
from pathlib import Path


class _Context:
    function_name = "bench"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "00000000-0000-0000-0000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        # At the start of an invocation of the notifier (30 s), which checks it before each e-mail.
        return 30_000


def _handler(event_json: str) -> tuple[float, bool, object]:
    event = json.loads(event_json)
    started = time.perf_counter()
    import handler  # type: ignore[import-not-found]  # the function's folder, on sys.path as in Lambda

    answer = handler.lambda_handler(event, _Context())
    elapsed = time.perf_counter() - started
    if "statusCode" in answer:
        return elapsed, 200 <= answer["statusCode"] < 300, answer["statusCode"]
    return elapsed, not answer.get("batchItemFailures") and not answer.get("messages_failed"), answer


def _floor(table: str, key_json: str) -> tuple[float, bool, object]:
    key = json.loads(key_json)
    started = time.perf_counter()
    import boto3

    client = boto3.client("dynamodb")
    response = client.get_item(TableName=table, Key=key)
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    return time.perf_counter() - started, status == 200, status


def _peak_rss_kb() -> int:
    """The peak resident memory of this process's own address space (VmHWM). Not ru_maxrss: Linux
    carries that over an exec from the process that forked it, here the benchmark's (large) one."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(argv: list[str]) -> None:
    result_file, mode, *args = argv
    seconds, ok, answer = _handler(*args) if mode == "handler" else _floor(*args)
    with open(result_file, "w", encoding="utf-8") as out:
        json.dump({"ms": seconds * 1000, "ok": ok, "answer": answer, "peak_rss_kb": _peak_rss_kb()}, out)


if __name__ == "__main__":
    main(sys.argv[1:])
