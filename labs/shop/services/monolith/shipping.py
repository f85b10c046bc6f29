"""shipping: getting the goods to the customer's door."""

from fastapi import APIRouter, HTTPException

import customer
import db
import inventory
import order
from tracing import traced

router = APIRouter()


@traced
def create(order_id: int, customer_id: str) -> None:
    address = customer.address_of(customer_id)
    db.execute("insert into shipments values (?, ?, ?, 'waiting')", order_id, address["street"], address["city"])


@traced
def dispatch(order_id: int) -> dict:
    found = db.query("select status from shipments where order_id = ?", order_id)
    if not found or found[0]["status"] != "waiting":
        raise HTTPException(409, "nothing to dispatch")
    # Another shortcut: the packing list comes straight from the order's table.
    lines = db.query("select product_id, qty from order_lines where order_id = ?", order_id)
    inventory.commit(lines)
    db.execute("update shipments set status = 'on its way' where order_id = ?", order_id)
    order.mark_shipped(order_id)
    return track(order_id)


@traced
def track(order_id: int) -> dict:
    found = db.query("select street, city, status from shipments where order_id = ?", order_id)
    if not found:
        raise HTTPException(404, "no such shipment")
    return {**found[0], "order": order.status(order_id)["status"]}


@traced
def cancel(order_id: int) -> None:
    db.execute("update shipments set status = 'cancelled' where order_id = ?", order_id)


@router.post("/shipments/{order_id}/dispatch")
async def dispatch_route(order_id: int) -> dict:
    return dispatch(order_id)


@router.get("/shipments/{order_id}")
async def track_route(order_id: int) -> dict:
    return track(order_id)
