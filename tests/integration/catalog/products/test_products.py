"""The products API as a client sees it, through the local cloud."""

from __future__ import annotations

from typing import Any

import pytest
import requests

pytestmark = pytest.mark.integration

NO_INPUT = {"message": "No input data provided"}
NOT_FOUND = {"message": "Not found."}


@pytest.fixture
def product(http: requests.Session, base_url: str) -> dict[str, Any]:
    response = http.post(f"{base_url}/products", json={"name": "Kettle", "description": "Boils water"})
    assert response.status_code == 201
    created: dict[str, Any] = response.json()
    return created


def create(http: requests.Session, base_url: str, name: str) -> dict[str, Any]:
    response = http.post(f"{base_url}/products", json={"name": name})
    assert response.status_code == 201
    created: dict[str, Any] = response.json()
    return created


def validation_messages(response: requests.Response) -> list[str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"message"}
    assert isinstance(body["message"], list)
    return [str(message) for message in body["message"]]


# POST /products


def test_create_answers_201_with_the_product_and_its_location(http: requests.Session, base_url: str) -> None:
    response = http.post(f"{base_url}/products", json={"name": "Teapot", "description": "Brews tea"})

    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body == {"id": body["id"], "name": "Teapot", "description": "Brews tea"}
    assert isinstance(body["id"], int)
    assert body["id"] > 0
    assert response.headers["Location"] == f"{base_url}/products/{body['id']}"
    assert http.get(response.headers["Location"]).json() == body


def test_create_without_a_description_stores_null(http: requests.Session, base_url: str) -> None:
    response = http.post(f"{base_url}/products", json={"name": "Spoon"})

    assert response.status_code == 201
    assert response.json()["description"] is None


def test_create_ignores_unknown_fields(http: requests.Session, base_url: str) -> None:
    response = http.post(f"{base_url}/products", json={"name": "Fork", "colour": "silver", "id": 0})

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "name", "description"}
    assert body["id"] > 0


def test_created_products_get_distinct_ids(http: requests.Session, base_url: str) -> None:
    ids = [create(http, base_url, f"Plate {index}")["id"] for index in range(5)]

    assert len(set(ids)) == 5


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(None, None), ("", "application/json"), ("   ", "application/json"), ("{}", "application/json")],
    ids=["no body", "empty body", "blank body", "empty object"],
)
def test_create_without_input_is_400(
    http: requests.Session, base_url: str, data: str | None, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = http.post(f"{base_url}/products", data=data, headers=headers)

    assert response.status_code == 400
    assert response.json() == NO_INPUT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("[1]", "Request body must be a JSON object."),
        ('"x"', "Request body must be a JSON object."),
        ("42", "Request body must be a JSON object."),
        ("{not json", "Request body must be valid JSON."),
    ],
    ids=["array", "string", "number", "invalid JSON"],
)
def test_create_with_a_body_that_is_not_a_json_object_is_400(
    http: requests.Session, base_url: str, data: str, message: str
) -> None:
    response = http.post(f"{base_url}/products", data=data, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json() == {"message": message}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "no name"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 42}, "name"),
        ({"name": None}, "name"),
        ({"name": "Ok", "description": "x" * 2001}, "description"),
        ({"name": "Ok", "description": 7}, "description"),
    ],
    ids=[
        "missing name",
        "empty name",
        "blank name",
        "201-char name",
        "name not a string",
        "null name",
        "2001-char description",
        "description not a string",
    ],
)
def test_create_with_invalid_fields_is_422_naming_the_field(
    http: requests.Session, base_url: str, body: dict[str, Any], field: str
) -> None:
    response = http.post(f"{base_url}/products", json=body)

    messages = validation_messages(response)
    assert messages
    assert all(message.startswith(f"{field}: ") for message in messages), messages


def test_create_accepts_the_longest_name_and_description(http: requests.Session, base_url: str) -> None:
    response = http.post(f"{base_url}/products", json={"name": "n" * 200, "description": "d" * 2000})

    assert response.status_code == 201


