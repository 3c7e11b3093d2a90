"""The local gateway's Cognito user-pool authorizer, as API Gateway plays it on a signed-in route.

A request's `Authorization` header holds a pool's ID token, raw or as `Bearer <token>`. It is
accepted when it is a JWS signed with RS256 by a key of the pool's JWKS (moto serves it at
`/<pool id>/.well-known/jwks.json`; fetched once per pool and again once for a key id not seen
yet), issued by one of the topology's pools (`iss`), for that pool's app client (`aud`), an ID token
(`token_use` "id") and not expired (`exp`; no leeway: moto and the gateway share a clock). Anything
else is refused, and the gateway answers 401 without invoking the function.

Every moto pool signs with the same key, so the issuer is what tells one pool's tokens from
another's. The claims reach the function as API Gateway's REST API hands them over, in
`requestContext.authorizer.claims`: every value a string, a list joined with commas
(`cognito:groups`: "managers"), `exp` and `iat` as dates ("Tue Apr 04 18:39:39 UTC 2023"), other
numbers as their decimal text.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from infra.constants import AUTHORIZATION_HEADER
from infra.local import resources
from infra.local.settings import LocalSettings
from infra.topology import USER_POOLS, UserPool

ALGORITHM: Final = "RS256"
ID_TOKEN: Final = "id"
BEARER: Final = "bearer"
# Claims that API Gateway hands over as dates, not numbers (Java's Date.toString, in UTC).
DATE_CLAIMS: Final = frozenset({"exp", "iat"})
FETCH_TIMEOUT_SECONDS: Final = 5.0
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

JwksFetcher = Callable[[str], Mapping[str, Any]]


class UnauthorizedError(Exception):
    """The request carries no token the authorizer accepts (401); the reason is for the log only."""


class AuthorizerUnavailableError(Exception):
    """A pool's keys cannot be fetched: the gateway's fault, not the caller's (500)."""


@dataclass(frozen=True)
class TrustedPool:
    """A user pool whose ID tokens the authorizer accepts, for its one app client."""

    pool_id: str
    client_id: str
    issuer: str
    jwks_url: str


class KeyCache:
    """Each pool's signing keys by key id, fetched on first use and again, once, for an unknown kid."""

    def __init__(self, fetch: JwksFetcher) -> None:
        self._fetch = fetch
        self._keys: dict[str, dict[str, RSAKey]] = {}
        self._lock = threading.Lock()

    def key(self, pool: TrustedPool, kid: str) -> RSAKey | None:
        with self._lock:
            keys = self._keys.get(pool.pool_id)
            if keys is None or kid not in keys:
                keys = self._keys[pool.pool_id] = self._load(pool)
            return keys.get(kid)

    def _load(self, pool: TrustedPool) -> dict[str, RSAKey]:
        try:
            document = self._fetch(pool.jwks_url)
            key_set = KeySet.import_key_set({"keys": list(document["keys"])})
        except (OSError, ValueError, TypeError, KeyError, JoseError) as error:
            raise AuthorizerUnavailableError(
                f"cannot read the keys of {pool.pool_id} at {pool.jwks_url}: {error}"
            ) from error
        return {
            key.kid: key
            for key in key_set.keys
            if isinstance(key, RSAKey) and key.kid and key.get("use", "sig") == "sig"
        }


