from __future__ import annotations

from itertools import count

import pytest

from shopfloor.catalog.errors import OffersServiceError
from shopfloor.catalog.products.schemas import ProductIn, ProductPatch
from shopfloor.catalog.products.service import ProductService
from tests.unit.catalog.fakes import FakeRegistrar, InMemoryProductRepository


@pytest.fixture
def repository() -> InMemoryProductRepository:
    return InMemoryProductRepository()


class RecordingCleanup:
    def __init__(self) -> None:
        self.deleted: list[int] = []

    def product_deleted(self, product_id: int) -> None:
        self.deleted.append(product_id)


@pytest.fixture
def registrar() -> FakeRegistrar:
    return FakeRegistrar()


@pytest.fixture
def cleanup() -> RecordingCleanup:
    return RecordingCleanup()


@pytest.fixture
def service(
    repository: InMemoryProductRepository, registrar: FakeRegistrar, cleanup: RecordingCleanup
) -> ProductService:
    return ProductService(repository, count(start=1).__next__, registrar, cleanup)


def test_create_registers_the_product_under_a_uuid_of_its_own(
    service: ProductService, registrar: FakeRegistrar
) -> None:
    service.create(ProductIn(name="Kettle", description="steel"))

    assert list(registrar.registered.values()) == [("Kettle", "steel")]


def test_create_stores_nothing_when_registration_fails(
    service: ProductService, registrar: FakeRegistrar, repository: InMemoryProductRepository
) -> None:
    registrar.failing = True

    with pytest.raises(OffersServiceError):
        service.create(ProductIn(name="Kettle"))

    assert repository.products == {}


def test_delete_hands_the_product_to_the_cleanup(service: ProductService, cleanup: RecordingCleanup) -> None:
    product = service.create(ProductIn(name="Kettle"))

    assert service.delete(product.id)
    assert not service.delete(product.id)
    assert cleanup.deleted == [product.id]


def test_create_gives_the_next_id_and_stores_the_product(
    service: ProductService, repository: InMemoryProductRepository
) -> None:
    first = service.create(ProductIn(name="Kettle"))
    second = service.create(ProductIn(name="Teapot", description="clay"))

    assert (first.id, second.id) == (1, 2)
    assert repository.products[2].description == "clay"


def test_create_strips_surrounding_whitespace_from_the_name(service: ProductService) -> None:
    assert service.create(ProductIn(name="  Kettle ")).name == "Kettle"


def test_patch_passes_only_the_fields_that_were_sent(service: ProductService) -> None:
    product = service.create(ProductIn(name="Kettle", description="steel"))

    patched = service.patch(product.id, ProductPatch.model_validate({"name": "Teapot"}))

    assert patched is not None
    assert (patched.name, patched.description) == ("Teapot", "steel")


def test_patch_with_an_explicit_null_description_clears_it(service: ProductService) -> None:
    product = service.create(ProductIn(name="Kettle", description="steel"))

    patched = service.patch(product.id, ProductPatch.model_validate({"description": None}))

    assert patched is not None
    assert patched.description is None


def test_replace_of_a_missing_product_creates_nothing(
    service: ProductService, repository: InMemoryProductRepository
) -> None:
    assert service.replace(9, ProductIn(name="ghost")) is None
    assert repository.products == {}


def test_replace_drops_an_absent_description(service: ProductService) -> None:
    product = service.create(ProductIn(name="Kettle", description="steel"))

    replaced = service.replace(product.id, ProductIn(name="Kettle"))

    assert replaced is not None
    assert replaced.description is None
