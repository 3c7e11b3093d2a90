"""The local gateway serves the web pages at /app/ on the API's own port, from a folder read at each
request: types, caching headers, redirects, the gateway's own 404, no way out of the folder; the
API's routes are answered as before. Each test serves a temporary folder of its own."""

from __future__ import annotations

import hashlib
import http.client
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import pytest

from infra.local.__main__ import _print_endpoints
from infra.local.events import HttpRequest, HttpResponse
from infra.local.gateway import Gateway, GatewayServer
from infra.local.routing import Router
from infra.local.settings import LocalSettings
from infra.local.site import LocalSite
from infra.local.workers import WorkerPool
from infra.topology import FUNCTIONS, OPERATIONS_CONTEXT, ROOT, SITE, Function, Route

NOT_FOUND = {"message": "Not Found"}
HEALTH = Function(
    name="health", description="health", context=OPERATIONS_CONTEXT, routes=(Route("GET", "/health"),)
)
PAGE = b"<!doctype html><title>Sign in</title>"


class RecordingPool:
    """A function that answers 200 and keeps the paths it was invoked for."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def invoke(self, event: dict[str, Any], request_id: str) -> Any:
        self.paths.append(event["rawPath"])
        return {"statusCode": 200, "body": "{}"}


@pytest.fixture
def aws() -> None:
    """No moto: the pages touch no AWS service."""


def make_site_folder(parent: Path) -> Path:
    root = parent / "web"
    (root / "js").mkdir(parents=True)
    (root / "css").mkdir()
    (root / "index.html").write_bytes(PAGE)
    (root / "menu.html").write_text("<!doctype html><title>Menu</title>")
    (root / "js" / "api.js").write_text("export const api = 1;\n")
    (root / "css" / "app.css").write_text("body { margin: 0 }\n")
    (root / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "favicon.ico").write_bytes(b"\x00\x00\x01\x00")
    (root / "notes.xyz").write_bytes(b"?")
    (root / ".secret").write_text("hidden")
    (root / "js" / ".swp").write_text("hidden")
    # Outside the site's folder: what a way out would reach.
    (parent / "outside.txt").write_text("outside")
    return root


@pytest.fixture
def web(tmp_path: Path) -> Path:
    return make_site_folder(tmp_path)


@pytest.fixture
def pool() -> RecordingPool:
    return RecordingPool()


@pytest.fixture
def gateway(web: Path, pool: RecordingPool) -> Gateway:
    pools = cast(Mapping[str, WorkerPool], {HEALTH.name: pool})
    return Gateway(Router.from_functions([HEALTH]), pools, site=LocalSite(root=web))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayServer]:
    """One server for the module's HTTP tests (stopping one takes half a second): they only read."""
    web = make_site_folder(tmp_path_factory.mktemp("served"))
    served = GatewayServer(
        "127.0.0.1", 0, Gateway(Router.from_functions([HEALTH]), {}, site=LocalSite(root=web))
    )
    served.start()
    yield served
    served.stop()


def get(
    gateway: Gateway, path: str, method: str = "GET", headers: list[tuple[str, str]] | None = None
) -> HttpResponse:
    request = HttpRequest(
        method, path, [("Host", "127.0.0.1:3000"), *(headers or [])], b"", "127.0.0.1", 3000
    )
    response, function = gateway.handle(request)
    assert function is None  # the gateway answers pages itself
    return response


def header(response: HttpResponse, name: str) -> str | None:
    found = [value for key, value in response.headers if key.lower() == name.lower()]
    return found[-1] if found else None


