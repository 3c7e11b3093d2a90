"""The local gateway and its function workers, over HTTP, with a fake function in a temp folder:
the proxy event a function gets, how its answers are written back, and how failures look."""

from __future__ import annotations

import base64
import os
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from infra.local.environment import LAYER_PYTHON_DIR, worker_environment
from infra.local.gateway import Gateway, GatewayServer
from infra.local.routing import Router
from infra.local.settings import LocalSettings
from infra.local.workers import WorkerPool, WorkerSpec
from infra.topology import ROOT, Function, Route
from tests.integration.cloud import free_ports

pytestmark = pytest.mark.integration

TIMEOUT_SECONDS = 2.0
CONCURRENCY = 3

FAKE_HANDLER = textwrap.dedent(
    """
    import base64, json, os, sys, time

    def lambda_handler(event, context):
        print("the handler writes to stdout")  # must not break the protocol
        action = (event.get("pathParameters") or {}).get("action", "")
        if action == "boom":
            raise ValueError("boom")
        if action == "crash":
            os._exit(3)
        if action == "slow":
            time.sleep(float(event["queryStringParameters"]["seconds"]))
        if action == "binary":
            body = base64.b64encode(b"\\x00\\xff").decode()
            return {"statusCode": 200, "headers": {"Content-Type": "application/octet-stream"},
                    "body": body, "isBase64Encoded": True}
        if action == "malformed":
            return {"body": "no status code"}
        if action == "empty":
            return {"statusCode": 204}
        return {
            "statusCode": 200,
            "headers": {"X-Single": "one", "X-Both": "from headers"},
            "multiValueHeaders": {"X-Multi": ["a", "b"], "x-both": ["from multiValueHeaders"]},
            "body": json.dumps({
                "event": event,
                "pid": os.getpid(),
                "cwd": os.getcwd(),
                "sys_path": sys.path,
                "environ": dict(os.environ),
                "context": {
                    "function_name": context.function_name,
                    "memory_limit_in_mb": context.memory_limit_in_mb,
                    "invoked_function_arn": context.invoked_function_arn,
                    "aws_request_id": context.aws_request_id,
                    "remaining_ms": context.get_remaining_time_in_millis(),
                },
            }),
        }
    """
)

FAKE = Function(
    name="fake",
    description="A function that misbehaves on request.",
    routes=(
        Route("GET", "/fake/{action}"),
        Route("POST", "/fake/{action}"),
        Route("GET", "/fake/echo/literal"),
        Route("GET", "/files/{key+}"),
    ),
    memory_mb=256,
)


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    code_dir = tmp_path_factory.mktemp("fake-function")
    (code_dir / "handler.py").write_text(FAKE_HANDLER)
    api_port, closed = free_ports(2)
    settings = LocalSettings(api_port=api_port, dynamodb_port=closed, moto_port=closed, log_level="WARNING")
    environment = {
        **worker_environment(FAKE, settings),
        "PYTHONPATH": os.pathsep.join([str(code_dir), str(LAYER_PYTHON_DIR)]),
    }
    pool = WorkerPool(WorkerSpec(FAKE.name, environment, code_dir, TIMEOUT_SECONDS), CONCURRENCY)
    server = GatewayServer("127.0.0.1", api_port, Gateway(Router.from_functions([FAKE]), {FAKE.name: pool}))
    server.start()
    yield f"http://127.0.0.1:{api_port}"
    server.stop()
    pool.close()


def echo(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_function_gets_an_api_gateway_rest_proxy_event(gateway_url: str) -> None:
    response = requests.post(
        f"{gateway_url}/fake/a%20b/?tag=1&tag=2&empty=",
        data='{"x": 1}',
        headers={"Content-Type": "application/json", "X-Custom": "yes"},
        timeout=30,
    )

    event = echo(response)["event"]
    assert event["resource"] == "/fake/{action}"
    assert event["path"] == "/fake/a%20b/"
    assert event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"action": "a b"}
    assert event["queryStringParameters"] == {"tag": "2", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {"tag": ["1", "2"], "empty": [""]}
    assert event["headers"]["X-Custom"] == "yes"
    assert event["multiValueHeaders"]["X-Custom"] == ["yes"]
    assert event["headers"]["X-Forwarded-Proto"] == "http"
    assert event["headers"]["Host"] == gateway_url.removeprefix("http://")
    assert event["stageVariables"] is None
    assert event["body"] == '{"x": 1}'
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["resourcePath"] == "/fake/{action}"
    assert context["httpMethod"] == "POST"
    assert context["path"] == "/fake/a%20b/"
    assert context["stage"] == "local"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["requestId"] == response.headers["x-amzn-RequestId"]
    assert abs(context["requestTimeEpoch"] - time.time() * 1000) < 60_000


def test_an_empty_request_has_null_body_query_and_path_parameters(gateway_url: str) -> None:
    event = echo(requests.get(f"{gateway_url}/fake/echo", timeout=30))["event"]

    assert event["body"] is None
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] == {"action": "echo"}


def test_a_body_that_is_not_utf8_arrives_base64_encoded(gateway_url: str) -> None:
    event = echo(requests.post(f"{gateway_url}/fake/echo", data=b"\xff\x00\xfe", timeout=30))["event"]

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00\xfe"


def test_a_literal_resource_wins_over_a_parameter(gateway_url: str) -> None:
    event = echo(requests.get(f"{gateway_url}/fake/echo/literal", timeout=30))["event"]

    assert event["resource"] == "/fake/echo/literal"
    assert event["pathParameters"] is None


