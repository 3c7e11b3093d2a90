"""HTTP routes of the `menu` function: anyone reads the menu; managers change it."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shopfloor.platform import errors
from shopfloor.platform.http import created_response, found, json_response, no_content, parse_id
from shopfloor.platform.openapi import (
    BODY_ERRORS,
    FORBIDDEN,
    INVALID,
    LOCATION,
    NOT_FOUND,
    SIGNED_IN,
    UNAUTHORIZED,
    UNAVAILABLE,
    answers,
)
from shopfloor.shop.callers import Role, caller_of, only, require
from shopfloor.shop.menu.schemas import (
    MenuProduct,
    MenuProductIn,
    MenuProductPatch,
    Variation,
    VariationIn,
    VariationPatch,
)
from shopfloor.shop.menu.service import MenuService
from shopfloor.shop.wiring import menu_service

router = APIGatewayHttpRouter()

# A product or a variation is a few bounded fields: well under the default limit.
MAX_BODY_BYTES = 16 * 1024
BODY_LIMITS = {
    "POST /menu/products": MAX_BODY_BYTES,
    "PATCH /menu/products/{id}": MAX_BODY_BYTES,
    "POST /menu/products/{id}/variations": MAX_BODY_BYTES,
    "PATCH /menu/products/{id}/variations/{vid}": MAX_BODY_BYTES,
}
# Every write is a manager's: anyone else hears 403 before the body is read.
GUARDS = {
    route: only(Role.MANAGER)
    for route in (
        "POST /menu/products",
        "PATCH /menu/products/{id}",
        "DELETE /menu/products/{id}",
        "POST /menu/products/{id}/variations",
        "PATCH /menu/products/{id}/variations/{vid}",
        "DELETE /menu/products/{id}/variations/{vid}",
    )
}
TAGS = ["menu"]
MANAGERS_ONLY = (UNAUTHORIZED, FORBIDDEN, UNAVAILABLE)
WRITE_ERRORS = {
    UNAUTHORIZED: "No token, or one that is refused.",
    FORBIDDEN: "The caller is not a manager.",
    INVALID: 'Fields that are refused, or `{"message": ["menu: ..."]}` when the menu would grow too large '
    "to serve in one piece: nothing is changed.",
    UNAVAILABLE: "Other changes to the menu kept coming first; retry.",
}
NOT_FOUND_DESCRIPTION = "No such product (or it is deleted), or an id that is not a positive integer."
VARIATION_NOT_FOUND = (
    "No such product or variation (or it is deleted, or the variation is another product's), or an "
    "id that is not a positive integer."
)

Menu = Annotated[MenuService, Depends(menu_service)]


def _as_manager() -> None:
    require(caller_of(router.current_event), Role.MANAGER)


@router.get(
    "/menu",
    summary="The menu",
    description="The products not deleted, ordered by name, each with its variations not deleted "
    "in the order they were added. A line's unit price is the product's price plus its variation's "
    "change. Reflects every change answered before it.",
    tags=TAGS,
    responses=answers(200, list[MenuProduct], description="The menu."),
)
def get_menu(menu: Menu) -> Response[Any]:
    return json_response(200, [product.model_dump(mode="json") for product in menu.menu()])


@router.post(
    "/menu/products",
    summary="Add a product to the menu",
    description="Managers only. The product has no variations yet.",
    tags=TAGS,
    security=SIGNED_IN,
    responses=answers(
        201,
        MenuProduct,
        description="The product.",
        headers=LOCATION,
        errors=(*BODY_ERRORS, *MANAGERS_ONLY),
        error_descriptions=WRITE_ERRORS,
    ),
)
def create_product(product: MenuProductIn, menu: Menu) -> Response[Any]:
    _as_manager()
    created = menu.create_product(product)
    return created_response(
        router.current_event, f"/menu/products/{created.id}", created.model_dump(mode="json")
    )


@router.patch(
    "/menu/products/<id>",
    summary="Change some fields of a product",
    description="Managers only. Only the fields sent change; `description: null` clears the description.",
    tags=TAGS,
    security=SIGNED_IN,
    responses=answers(
        200,
        MenuProduct,
        description="The product as changed.",
        errors=(*BODY_ERRORS, *MANAGERS_ONLY, NOT_FOUND),
        error_descriptions={**WRITE_ERRORS, NOT_FOUND: NOT_FOUND_DESCRIPTION},
    ),
)
def patch_product(id: str, patch: MenuProductPatch, menu: Menu) -> Response[Any]:
    _as_manager()
    product_id = parse_id(id)
    if not patch.model_fields_set:
        raise errors.NoInputError()
    changed = found(menu.patch_product(product_id, patch))
    return json_response(200, changed.model_dump(mode="json"))


@router.delete(
    "/menu/products/<id>",
    summary="Take a product off the menu",
    description="Managers only. The product and its variations leave the menu and can no longer be "
    "ordered; orders that name them keep them.",
    tags=TAGS,
    security=SIGNED_IN,
    responses=answers(
        204,
        description="Taken off the menu.",
        errors=(*MANAGERS_ONLY, NOT_FOUND),
        error_descriptions={**WRITE_ERRORS, NOT_FOUND: NOT_FOUND_DESCRIPTION},
    ),
)
def delete_product(id: str, menu: Menu) -> Response[Any]:
    _as_manager()
    if not menu.delete_product(parse_id(id)):
        raise errors.NotFoundError()
    return no_content()


@router.post(
    "/menu/products/<id>/variations",
    summary="Add a variation to a product",
    description="Managers only. The variation's price is the product's price plus `price_change`.",
    tags=TAGS,
    security=SIGNED_IN,
    responses=answers(
        201,
        Variation,
        description="The variation.",
        headers=LOCATION,
        errors=(*BODY_ERRORS, *MANAGERS_ONLY, NOT_FOUND),
        error_descriptions={**WRITE_ERRORS, NOT_FOUND: NOT_FOUND_DESCRIPTION},
    ),
)
def add_variation(id: str, variation: VariationIn, menu: Menu) -> Response[Any]:
    _as_manager()
    product_id = parse_id(id)
    added = found(menu.add_variation(product_id, variation))
    return created_response(
        router.current_event,
        f"/menu/products/{product_id}/variations/{added.id}",
        added.model_dump(mode="json"),
    )


@router.patch(
    "/menu/products/<id>/variations/<vid>",
    summary="Change some fields of a variation",
    description="Managers only. Only the fields sent change.",
    tags=TAGS,
    security=SIGNED_IN,
    responses=answers(
        200,
        Variation,
        description="The variation as changed.",
        errors=(*BODY_ERRORS, *MANAGERS_ONLY, NOT_FOUND),
        error_descriptions={**WRITE_ERRORS, NOT_FOUND: VARIATION_NOT_FOUND},
    ),
)
def patch_variation(id: str, vid: str, patch: VariationPatch, menu: Menu) -> Response[Any]:
    _as_manager()
    product_id, variation_id = parse_id(id), parse_id(vid)
    if not patch.model_fields_set:
        raise errors.NoInputError()
    changed = found(menu.patch_variation(product_id, variation_id, patch))
    return json_response(200, changed.model_dump(mode="json"))


@router.delete(
    "/menu/products/<id>/variations/<vid>",
    summary="Take a variation off the menu",
    description="Managers only. The variation leaves the menu and can no longer be ordered; orders "
    "that name it keep it.",
    tags=TAGS,
    security=SIGNED_IN,
    responses=answers(
        204,
        description="Taken off the menu.",
        errors=(*MANAGERS_ONLY, NOT_FOUND),
        error_descriptions={**WRITE_ERRORS, NOT_FOUND: VARIATION_NOT_FOUND},
    ),
)
def delete_variation(id: str, vid: str, menu: Menu) -> Response[Any]:
    _as_manager()
    if not menu.delete_variation(parse_id(id), parse_id(vid)):
        raise errors.NotFoundError()
    return no_content()
