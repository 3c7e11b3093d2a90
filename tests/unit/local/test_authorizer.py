"""The local gateway's JWT authorizer (infra.local.authorizer), against tokens moto issues in process
and the JWKS moto serves: what it accepts, the claims it hands over as the HTTP API does, and what
it refuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from joserfc.jwk import RSAKey

from infra.local import jwt_authorizers
from infra.local.authorizer import (
    INVALID_AUDIENCE,
    Authorizer,
    AuthorizerUnavailableError,
    UnauthorizedError,
    audiences,
    bearer_token,
    http_api_claims,
    issuer_and_audience,
)
from infra.local.users import DEMO_CUSTOMER, DEMO_MANAGER
from infra.topology import SHOP_USERS, UserPool
from tests.unit.local.moto_pools import (
    MotoPool,
    cognito_client,
    fetch_from_moto,
    moto_in_process,
    moto_pool,
    shop_users_with_demo_users,
    signed,
)


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


def claims_of(shop: MotoPool, **changes: Any) -> dict[str, Any]:
    """The demo customer's ID token claims, fresh, with `changes` (None removes a claim)."""
    now = int(time.time())
    claims = {**segments(shop.id_token())[1], "iat": now, "auth_time": now, "exp": now + 3600}
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def refused(authorizer: Authorizer, headers: list[tuple[str, str]]) -> UnauthorizedError:
    with pytest.raises(UnauthorizedError) as refusal:
        authorizer.claims(headers)
    return refusal.value


def test_an_id_token_gives_its_claims_as_the_http_api_does(shop: MotoPool) -> None:
    token = shop.id_token()

    claims = shop.authorizer().claims(authorization(token))

    _, payload, _ = segments(token)
    assert claims["email"] == "customer@example.com"
    assert claims["cognito:groups"] == "[customers]"
    assert claims["token_use"] == "id"
    assert claims["aud"] == shop.client_id
    assert claims["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{shop.pool_id}"
    assert claims["sub"] == payload["sub"]
    assert claims["exp"] == str(payload["exp"])
    assert claims["iat"] == str(payload["iat"])
    assert set(claims) == set(payload)


def test_the_manager_is_in_managers(shop: MotoPool) -> None:
    claims = shop.authorizer().claims(authorization(shop.id_token(DEMO_MANAGER)))

    assert (claims["email"], claims["cognito:groups"]) == ("manager@example.com", "[managers]")


def test_an_access_token_is_accepted_by_its_client_id(shop: MotoPool) -> None:
    """The HTTP API checks no token_use: an access token names the app client in `client_id`."""
    access = str(shop.tokens(DEMO_CUSTOMER.email, DEMO_CUSTOMER.password)["AccessToken"])
    _, payload, _ = segments(access)
    assert ("aud" not in payload, payload["client_id"], payload["token_use"]) == (
        True,
        shop.client_id,
        "access",
    )

    claims = shop.authorizer().claims(authorization(access))

    assert (claims["client_id"], claims["token_use"]) == (shop.client_id, "access")
    assert claims["scope"] == "aws.cognito.signin.user.admin"


@pytest.mark.parametrize("form", ["Bearer {}", "bearer {}", "BEARER  {} ", "{}", " {} "])
def test_the_token_is_taken_raw_or_after_bearer(shop: MotoPool, form: str) -> None:
    claims = shop.authorizer().claims([("authorization", form.format(shop.id_token()))])

    assert claims["email"] == "customer@example.com"


def test_claims_are_strings_as_the_http_api_hands_them_over() -> None:
    claims = {
        "cognito:groups": ["managers", "customers"],
        "email_verified": True,
        "phone_number_verified": False,
        "auth_time": 1680629979,
        "exp": 1680633579,
        "ratio": 0.5,
        "whole": 2.0,
        "email": "a@example.com",
        "address": {"formatted": "1 Main St", "zip": 12345},
        "mixed": ["a", 1, True],
        "empty": [],
        "custom:null": None,
    }

    assert http_api_claims(claims) == {
        "cognito:groups": "[managers customers]",
        "email_verified": "true",
        "phone_number_verified": "false",
        "auth_time": "1680629979",
        "exp": "1680633579",
        "ratio": "0.5",
        "whole": "2",
        "email": "a@example.com",
        "address": '{"formatted":"1 Main St","zip":12345}',
        "mixed": "[a 1 true]",
        "empty": "[]",
    }


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [("X-Authorization", "Bearer whatever")],
        [("Authorization", "")],
        [("Authorization", "Bearer")],
        [("Authorization", "Bearer    ")],
        [("Authorization", "garbage")],
        [("Authorization", "Bearer a.b.c")],
        [("Authorization", "Bearer ....")],
        [("Authorization", "Basic dXNlcjpwYXNz")],
        [("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.")],
        [("Authorization", "Bearer é.é.é")],
    ],
    ids=lambda headers: repr(headers)[:40],
)
def test_a_missing_header_no_token_or_garbage_is_refused(
    shop: MotoPool, headers: list[tuple[str, str]]
) -> None:
    assert refused(shop.authorizer(), headers).challenge == "Bearer"


