"""The local gateway's Cognito authorizer (infra.local.authorizer), against tokens moto issues in
process and the JWKS moto serves: what it accepts, the claims it hands over, and what it refuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from infra.local.authorizer import (
    Authorizer,
    AuthorizerUnavailableError,
    UnauthorizedError,
    api_gateway_claims,
    bearer_token,
)
from infra.topology import UserPool
from tests.unit.local.moto_pools import (
    MotoPool,
    cognito_client,
    fetch_from_moto,
    moto_in_process,
    moto_pool,
    shop_users_with_demo_users,
)

JAVA_DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$")


@pytest.fixture(scope="module")
def shop() -> Iterator[MotoPool]:
    """One moto for the module: the shop's pool and the demo users."""
    for _ in moto_in_process():
        yield shop_users_with_demo_users(cognito_client())


@pytest.fixture
def aws(shop: MotoPool) -> None:
    """The module's moto, not the tables and queues every other unit test gets."""


def authorization(token: str) -> list[tuple[str, str]]:
    return [("Authorization", f"Bearer {token}")]


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return _decoded(header), _decoded(payload), signature


def _decoded(segment: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return decoded


def encoded(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


def test_a_valid_id_token_gives_its_claims_as_api_gateway_does(shop: MotoPool) -> None:
    token = shop.id_token()

    claims = shop.authorizer().claims(authorization(token))

    _, payload, _ = segments(token)
    assert claims["email"] == "customer@example.com"
    assert claims["cognito:groups"] == "customers"
    assert claims["token_use"] == "id"
    assert claims["aud"] == shop.client_id
    assert claims["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{shop.pool_id}"
    assert claims["sub"] == payload["sub"]
    assert claims["auth_time"] == str(payload["auth_time"])
    assert JAVA_DATE.match(claims["exp"]), claims["exp"]
    assert JAVA_DATE.match(claims["iat"]), claims["iat"]
    assert all(isinstance(value, str) for value in claims.values())
    assert set(claims) == set(payload)


def test_the_manager_is_in_managers(shop: MotoPool) -> None:
    from infra.local.users import DEMO_MANAGER

    claims = shop.authorizer().claims(authorization(shop.id_token(DEMO_MANAGER)))

    assert (claims["email"], claims["cognito:groups"]) == ("manager@example.com", "managers")


@pytest.mark.parametrize("form", ["Bearer {}", "bearer {}", "BEARER  {} ", "{}", " {} "])
def test_the_token_is_taken_raw_or_after_bearer(shop: MotoPool, form: str) -> None:
    token = shop.id_token()

    claims = shop.authorizer().claims([("authorization", form.format(token))])

    assert claims["email"] == "customer@example.com"


def test_claims_are_strings_as_in_an_api_gateway_event() -> None:
    # From an event API Gateway's REST API handed a function: auth_time 1680629979, iat one hour before exp.
    claims = {
        "cognito:groups": ["managers", "customers"],
        "email_verified": True,
        "auth_time": 1680629979,
        "iat": 1680629979,
        "exp": 1680633579,
        "email": "a@example.com",
        "custom:null": None,
    }

    assert api_gateway_claims(claims) == {
        "cognito:groups": "managers,customers",
        "email_verified": "true",
        "auth_time": "1680629979",
        "iat": "Tue Apr 04 17:39:39 UTC 2023",
        "exp": "Tue Apr 04 18:39:39 UTC 2023",
        "email": "a@example.com",
    }


def _refused(authorizer: Authorizer, headers: list[tuple[str, str]]) -> str:
    with pytest.raises(UnauthorizedError) as refused:
        authorizer.claims(headers)
    return str(refused.value)


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [("Authorization", "")],
        [("Authorization", "Bearer")],
        [("Authorization", "Bearer    ")],
        [("Authorization", "garbage")],
        [("Authorization", "Bearer a.b.c")],
        [("Authorization", "Bearer ....")],
        [("Authorization", "Basic dXNlcjpwYXNz")],
        [("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.")],
        [("Authorization", "Bearer é.é.é")],
        [("X-Authorization", "Bearer whatever")],
    ],
)
def test_no_token_or_garbage_is_refused(shop: MotoPool, headers: list[tuple[str, str]]) -> None:
    _refused(shop.authorizer(), headers)


def test_an_expired_token_is_refused_from_the_second_it_expires(shop: MotoPool) -> None:
    token = shop.id_token()
    expires = segments(token)[1]["exp"]

    assert shop.authorizer(clock=lambda: expires - 1).claims(authorization(token))
    assert "exp" in _refused(shop.authorizer(clock=lambda: expires), authorization(token))
    _refused(shop.authorizer(clock=lambda: expires + 3600), authorization(token))


@pytest.mark.parametrize(
    "change", [{"cognito:groups": ["managers"]}, {"email": "manager@example.com"}, {"exp": 4102444800}]
)
def test_a_tampered_payload_is_refused(shop: MotoPool, change: dict[str, Any]) -> None:
    header, payload, signature = shop.id_token().split(".")
    tampered = encoded({**_decoded(payload), **change})

    assert "BadSignatureError" in _refused(
        shop.authorizer(), authorization(f"{header}.{tampered}.{signature}")
    )


def test_an_unsigned_token_alg_none_is_refused(shop: MotoPool) -> None:
    header, payload, _ = segments(shop.id_token())

    for signature in ("", "AAAA"):
        unsigned = f"{encoded({**header, 'alg': 'none'})}.{encoded(payload)}.{signature}"
        assert "'none'" in _refused(shop.authorizer(), authorization(unsigned))


def test_a_token_signed_with_hs256_is_refused_even_keyed_with_the_public_key(shop: MotoPool) -> None:
    header, payload, _ = segments(shop.id_token())
    public = fetch_from_moto(shop.trusted.jwks_url)["keys"][0]
    signing_input = f"{encoded({**header, 'alg': 'HS256'})}.{encoded(payload)}"
    for secret in (json.dumps(public).encode(), public["n"].encode(), b"secret"):
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
        assert "'HS256'" in _refused(shop.authorizer(), authorization(f"{signing_input}.{signature}"))


def test_a_token_signed_by_another_key_with_the_pools_kid_is_refused(shop: MotoPool) -> None:
    header, payload, _ = segments(shop.id_token())
    impostor = RSAKey.generate_key(2048, parameters={"kid": header["kid"]})

    forged = jwt.encode({"alg": "RS256", "kid": header["kid"]}, payload, impostor)

    assert "BadSignatureError" in _refused(shop.authorizer(), authorization(forged))


def test_another_pools_token_is_refused_though_moto_signed_it_with_the_same_key(shop: MotoPool) -> None:
    other = moto_pool(shop.cognito, UserPool(name="other-users", groups=("customers",)))
    shop.cognito.admin_create_user(
        UserPoolId=other.pool_id,
        Username="someone@example.com",
        UserAttributes=[{"Name": "email", "Value": "someone@example.com"}],
        MessageAction="SUPPRESS",
    )
    shop.cognito.admin_set_user_password(
        UserPoolId=other.pool_id, Username="someone@example.com", Password="Someone-1", Permanent=True
    )
    token = str(other.tokens("someone@example.com", "Someone-1")["IdToken"])

    # The signature is valid (the other pool's own authorizer accepts it): the issuer refuses it.
    assert other.authorizer().claims(authorization(token))["email"] == "someone@example.com"
    assert "no trusted pool issued" in _refused(shop.authorizer(), authorization(token))


def test_an_access_token_is_refused(shop: MotoPool) -> None:
    from infra.local.users import DEMO_CUSTOMER

    access = shop.tokens(DEMO_CUSTOMER.email, DEMO_CUSTOMER.password)["AccessToken"]

    _refused(shop.authorizer(), authorization(access))


def test_a_token_for_another_app_client_is_refused(shop: MotoPool) -> None:
    from infra.local.users import DEMO_CUSTOMER

    other_client = shop.cognito.create_user_pool_client(
        UserPoolId=shop.pool_id, ClientName="another-app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]

    token = shop.id_token(DEMO_CUSTOMER, client_id=other_client)

    assert segments(token)[1]["aud"] == other_client
    assert "aud" in _refused(shop.authorizer(), authorization(token))


class CountingJwks:
    """A JWKS endpoint that publishes `published` keys, counting the fetches."""

    def __init__(self, *published: RSAKey) -> None:
        self.published = list(published)
        self.fetches = 0
        self.down = False

    def __call__(self, url: str) -> dict[str, Any]:
        self.fetches += 1
        if self.down:
            raise OSError("connection refused")
        return {"keys": [key.as_dict(private=False) for key in self.published]}


def _signed(key: RSAKey, claims: dict[str, Any]) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def test_keys_are_fetched_once_and_again_once_for_an_unknown_kid(shop: MotoPool) -> None:
    claims = segments(shop.id_token())[1]
    first = RSAKey.generate_key(2048, parameters={"kid": "first", "use": "sig"})
    rotated = RSAKey.generate_key(2048, parameters={"kid": "rotated", "use": "sig"})
    jwks = CountingJwks(first)
    authorizer = Authorizer([shop.trusted], fetch=jwks)

    authorizer.claims(authorization(_signed(first, claims)))
    authorizer.claims(authorization(_signed(first, claims)))
    assert jwks.fetches == 1

    jwks.published.append(rotated)
    assert authorizer.claims(authorization(_signed(rotated, claims)))["email"] == "customer@example.com"
    assert jwks.fetches == 2

    unknown = RSAKey.generate_key(2048, parameters={"kid": "unknown"})
    _refused(authorizer, authorization(_signed(unknown, claims)))
    assert jwks.fetches == 3  # one refetch for the unknown kid, then refused
    authorizer.claims(authorization(_signed(rotated, claims)))
    assert jwks.fetches == 3


def test_keys_that_cannot_be_fetched_are_the_gateways_fault(shop: MotoPool) -> None:
    jwks = CountingJwks()
    jwks.down = True

    with pytest.raises(AuthorizerUnavailableError, match="connection refused"):
        Authorizer([shop.trusted], fetch=jwks).claims(authorization(shop.id_token()))


def test_the_last_authorization_header_counts() -> None:
    headers = [("Authorization", "Bearer first"), ("Content-Type", "x"), ("AUTHORIZATION", "second")]

    assert bearer_token(headers) == "second"
