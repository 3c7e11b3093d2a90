"""The local gateway compresses the pages as CloudFront's automatic compression does (the API's
answers it leaves as the functions wrote them: infra.local.gateway)."""

from __future__ import annotations

import gzip

import pytest

from infra.local.compression import CLOUDFRONT, Compression, accepts_gzip, compressed
from infra.local.events import HttpResponse

JSON = [("Content-Type", "application/json")]
HTML = [("Content-Type", "text/html; charset=utf-8")]


def response(size: int, headers: list[tuple[str, str]] = HTML, status: int = 200) -> HttpResponse:
    return HttpResponse(status, [*headers, ("Content-Length", str(size))], b"x" * size)


@pytest.mark.parametrize(
    ("accept_encoding", "accepted"),
    [
        ("gzip", True),
        ("gzip, deflate, br, zstd", True),
        ("br;q=1.0, GZIP;q=0.5", True),
        ("*", True),
        ("x-gzip", True),
        ("gzip;q=0", False),
        ("*;q=0", False),
        ("identity", False),
        ("br", False),
        ("gzip;q=zero", False),
        ("", False),
    ],
)
def test_accept_encoding_is_read_with_its_q_values(accept_encoding: str, accepted: bool) -> None:
    assert accepts_gzip([("Accept-Encoding", accept_encoding)]) is accepted


def test_without_accept_encoding_nothing_is_compressed() -> None:
    assert accepts_gzip([("Accept", "application/json")]) is False
    original = response(5000)
    assert compressed(original, [], CLOUDFRONT) is original


def test_a_body_at_the_minimum_is_gzipped_and_says_so() -> None:
    original = response(CLOUDFRONT.minimum)

    sent = compressed(original, [("accept-encoding", "gzip")], CLOUDFRONT)

    assert gzip.decompress(sent.body) == original.body
    assert ("Content-Encoding", "gzip") in sent.headers
    assert ("Vary", "Accept-Encoding") in sent.headers
    assert not any(name.lower() == "content-length" for name, _ in sent.headers)  # the gateway sets it
    assert sent.status == 200


@pytest.mark.parametrize(
    "original",
    [
        response(CLOUDFRONT.minimum - 1),
        response(5000, status=204),
        response(5000, status=304),
        response(5000, [*JSON, ("Content-Encoding", "br")]),
    ],
    ids=["below the minimum", "204", "304", "already encoded"],
)
def test_what_the_rule_leaves_alone_is_sent_as_it_is(original: HttpResponse) -> None:
    assert compressed(original, [("Accept-Encoding", "gzip")], CLOUDFRONT) is original


def test_only_the_types_on_cloudfronts_list_are_compressed() -> None:
    image = response(5000, [("Content-Type", "image/png")])
    style = response(5000, [("Content-Type", "text/css; charset=utf-8")])
    data = response(5000, JSON)
    accepts = [("Accept-Encoding", "gzip")]

    assert compressed(image, accepts, CLOUDFRONT) is image
    assert compressed(style, accepts, CLOUDFRONT) is not style
    assert compressed(data, accepts, CLOUDFRONT) is not data
    assert compressed(response(999, [("Content-Type", "text/css")]), accepts, CLOUDFRONT).body == b"x" * 999


def test_cloudfront_sends_a_body_over_ten_megabytes_as_it_is() -> None:
    rule = Compression(minimum=1, maximum=10)

    assert rule.applies(response(10))
    assert not rule.applies(response(11))
