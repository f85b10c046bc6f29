"""inventory: how many of each product are on the shelf, and how many are promised to orders."""

from fastapi import APIRouter
from pydantic import BaseModel

import db
from tracing import traced

router = APIRouter()


@traced
def available(product_ids: list[int]) -> dict[int, int]:
    rows = db.query("select product_id, on_hand - reserved as free from stock")
    free = {r["product_id"]: r["free"] for r in rows}
    return {pid: free.get(pid, 0) for pid in product_ids}


@traced
def reserve(lines: list[dict]) -> None:
    for line in lines:
        db.execute("update stock set reserved = reserved + ? where product_id = ?", line["qty"], line["product_id"])


@traced
def release(lines: list[dict]) -> None:
    for line in lines:
        db.execute("update stock set reserved = reserved - ? where product_id = ?", line["qty"], line["product_id"])


@traced
def commit(lines: list[dict]) -> None:
    """The goods leave the warehouse: fewer on hand, fewer reserved."""
    for line in lines:
        db.execute(
            "update stock set on_hand = on_hand - ?, reserved = reserved - ? where product_id = ?",
            line["qty"],
            line["qty"],
            line["product_id"],
        )


@traced
def restock(product_id: int, qty: int) -> dict:
    db.execute("update stock set on_hand = on_hand + ? where product_id = ?", qty, product_id)
    return {"product_id": product_id, "free": available([product_id])[product_id]}


class Restock(BaseModel):
    qty: int


@router.post("/inventory/{product_id}/restock")
async def restock_route(product_id: int, body: Restock) -> dict:
    return restock(product_id, body.qty)
