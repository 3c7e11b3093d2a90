"""The local offers service over HTTP, against its contract (../shared/contracts), with its evolving
offers and every fault it can be told to inject."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from infra.local.offers_service import Faults, OffersServer, OffersService
from infra.topology import ROOT
from tests.integration.cloud import free_ports
from tests.integration.contract import check_response

pytestmark = pytest.mark.integration

REFRESH = "test-refresh-token"
AUTH = "/api/v1/auth"
REGISTER = "/api/v1/products/register"
OFFERS = "/api/v1/products/{product_id}/offers"


class Client:
    """A client of one in-process offers service, checking every answer against the contract."""

    def __init__(self, server: OffersServer) -> None:
        self.server = server
        self.url = server.url
        self.session = requests.Session()
        self.token: str | None = None

    @property
    def service(self) -> OffersService:
        return self.server.service

    def auth(self, refresh: str | None = REFRESH) -> requests.Response:
        headers = {} if refresh is None else {"Bearer": refresh}
        response = self.session.post(self.url + AUTH, headers=headers, timeout=5)
        check_response("POST", AUTH, response)
        if response.status_code == 201:
            self.token = response.json()["access_token"]
        return response

    def headers(self, token: str | None) -> dict[str, str]:
        chosen = self.token if token == "current" else token
        return {} if chosen is None else {"Bearer": chosen}

    def register(self, body: Any, token: str | None = "current", timeout: float = 5) -> requests.Response:
        response = self.session.post(
            self.url + REGISTER, json=body, headers=self.headers(token), timeout=timeout
        )
        check_response("POST", REGISTER, response)
        return response

    def offers(self, product_id: str, token: str | None = "current", timeout: float = 5) -> requests.Response:
        url = self.url + OFFERS.format(product_id=product_id)
        response = self.session.get(url, headers=self.headers(token), timeout=timeout)
        check_response("GET", OFFERS, response)
        return response

    def new_product(self) -> str:
        product_id = str(uuid.uuid4())
        assert self.register({"id": product_id, "name": "Kettle", "description": "Steel"}).status_code == 201
        return product_id

    def control(self, **settings: Any) -> dict[str, Any]:
        response = self.session.post(f"{self.url}/_control", json=settings, timeout=5)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def stats(self) -> dict[str, Any]:
        body: dict[str, Any] = self.session.get(f"{self.url}/_stats", timeout=5).json()
        return body


@pytest.fixture
def start() -> Iterator[Callable[..., Client]]:
    servers: list[OffersServer] = []

    def start_server(**options: Any) -> Client:
        (port,) = free_ports(1)
        service = OffersService(**{"refresh_token": REFRESH, "tick_seconds": 0, **options})
        server = OffersServer("127.0.0.1", port, service)
        server.start()
        servers.append(server)
        return Client(server)

    yield start_server
    for server in servers:
        server.stop()


@pytest.fixture
def client(start: Callable[..., Client]) -> Client:
    authenticated = start()
    assert authenticated.auth().status_code == 201
    return authenticated


# Auth and tokens


def test_auth_gives_an_access_token_and_refuses_another_while_it_is_valid(
    start: Callable[..., Client],
) -> None:
    client = start(token_ttl_seconds=1.0)

    first = client.auth()
    early = client.auth()
    time.sleep(1.1)
    later = client.auth()

    assert first.status_code == 201
    assert first.json()["access_token"].count(".") == 2  # JWT-like
    assert early.status_code == 400
    assert isinstance(early.json()["detail"], str)
    assert later.status_code == 201
    assert later.json()["access_token"] != first.json()["access_token"]
    assert client.stats()["tokens_issued"] == 2


def test_an_access_token_expires_after_its_ttl(start: Callable[..., Client]) -> None:
    client = start(token_ttl_seconds=0.5)
    client.auth()
    product_id = client.new_product()

    time.sleep(0.6)

    assert client.offers(product_id).status_code == 401
    assert client.register({"id": str(uuid.uuid4()), "name": "n", "description": "d"}).status_code == 401


def test_the_default_ttl_is_five_minutes() -> None:
    assert OffersService().token_ttl_seconds == 300


@pytest.mark.parametrize("refresh", ["wrong", ""], ids=["wrong", "empty"])
def test_a_wrong_refresh_token_is_401(start: Callable[..., Client], refresh: str) -> None:
    assert start().auth(refresh).status_code == 401


def test_auth_without_the_bearer_header_is_422_as_fastapi_answers(start: Callable[..., Client]) -> None:
    response = start().auth(None)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Bearer"]


@pytest.mark.parametrize("token", [None, "not-a-token", "Bearer x"], ids=["missing", "bad", "prefixed"])
def test_calls_without_a_valid_access_token_are_401(client: Client, token: str | None) -> None:
    product_id = client.new_product()

    assert client.offers(product_id, token=token).status_code == 401
    assert (
        client.register({"id": str(uuid.uuid4()), "name": "n", "description": "d"}, token=token).status_code
        == 401
    )


def test_the_refresh_token_is_not_an_access_token(client: Client) -> None:
    assert client.offers(client.new_product(), token=REFRESH).status_code == 401


# Register


def test_register_answers_201_with_the_id_then_409(client: Client) -> None:
    product_id = str(uuid.uuid4())
    body = {"id": product_id, "name": "Kettle", "description": "Steel"}

    first = client.register(body)
    again = client.register(body)

    assert first.status_code == 201
    assert first.json() == {"id": product_id}
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "n", "description": "d"}, "id"),
        ({"id": "not-a-uuid", "name": "n", "description": "d"}, "id"),
        ({"id": str(uuid.uuid4()), "description": "d"}, "name"),
        ({"id": str(uuid.uuid4()), "name": "n"}, "description"),
        ({"id": str(uuid.uuid4()), "name": ["n"], "description": "d"}, "name"),
    ],
    ids=["no id", "bad id", "no name", "no description", "name not a string"],
)
def test_register_with_a_bad_body_is_422_naming_the_field(
    client: Client, body: dict[str, Any], field: str
) -> None:
    response = client.register(body)

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", field]]


def test_register_with_a_body_that_is_not_json_is_422(client: Client) -> None:
    response = client.session.post(
        client.url + REGISTER, data=b"{oops", headers={"Bearer": client.token or ""}, timeout=5
    )

    check_response("POST", REGISTER, response)
    assert response.status_code == 422


# Offers


def test_offers_of_a_registered_product_follow_the_contract(client: Client) -> None:
    response = client.offers(client.new_product())

    assert response.status_code == 200
    offers = response.json()
    assert 2 <= len(offers) <= 5
    assert all(offer["price"] > 0 and offer["items_in_stock"] > 0 for offer in offers)


def test_offers_of_an_unregistered_product_are_404(client: Client) -> None:
    assert client.offers(str(uuid.uuid4())).status_code == 404


def test_offers_of_a_path_that_is_not_a_uuid_are_422(client: Client) -> None:
    assert client.offers("42").status_code == 422


def test_an_unknown_path_is_404(client: Client) -> None:
    assert client.session.get(f"{client.url}/api/v1/nope", timeout=5).status_code == 404


def test_offers_change_over_ticks_prices_move_offers_go_and_come(client: Client) -> None:
    products = [client.new_product() for _ in range(10)]
    history: list[dict[str, dict[str, Any]]] = []
    for _ in range(6):
        history.append(
            {offer["id"]: offer for product in products for offer in client.offers(product).json()}
        )
        client.control(advance_ticks=1)

    pairs = list(itertools.pairwise(history))
    assert any(set(before) - set(after) for before, after in pairs), "no offer ever sold out"
    assert any(set(after) - set(before) for before, after in pairs), "no offer ever appeared"
    assert any(
        before[offer]["price"] != after[offer]["price"]
        for before, after in pairs
        for offer in set(before) & set(after)
    ), "no price ever changed"


def test_offers_do_not_change_within_a_tick_or_when_ticks_are_off(client: Client) -> None:
    product_id = client.new_product()

    first = client.offers(product_id).json()

    assert client.offers(product_id).json() == first


def test_offers_tick_with_time(start: Callable[..., Client]) -> None:
    client = start(tick_seconds=0.3)
    client.auth()
    products = [client.new_product() for _ in range(5)]
    before = [client.offers(product).json() for product in products]

    time.sleep(0.7)

    assert [client.offers(product).json() for product in products] != before
    assert client.stats()["tick"] >= 2


def test_the_same_seed_gives_the_same_offers(start: Callable[..., Client]) -> None:
    product_id = str(uuid.uuid4())

    def history(client: Client) -> list[Any]:
        client.auth()
        client.register({"id": product_id, "name": "n", "description": "d"})
        seen = []
        for _ in range(4):
            seen.append(client.offers(product_id).json())
            client.control(advance_ticks=1)
        return seen

    assert history(start(seed=7)) == history(start(seed=7))
    assert history(start(seed=7)) != history(start(seed=8))


def test_registrations_survive_a_restart_with_a_state_file(
    start: Callable[..., Client], tmp_path: Any
) -> None:
    state = tmp_path / "registrations.json"
    first = start(state_file=state)
    first.auth()
    product_id = first.new_product()

    second = start(state_file=state)
    second.auth()

    assert second.offers(product_id).status_code == 200


# Faults


def test_latency_delays_every_answer(client: Client) -> None:
    product_id = client.new_product()
    client.control(latency_ms=150)

    started = time.monotonic()
    client.offers(product_id)

    assert time.monotonic() - started >= 0.15


def test_5xx(client: Client) -> None:
    product_id = client.new_product()
    client.control(failure="5xx", failure_status=503)

    response = client.session.get(client.url + OFFERS.format(product_id=product_id), timeout=5)

    assert response.status_code == 503
    assert client.stats()["faults"] == 1


def test_timeout_holds_the_answer_beyond_the_read_timeout(client: Client) -> None:
    product_id = client.new_product()
    client.control(failure="timeout", hang_seconds=2)

    with pytest.raises(requests.ReadTimeout):
        client.session.get(client.url + OFFERS.format(product_id=product_id), timeout=(1, 0.3))


def test_malformed_json(client: Client) -> None:
    product_id = client.new_product()
    client.control(failure="malformed")

    response = client.session.get(client.url + OFFERS.format(product_id=product_id), timeout=5)

    assert response.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        response.json()


def test_schema_breaking_json(client: Client) -> None:
    product_id = client.new_product()
    client.control(failure="schema")

    response = client.session.get(client.url + OFFERS.format(product_id=product_id), timeout=5)

    assert response.status_code == 200
    assert response.json()[0]["id"] == 42


def test_down_resets_the_connection(client: Client) -> None:
    product_id = client.new_product()
    client.control(failure="down")

    with pytest.raises(requests.ConnectionError):
        client.session.get(client.url + OFFERS.format(product_id=product_id), timeout=5)


def test_a_stopped_service_refuses_connections(client: Client) -> None:
    client.server.stop()

    with pytest.raises(requests.ConnectionError):
        requests.post(client.url + AUTH, headers={"Bearer": REFRESH}, timeout=5)


def test_401_mid_cycle_revokes_the_token_and_a_new_one_may_be_requested(client: Client) -> None:
    product_id = client.new_product()
    client.control(failure="401")

    assert client.offers(product_id).status_code == 401
    client.control(failure=None)
    assert client.offers(product_id).status_code == 401  # the old token is gone
    assert client.auth().status_code == 201  # not an early request: no valid token exists
    assert client.offers(product_id).status_code == 200


def test_revoke_token_control(client: Client) -> None:
    product_id = client.new_product()

    client.control(revoke_token=True)

    assert client.offers(product_id).status_code == 401
    assert client.auth().status_code == 201


def test_faults_can_hit_only_some_products(client: Client) -> None:
    healthy, failing = client.new_product(), client.new_product()
    client.control(failure="5xx", only_products=[failing])

    assert client.offers(healthy).status_code == 200
    assert client.session.get(client.url + OFFERS.format(product_id=failing), timeout=5).status_code == 500
    assert client.auth().status_code == 400  # auth is not hit: the token is still valid


def test_forgetting_a_product_makes_it_404(client: Client) -> None:
    kept, forgotten = client.new_product(), client.new_product()

    client.control(forget_products=[forgotten])

    assert client.offers(forgotten).status_code == 404
    assert client.offers(kept).status_code == 200


def test_a_failure_rate_fails_about_that_share_of_calls(client: Client) -> None:
    product_id = client.new_product()
    client.control(failure="5xx", failure_rate=0.5)

    url = client.url + OFFERS.format(product_id=product_id)
    statuses = [
        client.session.get(url, headers=client.headers("current"), timeout=5).status_code for _ in range(100)
    ]

    assert 25 <= statuses.count(500) <= 75
    assert statuses.count(500) + statuses.count(200) == 100


def test_reset_restores_the_start_faults_and_stats_count_calls(start: Callable[..., Client]) -> None:
    client = start(faults=Faults(latency_ms=5))
    client.auth()
    product_id = client.new_product()
    client.control(failure="5xx", latency_ms=0)

    configuration = client.control(reset=True)
    client.offers(product_id)

    assert configuration["failure"] is None
    assert configuration["latency_ms"] == 5
    stats = client.stats()
    assert (stats["auth"], stats["register"], stats["offers"], stats["products"]) == (1, 1, 1, 1)
    assert stats["statuses"] == {"201": 2, "200": 1}
    client.control(reset_stats=True)
    assert client.stats()["offers"] == 0


def test_a_bad_control_request_is_400(client: Client) -> None:
    response = client.session.post(f"{client.url}/_control", json={"failure": "gremlins"}, timeout=5)

    assert response.status_code == 400
    assert "failure" in response.json()["detail"]


def test_it_runs_standalone_with_faults_from_the_command_line() -> None:
    (port,) = free_ports(1)
    command = [sys.executable, "-m", "infra.local.offers_service", "--port", str(port), "--failure", "5xx"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        assert f"http://127.0.0.1:{port}" in process.stdout.readline()
        response = requests.post(f"http://127.0.0.1:{port}{AUTH}", headers={"Bearer": "x"}, timeout=5)
        assert response.status_code == 500
    finally:
        process.terminate()
        process.wait(10)
