"""The shop's domain: products and their prices. No web framework here (the architecture rule says so)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    price_cents: int


PRODUCTS = {
    1: Product(1, "kettle", 2999),
    2: Product(2, "teapot", 1850),
    3: Product(3, "mug", 650),
}


def find(product_id: int) -> Product | None:
    return PRODUCTS.get(product_id)


def price_with_tax(product: Product, rate_percent: int = 20) -> int:
    """The price a customer pays, in cents, rounded half up."""
    return (product.price_cents * (100 + rate_percent) + 50) // 100
