"""The local gateway's pages: `infra.topology.SITE` served from its folder on the API's own port, as
CloudFront serves it from the site's bucket on the API's domain (infra.constructs.site).

- GET and HEAD `/app/<file>` answer the file as it is on disk now (an edit shows on the next
  reload), with its Content-Type, `Cache-Control: no-cache` (the browser revalidates every time)
  and an ETag, the MD5 of the content as S3 gives it; `If-None-Match` with it is 304.
- A path ending in `/` answers that folder's index (`/app/` is `index.html`), as CloudFront's
  function rewrites it; `/app` and `/` redirect to `/app/`.
- A file that is not there, a folder, a hidden file, a `.` or `..` segment (encoded or not), or a
  path that leads outside the folder through a link: the gateway's own 404 (`{"message":"Not
  Found"}`, as for a path no route matches). So is every path while the folder does not exist.
  Another method: 405 with `Allow: GET, HEAD`. (Deployed, a missing page is S3's own 404, and
  another method CloudFront's 403: the pages never depend on it.)
"""

from __future__ import annotations

import hashlib
from email.utils import formatdate
from fnmatch import fnmatchcase
from http import HTTPStatus
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote

from infra.constants import HTTP_API_MESSAGE_NOT_FOUND, MESSAGE_METHOD_NOT_ALLOWED
from infra.local.events import HttpRequest, HttpResponse, error_response
from infra.topology import SITE, Site

ALLOWED_METHODS = ("GET", "HEAD")
CACHE_CONTROL = "no-cache"
OCTET_STREAM = "application/octet-stream"
CONTENT_TYPES = MappingProxyType(
    {
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".mjs": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".map": "application/json",
        ".txt": "text/plain; charset=utf-8",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".gif": "image/gif",
        ".webp": "image/webp",
        ".ico": "image/x-icon",
        ".webmanifest": "application/manifest+json",
        ".woff2": "font/woff2",
    }
)
# The root has no page of its own: it sends a visitor to the site (CloudFront's function does too).
ROOT_PATH = "/"


class LocalSite:
    """Answers the requests under the site's path prefix (and `/`) from `root`, read at request
    time; `root` is the site's folder unless given (tests give a temporary one)."""

    def __init__(self, site: Site = SITE, root: Path | None = None) -> None:
        self.site = site
        self.root = site.source_dir if root is None else root

    def serves(self, path: str) -> bool:
        return path in (ROOT_PATH, self.site.path_prefix) or path.startswith(self.site.home_path)

    def handle(self, request: HttpRequest, request_id: str) -> HttpResponse:
        if request.method not in ALLOWED_METHODS:
            allow = [("Allow", ", ".join(ALLOWED_METHODS))]
            return error_response(
                HTTPStatus.METHOD_NOT_ALLOWED, MESSAGE_METHOD_NOT_ALLOWED, request_id, allow
            )
        if request.path == ROOT_PATH:
            return _redirect(HTTPStatus.FOUND, self.site.home_path, request.query)
        if request.path == self.site.path_prefix:
            return _redirect(HTTPStatus.MOVED_PERMANENTLY, self.site.home_path, request.query)
        file = self.file_for(request.path)
        served = None if file is None else _file_response(file, request)
        return served or error_response(HTTPStatus.NOT_FOUND, HTTP_API_MESSAGE_NOT_FOUND, request_id)

    def file_for(self, path: str) -> Path | None:
        """The file a path under the prefix names (a folder's index for a path ending in `/`), or
        None: not there, not a file, excluded, or not inside the site's folder."""
        try:
            relative = unquote(path[len(self.site.home_path) :], errors="strict")
        except UnicodeDecodeError:
            return None
        if relative == "" or relative.endswith("/"):
            relative += self.site.index
        parts = relative.split("/")
        if any(part in ("", ".", "..") or "\\" in part or "\x00" in part for part in parts):
            return None
        if any(fnmatchcase(relative, pattern) for pattern in self.site.exclude):
            return None
        root = self.root.resolve()
        file = root.joinpath(*parts).resolve()
        if not file.is_relative_to(root) or not file.is_file():
            return None
        return file


def _file_response(file: Path, request: HttpRequest) -> HttpResponse | None:
    """The file as it is now (304 when the client has it), or None when it is gone since found."""
    try:
        content = file.read_bytes()
        modified = file.stat().st_mtime
    except OSError:
        return None
    etag = f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'
    headers = [
        ("Content-Type", CONTENT_TYPES.get(file.suffix.lower(), OCTET_STREAM)),
        ("Cache-Control", CACHE_CONTROL),
        ("ETag", etag),
        ("Last-Modified", formatdate(modified, usegmt=True)),
        # As CloudFront's security headers policy sends it: a file is what its Content-Type says.
        ("X-Content-Type-Options", "nosniff"),
    ]
    if _matches(request, etag):
        return HttpResponse(HTTPStatus.NOT_MODIFIED, headers[1:], b"")
    return HttpResponse(HTTPStatus.OK, headers, content)


def _redirect(status: HTTPStatus, location: str, query: str) -> HttpResponse:
    target = f"{location}?{query}" if query else location
    return HttpResponse(status, [("Location", target)], b"")


def _matches(request: HttpRequest, etag: str) -> bool:
    """`If-None-Match` names this ETag (weakly, as RFC 9110 compares for GET and HEAD) or is `*`."""
    values = [value for name, value in request.headers if name.lower() == "if-none-match"]
    candidates = {tag.strip().removeprefix("W/") for value in values for tag in value.split(",")}
    return "*" in candidates or etag in candidates