def raw(server: GatewayServer, method: str, path: str) -> http.client.HTTPResponse:
    """A request sent as written: http.client, unlike browsers and requests, keeps `..` segments."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    connection.request(method, path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_the_site_folder_is_the_topologys_unless_given(web: Path) -> None:
    assert LocalSite().root == SITE.source_dir == ROOT / "web"
    assert LocalSite(root=web).root == web


def test_the_home_page_is_the_folders_index(gateway: Gateway) -> None:
    response = get(gateway, "/app/")

    assert response.status == 200
    assert response.body == PAGE
    assert header(response, "Content-Type") == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/app/index.html", "text/html; charset=utf-8"),
        ("/app/menu.html", "text/html; charset=utf-8"),
        ("/app/css/app.css", "text/css; charset=utf-8"),
        ("/app/js/api.js", "text/javascript; charset=utf-8"),
        ("/app/logo.svg", "image/svg+xml"),
        ("/app/logo.png", "image/png"),
        ("/app/favicon.ico", "image/x-icon"),
        ("/app/notes.xyz", "application/octet-stream"),
    ],
)
def test_a_file_is_served_with_its_type(gateway: Gateway, web: Path, path: str, content_type: str) -> None:
    response = get(gateway, path)

    assert response.status == 200
    assert header(response, "Content-Type") == content_type
    assert header(response, "X-Content-Type-Options") == "nosniff"
    assert response.body == (web / path.removeprefix("/app/")).read_bytes()


def test_a_page_is_revalidated_each_time_by_its_etag(gateway: Gateway) -> None:
    response = get(gateway, "/app/index.html")
    etag = f'"{hashlib.md5(PAGE, usedforsecurity=False).hexdigest()}"'

    assert header(response, "Cache-Control") == "no-cache"
    assert header(response, "ETag") == etag  # what S3 gives the same file
    assert header(response, "Last-Modified")

    for if_none_match in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        unchanged = get(gateway, "/app/index.html", headers=[("If-None-Match", if_none_match)])
        assert unchanged.status == 304
        assert unchanged.body == b""
        assert header(unchanged, "ETag") == etag
    assert get(gateway, "/app/index.html", headers=[("If-None-Match", '"other"')]).status == 200


def test_an_edit_shows_on_the_next_request(gateway: Gateway, web: Path) -> None:
    before = get(gateway, "/app/menu.html")
    (web / "menu.html").write_text("<!doctype html><title>Menu, edited</title>")
    after = get(gateway, "/app/menu.html")
    (web / "new.html").write_text("new")

    assert after.body == b"<!doctype html><title>Menu, edited</title>"
    assert header(after, "ETag") != header(before, "ETag")
    assert get(gateway, "/app/new.html").body == b"new"


@pytest.mark.parametrize(
    "path",
    [
        "/app/nope.html",
        "/app/js",  # a folder is no page
        "/app/js/",  # and has no index
        "/app/css/nope.css",
        "/app/.secret",
        "/app/js/.swp",
        "/app/js//api.js",
        "/app/./index.html",
        "/app/../outside.txt",
        "/app/js/../../outside.txt",
        "/app/%2e%2e/outside.txt",
        "/app/..%2foutside.txt",
        "/app/..%2f..%2finfra%2ftopology.py",
        "/app/../infra/topology.py",
        "/app/%2Fetc%2Fpasswd",
        "/app/..%5coutside.txt",
        "/app/index.html%00.png",
        "/app/%ff.html",
    ],
)
def test_anything_but_a_file_of_the_folder_is_the_gateways_404(gateway: Gateway, path: str) -> None:
    response = get(gateway, path)

    assert response.status == 404
    assert json.loads(response.body) == NOT_FOUND
    assert header(response, "Content-Type") == "application/json"


def test_a_link_out_of_the_folder_is_404(gateway: Gateway, web: Path) -> None:
    (web / "out.txt").symlink_to(web.parent / "outside.txt")
    (web / "out").symlink_to(web.parent, target_is_directory=True)

    assert get(gateway, "/app/out.txt").status == 404
    assert get(gateway, "/app/out/outside.txt").status == 404


@pytest.mark.parametrize(
    "path",
    [
        "/app/../infra/topology.py",
        "/app/../outside.txt",
        "/app/js/../../outside.txt",
        "/app/%2e%2e/outside.txt",
    ],
)
def test_a_way_out_sent_as_written_is_404_over_http(server: GatewayServer, path: str) -> None:
    response = raw(server, "GET", path)

    assert response.status == 404


def test_without_its_folder_every_page_is_404_until_the_folder_appears(tmp_path: Path) -> None:
    gateway = Gateway(Router.from_functions([HEALTH]), {}, site=LocalSite(root=tmp_path / "web"))

    for path in ("/app/", "/app/index.html", "/app/js/api.js"):
        response = get(gateway, path)
        assert response.status == 404
        assert json.loads(response.body) == NOT_FOUND
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "index.html").write_bytes(PAGE)
    assert get(gateway, "/app/").body == PAGE


def test_the_prefix_without_its_slash_redirects_permanently_keeping_the_query(gateway: Gateway) -> None:
    response = get(gateway, "/app")
    with_query = get(gateway, "/app?next=menu")

    assert response.status == 301
    assert header(response, "Location") == "/app/"
    assert response.body == b""
    assert header(with_query, "Location") == "/app/?next=menu"


def test_the_root_sends_a_visitor_to_the_pages(gateway: Gateway) -> None:
    response = get(gateway, "/")

    assert response.status == 302
    assert header(response, "Location") == "/app/"


def test_head_answers_the_headers_of_get_without_the_body(server: GatewayServer) -> None:
    head = raw(server, "HEAD", "/app/")
    page = raw(server, "GET", "/app/")

    assert head.status == page.status == 200
    assert head.getheader("Content-Type") == "text/html; charset=utf-8"
    assert head.getheader("Content-Length") == str(len(PAGE))
    assert head.getheader("ETag") == page.getheader("ETag")


def test_a_redirect_over_http(server: GatewayServer) -> None:
    response = raw(server, "GET", "/app")

    assert response.status == 301
    assert response.getheader("Location") == "/app/"
    assert response.getheader("Content-Length") == "0"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_a_page_is_only_read(gateway: Gateway, method: str) -> None:
    response = get(gateway, "/app/index.html", method=method)

    assert response.status == 405
    assert json.loads(response.body) == {"message": "Method not allowed."}
    assert header(response, "Allow") == "GET, HEAD"


def test_the_api_is_answered_beside_the_pages(gateway: Gateway, pool: RecordingPool) -> None:
    request = HttpRequest("GET", "/health", [], b"", "127.0.0.1", 3000)
    response, function = gateway.handle(request)

    assert (response.status, function, pool.paths) == (200, "health", ["/health"])
    for path in ("/apps", "/application/x", "/nope"):
        assert get(gateway, path).status == 404
    assert pool.paths == ["/health"]


def test_no_route_of_the_topology_is_a_page() -> None:
    site = LocalSite()

    assert not any(site.serves(route.resource_path) for function in FUNCTIONS for route in function.routes)


def test_the_banner_names_the_pages(capsys: pytest.CaptureFixture[str]) -> None:
    _print_endpoints(LocalSettings(), {"gateway"})

    lines = capsys.readouterr().out.splitlines()
    [pages] = [line for line in lines if line.split()[0] == "pages"]
    assert pages.split()[1] == "http://127.0.0.1:3000/app/"
    assert LocalSettings(api_port=3200).pages_url == "http://127.0.0.1:3200/app/"