# GET /products


def test_list_returns_an_array_of_products(
    http: requests.Session, base_url: str, product: dict[str, Any]
) -> None:
    response = http.get(f"{base_url}/products")

    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    assert product in body
    assert all(set(item) == {"id", "name", "description"} for item in body)


def test_paging_walks_every_product_exactly_once(http: requests.Session, base_url: str) -> None:
    created = {create(http, base_url, f"Paged {index}")["id"] for index in range(5)}
    seen: list[int] = []
    url: str | None = f"{base_url}/products?limit=2"
    last: requests.Response | None = None
    while url is not None:
        last = http.get(url)
        assert last.status_code == 200
        page = last.json()
        assert 1 <= len(page) <= 2
        seen += [item["id"] for item in page]
        url = last.links.get("next", {}).get("url")
        if url is not None:
            assert url.startswith(f"{base_url}/products?")
            assert "limit=2" in url

    assert last is not None
    assert "Link" not in last.headers
    assert len(seen) == len(set(seen))
    assert created <= set(seen)


@pytest.mark.parametrize("limit", ["0", "1001", "abc", "-1"])
def test_list_with_a_bad_limit_is_422(http: requests.Session, base_url: str, limit: str) -> None:
    response = http.get(f"{base_url}/products", params={"limit": limit})

    messages = validation_messages(response)
    assert all(message.startswith("limit: ") for message in messages), messages


@pytest.mark.parametrize("cursor", ["garbage", "eyJ4IjoxfQ", "!!!"])
def test_list_with_a_bad_cursor_is_400(http: requests.Session, base_url: str, cursor: str) -> None:
    response = http.get(f"{base_url}/products", params={"cursor": cursor})

    assert response.status_code == 400
    assert response.json() == {"message": "Invalid cursor."}


# GET /products/{id}


def test_get_returns_the_product(http: requests.Session, base_url: str, product: dict[str, Any]) -> None:
    response = http.get(f"{base_url}/products/{product['id']}")

    assert response.status_code == 200
    assert response.json() == product


@pytest.mark.parametrize("product_id", ["999999999", "0", "-1", "abc", "1.5", "01"])
def test_get_an_unknown_or_invalid_id_is_404(http: requests.Session, base_url: str, product_id: str) -> None:
    response = http.get(f"{base_url}/products/{product_id}")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# PATCH /products/{id}


def test_patch_changes_only_the_fields_sent(
    http: requests.Session, base_url: str, product: dict[str, Any]
) -> None:
    url = f"{base_url}/products/{product['id']}"

    response = http.patch(url, json={"name": "Electric kettle"})

    expected = {**product, "name": "Electric kettle"}
    assert response.status_code == 200
    assert response.json() == expected
    assert http.get(url).json() == expected


def test_patch_description_alone_keeps_the_name(
    http: requests.Session, base_url: str, product: dict[str, Any]
) -> None:
    response = http.patch(f"{base_url}/products/{product['id']}", json={"description": "Whistles"})

    assert response.status_code == 200
    assert response.json() == {**product, "description": "Whistles"}


def test_patch_description_null_clears_it(
    http: requests.Session, base_url: str, product: dict[str, Any]
) -> None:
    url = f"{base_url}/products/{product['id']}"

    response = http.patch(url, json={"description": None})

    assert response.status_code == 200
    assert response.json() == {**product, "description": None}
    assert http.get(url).json()["description"] is None


def test_patch_name_null_is_422(http: requests.Session, base_url: str, product: dict[str, Any]) -> None:
    response = http.patch(f"{base_url}/products/{product['id']}", json={"name": None})

    messages = validation_messages(response)
    assert all(message.startswith("name: ") for message in messages), messages


def test_patch_invalid_name_is_422(http: requests.Session, base_url: str, product: dict[str, Any]) -> None:
    response = http.patch(f"{base_url}/products/{product['id']}", json={"name": "x" * 201})

    assert validation_messages(response)


