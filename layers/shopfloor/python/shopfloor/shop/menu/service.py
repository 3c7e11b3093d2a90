"""Menu logic: each write changes one product and, with it, the precomputed view of the whole menu.

A write reads the view (and the product as kept), computes both anew and stores them together, on
condition that the view is still the one it read. A write that lost a race with another manager's
reads the new view and tries again; the view's size is checked on every write that grows it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from shopfloor.platform.clock import iso, utc_now
from shopfloor.shop.menu.errors import MenuBusyError, MenuTooLargeError
from shopfloor.shop.menu.schemas import (
    MenuProduct,
    MenuProductIn,
    MenuProductPatch,
    MenuView,
    Variation,
    VariationIn,
    VariationPatch,
)

# Attempts at a write whose view changed under it before the client is answered 503: enough for
# the few managers who edit a coffee shop's menu at once.
MAX_WRITE_ATTEMPTS = 5


class VariationRecord(BaseModel):
    """A variation as kept: `deleted_at` once deleted (it stays, for the orders that name it)."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    price_change: Decimal
    deleted_at: str | None = None


class ProductRecord(BaseModel):
    """A product as kept: every variation it ever had, in the order they were added, deleted ones
    marked; `deleted_at` once the product is deleted."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    description: str | None
    price: Decimal
    variations: tuple[VariationRecord, ...] = ()
    deleted_at: str | None = None

    def served(self) -> MenuProduct:
        """The product as the menu shows it: with its variations not deleted."""
        return MenuProduct(
            id=self.id,
            name=self.name,
            description=self.description,
            price=self.price,
            variations=[served(variation) for variation in self.variations if variation.deleted_at is None],
        )

    def variation(self, variation_id: int) -> VariationRecord | None:
        """The variation of this product with that id, unless deleted."""
        return next(
            (v for v in self.variations if v.id == variation_id and v.deleted_at is None),
            None,
        )

    def with_variation(self, changed: VariationRecord) -> ProductRecord:
        """This product with `changed` in place of the variation with its id, or added last."""
        kept = [changed if v.id == changed.id else v for v in self.variations]
        if all(v.id != changed.id for v in self.variations):
            kept.append(changed)
        return self.model_copy(update={"variations": tuple(kept)})


def served(variation: VariationRecord) -> Variation:
    return Variation(id=variation.id, name=variation.name, price_change=variation.price_change)


@dataclass(frozen=True)
class VersionedView:
    """The view as read, and the version its replacement is conditional on (0: none stored yet)."""

    view: MenuView
    version: int


class MenuRepository(Protocol):
    def view(self) -> VersionedView:
        """The view, read consistently: a read right after a write sees it."""
        ...

    def product(self, product_id: int) -> ProductRecord | None:
        """The product as kept, deleted or not, read consistently; None if it never existed."""
        ...

    def save(self, product: ProductRecord, view: MenuView, read_version: int) -> bool:
        """Stores the product and the view together (one transaction), unless the view is no longer
        at `read_version`: False then, and nothing is stored."""
        ...


class MenuService:
    def __init__(
        self,
        repository: MenuRepository,
        next_id: Callable[[], int],
        *,
        view_max_bytes: int,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._next_id = next_id
        self._view_max_bytes = view_max_bytes
        self._now = now

    def menu(self) -> tuple[MenuProduct, ...]:
        return self._repository.view().view.products

    def create_product(self, data: MenuProductIn) -> MenuProduct:
        product = ProductRecord(
            id=self._next_id(), name=data.name, description=data.description, price=data.price
        )
        for _ in range(MAX_WRITE_ATTEMPTS):
            if self._save(self._repository.view(), product):
                return product.served()
        raise MenuBusyError()

    def patch_product(self, product_id: int, patch: MenuProductPatch) -> MenuProduct | None:
        changes = patch.model_dump(include=patch.model_fields_set)
        changed = self._change(product_id, lambda product: product.model_copy(update=changes))
        return None if changed is None else changed.served()

    def delete_product(self, product_id: int) -> bool:
        deleted = {"deleted_at": iso(self._now())}
        return self._change(product_id, lambda product: product.model_copy(update=deleted)) is not None

    def add_variation(self, product_id: int, data: VariationIn) -> Variation | None:
        variation = VariationRecord(id=self._next_id(), name=data.name, price_change=data.price_change)
        changed = self._change(product_id, lambda product: product.with_variation(variation))
        return None if changed is None else served(variation)

    def patch_variation(self, product_id: int, variation_id: int, patch: VariationPatch) -> Variation | None:
        changes = patch.model_dump(include=patch.model_fields_set)
        changed = self._change(product_id, lambda product: _changing(product, variation_id, changes))
        variation = None if changed is None else changed.variation(variation_id)
        return None if variation is None else served(variation)

    def delete_variation(self, product_id: int, variation_id: int) -> bool:
        deleted = {"deleted_at": iso(self._now())}
        return self._change(product_id, lambda product: _changing(product, variation_id, deleted)) is not None

    def _change(
        self, product_id: int, change: Callable[[ProductRecord], ProductRecord | None]
    ) -> ProductRecord | None:
        """The product as `change` leaves it, stored with the new view; None, and nothing stored,
        when the product is unknown or deleted or `change` finds nothing to change."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            # The view first: every write replaces it, so the product read after it is at least as
            # recent, and a write in between makes the conditional save fail (then both are re-read).
            current = self._repository.view()
            if current.view.product(product_id) is None:
                return None
            product = self._repository.product(product_id)
            if product is None or product.deleted_at is not None:
                return None
            changed = change(product)
            if changed is None:
                return None
            if self._save(current, changed):
                return changed
        raise MenuBusyError()

    def _save(self, current: VersionedView, product: ProductRecord) -> bool:
        """Stores the product with the view it makes; False when the view changed since it was read.
        A view larger than it may be is refused (422), unless the write shrinks it."""
        view = _with_product(current.view, product)
        size = view_size(view)
        if size > self._view_max_bytes and size > view_size(current.view):
            raise MenuTooLargeError(size, self._view_max_bytes)
        return self._repository.save(product, view, current.version)


def view_size(view: MenuView) -> int:
    """The bytes the view takes in its item, as stored."""
    return len(view.model_dump_json().encode("utf-8"))


def _with_product(view: MenuView, product: ProductRecord) -> MenuView:
    """The view with `product` as it now is: added, replaced, or gone once deleted; by name."""
    others = [served_product for served_product in view.products if served_product.id != product.id]
    if product.deleted_at is None:
        others.append(product.served())
    return MenuView(products=tuple(sorted(others, key=_by_name)))


def _by_name(product: MenuProduct) -> tuple[str, str, int]:
    # As a reader looks for it: "latte" between "Hot Chocolate" and "Tea"; ties in a fixed order.
    return (product.name.casefold(), product.name, product.id)


def _changing(
    product: ProductRecord, variation_id: int, changes: Mapping[str, object]
) -> ProductRecord | None:
    """The product with that variation changed; None when it has no such variation (or it is deleted)."""
    variation = product.variation(variation_id)
    if variation is None:
        return None
    return product.with_variation(variation.model_copy(update=dict(changes)))
