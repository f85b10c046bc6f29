"""The inventory service: stock on hand, and one reservation per order (inventory_db).

  over HTTP (the REST chain):   POST /reserve, POST /release
  over RabbitMQ (the sagas):    commands cmd.inventory.reserve / cmd.inventory.release -> a reply on reply.orders
                                events evt.order.created, evt.payment.declined -> your choreography.on_event
                                (exercise 4) decides what inventory publishes

Idempotent by a natural key: an order has at most one reservation (order_id is the table's primary key). Asked to
reserve for the same order again, inventory answers what it answered the first time and takes nothing more; asked
to release twice, it puts the goods back once. So a redelivered command or event has its effect once.
Every message is acknowledged after the commit and after the replies are published: a crash loses nothing.
"""

from __future__ import annotations

import contextlib

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

import choreography
from common import Consuming, Db, Publisher, log

db = Db("inventory", "inventory_db")
publisher = Publisher()
consuming: Consuming | None = None


class Stock:
    """What inventory can do, inside the current database transaction."""

    def __init__(self, conn) -> None:  # type: ignore[no-untyped-def]
        self.conn = conn

    def reserve(self, order_id: str, item: str, qty: int) -> tuple[bool, str]:
        with self.conn.cursor() as cur:
            cur.execute("SELECT state, item, qty FROM reservations WHERE order_id = %s FOR UPDATE", (order_id,))
            seen = cur.fetchone()
            if seen:  # asked before: the same answer, no second effect
                return (seen[0] != "rejected", "" if seen[0] != "rejected" else f"out of stock: {seen[2]} x {seen[1]}")
            cur.execute("SELECT on_hand FROM stock WHERE item = %s FOR UPDATE", (item,))
            row = cur.fetchone()
            ok = row is not None and row[0] >= int(qty)
            if ok:
                cur.execute("UPDATE stock SET on_hand = on_hand - %s WHERE item = %s", (int(qty), item))
            cur.execute(
                "INSERT INTO reservations (order_id, item, qty, state) VALUES (%s, %s, %s, %s)",
                (order_id, item, int(qty), "reserved" if ok else "rejected"),
            )
        left = row[0] if row else 0
        return ok, "" if ok else f"out of stock: {qty} x {item} wanted, {left} left"

    def release(self, order_id: str) -> bool:
        with self.conn.cursor() as cur:
            cur.execute("SELECT state, item, qty FROM reservations WHERE order_id = %s FOR UPDATE", (order_id,))
            seen = cur.fetchone()
            if not seen or seen[0] != "reserved":
                return False
            cur.execute("UPDATE reservations SET state = 'released' WHERE order_id = %s", (order_id,))
            cur.execute("UPDATE stock SET on_hand = on_hand + %s WHERE item = %s", (seen[2], seen[1]))
        return True


def in_transaction(work):  # type: ignore[no-untyped-def]
    conn = db.conn()
    try:
        out = work(Stock(conn))
        conn.commit()
        return out
    except BaseException:
        conn.rollback()
        raise


def on_command(body: dict, message) -> None:  # type: ignore[no-untyped-def]
    reply = {"msg_id": body["msg_id"] + ">r", "order_id": body["order_id"]}
    if body["step"] == "reserve":
        ok, reason = in_transaction(lambda s: s.reserve(body["order_id"], body["item"], body["qty"]))
        reply.update({"event": "reserved"} if ok else {"event": "out_of_stock", "reason": reason})
    else:
        in_transaction(lambda s: s.release(body["order_id"]))
        reply["event"] = "released"
    log.info("%s for order %s: %s", body["step"], body["order_id"], reply["event"])
    publisher.publish("reply.orders", reply)
    message.ack()


def on_event(body: dict, message) -> None:  # type: ignore[no-untyped-def]
    kind = message.delivery_info["routing_key"].removeprefix("evt.")
    try:
        out = in_transaction(lambda s: choreography.on_event(kind, dict(body), s)) or []
    except Exception as e:  # the learner's code: say what broke, drop this event, go on with the next one
        log.error("choreography.on_event(%r, ...) raised %s: %s", kind, type(e).__name__, e)
        out = []
    for new_kind, new_body in out:
        new_body = {"order_id": body.get("order_id"), **dict(new_body), "msg_id": f"{body.get('msg_id')}>{new_kind}"}
        log.info("%s for order %s -> %s", kind, body.get("order_id"), new_kind)
        publisher.publish(f"evt.{new_kind}", new_body)
    message.ack()


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
    global consuming
    consuming = Consuming({"inventory.commands": on_command, "inventory.events": on_event})
    consuming.start()
    yield


app = FastAPI(title="inventory", lifespan=lifespan)


@app.get("/health")
def health() -> dict:
    if consuming is None or not consuming.ready.is_set():
        raise HTTPException(503, "not consuming yet")
    db.conn()
    return {"ok": True}


class Reserve(BaseModel):
    order_id: str
    item: str
    qty: int


class Release(BaseModel):
    order_id: str


@app.post("/reserve")
def reserve(r: Reserve) -> dict:
    ok, reason = in_transaction(lambda s: s.reserve(r.order_id, r.item, r.qty))
    return {"ok": ok, "reason": reason}


@app.post("/release")
def release(r: Release) -> dict:
    return {"ok": in_transaction(lambda s: s.release(r.order_id))}
