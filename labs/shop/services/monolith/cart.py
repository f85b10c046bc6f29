"""cart: what a customer is about to buy."""

from fastapi import APIRouter
from pydantic import BaseModel

import catalog
import db
import inventory
from tracing import traced

router = APIRouter()


@traced
def add_item(customer_id: str, product_id: int, qty: int) -> dict:
    catalog.price_of(product_id)  # 404 for a product the shop does not sell
    if inventory.available([product_id])[product_id] < qty:
        return {"added": False, "reason": "not enough in stock"}
    db.execute(
        "insert into cart_items values (?, ?, ?) on conflict do update set qty = qty + excluded.qty",
        customer_id,
        product_id,
        qty,
    )
    return {"added": True}


@traced
def view(customer_id: str) -> dict:
    lines = db.query("select product_id, qty from cart_items where customer_id = ?", customer_id)
    priced = [{**line, "price": catalog.price_of(line["product_id"])} for line in lines]
    return {"items": priced, "total": sum(line["qty"] * line["price"] for line in priced)}


@traced
def clear(customer_id: str) -> None:
    db.execute("delete from cart_items where customer_id = ?", customer_id)


class Item(BaseModel):
    product_id: int
    qty: int = 1


@router.post("/carts/{customer_id}/items")
async def add_route(customer_id: str, body: Item) -> dict:
    return add_item(customer_id, body.product_id, body.qty)


@router.get("/carts/{customer_id}")
async def view_route(customer_id: str) -> dict:
    return view(customer_id)