def test_a_token_from_another_issuer_is_refused_though_its_signature_is_good(shop: MotoPool) -> None:
    """Every moto pool signs with the same key: the issuer tells them apart."""
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

    assert other.authorizer().claims(authorization(token))["email"] == "someone@example.com"
    assert "no trusted pool issued" in str(refused(shop.authorizer(), authorization(token)))
    forged_issuer = signed(claims_of(shop, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"))
    refused(shop.authorizer(), authorization(forged_issuer))


def test_a_token_for_another_app_client_is_refused_saying_so(shop: MotoPool) -> None:
    other_client = shop.cognito.create_user_pool_client(
        UserPoolId=shop.pool_id, ClientName="another-app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    token = shop.id_token(DEMO_CUSTOMER, client_id=other_client)
    assert segments(token)[1]["aud"] == other_client

    refusal = refused(shop.authorizer(), authorization(token))

    assert refusal.description == INVALID_AUDIENCE
    assert refusal.challenge == (
        'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"'
    )


@pytest.mark.parametrize(
    ("changes", "accepted"),
    [
        ({"aud": ["someone-else", "{client}"]}, True),
        ({"aud": "someone-else", "client_id": "{client}"}, False),  # aud is evaluated, client_id not
        ({"aud": None, "client_id": "{client}"}, True),
        ({"aud": None, "client_id": "someone-else"}, False),
        ({"aud": None}, False),
        ({"aud": 7}, False),
    ],
)
def test_the_audience_is_aud_or_only_without_aud_client_id(
    shop: MotoPool, changes: dict[str, Any], accepted: bool
) -> None:
    filled = {name: _client(value, shop.client_id) for name, value in changes.items()}
    token = signed(claims_of(shop, **filled))

    if accepted:
        assert shop.authorizer().claims(authorization(token))["email"] == DEMO_CUSTOMER.email
    else:
        assert refused(shop.authorizer(), authorization(token)).description == INVALID_AUDIENCE


def _client(value: Any, client_id: str) -> Any:
    if isinstance(value, list):
        return [_client(item, client_id) for item in value]
    return client_id if value == "{client}" else value


def test_audiences_are_read_from_aud_before_client_id() -> None:
    assert audiences({"aud": "a", "client_id": "b"}) == ["a"]
    assert audiences({"aud": ["a", 1, "c"]}) == ["a", "c"]
    assert audiences({"client_id": "b"}) == ["b"]
    assert audiences({}) == []


def test_an_expired_token_is_refused_from_the_second_it_expires(shop: MotoPool) -> None:
    token = shop.id_token()
    expires = segments(token)[1]["exp"]

    assert shop.authorizer(clock=lambda: expires - 1).claims(authorization(token))
    assert "expired" in str(refused(shop.authorizer(clock=lambda: expires), authorization(token)))
    refused(shop.authorizer(clock=lambda: expires + 3600), authorization(token))


def test_a_token_without_exp_is_refused(shop: MotoPool) -> None:
    refused(shop.authorizer(), authorization(signed(claims_of(shop, exp=None))))
    refused(shop.authorizer(), authorization(signed(claims_of(shop, exp="tomorrow"))))


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_a_token_not_valid_yet_is_refused_until_it_is(shop: MotoPool, claim: str) -> None:
    later = int(time.time()) + 600
    token = signed(claims_of(shop, **{claim: later}))

    assert "not valid yet" in str(refused(shop.authorizer(), authorization(token)))
    assert shop.authorizer(clock=lambda: later).claims(authorization(token))[claim] == str(later)


@pytest.mark.parametrize(
    "change", [{"cognito:groups": ["managers"]}, {"email": "manager@example.com"}, {"exp": 4102444800}]
)
def test_a_tampered_payload_is_refused(shop: MotoPool, change: dict[str, Any]) -> None:
    header, payload, signature = shop.id_token().split(".")
    tampered = encoded({**_decoded(payload), **change})

    assert "BadSignatureError" in str(
        refused(shop.authorizer(), authorization(f"{header}.{tampered}.{signature}"))
    )


def test_a_token_signed_by_another_key_with_the_pools_kid_is_refused(shop: MotoPool) -> None:
    impostor = RSAKey.generate_key(2048, parameters={"kid": "dummy"})

    forged = signed(claims_of(shop), key=impostor)

    assert "BadSignatureError" in str(refused(shop.authorizer(), authorization(forged)))


def test_the_same_claims_signed_with_moto_s_key_are_accepted(shop: MotoPool) -> None:
    """The control of the refusals around it: `signed` makes tokens the authorizer accepts."""
    assert shop.authorizer().claims(authorization(signed(claims_of(shop))))["email"] == DEMO_CUSTOMER.email


def test_an_unsigned_token_alg_none_is_refused(shop: MotoPool) -> None:
    header, payload, _ = segments(shop.id_token())

    for signature in ("", "AAAA"):
        unsigned = f"{encoded({**header, 'alg': 'none'})}.{encoded(payload)}.{signature}"
        assert "'none'" in str(refused(shop.authorizer(), authorization(unsigned)))


def test_a_token_signed_with_hs256_is_refused_even_keyed_with_the_public_key(shop: MotoPool) -> None:
    header, payload, _ = segments(shop.id_token())
    public = fetch_from_moto(shop.trusted.jwks_url)["keys"][0]
    signing_input = f"{encoded({**header, 'alg': 'HS256'})}.{encoded(payload)}"
    for secret in (json.dumps(public).encode(), public["n"].encode(), b"secret"):
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
        assert "'HS256'" in str(refused(shop.authorizer(), authorization(f"{signing_input}.{signature}")))


def test_a_token_whose_kid_is_not_in_the_jwks_is_refused(shop: MotoPool) -> None:
    unknown = signed(claims_of(shop), header={"kid": "unknown"})
    without = signed(claims_of(shop), header={"kid": None})

    assert "has no key 'unknown'" in str(refused(shop.authorizer(), authorization(unknown)))
    assert "names no key" in str(refused(shop.authorizer(), authorization(without)))


def test_a_token_use_is_not_checked(shop: MotoPool) -> None:
    token = signed(claims_of(shop, token_use="refresh"))

    assert shop.authorizer().claims(authorization(token))["token_use"] == "refresh"


def test_repeated_authorization_headers_are_joined_as_the_http_api_joins_them(shop: MotoPool) -> None:
    token = shop.id_token()

    assert bearer_token([("Authorization", "Bearer a"), ("AUTHORIZATION", "b")]) == "a,b"
    refused(shop.authorizer(), [("Authorization", f"Bearer {token}"), ("Authorization", f"Bearer {token}")])


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


def test_keys_are_fetched_once_and_again_once_for_an_unknown_kid(shop: MotoPool) -> None:
    claims = claims_of(shop)
    first = RSAKey.generate_key(2048, parameters={"kid": "first", "use": "sig"})
    rotated = RSAKey.generate_key(2048, parameters={"kid": "rotated", "use": "sig"})
    jwks = CountingJwks(first)
    authorizer = Authorizer([shop.trusted], fetch=jwks)

    authorizer.claims(authorization(signed(claims, {"kid": "first"}, first)))
    authorizer.claims(authorization(signed(claims, {"kid": "first"}, first)))
    assert jwks.fetches == 1

    jwks.published.append(rotated)
    assert (
        authorizer.claims(authorization(signed(claims, {"kid": "rotated"}, rotated)))["email"]
        == DEMO_CUSTOMER.email
    )
    assert jwks.fetches == 2

    unknown = RSAKey.generate_key(2048, parameters={"kid": "unknown"})
    refused(authorizer, authorization(signed(claims, {"kid": "unknown"}, unknown)))
    assert jwks.fetches == 3  # one refetch for the unknown kid, then refused
    authorizer.claims(authorization(signed(claims, {"kid": "rotated"}, rotated)))
    assert jwks.fetches == 3


def test_keys_that_cannot_be_fetched_are_the_gateways_fault(shop: MotoPool) -> None:
    jwks = CountingJwks()
    jwks.down = True

    with pytest.raises(AuthorizerUnavailableError, match="connection refused"):
        Authorizer([shop.trusted], fetch=jwks).claims(authorization(shop.id_token()))


def test_the_trusted_issuer_and_audience_are_the_pools_as_moto_holds_it(shop: MotoPool) -> None:
    """What the parity test compares with the deployed authorizer's Issuer and Audience."""
    assert issuer_and_audience(SHOP_USERS) == (shop.trusted.issuer, shop.client_id)
    assert jwt_authorizers() == {SHOP_USERS.name: (shop.trusted.issuer, shop.client_id)}
