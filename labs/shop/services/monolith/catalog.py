"""catalog: what the shop sells and at what price."""

from fastapi import APIRouter, HTTPException

import db
import inventory
from tracing import traced

router = APIRouter()


@traced
def list_products() -> list[dict]:
    products = db.query("select id, name, price from products order by id")
    in_stock = inventory.available([p["id"] for p in products])
    return [{**p, "in_stock": in_stock[p["id"]]} for p in products]


@traced
def get_product(product_id: int) -> dict:
    found = db.query("select id, name, price from products where id = ?", product_id)
    if not found:
        raise HTTPException(404, "no such product")
    return {**found[0], "in_stock": inventory.available([product_id])[product_id]}


@traced
def price_of(product_id: int) -> float:
    found = db.query("select price from products where id = ?", product_id)
    if not found:
        raise HTTPException(404, "no such product")
    return found[0]["price"]


@router.get("/catalog/products")
async def products_route() -> list[dict]:
    return list_products()


@router.get("/catalog/products/{product_id}")
async def product_route(product_id: int) -> dict:
    return get_product(product_id)
