"""The platform routes and the gateway's own answers, as a client sees them."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from infra.local import served_routes
from infra.topology import ANY_METHOD, all_routes, path_owners

pytestmark = pytest.mark.integration

DOCUMENTATION_ROUTES = {"/docs", "/openapi.json"}


def test_health_is_200_when_the_database_answers(http: requests.Session, base_url: str) -> None:
    response = http.get(f"{base_url}/health")

    assert response.status_code == 200
    assert response.json() == {"status": "healthy", "database": "connected"}


def test_health_answers_with_a_trailing_slash(http: requests.Session, base_url: str) -> None:
    assert http.get(f"{base_url}/health/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/nope", "/products/1/nope", "/productsx", "/health/extra", "/app/nope.html"]
)
def test_an_unknown_path_is_the_http_apis_own_404(http: requests.Session, base_url: str, path: str) -> None:
    response = http.get(f"{base_url}{path}")

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}
    assert response.headers["Content-Type"] == "application/json"


def test_the_root_sends_a_visitor_to_the_web_pages(http: requests.Session, base_url: str) -> None:
    """The pages share the API's origin (CloudFront's function redirects `/` the same way)."""
    response = http.get(f"{base_url}/", allow_redirects=False)

    assert response.status_code == 302
    assert response.headers["Location"] == "/app/"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/products", "GET, POST"),
        ("PUT", "/products/", "GET, POST"),
        ("POST", "/products/1", "DELETE, GET, PATCH, PUT"),
        ("POST", "/health", "GET"),
        ("OPTIONS", "/docs", "GET"),
    ],
)
def test_a_known_path_with_another_method_is_405(
    http: requests.Session, base_url: str, method: str, path: str, allowed: str
) -> None:
    response = http.request(method, f"{base_url}{path}")

    assert response.status_code == 405
    assert response.json() == {"message": "Method not allowed."}
    assert response.headers["Allow"] == allowed


def test_the_local_gateway_serves_every_route_of_the_topology_and_any_other_method_of_its_paths() -> None:
    declared = {(route.method, route.resource_path) for route, _ in all_routes()}
    catch_alls = {(ANY_METHOD, path) for path in path_owners()}

    assert served_routes() == declared | catch_alls


def test_openapi_documents_every_route_but_the_documentation(http: requests.Session, base_url: str) -> None:
    response = http.get(f"{base_url}/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    documented = {
        (method.upper(), path) for path, operations in document["paths"].items() for method in operations
    }
    expected = {
        (route.method, route.resource_path)
        for route, _ in all_routes()
        if route.resource_path not in DOCUMENTATION_ROUTES
    }
    assert documented == expected


def test_docs_serve_swagger_ui_with_its_assets_inlined(http: requests.Session, base_url: str) -> None:
    response = http.get(f"{base_url}/docs")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.text
    assert "SwaggerUIBundle" in html
    external = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html, re.I)
    assert external == []


@pytest.mark.parametrize("path", ["/docs/", "/openapi.json/"])
def test_documentation_answers_with_a_trailing_slash(
    http: requests.Session, base_url: str, path: str
) -> None:
    assert http.get(f"{base_url}{path}").status_code == 200


def test_an_answer_of_a_kilobyte_or_more_arrives_gzipped_for_a_client_that_accepts_it(
    http: requests.Session, base_url: str
) -> None:
    gzipped = http.get(f"{base_url}/openapi.json", headers={"Accept-Encoding": "gzip"})
    plain = http.get(f"{base_url}/openapi.json", headers={"Accept-Encoding": "identity"})

    assert gzipped.status_code == plain.status_code == 200
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert gzipped.headers["Vary"] == "Accept-Encoding"
    assert "Content-Encoding" not in plain.headers
    assert gzipped.json() == plain.json()


def test_a_small_answer_is_never_gzipped(http: requests.Session, base_url: str) -> None:
    response = http.get(f"{base_url}/health", headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_every_response_carries_a_request_id(http: requests.Session, base_url: str) -> None:
    assert http.get(f"{base_url}/health").headers["apigw-requestid"]
    assert http.get(f"{base_url}/nope").headers["apigw-requestid"]


def test_concurrent_requests_are_all_answered(base_url: str) -> None:
    def fetch(index: int) -> int:
        return requests.get(f"{base_url}/products?limit=1", timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(fetch, range(32)))

    assert statuses == [200] * 32