class Authorizer:
    """Verifies bearer tokens against the trusted pools; `claims` as API Gateway passes them."""

    def __init__(
        self,
        pools: Sequence[TrustedPool],
        fetch: JwksFetcher | None = None,
        clock: Callable[[], float] = time.time,
        leeway_seconds: int = 0,
    ) -> None:
        self._pools = {pool.issuer: pool for pool in pools}
        self._keys = KeyCache(fetch or fetch_jwks)
        self._clock = clock
        self._leeway = leeway_seconds

    @classmethod
    def for_user_pools(cls, settings: LocalSettings, pools: Iterable[UserPool] = USER_POOLS) -> Authorizer:
        """Trusts the topology's pools as moto server holds them (as the stack's authorizer does)."""
        return cls([trusted_pool(pool, settings.moto_url) for pool in pools])

    def claims(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        """The verified token's claims, every value a string; UnauthorizedError when it is
        refused, AuthorizerUnavailableError when a pool's keys cannot be fetched."""
        token = bearer_token(headers)
        try:
            verified = self._verify(token)
        except (JoseError, ValueError, TypeError, KeyError, UnicodeError) as error:
            raise UnauthorizedError(f"{type(error).__name__}: {error}") from error
        return api_gateway_claims(verified)

    def _verify(self, token: str) -> dict[str, Any]:
        unverified = jws.extract_compact(token.encode("ascii"))
        header = unverified.headers()
        if header.get("alg") != ALGORITHM:
            raise UnauthorizedError(f"the token is signed with {header.get('alg')!r}, not {ALGORITHM}")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise UnauthorizedError("the token names no key (kid)")
        payload = json.loads(unverified.payload or b"")
        issuer = payload.get("iss") if isinstance(payload, dict) else None
        pool = self._pools.get(issuer) if isinstance(issuer, str) else None
        if pool is None:
            raise UnauthorizedError(f"no trusted pool issued the token (iss {issuer!r})")
        key = self._keys.key(pool, kid)
        if key is None:
            raise UnauthorizedError(f"{pool.pool_id} has no key {kid!r}")
        claims = jwt.decode(token, key, algorithms=[ALGORITHM]).claims
        jwt.JWTClaimsRegistry(
            now=lambda: int(self._clock()),
            leeway=self._leeway,
            iss={"essential": True, "value": pool.issuer},
            aud={"essential": True, "value": pool.client_id},
            token_use={"essential": True, "value": ID_TOKEN},
            exp={"essential": True},
        ).validate(claims)
        return claims


def trusted_pool(pool: UserPool, moto_url: str) -> TrustedPool:
    pool_id, client_id = resources.user_pool_id(pool), resources.user_pool_client_id(pool)
    return TrustedPool(
        pool_id=pool_id,
        client_id=client_id,
        issuer=resources.user_pool_issuer(pool_id),
        jwks_url=f"{moto_url.rstrip('/')}/{pool_id}/.well-known/jwks.json",
    )


def bearer_token(headers: Iterable[tuple[str, str]]) -> str:
    """The token of the (last) Authorization header: `Bearer <token>` or the token alone."""
    values = [value for name, value in headers if name.lower() == AUTHORIZATION_HEADER.lower()]
    if not values:
        raise UnauthorizedError("no Authorization header")
    value = values[-1].strip()
    scheme, _, rest = value.partition(" ")
    token = rest.strip() if scheme.lower() == BEARER else value
    if not token:
        raise UnauthorizedError("an empty Authorization header")
    return token


def api_gateway_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """The claims as API Gateway's REST API passes a Cognito authorizer's: all strings."""
    return {name: _claim_text(name, value) for name, value in claims.items() if value is not None}


def _claim_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if name in DATE_CLAIMS and isinstance(value, int | float):
        return _java_date(int(value))
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(int(value)) if isinstance(value, int) or value.is_integer() else repr(value)
    if isinstance(value, list):
        return ",".join(_claim_text(name, item) for item in value)
    return json.dumps(value, separators=(",", ":"))


def _java_date(epoch_seconds: int) -> str:
    """`Tue Apr 04 18:39:39 UTC 2023`: how API Gateway writes `exp` and `iat` (locale-independent)."""
    moment = time.gmtime(epoch_seconds)
    return (
        f"{_DAYS[moment.tm_wday]} {_MONTHS[moment.tm_mon - 1]} {moment.tm_mday:02d} "
        f"{moment.tm_hour:02d}:{moment.tm_min:02d}:{moment.tm_sec:02d} UTC {moment.tm_year}"
    )


def fetch_jwks(url: str) -> Mapping[str, Any]:
    """GET a JWKS document (from moto server on this machine: never through a proxy)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
        document: Any = json.load(response)
    if not isinstance(document, dict):
        raise ValueError("the JWKS is not a JSON object")
    return document
