"""The local gateway and its function workers, over HTTP, with a fake function in a temp folder:
the payload format 2.0 event a function gets, how its answers (response format 2.0) are written
back, the ANY route to the path's owner, how failures look, and one log line per request."""

from __future__ import annotations

import base64
import http.client
import json
import logging
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
from infra.topology import OPERATIONS_CONTEXT, ROOT, Function, Route
from tests.integration.cloud import free_ports

pytestmark = pytest.mark.integration

TIMEOUT_SECONDS = 2.0
CONCURRENCY = 3
INTERNAL_ERROR = {"message": "Internal Server Error"}

FAKE_HANDLER = textwrap.dedent(
    """
    import base64, json, os, sys, time

    def lambda_handler(event, context):
        print("the handler writes to stdout")  # must not break the protocol
        if event["routeKey"].startswith("ANY "):  # as the shared resolver answers a method not declared
            return {"statusCode": 405, "headers": {"Content-Type": "application/json", "Allow": "GET, POST"},
                    "body": json.dumps({"message": "Method not allowed."})}
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
            return {"statusCode": "two hundred", "body": "{}"}
        if action == "inferred":
            return {"body": "no status code", "items": [1, 2]}
        if action == "empty":
            return {"statusCode": 204}
        return {
            "statusCode": 200,
            "headers": {"X-Single": "one", "X-Joined": "a,b"},
            "multiValueHeaders": {"X-Multi": ["payload", "1.0"]},
            "cookies": ["session=abc; Path=/; HttpOnly", "theme=dark"],
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
    context=OPERATIONS_CONTEXT,
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


def test_the_function_gets_a_payload_format_2_event(gateway_url: str) -> None:
    response = requests.post(
        f"{gateway_url}/fake/a%20b/?tag=1&tag=2&empty=",
        data='{"x": 1}',
        headers={"Content-Type": "application/json", "X-Custom": "yes", "Cookie": "session=abc; theme=dark"},
        timeout=30,
    )

    event = echo(response)["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /fake/{action}"
    assert event["rawPath"] == "/fake/a%20b/"
    assert event["rawQueryString"] == "tag=1&tag=2&empty="
    assert event["pathParameters"] == {"action": "a b"}
    assert event["queryStringParameters"] == {"tag": "1,2", "empty": ""}
    assert event["cookies"] == ["session=abc", "theme=dark"]
    assert event["headers"]["x-custom"] == "yes"
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-forwarded-proto"] == "http"
    assert event["headers"]["host"] == gateway_url.removeprefix("http://")
    assert event["body"] == '{"x": 1}'
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["routeKey"] == "POST /fake/{action}"
    assert context["stage"] == "$default"
    assert context["http"]["method"] == "POST"
    assert context["http"]["path"] == "/fake/a%20b/"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["http"]["userAgent"] == requests.utils.default_user_agent()
    assert context["requestId"] == response.headers["apigw-requestid"]
    assert abs(context["timeEpoch"] - time.time() * 1000) < 60_000
    assert "authorizer" not in context
    for payload_1 in (
        "resource",
        "path",
        "httpMethod",
        "multiValueHeaders",
        "multiValueQueryStringParameters",
    ):
        assert payload_1 not in event


def test_repeated_headers_arrive_joined_with_commas(gateway_url: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", int(gateway_url.rsplit(":", 1)[1]), timeout=30)
    connection.putrequest("GET", "/fake/echo")
    for value in ("a", "b"):
        connection.putheader("X-Repeated", value)
    connection.endheaders()
    answer = connection.getresponse()
    body = json.loads(answer.read())
    connection.close()

    assert answer.status == 200
    assert body["event"]["headers"]["x-repeated"] == "a,b"


def test_an_empty_request_has_no_body_query_or_cookies(gateway_url: str) -> None:
    event = echo(requests.get(f"{gateway_url}/fake/echo", timeout=30))["event"]

    assert event["rawQueryString"] == ""
    assert event["pathParameters"] == {"action": "echo"}
    for absent in ("body", "queryStringParameters", "cookies"):
        assert absent not in event, absent
    assert event["isBase64Encoded"] is False


def test_a_body_that_is_not_utf8_arrives_base64_encoded(gateway_url: str) -> None:
    event = echo(requests.post(f"{gateway_url}/fake/echo", data=b"\xff\x00\xfe", timeout=30))["event"]

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00\xfe"


def test_a_literal_route_wins_over_a_parameter(gateway_url: str) -> None:
    event = echo(requests.get(f"{gateway_url}/fake/echo/literal", timeout=30))["event"]

    assert event["routeKey"] == "GET /fake/echo/literal"
    assert "pathParameters" not in event


def test_a_greedy_parameter_takes_the_rest_of_the_path(gateway_url: str) -> None:
    event = echo(requests.get(f"{gateway_url}/files/a/b/c.txt", timeout=30))["event"]

    assert event["routeKey"] == "GET /files/{key+}"
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


def test_the_responses_headers_and_cookies_are_written_and_multi_value_headers_ignored(
    gateway_url: str,
) -> None:
    response = requests.get(f"{gateway_url}/fake/echo", timeout=30)

    assert response.headers["X-Single"] == "one"
    assert response.headers["X-Joined"] == "a,b"
    assert "X-Multi" not in response.headers
    assert response.raw.headers.getlist("Set-Cookie") == ["session=abc; Path=/; HttpOnly", "theme=dark"]
    assert response.cookies["theme"] == "dark"


def test_a_base64_body_is_decoded(gateway_url: str) -> None:
    response = requests.get(f"{gateway_url}/fake/binary", timeout=30)

    assert response.status_code == 200
    assert response.content == b"\x00\xff"
    assert response.headers["Content-Type"] == "application/octet-stream"


def test_a_response_without_body_is_empty(gateway_url: str) -> None:
    response = requests.get(f"{gateway_url}/fake/empty", timeout=30)

    assert response.status_code == 204
    assert response.content == b""


def test_a_result_without_status_code_is_200_json_of_the_whole_result(gateway_url: str) -> None:
    response = requests.get(f"{gateway_url}/fake/inferred", timeout=30)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"body": "no status code", "items": [1, 2]}


@pytest.mark.parametrize("action", ["boom", "malformed", "crash"])
def test_a_failing_function_is_the_http_apis_500(gateway_url: str, action: str) -> None:
    response = requests.get(f"{gateway_url}/fake/{action}", timeout=30)

    assert response.status_code == 500
    assert response.json() == INTERNAL_ERROR
    assert response.headers["Content-Type"] == "application/json"


def test_a_function_that_times_out_is_500(gateway_url: str) -> None:
    started = time.monotonic()

    response = requests.get(f"{gateway_url}/fake/slow", params={"seconds": "30"}, timeout=30)

    assert (response.status_code, response.json()) == (500, INTERNAL_ERROR)
    assert time.monotonic() - started < TIMEOUT_SECONDS + 5


def test_a_dead_worker_is_replaced(gateway_url: str) -> None:
    for _ in range(CONCURRENCY + 1):
        assert requests.get(f"{gateway_url}/fake/crash", timeout=30).status_code == 500

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


@pytest.mark.parametrize("method", ["DELETE", "PUT", "OPTIONS", "PROPFIND"])
def test_another_method_on_a_known_path_takes_the_any_route_to_the_paths_owner(
    gateway_url: str, method: str
) -> None:
    response = requests.request(method, f"{gateway_url}/fake/echo/", timeout=30)

    assert response.status_code == 405
    assert response.json() == {"message": "Method not allowed."}
    assert response.headers["Allow"] == "GET, POST"


@pytest.mark.parametrize("path", ["/nope", "/fake", "/fake/a/b", "/files"])
def test_an_unknown_path_is_the_http_apis_404(gateway_url: str, path: str) -> None:
    response = requests.get(f"{gateway_url}{path}", timeout=30)

    assert response.status_code == 404
    assert response.content == b'{"message":"Not Found"}'
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["apigw-requestid"]


def test_an_answer_is_not_compressed_by_the_gateway(gateway_url: str) -> None:
    """The HTTP API does not compress (the functions do): the echo, a few kilobytes, goes out as written."""
    response = requests.get(f"{gateway_url}/fake/echo", headers={"Accept-Encoding": "gzip"}, timeout=10)

    assert "Content-Encoding" not in response.headers
    assert int(response.headers["Content-Length"]) == len(response.content) > 1024
    assert echo(response)["event"]["headers"]["accept-encoding"] == "gzip"


def test_each_request_is_one_log_line(gateway_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="shopfloor.local.gateway"):
        requests.get(f"{gateway_url}/fake/echo?x=1", timeout=30)
        requests.get(f"{gateway_url}/nope", timeout=30)
        requests.get(f"{gateway_url}/fake/boom", timeout=30)
        deadline = time.monotonic() + 5
        while len(_access_lines(caplog)) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)

    lines = _access_lines(caplog)
    assert len(lines) == 3, lines
    assert lines[0].startswith("GET /fake/echo?x=1 200 fake ")
    assert lines[1].startswith("GET /nope 404 - ")
    assert lines[2].startswith("GET /fake/boom 500 fake ")


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "shopfloor.local.gateway" and record.levelno == logging.INFO
    ]
