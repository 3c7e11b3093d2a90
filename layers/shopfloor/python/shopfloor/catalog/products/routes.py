"""HTTP routes of the product catalogue: parse, call the service, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from shopfloor.catalog.products.schemas import Product, ProductIn, ProductPatch
from shopfloor.catalog.products.service import ProductService
from shopfloor.catalog.wiring import product_service
from shopfloor.platform import errors
from shopfloor.platform.http import created_response, no_content, page_response, parse_id
from shopfloor.platform.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = APIGatewayRouter()

Products = Annotated[ProductService, Depends(product_service)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Products per page.")]
Cursor = Annotated[str | None, Query(description="Opaque cursor from the previous page's Link header.")]

NOT_FOUND_RESPONSE: dict[int, OpenAPIResponse] = {404: {"description": "No such product."}}


@router.get("/products", summary="List products", tags=["products"])
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
    responses={503: {"description": "The offers service could not register the product."}},
)
def create_product(product: ProductIn, products: Products) -> Response[Any]:
    created = products.create(product)
    return created_response(router.current_event, f"/products/{created.id}", created.model_dump())


@router.get("/products/<id>", summary="Get a product", tags=["products"], responses=NOT_FOUND_RESPONSE)
def get_product(id: str, products: Products) -> Product:
    product = products.get(parse_id(id))
    if product is None:
        raise errors.NotFoundError()
    return product


@router.patch("/products/<id>", summary="Update some fields of a product", tags=["products"])
def patch_product(id: str, patch: ProductPatch, products: Products) -> Product:
    product_id = parse_id(id)
    if not patch.model_fields_set:
        raise errors.NoInputError()
    product = products.patch(product_id, patch)
    if product is None:
        raise errors.NotFoundError()
    return product


@router.put("/products/<id>", summary="Replace a product", tags=["products"], responses=NOT_FOUND_RESPONSE)
def replace_product(id: str, product: ProductIn, products: Products) -> Product:
    replaced = products.replace(parse_id(id), product)
    if replaced is None:
        raise errors.NotFoundError()
    return replaced


@router.delete("/products/<id>", summary="Delete a product", tags=["products"], responses=NOT_FOUND_RESPONSE)
def delete_product(id: str, products: Products) -> Response[Any]:
    if not products.delete(parse_id(id)):
        raise errors.NotFoundError()
    return no_content()
