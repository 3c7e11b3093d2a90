"""`make seed`: load seed files in the sprocket challenge's format through the API, idempotently.

    python -m infra.seed [--api-url URL] [FILE ...]

A seed file is `{"sprockets": [{teeth, pitch_diameter, outside_diameter, pitch}, ...]}` and/or
`{"factories": [{"factory": {"chart_data": {...}}}, ...]}`; without files, the project's demo seeds
(seeds/). Without --api-url, the running local cloud (SHOPFLOOR_HOST, SHOPFLOOR_API_PORT); with the
`ApiUrl` a deployed stack outputs, that stack: the API is the only way in, so no AWS credentials
are needed and every entry is validated as any client's would be.

Each entry is POSTed with an Idempotency-Key made from its content (and, for identical entries of
one file, which of them it is), so loading a file again creates nothing: the API answers what the
first load created. Exit code 1 when an entry is refused or the API cannot be reached.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import requests

from infra.topology import ROOT

SEEDS_DIR: Final = ROOT / "seeds"
DEMO_SEED_FILES: Final = (SEEDS_DIR / "sprockets.json", SEEDS_DIR / "factories.json")
# What a seed file lists, and where each entry is POSTed.
PATHS: Final[Mapping[str, str]] = {"sprockets": "/v1/sprockets", "factories": "/v1/factories"}
IDEMPOTENCY_KEY: Final = "Idempotency-Key"
REPLAYED: Final = "idempotent-replayed"
KEY_PREFIX: Final = "seed-"
TIMEOUT_SECONDS: Final = (5, 60)


class SeedError(Exception):
    """A seed file that cannot be read, or an entry the API refused."""


@dataclass(frozen=True)
class SeedEntry:
    kind: str
    body: dict[str, Any]
    idempotency_key: str


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str]  # names in lower case


class Api(Protocol):
    def post(self, path: str, body: dict[str, Any], headers: Mapping[str, str]) -> Answer: ...


@dataclass
class Loaded:
    """What one kind of entry of one file became, in the file's order."""

    source: str
    kind: str
    ids: list[int] = field(default_factory=list)
    created: int = 0

    def describe(self) -> str:
        ids = ", ".join(str(id_) for id_ in self.ids) or "none"
        existing = len(self.ids) - self.created
        return (
            f"{self.source}: {len(self.ids)} {self.kind}, {self.created} created, "
            f"{existing} already loaded (ids {ids})"
        )


def read_seed_file(path: Path) -> list[SeedEntry]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise SeedError(f"{path}: cannot read it as JSON: {error}") from error
    if not isinstance(document, dict) or not set(document) & set(PATHS):
        raise SeedError(f"{path}: expected a JSON object with a {' or '.join(map(repr, PATHS))} list")
    entries: list[SeedEntry] = []
    for kind in PATHS:
        listed = document.get(kind, [])
        if not isinstance(listed, list) or not all(isinstance(entry, dict) for entry in listed):
            raise SeedError(f"{path}: {kind!r} must be a list of JSON objects")
        entries += seed_entries(kind, listed)
    return entries


def seed_entries(kind: str, listed: Iterable[dict[str, Any]]) -> list[SeedEntry]:
    """Entries with their Idempotency-Keys: a digest of the content and of which of the identical
    entries this one is (a file may list the same sprocket three times and mean three)."""
    seen: dict[str, int] = {}
    entries = []
    for body in listed:
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
        occurrence = seen.get(canonical, 0)
        seen[canonical] = occurrence + 1
        digest = hashlib.sha256(f"{kind}\n{canonical}\n{occurrence}".encode()).hexdigest()
        entries.append(SeedEntry(kind, body, KEY_PREFIX + digest[:48]))
    return entries


def load(api: Api, paths: Sequence[Path]) -> list[Loaded]:
    """Every entry of every file, in order; SeedError at the first that the API refuses."""
    files = [(path, read_seed_file(path)) for path in paths]  # every file readable before any POST
    results: list[Loaded] = []
    for path, entries in files:
        by_kind: dict[str, Loaded] = {}
        for entry in entries:
            loaded = by_kind.setdefault(entry.kind, Loaded(_shown(path), entry.kind))
            answer = api.post(PATHS[entry.kind], entry.body, {IDEMPOTENCY_KEY: entry.idempotency_key})
            if answer.status != 201 or not isinstance(answer.body, dict) or "id" not in answer.body:
                raise SeedError(
                    f"{_shown(path)}: {entry.kind} entry {len(loaded.ids) + 1} was refused: "
                    f"{answer.status} {json.dumps(answer.body)[:500]}"
                )
            loaded.ids.append(int(answer.body["id"]))
            loaded.created += answer.headers.get(REPLAYED) != "true"
        results += by_kind.values()
    return results


class HttpApi:
    """The API over HTTP, at its base URL (a deployed stack's `ApiUrl`, or the local cloud's)."""

    def __init__(self, base_url: str, session: requests.Session | None = None) -> None:
        self._base_url = base_url.rstrip("/")
        self._session = session or requests.Session()

    def post(self, path: str, body: dict[str, Any], headers: Mapping[str, str]) -> Answer:
        url = f"{self._base_url}{path}"
        try:
            response = self._session.post(url, json=body, headers=dict(headers), timeout=TIMEOUT_SECONDS)
        except requests.RequestException as error:
            raise SeedError(f"POST {url} failed: {error}") from error
        try:
            parsed: Any = response.json()
        except ValueError:
            parsed = response.text
        lowered = {name.lower(): value for name, value in response.headers.items()}
        return Answer(response.status_code, parsed, lowered)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    from infra.local.errors import LocalCloudError
    from infra.local.settings import LocalSettings

    parser = argparse.ArgumentParser(prog="python -m infra.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="seed files (default: the demo seeds in seeds/)")
    parser.add_argument("--api-url", help="the API's base URL (default: the local cloud's)")
    args = parser.parse_args(argv)
    try:
        api_url = args.api_url or LocalSettings.from_environ().api_url
        results = load(HttpApi(api_url), args.files or DEMO_SEED_FILES)
    except (SeedError, LocalCloudError) as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 1
    for loaded in results:
        print(loaded.describe(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
