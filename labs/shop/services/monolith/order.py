"""order: turning a cart into an order, and following it until it is shipped."""

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

import cart
import catalog
import customer
import db
import inventory
import payment
import shipping
from tracing import traced

router = APIRouter()


@traced
def place(customer_id: str) -> dict:
    customer.get(customer_id)
    # A shortcut monoliths are full of: read the cart's table directly, it is right there.
    lines = db.query("select product_id, qty from cart_items where customer_id = ?", customer_id)
    if not lines:
        raise HTTPException(409, "the cart is empty")
    priced = [{**line, "price": catalog.price_of(line["product_id"])} for line in lines]
    inventory.reserve(priced)
    order_id = db.execute("insert into orders (customer_id, status) values (?, 'placed')", customer_id)
    for line in priced:
        db.execute("insert into order_lines values (?, ?, ?, ?)", order_id, line["product_id"], line["qty"], line["price"])
    cart.clear(customer_id)
    return {"order_id": order_id, "total": total(order_id)}


@traced
def total(order_id: int) -> float:
    return sum(r["qty"] * r["price"] for r in db.query("select qty, price from order_lines where order_id = ?", order_id))


@traced
def status(order_id: int) -> dict:
    found = db.query("select id, customer_id, status from orders where id = ?", order_id)
    if not found:
        raise HTTPException(404, "no such order")
    return found[0]


@traced
def pay(order_id: int) -> dict:
    order = status(order_id)
    if order["status"] != "placed":
        raise HTTPException(409, f"the order is {order['status']}")
    payment.charge(order_id, total(order_id))
    db.execute("update orders set status = 'paid' where id = ?", order_id)
    shipping.create(order_id, order["customer_id"])
    return status(order_id)


@traced
def mark_shipped(order_id: int) -> None:
    db.execute("update orders set status = 'shipped' where id = ?", order_id)


@traced
def cancel(order_id: int) -> dict:
    order = status(order_id)
    if order["status"] == "shipped":
        raise HTTPException(409, "the order has left the warehouse")
    if order["status"] == "paid":
        payment.refund(order_id)
        shipping.cancel(order_id)
    lines = db.query("select product_id, qty from order_lines where order_id = ?", order_id)
    inventory.release(lines)
    db.execute("update orders set status = 'cancelled' where id = ?", order_id)
    return status(order_id)


@traced
def history(customer_id: str) -> list[dict]:
    customer.get(customer_id)
    orders = db.query("select id, status from orders where customer_id = ? order by id", customer_id)
    for o in orders:
        lines = db.query("select product_id, qty from order_lines where order_id = ?", o["id"])
        o["lines"] = [{**line, "name": catalog.get_product(line["product_id"])["name"]} for line in lines]
    return orders


class NewOrder(BaseModel):
    customer_id: str


@router.post("/orders", status_code=201)
async def place_route(body: NewOrder) -> dict:
    return place(body.customer_id)


@router.post("/orders/{order_id}/pay")
async def pay_route(order_id: int) -> dict:
    return pay(order_id)


@router.post("/orders/{order_id}/cancel")
async def cancel_route(order_id: int) -> dict:
    return cancel(order_id)


@router.get("/customers/{customer_id}/orders")
async def history_route(customer_id: str) -> list[dict]:
    return history(customer_id)