@pytest.mark.parametrize("data", [None, "", "{}"], ids=["no body", "empty body", "empty object"])
def test_patch_without_input_is_400(
    http: requests.Session, base_url: str, product: dict[str, Any], data: str | None
) -> None:
    response = http.patch(
        f"{base_url}/products/{product['id']}", data=data, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == NO_INPUT


def test_patch_an_unknown_product_is_404(http: requests.Session, base_url: str) -> None:
    response = http.patch(f"{base_url}/products/999999999", json={"name": "Ghost"})

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_patch_does_not_create_a_product(http: requests.Session, base_url: str) -> None:
    http.patch(f"{base_url}/products/999999998", json={"name": "Ghost"})

    assert http.get(f"{base_url}/products/999999998").status_code == 404


# PUT /products/{id}


def test_put_replaces_the_whole_product(
    http: requests.Session, base_url: str, product: dict[str, Any]
) -> None:
    url = f"{base_url}/products/{product['id']}"

    response = http.put(url, json={"name": "Samovar"})

    expected = {"id": product["id"], "name": "Samovar", "description": None}
    assert response.status_code == 200
    assert response.json() == expected
    assert http.get(url).json() == expected


def test_put_an_unknown_product_is_404(http: requests.Session, base_url: str) -> None:
    response = http.put(f"{base_url}/products/999999999", json={"name": "Ghost"})

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert http.get(f"{base_url}/products/999999999").status_code == 404


@pytest.mark.parametrize(
    "body", [{"description": "no name"}, {"name": ""}, {"name": None}], ids=["missing", "empty", "null"]
)
def test_put_with_invalid_fields_is_422(
    http: requests.Session, base_url: str, product: dict[str, Any], body: dict[str, Any]
) -> None:
    response = http.put(f"{base_url}/products/{product['id']}", json=body)

    messages = validation_messages(response)
    assert all(message.startswith("name: ") for message in messages), messages


def test_put_without_input_is_400(http: requests.Session, base_url: str, product: dict[str, Any]) -> None:
    response = http.put(f"{base_url}/products/{product['id']}")

    assert response.status_code == 400
    assert response.json() == NO_INPUT


# DELETE /products/{id}


def test_delete_answers_204_then_the_product_is_gone(
    http: requests.Session, base_url: str, product: dict[str, Any]
) -> None:
    url = f"{base_url}/products/{product['id']}"

    response = http.delete(url)

    assert response.status_code == 204
    assert response.content == b""
    assert http.get(url).status_code == 404
    second = http.delete(url)
    assert second.status_code == 404
    assert second.json() == NOT_FOUND


@pytest.mark.parametrize("product_id", ["999999999", "0", "abc"])
def test_delete_an_unknown_or_invalid_id_is_404(
    http: requests.Session, base_url: str, product_id: str
) -> None:
    response = http.delete(f"{base_url}/products/{product_id}")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# Every path also answers with a trailing slash


def test_every_products_route_answers_with_a_trailing_slash(http: requests.Session, base_url: str) -> None:
    created = http.post(f"{base_url}/products/", json={"name": "Slash"})
    assert created.status_code == 201
    url = f"{base_url}/products/{created.json()['id']}/"

    assert http.get(f"{base_url}/products/").status_code == 200
    assert http.get(url).json()["name"] == "Slash"
    assert http.patch(url, json={"description": "d"}).json()["description"] == "d"
    assert http.put(url, json={"name": "Slashed"}).json() == {
        "id": created.json()["id"],
        "name": "Slashed",
        "description": None,
    }
    assert http.delete(url).status_code == 204
    assert http.get(url).status_code == 404


def test_the_next_link_of_a_trailing_slash_list_is_usable(http: requests.Session, base_url: str) -> None:
    for index in range(2):
        create(http, base_url, f"Link {index}")

    response = http.get(f"{base_url}/products/?limit=1")

    assert response.status_code == 200
    next_url = response.links["next"]["url"]
    assert http.get(next_url).status_code == 200
