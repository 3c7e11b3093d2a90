"""The API's absolute URLs (`Location`, `Link`, the OpenAPI document's server): as the HTTP API saw
the request (scheme and host; its `$default` stage puts nothing in the path), or, through the site's
CloudFront distribution, on the host the viewer called (SITE_HOST_HEADER, which the distribution's
function sets)."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from shopfloor.platform.http import SITE_HOST_HEADER, base_url, created_response, page_response
from tests.helpers.events import api_event
from tests.helpers.handlers import HandlerClient, load_handler

DIRECT = "https://api.example.com"  # api_event's Host
SITE_HOST = "d123.cloudfront.net"
SITE = f"https://{SITE_HOST}"
VIA_SITE = {SITE_HOST_HEADER: SITE_HOST}

VALID_HOSTS = [
    "d123.cloudfront.net",
    "D123.CloudFront.NET",
    "shop.example.com:8443",
    "localhost",
    "127.0.0.1",
    "127.0.0.1:3000",
    "xn--bcher-kva.example",
    "a" * 63 + ".example.com",
]
INVALID_HOSTS = [
    "",
    "   ",
    "evil.example.com/path",
    "evil.example.com/",
    "evil.example.com?cursor=x",
    "evil.example.com#x",
    "user@evil.example.com",
    "https://evil.example.com",
    'evil.example.com>; rel="next", <https://other.example.com',
    "<script>",
    "evil example.com",
    "evil.example.com\r\nSet-Cookie: a=b",
    "evil.example.com\tx",
    "example.com.",
    ".example.com",
    "a..b",
    "-bad.example.com",
    "bad-.example.com",
    "under_score.example.com",
    "bücher.example",
    "a" * 64 + ".example.com",
    ".".join(["a" * 63] * 4) + ".com",  # 260 characters: longer than a DNS name can be
    "example.com:",
    "example.com:0",
    "example.com:65536",
    "example.com:123456",
    "example.com:80:80",
    "example.com:http",
    "::1",
    "[::1]",  # CloudFront's Host is a name, never an address in brackets
    "[::1",
    "[not-an-address]",
]


def event(path: str = "/products", *, headers: dict[str, str] | None = None) -> Any:
    return APIGatewayProxyEventV2(api_event("GET", path, headers=headers))


def without_headers(an_event: Any, *names: str) -> Any:
    raw = dict(an_event.raw_event)
    raw["headers"] = {name: value for name, value in raw["headers"].items() if name not in names}
    return APIGatewayProxyEventV2(raw)


# base_url


def test_without_the_header_the_base_is_the_scheme_and_host_the_http_api_saw() -> None:
    assert base_url(event()) == DIRECT
    assert base_url(event(headers={"Host": "abc.execute-api.eu-west-1.amazonaws.com"})) == (
        "https://abc.execute-api.eu-west-1.amazonaws.com"
    )
    assert base_url(event(headers={"X-Forwarded-Proto": "http"})) == "http://api.example.com"
    assert base_url(event(headers={"Host": "127.0.0.1:3000", "X-Forwarded-Proto": "http"})) == (
        "http://127.0.0.1:3000"
    )


def test_no_url_carries_the_stage() -> None:
    an_event = event("/products/")

    assert an_event.request_context.stage == "$default"
    assert base_url(an_event) == DIRECT
    link = page_response(an_event, [], "abc", {}).headers["Link"]
    assert link == f'<{DIRECT}/products?cursor=abc>; rel="next"'


def test_without_a_host_header_the_base_is_the_apis_domain_name() -> None:
    assert base_url(without_headers(event(), "host")) == DIRECT


@pytest.mark.parametrize(
    ("forwarded_proto", "scheme"),
    [
        ("http", "http"),
        ("HTTPS", "https"),
        ("https,http", "http"),
        ("http, https", "https"),
        ("ftp", "https"),
    ],
)
def test_the_scheme_is_the_last_forwarded_proto_when_it_is_http_or_https(
    forwarded_proto: str, scheme: str
) -> None:
    assert base_url(event(headers={"X-Forwarded-Proto": forwarded_proto})) == f"{scheme}://api.example.com"


def test_without_a_forwarded_proto_the_scheme_is_https() -> None:
    an_event = without_headers(event(headers={"Host": "shop.example.com"}), "x-forwarded-proto")

    assert base_url(an_event) == "https://shop.example.com"


def test_with_the_header_the_base_is_https_on_that_host() -> None:
    assert base_url(event(headers=VIA_SITE)) == SITE
    # Whatever scheme the HTTP API saw: the distribution's API behaviours are HTTPS only.
    assert base_url(event(headers={**VIA_SITE, "X-Forwarded-Proto": "http"})) == SITE


@pytest.mark.parametrize(
    "name", [SITE_HOST_HEADER, SITE_HOST_HEADER.upper(), "X-Shopfloor-Site-Host", "x-ShopFloor-SITE-host"]
)
def test_the_header_is_found_whatever_the_case_of_its_name(name: str) -> None:
    assert base_url(event(headers={name: SITE_HOST})) == SITE


@pytest.mark.parametrize("host", VALID_HOSTS)
def test_a_host_name_or_address_with_an_optional_port_is_taken(host: str) -> None:
    assert base_url(event(headers={SITE_HOST_HEADER: host})) == f"https://{host}"


def test_surrounding_whitespace_is_not_part_of_the_host() -> None:
    assert base_url(event(headers={SITE_HOST_HEADER: f"  {SITE_HOST}\t"})) == SITE


@pytest.mark.parametrize("value", INVALID_HOSTS)
def test_a_value_that_is_not_a_host_is_ignored(value: str) -> None:
    assert base_url(event(headers={SITE_HOST_HEADER: value})) == DIRECT


def test_the_header_name_is_the_projects_own_in_lowercase() -> None:
    assert SITE_HOST_HEADER == "x-shopfloor-site-host"


# Location and Link


def test_location_is_on_the_http_apis_host_without_the_header() -> None:
    response = created_response(event(), "/products/7", {"id": 7})

    assert response.headers["Location"] == f"{DIRECT}/products/7"


def test_location_is_on_the_site_with_the_header() -> None:
    response = created_response(event(headers=VIA_SITE), "/products/7", {"id": 7})

    assert response.headers["Location"] == f"{SITE}/products/7"


def test_link_is_on_the_http_apis_host_without_the_header() -> None:
    response = page_response(event("/v1/factories/"), [], "abc", {"limit": "20"})

    assert response.headers["Link"] == f'<{DIRECT}/v1/factories?limit=20&cursor=abc>; rel="next"'


def test_link_is_on_the_site_with_the_header() -> None:
    response = page_response(event("/v1/factories", headers=VIA_SITE), [], "abc", {"limit": "20"})

    assert response.headers["Link"] == f'<{SITE}/v1/factories?limit=20&cursor=abc>; rel="next"'


def test_an_invalid_header_leaves_location_and_link_as_the_http_api_saw_them() -> None:
    headers = {SITE_HOST_HEADER: "evil.example.com/phish"}

    location = created_response(event(headers=headers), "/products/7", {"id": 7}).headers["Location"]
    link = page_response(event("/products", headers=headers), [], "abc", {}).headers["Link"]

    assert location == f"{DIRECT}/products/7"
    assert link == f'<{DIRECT}/products?cursor=abc>; rel="next"'


# Through the real handlers


def test_a_product_created_through_the_site_is_located_on_the_site(products: HandlerClient) -> None:
    direct = products.post("/products", body={"name": "Kettle"})
    via_site = products.post(
        "/products", body={"name": "Teapot"}, headers={"X-Shopfloor-Site-Host": SITE_HOST}
    )

    assert direct.status == via_site.status == 201
    assert direct.headers["Location"] == f"{DIRECT}/products/{direct.json()['id']}"
    assert via_site.headers["Location"] == f"{SITE}/products/{via_site.json()['id']}"


def test_the_next_page_through_the_site_is_linked_on_the_site(products: HandlerClient) -> None:
    for name in ("a", "b", "c"):
        assert products.post("/products", body={"name": name}).status == 201

    direct = products.get("/products?limit=2")
    via_site = products.get("/products?limit=2", headers=VIA_SITE)

    assert direct.headers["Link"].startswith(f"<{DIRECT}/products?limit=2&cursor=")
    assert via_site.headers["Link"].startswith(f"<{SITE}/products?limit=2&cursor=")
    # The same cursor either way: only the base differs.
    assert direct.headers["Link"].removeprefix(f"<{DIRECT}") == via_site.headers["Link"].removeprefix(
        f"<{SITE}"
    )
    follow = via_site.headers["Link"].split(">")[0].removeprefix(f"<{SITE}")
    assert products.get(follow, headers=VIA_SITE).status == 200


def test_the_openapi_documents_server_is_the_site_through_the_site() -> None:
    docs = HandlerClient(load_handler("docs"))

    direct = docs.get("/openapi.json").json()
    via_site = docs.get("/openapi.json", headers=VIA_SITE).json()
    ignored = docs.get("/openapi.json", headers={SITE_HOST_HEADER: "evil.example.com/x"}).json()

    assert direct["servers"] == ignored["servers"] == [{"url": DIRECT}]
    assert via_site["servers"] == [{"url": SITE}]
    assert SITE in docs.get("/docs", headers=VIA_SITE).body
