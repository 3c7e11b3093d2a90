"""The local gateway plays the HTTP API's JWT authorizer against moto server's user pool, over HTTP:
the demo users sign in with moto (boto3, as the auth function does) and reach signed-in routes with
their tokens; every other token is refused with the HTTP API's 401 `{"message":"Unauthorized"}`.
The demo menu is there once the cloud answers, loaded through the API as the demo manager."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from joserfc import jwt
from joserfc.jwk import RSAKey
from moto.utilities.utils import load_resource

from infra.local import resources
from infra.local.users import DEMO_CUSTOMER, DEMO_MANAGER, DemoUser
from infra.seed import DEMO_MENU_FILE, read_menu_file
from infra.topology import SHOP_USERS, UserPool
from tests.integration.cloud import LocalCloud, Ports, start_cloud

pytestmark = pytest.mark.integration

POOL_ID, CLIENT_ID = resources.user_pool_ids()[SHOP_USERS.name]
UNAUTHORIZED = {"message": "Unauthorized"}
SIGNED_IN_ROUTES = [("GET", "/users/me"), ("POST", "/menu/products"), ("GET", "/orders")]


def cognito(moto_url: str) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(retries={"max_attempts": 1}),
    )


def sign_in(moto_url: str, user: DemoUser, client_id: str = CLIENT_ID) -> dict[str, Any]:
    answer = cognito(moto_url).initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.email, "PASSWORD": user.password},
    )
    result: dict[str, Any] = answer["AuthenticationResult"]
    return result


def call(cloud: LocalCloud, method: str, path: str, authorization: str | None) -> requests.Response:
    headers = {} if authorization is None else {"Authorization": authorization}
    return requests.request(method, f"{cloud.base_url}{path}", headers=headers, json={}, timeout=30)


def payload(token: str) -> dict[str, Any]:
    segment = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return decoded


def encoded(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


def motos_own_key() -> RSAKey:
    """The private key every moto pool signs with (moto's dummy key): it makes tokens whose signature
    moto's JWKS verifies, with any claims."""
    return RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))


@pytest.fixture(scope="module")
def customer_tokens(cloud: LocalCloud) -> dict[str, Any]:
    return sign_in(cloud.moto_url, DEMO_CUSTOMER)


@pytest.mark.parametrize(("user", "role"), [(DEMO_MANAGER, "manager"), (DEMO_CUSTOMER, "customer")])
def test_the_demo_users_sign_in_with_moto_and_their_id_token_reaches_the_function(
    cloud: LocalCloud, user: DemoUser, role: str
) -> None:
    token = sign_in(cloud.moto_url, user)["IdToken"]

    for authorization in (f"Bearer {token}", token):
        response = call(cloud, "GET", "/users/me", authorization)
        assert response.status_code == 200, response.text
        assert response.json() == {"email": user.email, "role": role}


def test_moto_serves_the_pools_keys_where_the_authorizer_fetches_them(cloud: LocalCloud) -> None:
    keys = requests.get(f"{cloud.moto_url}/{POOL_ID}/.well-known/jwks.json", timeout=30).json()["keys"]

    assert [(key["kid"], key["alg"], key["kty"]) for key in keys] == [("dummy", "RS256", "RSA")]


def test_a_token_from_post_auth_token_is_the_pools_id_token(cloud: LocalCloud) -> None:
    signed_in = requests.post(
        f"{cloud.base_url}/auth/token",
        json={"username": DEMO_MANAGER.email, "password": DEMO_MANAGER.password},
        timeout=30,
    )
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access_token"]

    claims = payload(token)
    assert (claims["token_use"], claims["aud"], claims["email"]) == ("id", CLIENT_ID, DEMO_MANAGER.email)
    assert call(cloud, "GET", "/users/me", f"Bearer {token}").json()["role"] == "manager"


def _expired(cloud: LocalCloud, tokens: dict[str, Any]) -> str:
    claims = payload(tokens["IdToken"])
    past = int(time.time()) - 60
    return str(jwt.encode({"alg": "RS256", "kid": "dummy"}, {**claims, "exp": past}, motos_own_key()))


