"""orders: who bought what. Reachable on the lab network only, as orders:8000."""

import socket
from collections import Counter

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel

ME = f"{socket.gethostname()}:8000"
app = FastAPI(title="orders")

ORDERS: list[dict] = [
    {"id": 1, "user": "alice", "product_id": 1, "quantity": 1},
    {"id": 2, "user": "alice", "product_id": 2, "quantity": 2},
    {"id": 3, "user": "bob", "product_id": 2, "quantity": 1},
    {"id": 4, "user": "carol", "product_id": 3, "quantity": 1},
]


class NewOrder(BaseModel):
    product_id: int
    quantity: int = 1


@app.middleware("http")
async def served_by(request: Request, call_next):
    response = await call_next(request)
    response.headers["X-Served-By"] = ME
    return response


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/mine")
def mine(request: Request) -> dict:
    user = request.headers.get("x-user")
    return {"user": user, "orders": [o for o in ORDERS if o["user"] == user]}


@app.post("/", status_code=201)
def place(body: NewOrder, request: Request) -> dict:
    user = request.headers.get("x-user")
    if not user:
        raise HTTPException(400, "who is ordering? (no X-User header)")
    order = {"id": len(ORDERS) + 1, "user": user, "product_id": body.product_id, "quantity": body.quantity}
    ORDERS.append(order)
    return order


@app.get("/stats/{product_id}")
def stats(product_id: int) -> dict:
    sold = Counter()
    for o in ORDERS:
        sold[o["product_id"]] += o["quantity"]
    return {"product_id": product_id, "units_sold": sold[product_id]}
