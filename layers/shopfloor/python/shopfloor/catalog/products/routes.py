"""HTTP routes of the product catalogue: parse, call the service, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shopfloor.catalog.products.schemas import Product, ProductIn, ProductPatch
from shopfloor.catalog.products.service import ProductService
from shopfloor.catalog.wiring import product_service
from shopfloor.platform import errors
from shopfloor.platform.http import created_response, found, no_content, page_response, parse_id
from shopfloor.platform.openapi import BODY_ERRORS, LOCATION, NEXT_PAGE, answers
from shopfloor.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = APIGatewayHttpRouter()

Products = Annotated[ProductService, Depends(product_service)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Products per page.")]
Cursor = Annotated[str | None, Query(description="Opaque cursor from the previous page's Link header.")]


@router.get(
    "/products",
    summary="List products",
    tags=["products"],
    responses=answers(
        200, list[Product], description="A page of products.", headers=NEXT_PAGE, errors=(400, 422)
    ),
)
def list_products(products: Products, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Response[Any]:
    page = products.list(limit, cursor)
    body = [product.model_dump() for product in page.items]
    return page_response(router.current_event, body, page.next_cursor, {"limit": str(limit)})


@router.post(
    "/products",
    summary="Create a product",
    description="The product is registered with the offers service first; if that fails the answer "
    'is 503 `{"message": "Call to external service failed."}` and nothing is stored.',
    tags=["products"],
    responses=answers(
        201,
        Product,
        description="The product, registered with the offers service.",
        headers=LOCATION,
        errors=(*BODY_ERRORS, 503),
        error_descriptions={503: "The offers service could not register the product: nothing is stored."},
    ),
)
def create_product(product: ProductIn, products: Products) -> Response[Any]:
    created = products.create(product)
    return created_response(router.current_event, f"/products/{created.id}", created.model_dump())


@router.get(
    "/products/<id>",
    summary="Get a product",
    tags=["products"],
    responses=answers(200, Product, description="The product.", errors=(404,)),
)
def get_product(id: str, products: Products) -> Product:
    return found(products.get(parse_id(id)))


@router.patch(
    "/products/<id>",
    summary="Update some fields of a product",
    tags=["products"],
    responses=answers(200, Product, description="The product as updated.", errors=(*BODY_ERRORS, 404)),
)
def patch_product(id: str, patch: ProductPatch, products: Products) -> Product:
    product_id = parse_id(id)
    if not patch.model_fields_set:
        raise errors.NoInputError()
    return found(products.patch(product_id, patch))


@router.put(
    "/products/<id>",
    summary="Replace a product",
    tags=["products"],
    responses=answers(200, Product, description="The product as replaced.", errors=(*BODY_ERRORS, 404)),
)
def replace_product(id: str, product: ProductIn, products: Products) -> Product:
    return found(products.replace(parse_id(id), product))


@router.delete(
    "/products/<id>",
    summary="Delete a product",
    tags=["products"],
    responses=answers(204, description="Deleted, with its offers and history.", errors=(404,)),
)
def delete_product(id: str, products: Products) -> Response[Any]:
    if not products.delete(parse_id(id)):
        raise errors.NotFoundError()
    return no_content()
