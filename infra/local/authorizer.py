"""The local gateway's JWT authorizer, as the HTTP API plays it on a signed-in route.

The identity source is the `Authorization` header: a token raw or as `Bearer <token>`. A token is
accepted when it is a JWS signed with RS256 by a key (`kid`) of its issuer's JWKS (moto serves a
pool's at `/<pool id>/.well-known/jwks.json`; fetched once per pool and again once for a key id not
seen yet), its `iss` is one of the topology's user pools, its `aud` names that pool's app client
(or, only when it has no `aud`, its `client_id` does: a Cognito access token), `exp` is in the
future, and `nbf` and `iat`, when present, are not. No leeway (moto and the gateway share a
clock), and no `token_use` check: the HTTP API makes none. Anything else is refused, and the
gateway answers 401 `{"message":"Unauthorized"}` without invoking the function.

Every moto pool signs with the same key, so the issuer is what tells one pool's tokens from
another's. The claims reach the function as the HTTP API hands them over, in
`requestContext.authorizer.jwt.claims`: every value a string; numbers as their decimal text,
booleans "true"/"false", arrays as "[a b]" (`cognito:groups`: "[managers customers]"), objects as
compact JSON.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from infra.constants import AUTHORIZATION_HEADER
from infra.local import resources
from infra.local.settings import LocalSettings
from infra.topology import USER_POOLS, UserPool

ALGORITHM: Final = "RS256"
BEARER: Final = "bearer"
# Where the deployed authorizer reads the token (its IdentitySource).
IDENTITY_SOURCE: Final = f"$request.header.{AUTHORIZATION_HEADER}"
# The one refusal whose reason the HTTP API states in `www-authenticate` (AWS documents it).
INVALID_AUDIENCE: Final = "the token does not have a valid audience"
FETCH_TIMEOUT_SECONDS: Final = 5.0

JwksFetcher = Callable[[str], Mapping[str, Any]]


class UnauthorizedError(Exception):
    """The request carries no token the authorizer accepts (401); the reason is for the log only,
    `description` is what the answer's `www-authenticate` states, if anything."""

    def __init__(self, reason: str, description: str | None = None) -> None:
        super().__init__(reason)
        self.description = description

    @property
    def challenge(self) -> str:
        """The `www-authenticate` header's value."""
        if self.description is None:
            return "Bearer"
        return f'Bearer scope="" error="invalid_token" error_description="{self.description}"'


class AuthorizerUnavailableError(Exception):
    """A pool's keys cannot be fetched: the gateway's fault, not the caller's (500)."""


@dataclass(frozen=True)
class TrustedPool:
    """A user pool whose tokens the authorizer accepts, for its one app client (the audience)."""

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
    """Verifies tokens against the trusted pools; `claims` as the HTTP API passes them."""

    def __init__(
        self,
        pools: Sequence[TrustedPool],
        fetch: JwksFetcher | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._pools = {pool.issuer: pool for pool in pools}
        self._keys = KeyCache(fetch or fetch_jwks)
        self._clock = clock

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
        return http_api_claims(verified)

    def _verify(self, token: str) -> dict[str, Any]:
        unverified = jws.extract_compact(token.encode("ascii"))
        header = unverified.headers()
        if header.get("alg") != ALGORITHM:
            raise UnauthorizedError(f"the token is signed with {header.get('alg')!r}, not {ALGORITHM}")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise UnauthorizedError("the token names no key (kid)")
        issuer = _object(unverified.payload).get("iss")
        pool = self._pools.get(issuer) if isinstance(issuer, str) else None
        if pool is None:
            raise UnauthorizedError(f"no trusted pool issued the token (iss {issuer!r})")
        key = self._keys.key(pool, kid)
        if key is None:
            raise UnauthorizedError(f"{pool.pool_id} has no key {kid!r}")
        claims = _object(jws.deserialize_compact(token, key, algorithms=[ALGORITHM]).payload)
        if pool.client_id not in audiences(claims):
            raise UnauthorizedError(f"the token is not for {pool.client_id}", INVALID_AUDIENCE)
        self._check_times(claims)
        return claims

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        now = self._clock()
        expires = _time_claim(claims, "exp")
        if expires is None or now >= expires:
            raise UnauthorizedError(f"the token expired (exp {claims.get('exp')!r})")
        for name in ("nbf", "iat"):
            moment = _time_claim(claims, name)
            if moment is not None and now < moment:
                raise UnauthorizedError(f"the token is not valid yet ({name} {moment})")


def audiences(claims: Mapping[str, Any]) -> list[str]:
    """The audiences a token names: its `aud` (a string or a list of them), or, only when it has
    no `aud`, its `client_id`."""
    if "aud" in claims:
        audience = claims["aud"]
        if isinstance(audience, str):
            return [audience]
        if isinstance(audience, list):
            return [item for item in audience if isinstance(item, str)]
        return []
    client_id = claims.get("client_id")
    return [client_id] if isinstance(client_id, str) else []


def trusted_pool(pool: UserPool, moto_url: str) -> TrustedPool:
    pool_id = resources.user_pool_id(pool)
    issuer, audience = issuer_and_audience(pool)
    return TrustedPool(
        pool_id=pool_id,
        client_id=audience,
        issuer=issuer,
        jwks_url=f"{moto_url.rstrip('/')}/{pool_id}/.well-known/jwks.json",
    )


def issuer_and_audience(pool: UserPool) -> tuple[str, str]:
    """The issuer the authorizer trusts for `pool` (its issuer URL, of moto's pool id) and the one
    audience it accepts (the pool's app client id)."""
    return resources.user_pool_issuer(resources.user_pool_id(pool)), resources.user_pool_client_id(pool)


def bearer_token(headers: Iterable[tuple[str, str]]) -> str:
    """The token of the Authorization header: `Bearer <token>` or the token alone. Repeated
    headers are joined with "," as the HTTP API joins them (and so make no token)."""
    values = [value for name, value in headers if name.lower() == AUTHORIZATION_HEADER.lower()]
    if not values:
        raise UnauthorizedError("no Authorization header")
    value = ",".join(values).strip()
    scheme, _, rest = value.partition(" ")
    token = rest.strip() if scheme.lower() == BEARER else value
    if not token:
        raise UnauthorizedError("an empty Authorization header")
    return token


def http_api_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """The claims as the HTTP API's JWT authorizer passes them: all strings."""
    return {name: _claim_text(value) for name, value in claims.items() if value is not None}


def _claim_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        return f"[{' '.join(_claim_text(item) for item in value)}]"
    return json.dumps(value, separators=(",", ":"))


def _object(payload: bytes | None) -> dict[str, Any]:
    document = json.loads(payload or b"")
    if not isinstance(document, dict):
        raise UnauthorizedError("the token's payload is not a JSON object")
    return document


def _time_claim(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnauthorizedError(f"{name} is not a number: {value!r}")
    return float(value)


def fetch_jwks(url: str) -> Mapping[str, Any]:
    """GET a JWKS document (from moto server on this machine: never through a proxy)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
        document: Any = json.load(response)
    if not isinstance(document, dict):
        raise ValueError("the JWKS is not a JSON object")
    return document
