"""`make seed`: load seed files through the API, idempotently.

    python -m infra.seed [--api-url URL] [FILE ...]

A seed file is `{"sprockets": [{teeth, pitch_diameter, outside_diameter, pitch}, ...]}` and/or
`{"factories": [{"factory": {"chart_data": {...}}}, ...]}` (the sprocket challenge's format), or a
shop menu, `{"menu": [{name, description, price, variations: [{name, price_change}, ...]}, ...]}`.
Without files, the project's demo seeds (seeds/): the sprockets, the factories and the menu. Without
--api-url, the running local cloud (SHOPFLOOR_HOST, SHOPFLOOR_API_PORT); with the `ApiUrl` a
deployed stack outputs, that stack: the API is the only way in, so no AWS credentials are needed
and every entry is validated as any client's would be.

Each sprocket or factory is POSTed with an Idempotency-Key made from its content (and, for identical
entries of one file, which of them it is), so loading a file again creates nothing: the API answers
what the first load created. A menu is loaded signed in as a manager (SHOPFLOOR_MANAGER_EMAIL and
SHOPFLOOR_MANAGER_PASSWORD; the local cloud's demo manager by default, a deployed stack has none):
a product is matched by name on the menu, a variation by name within its product, and only what is
missing is created. Exit code 1 when an entry is refused or the API cannot be reached.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import requests

from infra.topology import ROOT

SEEDS_DIR: Final = ROOT / "seeds"
DEMO_SEED_FILES: Final = (SEEDS_DIR / "sprockets.json", SEEDS_DIR / "factories.json")
DEMO_MENU_FILE: Final = SEEDS_DIR / "menu.json"
MENU: Final = "menu"
SIGN_IN_PATH: Final = "/auth/token"
MENU_PATH: Final = "/menu"
PRODUCTS_PATH: Final = "/menu/products"
MANAGER_EMAIL_VARIABLE: Final = "SHOPFLOOR_MANAGER_EMAIL"
MANAGER_PASSWORD_VARIABLE: Final = "SHOPFLOOR_MANAGER_PASSWORD"
_PRODUCT_FIELDS: Final = frozenset({"name", "description", "price", "variations"})
_VARIATION_FIELDS: Final = frozenset({"name", "price_change"})
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


class MenuApi(Api, Protocol):
    def get(self, path: str, headers: Mapping[str, str]) -> Answer: ...


@dataclass(frozen=True)
class Manager:
    """Who loads a menu: a member of the pool's `managers` group."""

    email: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class MenuVariation:
    name: str
    price_change: float


@dataclass(frozen=True)
class MenuProduct:
    name: str
    description: str | None
    price: float
    variations: tuple[MenuVariation, ...] = ()


@dataclass
class MenuLoaded:
    """What a menu file became: how many of its products and variations were created now."""

    source: str
    products: int = 0
    products_created: int = 0
    variations: int = 0
    variations_created: int = 0

    def describe(self) -> str:
        return (
            f"{self.source}: {self.products} products, {self.products_created} created, "
            f"{self.products - self.products_created} already on the menu; {self.variations} "
            f"variations, {self.variations_created} created, "
            f"{self.variations - self.variations_created} already on the menu"
        )


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


def is_menu_file(path: Path) -> bool:
    """Whether the file is a menu (a JSON object with a "menu" key); False when it cannot be read."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(document, dict) and MENU in document


def read_menu_file(path: Path) -> list[MenuProduct]:
    """The products of a menu file, in its order; SeedError for anything but the menu format (product
    and variation names unique, case aside). The values themselves are the API's to judge."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise SeedError(f"{path}: cannot read it as JSON: {error}") from error
    listed = document.get(MENU) if isinstance(document, dict) else None
    if not isinstance(listed, list) or not all(isinstance(entry, dict) for entry in listed):
        raise SeedError(f"{path}: expected a JSON object with a {MENU!r} list of JSON objects")
    products = [_menu_product(path, number, entry) for number, entry in enumerate(listed, 1)]
    _refuse_duplicates(path, "product", [product.name for product in products])
    for product in products:
        _refuse_duplicates(path, f"{product.name!r} variation", [v.name for v in product.variations])
    return products


def _menu_product(path: Path, number: int, entry: dict[str, Any]) -> MenuProduct:
    where = f"{path}: menu entry {number}"
    _refuse_unknown(where, entry, _PRODUCT_FIELDS)
    variations = entry.get("variations", [])
    if not isinstance(variations, list) or not all(isinstance(variation, dict) for variation in variations):
        raise SeedError(f"{where}: 'variations' must be a list of JSON objects")
    description = entry.get("description")
    if description is not None and not isinstance(description, str):
        raise SeedError(f"{where}: 'description' must be a string or null")
    parsed = []
    for index, variation in enumerate(variations, 1):
        _refuse_unknown(f"{where}, variation {index}", variation, _VARIATION_FIELDS)
        parsed.append(
            MenuVariation(
                _text(f"{where}, variation {index}", variation, "name"),
                _number(f"{where}, variation {index}", variation, "price_change"),
            )
        )
    return MenuProduct(
        _text(where, entry, "name"), description, _number(where, entry, "price"), tuple(parsed)
    )


def _refuse_unknown(where: str, entry: dict[str, Any], known: frozenset[str]) -> None:
    unknown = sorted(set(entry) - known)
    if unknown:
        raise SeedError(f"{where}: unknown field(s) {', '.join(map(repr, unknown))}")


