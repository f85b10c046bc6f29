"""The payment service: charges and refunds customers, in its own ledger (payment_db).

It declines a charge over the card limit. It takes a moment for every step ("asking the card network").
  over HTTP (the REST chain):   POST /charge
  over RabbitMQ (the sagas):    commands cmd.payment.charge / cmd.payment.refund -> a reply on reply.orders
                                event evt.stock.reserved (choreography) -> evt.payment.charged / evt.payment.declined

Every delivery goes through your code: consumer.on_command (exercise 2) decides when the broker may forget it,
and once.once (exercise 3) makes a redelivered message have its effect once.
"""

from __future__ import annotations

import contextlib
import os
import time

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

import consumer
import once
from common import Consuming, Db, Publisher, crash_point, log, new_id

LIMIT = int(os.environ.get("CARD_LIMIT", "500"))
DELAY = float(os.environ.get("PAYMENT_DELAY", "0.15"))
db = Db("payment", "payment_db")
publisher = Publisher()
consuming: Consuming | None = None


def book(db, order_id: str, kind: str, amount: int) -> None:  # type: ignore[no-untyped-def]
    """One line in the append-only ledger. The ledger does not look for duplicates: booked twice, paid twice."""
    with db.cursor() as cur:
        cur.execute(
            "INSERT INTO ledger (order_id, kind, amount, at) VALUES (%s, %s, %s, %s)", (order_id, kind, amount, time.time())
        )


def decide(amount: int) -> tuple[bool, str]:
    if amount > LIMIT:
        return False, f"payment declined: {amount} EUR is over the card limit of {LIMIT} EUR"
    return True, ""


# ---- the steps: each returns the messages it produces, [[routing key, body], ...] ----------------------------------
def step_for(body: dict, kind: str):  # type: ignore[no-untyped-def]
    def command(db) -> list:  # type: ignore[no-untyped-def]
        reply = {"msg_id": body["msg_id"] + ">r", "order_id": body["order_id"]}
        if body["step"] == "refund":
            book(db, body["order_id"], "refund", int(body["amount"]))
            return [["reply.orders", {**reply, "event": "refunded"}]]
        ok, reason = decide(int(body["amount"]))
        if ok:
            book(db, body["order_id"], "charge", int(body["amount"]))
            return [["reply.orders", {**reply, "event": "charged"}]]
        return [["reply.orders", {**reply, "event": "declined", "reason": reason}]]

    def stock_reserved(db) -> list:  # type: ignore[no-untyped-def]
        ok, reason = decide(int(body["amount"]))
        event = {**body, "msg_id": body["msg_id"] + ">p"}
        if ok:
            book(db, body["order_id"], "charge", int(body["amount"]))
            return [["evt.payment.charged", event]]
        return [["evt.payment.declined", {**event, "reason": reason}]]

    return command if kind == "command" else stock_reserved


def handler(kind: str):  # type: ignore[no-untyped-def]
    def on_message(body: dict, message) -> None:  # type: ignore[no-untyped-def]
        def handle(body: dict) -> list:
            """Do the step in one database transaction; returns the messages to send."""
            conn = db.conn()
            try:
                log.info("%s for order %s (message %s)", body.get("step", "stock.reserved"), body["order_id"], body["msg_id"])
                messages = once.once(conn, body["msg_id"], step_for(body, kind))
                time.sleep(DELAY)  # asking the card network
                crash_point("payment-before-commit")
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            crash_point("payment-after-commit")
            return messages

        def send(messages: list) -> None:
            for key, out in messages or []:
                publisher.publish(key, out)

        consumer.on_command(body, message, handle, send)

    return on_message


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
    global consuming
    consuming = Consuming({"payment.commands": handler("command"), "payment.events": handler("event")})
    consuming.start()
    yield


app = FastAPI(title="payment", lifespan=lifespan)


@app.get("/health")
def health() -> dict:
    if consuming is None or not consuming.ready.is_set():
        raise HTTPException(503, "not consuming yet")
    db.conn()
    return {"ok": True}


class Charge(BaseModel):
    order_id: str
    customer: str = "ada"
    amount: int


@app.post("/charge")
def charge(c: Charge) -> dict:
    """The REST chain's charge: decide, book, commit, answer."""
    conn = db.conn()
    ok, reason = decide(c.amount)
    time.sleep(DELAY)  # asking the card network
    if ok:
        book(conn, c.order_id, "charge", c.amount)
    conn.commit()
    return {"ok": ok, "reason": reason, "id": new_id()}