def test_a_greedy_parameter_takes_the_rest_of_the_path(gateway_url: str) -> None:
    event = echo(requests.get(f"{gateway_url}/files/a/b/c.txt", timeout=30))["event"]

    assert event["resource"] == "/files/{key+}"
    assert event["pathParameters"] == {"key": "a/b/c.txt"}


def test_the_function_runs_like_a_lambda_container(gateway_url: str) -> None:
    body = echo(requests.get(f"{gateway_url}/fake/echo", timeout=30))

    assert body["pid"] != os.getpid()
    assert str(ROOT) not in body["sys_path"]
    assert str(ROOT / "infra" / "local") not in body["sys_path"]
    environ = body["environ"]
    assert environ["AWS_LAMBDA_FUNCTION_NAME"] == "fake"
    assert environ["AWS_REGION"] == "us-east-1"
    assert environ["AWS_ENDPOINT_URL_DYNAMODB"].startswith("http://127.0.0.1:")
    assert environ["POWERTOOLS_SERVICE_NAME"] == "fake"
    assert not {name for name in environ if name.startswith(("SHOPFLOOR_", "PYTEST"))}
    context = body["context"]
    assert context["function_name"] == "fake"
    assert context["memory_limit_in_mb"] == "256"
    assert context["invoked_function_arn"].endswith(":function:fake")
    assert 0 < context["remaining_ms"] <= TIMEOUT_SECONDS * 1000


def test_headers_and_multi_value_headers_are_merged(gateway_url: str) -> None:
    response = requests.get(f"{gateway_url}/fake/echo", timeout=30)

    assert response.headers["X-Single"] == "one"
    assert response.headers["X-Multi"] == "a, b"
    assert response.headers["X-Both"] == "from multiValueHeaders"


def test_a_base64_body_is_decoded(gateway_url: str) -> None:
    response = requests.get(f"{gateway_url}/fake/binary", timeout=30)

    assert response.status_code == 200
    assert response.content == b"\x00\xff"
    assert response.headers["Content-Type"] == "application/octet-stream"


def test_a_response_without_body_is_empty(gateway_url: str) -> None:
    response = requests.get(f"{gateway_url}/fake/empty", timeout=30)

    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize("action", ["boom", "malformed", "crash"])
def test_a_failing_function_is_502_in_the_envelope(gateway_url: str, action: str) -> None:
    response = requests.get(f"{gateway_url}/fake/{action}", timeout=30)

    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error."}


def test_a_function_that_times_out_is_502(gateway_url: str) -> None:
    started = time.monotonic()

    response = requests.get(f"{gateway_url}/fake/slow", params={"seconds": "30"}, timeout=30)

    assert response.status_code == 502
    assert time.monotonic() - started < TIMEOUT_SECONDS + 5


def test_a_dead_worker_is_replaced(gateway_url: str) -> None:
    for _ in range(CONCURRENCY + 1):
        assert requests.get(f"{gateway_url}/fake/crash", timeout=30).status_code == 502

    assert requests.get(f"{gateway_url}/fake/echo", timeout=30).status_code == 200


def test_concurrent_requests_run_in_parallel_workers(gateway_url: str) -> None:
    def slow(_: int) -> int:
        response = requests.get(f"{gateway_url}/fake/slow", params={"seconds": "0.8"}, timeout=30)
        return int(echo(response)["pid"])

    for _ in range(2):  # once to start the workers, once to time them warm
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            pids = set(pool.map(slow, range(CONCURRENCY)))
        elapsed = time.monotonic() - started

    assert len(pids) == CONCURRENCY
    assert elapsed < 0.8 * CONCURRENCY


def test_more_requests_than_workers_wait_for_one(gateway_url: str) -> None:
    results: list[int] = []

    def call() -> None:
        response = requests.get(f"{gateway_url}/fake/slow", params={"seconds": "0.2"}, timeout=30)
        results.append(response.status_code)

    threads = [threading.Thread(target=call) for _ in range(CONCURRENCY * 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert results == [200] * (CONCURRENCY * 3)


def test_an_unknown_method_on_a_known_path_lists_the_allowed_ones(gateway_url: str) -> None:
    response = requests.delete(f"{gateway_url}/fake/echo", timeout=30)

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"


def test_an_answer_of_the_minimum_size_is_gzipped_for_a_client_that_accepts_it(gateway_url: str) -> None:
    """As API Gateway's minimumCompressionSize does (the echo is a few kilobytes)."""
    accepted = requests.get(f"{gateway_url}/fake/echo", headers={"Accept-Encoding": "gzip"}, timeout=10)
    refused = requests.get(f"{gateway_url}/fake/echo", headers={"Accept-Encoding": "identity"}, timeout=10)
    small = requests.get(f"{gateway_url}/fake/binary", headers={"Accept-Encoding": "gzip"}, timeout=10)

    assert accepted.headers["Content-Encoding"] == "gzip"
    assert int(accepted.headers["Content-Length"]) < len(accepted.content) / 2  # the wire, not the JSON
    assert echo(accepted)["event"]["path"] == "/fake/echo"
    assert "Content-Encoding" not in refused.headers
    assert int(refused.headers["Content-Length"]) == len(refused.content)
    assert "Content-Encoding" not in small.headers
    assert small.content == b"\x00\xff"