def _text(where: str, entry: dict[str, Any], name: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SeedError(f"{where}: {name!r} must be a non-blank string")
    return value


def _number(where: str, entry: dict[str, Any], name: str) -> float:
    value = entry.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SeedError(f"{where}: {name!r} must be a number")
    return float(value)


def _refuse_duplicates(path: Path, what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if _same(name) in seen:
            raise SeedError(f"{path}: the {what} {name!r} is listed twice")
        seen.add(_same(name))


def _same(name: str) -> str:
    """How names are matched: case and surrounding blanks aside."""
    return name.strip().casefold()


def load_menu(api: MenuApi, path: Path, manager: Manager) -> MenuLoaded:
    """Sign in as `manager`, then create the products of the file missing from the menu (by name)
    and each product's missing variations (by name within it); SeedError at the first refusal."""
    products = read_menu_file(path)
    source = _shown(path)
    authorization = {"Authorization": f"Bearer {sign_in(api, manager)}"}
    answer = api.get(MENU_PATH, {})
    if answer.status != 200 or not isinstance(answer.body, list):
        raise SeedError(f"{source}: GET {MENU_PATH} answered {answer.status} {_shown_body(answer)}")
    on_menu: dict[str, dict[str, Any]] = {}
    for listed in answer.body:
        if isinstance(listed, dict) and isinstance(listed.get("name"), str):
            on_menu.setdefault(_same(listed["name"]), listed)
    loaded = MenuLoaded(source)
    for product in products:
        loaded.products += 1
        existing = on_menu.get(_same(product.name))
        if existing is None:
            body = {"name": product.name, "description": product.description, "price": product.price}
            existing = _created(api.post(PRODUCTS_PATH, body, authorization), f"{source}: {product.name}")
            loaded.products_created += 1
        variations = existing.get("variations")
        names = {
            _same(variation["name"])
            for variation in (variations if isinstance(variations, list) else [])
            if isinstance(variation, dict) and isinstance(variation.get("name"), str)
        }
        for variation in product.variations:
            loaded.variations += 1
            if _same(variation.name) in names:
                continue
            body = {"name": variation.name, "price_change": variation.price_change}
            path_ = f"{PRODUCTS_PATH}/{existing['id']}/variations"
            _created(api.post(path_, body, authorization), f"{source}: {product.name} ({variation.name})")
            loaded.variations_created += 1
    return loaded


def sign_in(api: Api, manager: Manager) -> str:
    """The bearer token of POST /auth/token; SeedError when the API refuses the credentials."""
    answer = api.post(SIGN_IN_PATH, {"username": manager.email, "password": manager.password}, {})
    token = answer.body.get("access_token") if isinstance(answer.body, dict) else None
    if answer.status != 200 or not isinstance(token, str) or not token:
        raise SeedError(f"signing in as {manager.email} was refused: {answer.status} {_shown_body(answer)}")
    return token


def _created(answer: Answer, what: str) -> dict[str, Any]:
    if answer.status != 201 or not isinstance(answer.body, dict) or "id" not in answer.body:
        raise SeedError(f"{what} was refused: {answer.status} {_shown_body(answer)}")
    return answer.body


def _shown_body(answer: Answer) -> str:
    return json.dumps(answer.body)[:500]


def manager_from_environ(environ: Mapping[str, str]) -> Manager | None:
    """The manager named by SHOPFLOOR_MANAGER_EMAIL and SHOPFLOOR_MANAGER_PASSWORD, if both are set."""
    email = environ.get(MANAGER_EMAIL_VARIABLE, "").strip()
    password = environ.get(MANAGER_PASSWORD_VARIABLE, "")
    return Manager(email, password) if email and password else None


class HttpApi:
    """The API over HTTP, at its base URL (a deployed stack's `ApiUrl`, or the local cloud's)."""

    def __init__(self, base_url: str, session: requests.Session | None = None) -> None:
        self._base_url = base_url.rstrip("/")
        self._session = session or requests.Session()

    def post(self, path: str, body: dict[str, Any], headers: Mapping[str, str]) -> Answer:
        return self._request("POST", path, body, headers)

    def get(self, path: str, headers: Mapping[str, str]) -> Answer:
        return self._request("GET", path, None, headers)

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None, headers: Mapping[str, str]
    ) -> Answer:
        url = f"{self._base_url}{path}"
        try:
            response = self._session.request(
                method, url, json=body, headers=dict(headers), timeout=TIMEOUT_SECONDS
            )
        except requests.RequestException as error:
            raise SeedError(f"{method} {url} failed: {error}") from error
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
    paths: list[Path] = args.files or [*DEMO_SEED_FILES, DEMO_MENU_FILE]
    try:
        api_url = args.api_url or LocalSettings.from_environ().api_url
        menus = {path for path in paths if is_menu_file(path)}
        manager = manager_from_environ(os.environ) or (None if args.api_url else _demo_manager())
        # Every file readable, and a manager known for the menus, before any request.
        for path in paths:
            if path not in menus:
                read_seed_file(path)
            elif manager is None:
                raise SeedError(
                    f"{_shown(path)} is a menu: loading it needs a manager of the deployed stack, set "
                    f"{MANAGER_EMAIL_VARIABLE} and {MANAGER_PASSWORD_VARIABLE} (only the local cloud "
                    "has a demo manager)"
                )
            else:
                read_menu_file(path)
        api = HttpApi(api_url)
        for path in paths:
            if path in menus and manager is not None:
                print(load_menu(api, path, manager).describe(), flush=True)
            else:
                for loaded in load(api, [path]):
                    print(loaded.describe(), flush=True)
    except (SeedError, LocalCloudError) as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


def _demo_manager() -> Manager:
    from infra.local.users import DEMO_MANAGER

    return Manager(DEMO_MANAGER.email, DEMO_MANAGER.password)


if __name__ == "__main__":
    sys.exit(main())