def _tampered(cloud: LocalCloud, tokens: dict[str, Any]) -> str:
    header, _, signature = tokens["IdToken"].split(".")
    return f"{header}.{encoded({**payload(tokens['IdToken']), 'cognito:groups': ['managers']})}.{signature}"


def _unsigned(cloud: LocalCloud, tokens: dict[str, Any]) -> str:
    return f"{encoded({'alg': 'none', 'typ': 'JWT', 'kid': 'dummy'})}.{encoded(payload(tokens['IdToken']))}."


def _hs256(cloud: LocalCloud, tokens: dict[str, Any]) -> str:
    signing_input = f"{encoded({'alg': 'HS256', 'kid': 'dummy'})}.{encoded(payload(tokens['IdToken']))}"
    public = requests.get(f"{cloud.moto_url}/{POOL_ID}/.well-known/jwks.json", timeout=30).json()["keys"][0]
    mac = hmac.new(public["n"].encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def _another_pools(cloud: LocalCloud, tokens: dict[str, Any]) -> str:
    client = cognito(cloud.moto_url)
    other = UserPool(name="another-shop", groups=("managers",))
    pool_id, client_id = resources.create_user_pool(client, other)
    email = "intruder@example.com"
    with contextlib.suppress(client.exceptions.UsernameExistsException):
        client.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS")
    client.admin_set_user_password(UserPoolId=pool_id, Username=email, Password="Intruder-1", Permanent=True)
    client.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName="managers")
    token = str(
        sign_in(cloud.moto_url, DemoUser(email, "Intruder-1", "managers", other), client_id)["IdToken"]
    )
    assert payload(token)["iss"].endswith(pool_id)  # moto signed it with the key the shop's pool uses
    return token


def _not_valid_yet(cloud: LocalCloud, tokens: dict[str, Any]) -> str:
    claims = payload(tokens["IdToken"])
    return str(
        jwt.encode(
            {"alg": "RS256", "kid": "dummy"}, {**claims, "nbf": int(time.time()) + 600}, motos_own_key()
        )
    )


def _forged_issuer(cloud: LocalCloud, tokens: dict[str, Any]) -> str:
    claims = {
        **payload(tokens["IdToken"]),
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_someone",
    }
    return str(jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, motos_own_key()))


def _unknown_kid(cloud: LocalCloud, tokens: dict[str, Any]) -> str:
    return str(
        jwt.encode({"alg": "RS256", "kid": "not-in-the-jwks"}, payload(tokens["IdToken"]), motos_own_key())
    )


