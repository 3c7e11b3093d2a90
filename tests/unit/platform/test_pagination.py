from __future__ import annotations

import pytest

from shopfloor.platform.pagination import InvalidCursorError, decode_cursor, encode_cursor, next_link


def test_a_cursor_decodes_to_the_key_it_encodes() -> None:
    key = {"id": {"N": "42"}}

    assert decode_cursor(encode_cursor(key), ["id"]) == key


def test_a_cursor_may_hold_a_number_of_38_digits() -> None:
    key = {"id": {"N": "-000" + "9" * 38}}

    assert decode_cursor(encode_cursor(key), ["id"]) == key


def test_a_cursor_is_url_safe_and_unpadded() -> None:
    cursor = encode_cursor({"id": {"N": "123456789"}})

    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    "key",
    [
        {"other": {"N": "1"}},
        {"id": {"N": "1"}, "extra": {"S": "x"}},
        {"id": {"B": "AAAA"}},
        {"id": {"N": "1; DROP"}},
        {"id": {"N": 1}},
        {"id": "1"},
        {"id": {"N": "1" * 39}},
        {"id": {"N": "-"}},
        {"id": {"N": "\u0661\u0662"}},  # Arabic-Indic digits: str.isdigit, but not a DynamoDB number
    ],
)
def test_a_cursor_for_another_key_shape_is_refused(key: dict[str, object]) -> None:
    cursor = encode_cursor(key)  # type: ignore[arg-type]

    with pytest.raises(InvalidCursorError):
        decode_cursor(cursor, ["id"])


@pytest.mark.parametrize("cursor", ["", "%%%", "bm90IGpzb24", "W10"])
def test_a_cursor_that_is_not_ours_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursorError):
        decode_cursor(cursor, ["id"])


def test_next_link_keeps_the_query_and_adds_the_cursor() -> None:
    link = next_link("https://api.example.com/products", {"limit": "2"}, "abc")

    assert link == '<https://api.example.com/products?limit=2&cursor=abc>; rel="next"'
