"""The shop context's composition root: what its functions need, built once per container.

Imports of boto3, pynamodb and the table models are deferred into the builders: the docs function
imports the routes only to describe them and must not load them. Each handler calls its builder
during its init phase, so the first request does not pay for it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopfloor.shop.auth.service import Accounts
    from shopfloor.shop.menu.service import MenuService
    from shopfloor.shop.notifier.notifier import Notifier
    from shopfloor.shop.order_events.publisher import OrderEventPublisher
    from shopfloor.shop.orders.service import OrderService

MENU_SEQUENCE = "menu"
ORDER_SEQUENCE = "orders"


@cache
def accounts() -> Accounts:
    from shopfloor.platform import aws
    from shopfloor.shop.auth.cognito import CognitoDirectory
    from shopfloor.shop.auth.service import Accounts
    from shopfloor.shop.settings import AuthSettings

    settings = AuthSettings.from_environ()
    return Accounts(CognitoDirectory(aws.client("cognito-idp"), settings.user_pool_id, settings.client_id))


@cache
def menu_service() -> MenuService:
    from shopfloor.platform.ids import IdAllocator, SequenceModel
    from shopfloor.platform.tables import bind, shared_connection
    from shopfloor.shop.menu.dynamodb import DynamoMenuRepository
    from shopfloor.shop.menu.models import MenuItemModel
    from shopfloor.shop.menu.service import MenuService
    from shopfloor.shop.settings import MenuSettings

    settings = MenuSettings.from_environ()
    # Products and variations draw their ids from one sequence.
    ids = IdAllocator(bind(SequenceModel, settings.ids_table_name), MENU_SEQUENCE, settings.id_block_size)
    repository = DynamoMenuRepository(bind(MenuItemModel, settings.menu_table_name), shared_connection())
    return MenuService(repository, ids.next_id, view_max_bytes=settings.view_max_bytes)


@cache
def order_service() -> OrderService:
    from datetime import timedelta

    from shopfloor.platform.idempotency_records import IdempotencyRecordModel, IdempotencyRecords
    from shopfloor.platform.ids import IdAllocator, SequenceModel
    from shopfloor.platform.tables import bind, shared_connection
    from shopfloor.shop.menu.models import MenuItemModel
    from shopfloor.shop.orders.dynamodb import DynamoOrderRepository, menu_reader
    from shopfloor.shop.orders.models import OrderModel
    from shopfloor.shop.orders.service import OrderService
    from shopfloor.shop.settings import OrdersSettings

    settings = OrdersSettings.from_environ()
    ids = IdAllocator(bind(SequenceModel, settings.ids_table_name), ORDER_SEQUENCE, settings.id_block_size)
    repository = DynamoOrderRepository(
        bind(OrderModel, settings.orders_table_name),
        IdempotencyRecords(bind(IdempotencyRecordModel, settings.idempotency_table_name)),
        shared_connection(),
    )
    return OrderService(
        repository,
        menu_reader(bind(MenuItemModel, settings.menu_table_name)),
        ids.next_id,
        idempotency_ttl=timedelta(seconds=settings.idempotency_ttl_seconds),
    )


@cache
def publisher() -> OrderEventPublisher:
    from shopfloor.platform import aws
    from shopfloor.shop.order_events.publisher import OrderEventPublisher
    from shopfloor.shop.settings import OrderEventsSettings

    settings = OrderEventsSettings.from_environ()
    return OrderEventPublisher(aws.client("events"), settings.event_bus_name)


# What one e-mail may take at worst: SES's timeouts and retry, and the claim's write and release.
EMAIL_TIME_MARGIN_MS = 2_000


@cache
def notifier() -> Notifier:
    from datetime import timedelta

    from shopfloor.platform import aws
    from shopfloor.platform.clock import utc_now
    from shopfloor.shop.notifier.notifier import Notifier
    from shopfloor.shop.notifier.sent_emails import SentEmails
    from shopfloor.shop.notifier.ses import SesMailer
    from shopfloor.shop.settings import NotifierSettings

    settings = NotifierSettings.from_environ()
    sent = SentEmails(
        aws.client("dynamodb"),
        settings.sent_emails_table_name,
        retention=timedelta(days=settings.sent_emails_ttl_days),
    )
    return Notifier(
        sent,
        SesMailer(aws.client("sesv2"), settings.sender),
        settings.shop_email,
        utc_now,
        time_per_email_ms=aws.SES_WORST_CASE_MS + EMAIL_TIME_MARGIN_MS,
    )
