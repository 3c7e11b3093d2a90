"""The pages compressed as CloudFront's automatic compression compresses them (the pages' behaviour
has `compress`), so that a page the local gateway sends weighs what a browser gets deployed (the
browser tests' page weights are bytes on the wire): a body of 1,000 to 10,000,000 bytes of a type
on CloudFront's list, when the client accepts gzip.

The API's answers are not compressed here: the functions gzip them themselves (the shared
resolver), and neither the HTTP API nor CloudFront's API behaviours compress.

Deployed, CloudFront also speaks Brotli to a browser that accepts it; here gzip only (Python's
standard library), so a page weighs a little more locally than deployed, never less.
"""

from __future__ import annotations

import gzip
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Final

from infra.local.events import HttpResponse

GZIP: Final = "gzip"
_NO_BODY_STATUSES: Final = {HTTPStatus.NO_CONTENT, HTTPStatus.NOT_MODIFIED}


@dataclass(frozen=True)
class Compression:
    """When a body is sent compressed: its size in bytes from `minimum` to `maximum`, and its
    Content-Type (without parameters) one of `types` (None: any type)."""

    minimum: int
    maximum: int | None = None
    types: Collection[str] | None = None

    def applies(self, response: HttpResponse) -> bool:
        if response.status in _NO_BODY_STATUSES or response.status < HTTPStatus.OK:
            return False
        if _header(response.headers, "content-encoding") is not None:
            return False
        size = len(response.body)
        if size < self.minimum or (self.maximum is not None and size > self.maximum):
            return False
        if self.types is None:
            return True
        content_type = (_header(response.headers, "content-type") or "").split(";")[0].strip().lower()
        return content_type in self.types


# CloudFront's "file types that CloudFront compresses" that the pages use, and its size range.
CLOUDFRONT: Final = Compression(
    minimum=1_000,
    maximum=10_000_000,
    types=frozenset(
        {
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/manifest+json",
            "text/plain",
            "image/svg+xml",
            "image/x-icon",
        }
    ),
)


def accepts_gzip(headers: Iterable[tuple[str, str]]) -> bool:
    """Whether the request's Accept-Encoding takes gzip (by name or `*`, with a q-value above 0)."""
    accepted: dict[str, float] = {}
    for name, value in headers:
        if name.lower() != "accept-encoding":
            continue
        for item in value.split(","):
            coding, *parameters = (part.strip() for part in item.split(";"))
            quality = 1.0
            for parameter in parameters:
                key, _, number = parameter.partition("=")
                if key.strip().lower() == "q":
                    try:
                        quality = float(number)
                    except ValueError:
                        quality = 0.0
            if coding:
                accepted[coding.lower()] = quality
    quality = accepted.get(GZIP, accepted.get("x-gzip", accepted.get("*", 0.0)))
    return quality > 0


def compressed(
    response: HttpResponse, request_headers: Iterable[tuple[str, str]], rule: Compression
) -> HttpResponse:
    """`response` gzipped (with `Content-Encoding: gzip` and `Vary: Accept-Encoding`) when the rule
    applies to it and the request accepts gzip; otherwise as it is."""
    if not rule.applies(response) or not accepts_gzip(request_headers):
        return response
    headers = [(name, value) for name, value in response.headers if name.lower() != "content-length"]
    headers += [("Content-Encoding", GZIP), ("Vary", "Accept-Encoding")]
    return replace(response, headers=headers, body=gzip.compress(response.body, compresslevel=6, mtime=0))


def _header(headers: Iterable[tuple[str, str]], wanted: str) -> str | None:
    return next((value for name, value in headers if name.lower() == wanted), None)
