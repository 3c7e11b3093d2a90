"""Pricing an order's lines from the menu view: names and prices are copied onto the order when it
is placed, so a later change to the menu changes no order placed before it. Money stays Decimal."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from shopfloor.shop.menu.schemas import MenuProduct, MenuView
from shopfloor.shop.orders.errors import UnorderableLinesError
from shopfloor.shop.orders.schemas import LineIn, OrderLine

NO_SUCH_PRODUCT = "no such product on the menu"


def priced_lines(lines: Sequence[LineIn], menu: MenuView) -> list[OrderLine]:
    """Each line named and priced; UnorderableLinesError naming every line the menu cannot serve (a
    product or variation unknown or deleted, a variation of another product, a product with
    variations ordered without one, a variation for a product that has none)."""
    priced: list[OrderLine] = []
    problems: list[str] = []
    for position, line in enumerate(lines):
        product = menu.product(line.product_id)
        if product is None:
            problems.append(f"lines.{position}.product_id: {NO_SUCH_PRODUCT}")
            continue
        problem = _variation_problem(product, line.variation_id)
        if problem is not None:
            problems.append(f"lines.{position}.variation_id: {problem}")
            continue
        priced.append(_priced(product, line))
    if problems:
        raise UnorderableLinesError(problems)
    return priced


def order_total(lines: Sequence[OrderLine]) -> Decimal:
    return sum((line.line_total for line in lines), Decimal(0))


def _variation_problem(product: MenuProduct, variation_id: int | None) -> str | None:
    if variation_id is None:
        return (
            f"required: {product.name} is ordered with one of its variations" if product.variations else None
        )
    if not product.variations:
        return f"{product.name} has no variations"
    if all(variation.id != variation_id for variation in product.variations):
        return f"no such variation of {product.name} on the menu"
    return None


def _priced(product: MenuProduct, line: LineIn) -> OrderLine:
    name = product.name
    unit_price = product.price
    variation = next((found for found in product.variations if found.id == line.variation_id), None)
    if variation is not None:
        name = f"{product.name} ({variation.name})"
        unit_price = product.price + variation.price_change
    return OrderLine(
        product_id=product.id,
        variation_id=line.variation_id,
        name=name,
        unit_price=unit_price,
        quantity=line.quantity,
        line_total=unit_price * line.quantity,
    )
