"""The e-mails an order event gives: one to the customer on every event of their order, and one to
the shop's address for each order placed. Plain text, with the lines and the total."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from shopfloor.shop.order_events.events import DetailType, OrderEvent, OrderEventDetail
from shopfloor.shop.orders.flow import Status

CENT: Final = Decimal("0.01")
# How a status reads after "is now".
STATUS_WORDS: Final = {
    Status.WAITING: "waiting",
    Status.PREPARATION: "in preparation",
    Status.READY: "ready",
    Status.DELIVERED: "delivered",
    Status.CANCELLED: "cancelled",
}
SIGNATURE: Final = "Shopfloor coffee"


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def emails_for(event: OrderEvent, shop_address: str) -> list[Email]:
    """The customer's e-mail, then the shop's for an order placed."""
    emails = [customer_email(event)]
    if event.detail_type is DetailType.ORDER_PLACED:
        emails.append(shop_email(event, shop_address))
    return emails


def customer_email(event: OrderEvent) -> Email:
    detail = event.detail
    order = f"Order {detail.order_id}"
    now = STATUS_WORDS[detail.status]
    if event.detail_type is DetailType.ORDER_PLACED:
        subject = f"{order} placed: {now}"
        news = f"We have your order {detail.order_id}; it is {now} to be prepared."
    elif event.detail_type is DetailType.ORDER_CANCELLED:
        subject = f"{order} is cancelled"
        news = f"Your order {detail.order_id} is cancelled, as you asked."
    else:
        subject = f"{order} is now {now}"
        news = f"Your order {detail.order_id} is now {now}."
    if detail.previous_status is not None:
        news += f" (It was {STATUS_WORDS[detail.previous_status]}.)"
    return Email(to=detail.customer, subject=subject, body=_body("Hello,", news, detail))


def shop_email(event: OrderEvent, shop_address: str) -> Email:
    detail = event.detail
    items = sum(line.quantity for line in detail.lines)
    subject = f"New order {detail.order_id}: {items} item{'s' if items != 1 else ''}, {_money(detail.total)}"
    news = f"{detail.customer} placed order {detail.order_id}; it is waiting."
    return Email(to=shop_address, subject=subject, body=_body("Hello,", news, detail))


def _body(greeting: str, news: str, detail: OrderEventDetail) -> str:
    rows = [
        (f"{line.quantity} x {line.name}", f"at {_money(line.unit_price)}", _money(line.line_total))
        for line in detail.lines
    ]
    rows.append(("Total", "", _money(detail.total)))
    name_width = max(len(name) for name, _, _ in rows)
    price_width = max(len(price) for _, price, _ in rows)
    amount_width = max(len(amount) for _, _, amount in rows)
    table = "\n".join(
        f"  {name:<{name_width}}  {price:>{price_width}}  {amount:>{amount_width}}".rstrip()
        for name, price, amount in rows
    )
    return f"{greeting}\n\n{news}\nWhen: {detail.at}\n\n{table}\n\n{SIGNATURE}\n"


def _money(amount: Decimal) -> str:
    return str(amount.quantize(CENT))