def _another_clients(cloud: LocalCloud, tokens: dict[str, Any]) -> str:
    client = cognito(cloud.moto_url)
    other_client = client.create_user_pool_client(
        UserPoolId=POOL_ID, ClientName="not-the-api", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    return str(sign_in(cloud.moto_url, DEMO_CUSTOMER, other_client)["IdToken"])


def _forged(cloud: LocalCloud, tokens: dict[str, Any]) -> str:
    impostor = RSAKey.generate_key(2048, parameters={"kid": "dummy"})
    return str(jwt.encode({"alg": "RS256", "kid": "dummy"}, payload(tokens["IdToken"]), impostor))


BAD_TOKENS: dict[str, Callable[[LocalCloud, dict[str, Any]], str]] = {
    "expired": _expired,
    "tampered": _tampered,
    "unsigned (alg none)": _unsigned,
    "HS256 keyed with the public key": _hs256,
    "another pool's (valid signature, wrong issuer)": _another_pools,
    "a made-up issuer signed with moto's key": _forged_issuer,
    "another app client's (wrong audience)": _another_clients,
    "signed by another key": _forged,
    "a key id not in the JWKS": _unknown_kid,
    "not valid yet (nbf)": _not_valid_yet,
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_a_bad_token_is_refused_with_the_http_apis_401(
    cloud: LocalCloud, customer_tokens: dict[str, Any], kind: str
) -> None:
    token = BAD_TOKENS[kind](cloud, customer_tokens)

    for method, path in SIGNED_IN_ROUTES:
        response = call(cloud, method, path, f"Bearer {token}")
        assert response.status_code == 401, (kind, method, path, response.text)
        assert response.json() == UNAUTHORIZED
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["apigw-requestid"]
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_token_for_another_app_client_is_refused_saying_so(
    cloud: LocalCloud, customer_tokens: dict[str, Any]
) -> None:
    token = _another_clients(cloud, customer_tokens)

    response = call(cloud, "GET", "/users/me", f"Bearer {token}")

    assert response.status_code == 401
    assert (
        'error_description="the token does not have a valid audience"' in response.headers["www-authenticate"]
    )


def test_an_access_token_passes_the_authorizer_by_its_client_id(
    cloud: LocalCloud, customer_tokens: dict[str, Any]
) -> None:
    """The HTTP API checks no token_use: what the function makes of an access token is its own business."""
    access = str(customer_tokens["AccessToken"])
    assert (payload(access)["token_use"], payload(access)["client_id"]) == ("access", CLIENT_ID)

    for method, path in SIGNED_IN_ROUTES:
        response = call(cloud, method, path, f"Bearer {access}")
        assert response.json() != UNAUTHORIZED, (method, path, response.status_code)


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer garbage", "Basic bWU6cGFzcw==", "a.b.c"]
)
def test_no_token_or_garbage_is_refused_with_401(cloud: LocalCloud, authorization: str | None) -> None:
    for method, path in SIGNED_IN_ROUTES:
        response = call(cloud, method, path, authorization)
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED), (method, path)


def test_the_expired_token_is_refused_only_for_its_expiry(
    cloud: LocalCloud, customer_tokens: dict[str, Any]
) -> None:
    """The same claims, signed with the same key, but not expired: accepted (the control)."""
    claims = payload(customer_tokens["IdToken"])
    fresh = jwt.encode(
        {"alg": "RS256", "kid": "dummy"}, {**claims, "exp": int(time.time()) + 60}, motos_own_key()
    )

    response = call(cloud, "GET", "/users/me", f"Bearer {fresh}")

    assert (response.status_code, response.json()["email"]) == (200, DEMO_CUSTOMER.email)


def test_public_routes_and_405_need_no_token(cloud: LocalCloud) -> None:
    assert call(cloud, "GET", "/menu", "Bearer garbage").status_code == 200
    options = call(cloud, "OPTIONS", "/users/me", None)
    assert (options.status_code, options.headers["Allow"]) == (405, "GET")


def test_the_demo_menu_is_loaded_on_start(cloud: LocalCloud) -> None:
    menu = requests.get(f"{cloud.base_url}/menu", timeout=30).json()

    served = {product["name"]: [v["name"] for v in product["variations"]] for product in menu}
    for product in read_menu_file(DEMO_MENU_FILE):
        assert served[product.name] == [variation.name for variation in product.variations]
    latte = next(product for product in menu if product["name"] == "Latte")
    assert latte["price"] == 4.5
    assert [variation["price_change"] for variation in latte["variations"]] == [0.75, 0.5, 0.5]


def test_a_restart_makes_the_pool_again_with_its_ids_so_tokens_outlive_it(tmp_path: Path) -> None:
    ports = Ports.free()
    first = start_cloud(ports, tmp_path, ["moto", "gateway"], healthy=False)
    try:
        token = sign_in(first.moto_url, DEMO_CUSTOMER)["IdToken"]
    finally:
        assert first.stop() == 0

    second = start_cloud(ports, tmp_path, ["moto", "gateway"], healthy=False)
    try:
        response = call(second, "GET", "/users/me", f"Bearer {token}")
        assert (response.status_code, response.json()) == (
            200,
            {"email": DEMO_CUSTOMER.email, "role": "customer"},
        )
        assert sign_in(second.moto_url, DEMO_CUSTOMER)["IdToken"]  # the demo users are there again
    finally:
        assert second.stop() == 0
