"""orders: takes orders, keeps them in order_db, and tells the world with an `order.placed` event.

The part that decides how an order and its event are stored and sent is outbox.py (the exercise).
"""

import json
import logging
import threading
import time
import uuid

import pymysql
from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

import outbox
from bus import publish
from db import connect

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
log = logging.getLogger("orders")
app = FastAPI(title="orders")


class Line(BaseModel):
    sku: str
    qty: int = Field(1, ge=1)


class NewOrder(BaseModel):
    id: str | None = None
    customer: str
    lines: list[Line]


def relay_forever() -> None:
    db = None
    while True:
        try:
            db = db or connect()
            db.ping(reconnect=True)
            outbox.relay_once(db, publish)
        except Exception as e:  # noqa: BLE001 (the relay must survive a broker or database outage)
            log.warning("relay: %s", e)
            try:
                if db is not None:
                    db.rollback()
            except Exception:  # noqa: BLE001
                db = None
            time.sleep(0.5)
        time.sleep(0.2)


@app.on_event("startup")
def start() -> None:
    connect().close()
    threading.Thread(target=relay_forever, daemon=True, name="relay").start()


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.post("/orders", status_code=201)
def place(new: NewOrder) -> dict:
    order = {"id": new.id or uuid.uuid4().hex[:12], "customer": new.customer, "lines": [ln.model_dump() for ln in new.lines]}
    db = connect()
    try:
        outbox.place_order(db, order, publish)
    except pymysql.err.IntegrityError:
        db.rollback()
        raise HTTPException(409, f"order {order['id']} exists already") from None
    except Exception as e:  # noqa: BLE001
        db.rollback()
        log.warning("placing order %s failed: %s", order["id"], e)
        return JSONResponse({"detail": f"could not place the order: {e}"}, status_code=503)
    finally:
        db.close()
    return order


@app.get("/orders")
def orders(customer: str = Query(...)) -> list[dict]:
    db = connect()
    try:
        with db.cursor() as cur:
            cur.execute("SELECT body FROM orders WHERE customer = %s ORDER BY created, id", (customer,))
            return [json.loads(b) for (b,) in cur.fetchall()]
    finally:
        db.close()


@app.get("/orders/{order_id}")
def one(order_id: str) -> dict:
    db = connect()
    try:
        with db.cursor() as cur:
            cur.execute("SELECT body FROM orders WHERE id = %s", (order_id,))
            row = cur.fetchone()
    finally:
        db.close()
    if row is None:
        raise HTTPException(404, f"no order {order_id!r}")
    return json.loads(row[0])
