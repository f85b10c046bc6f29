"""orders: charges the payment service over HTTP, then hands the shipment to the shipping service through
RabbitMQ (queue `shipments`). How the trace context travels with both is yours to write: see propagation.py."""

from __future__ import annotations

import os
import threading
import time
import uuid

import httpx
from fastapi.responses import JSONResponse
from kombu import Connection, Queue
from opentelemetry.trace import SpanKind, Status, StatusCode

import propagation
from telemetry import faults, log, make_app, tracer

PAYMENTS_URL = os.environ.get("PAYMENTS_URL", "http://payments:8000")
AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@broker:5672//")
SHIPMENTS = Queue("shipments", durable=True)

app = make_app()
client = httpx.Client(timeout=10)
amqp = Connection(AMQP_URL, connect_timeout=5)
amqp_lock = threading.Lock()  # one connection, one producer: kombu's are not thread-safe
ORDERS: dict[str, dict] = {}


def publish(body: dict, headers: dict[str, str]) -> None:
    with amqp_lock:
        producer = amqp.Producer(serializer="json")
        amqp.ensure(producer, producer.publish, max_retries=3)(
            body, routing_key=SHIPMENTS.name, declare=[SHIPMENTS], headers=headers, delivery_mode=2
        )


@app.post("/orders")
def place(order: dict) -> JSONResponse:
    oid = order.get("id") or uuid.uuid4().hex[:12]
    fields = {"order_id": oid}
    if faults.error():
        raise RuntimeError(f"order {oid}: injected failure in orders")
    with tracer.start_as_current_span("POST /charge", kind=SpanKind.CLIENT) as span:
        answer = client.post(
            f"{PAYMENTS_URL}/charge",
            json={"order": oid, "amount": order.get("amount", 10), "card": order.get("card", "4242")},
            headers=propagation.inject({}),
        )
        if answer.status_code >= 500:
            span.set_status(Status(StatusCode.ERROR, f"payments answered {answer.status_code}"))
    if answer.status_code == 402:
        log.info("payment declined", extra={"fields": fields})
        return JSONResponse({"id": oid, "status": "declined"}, status_code=402)
    if answer.status_code >= 400:
        log.error("payment failed", extra={"fields": {**fields, "payments_status": answer.status_code}})
        return JSONResponse({"id": oid, "status": "payment failed"}, status_code=502)
    with tracer.start_as_current_span("shipments publish", kind=SpanKind.PRODUCER) as span:
        span.set_attribute("messaging.destination.name", SHIPMENTS.name)
        time.sleep(faults.delay())
        publish({"order": oid, "items": order.get("items", [])}, propagation.inject({}))
    ORDERS[oid] = {"id": oid, "status": "placed"}
    log.info("order placed", extra={"fields": fields})
    return JSONResponse(ORDERS[oid], status_code=201)


@app.get("/orders/{oid}")
def show(oid: str) -> JSONResponse:
    if oid not in ORDERS:
        return JSONResponse({"detail": "no such order"}, status_code=404)
    return JSONResponse(ORDERS[oid])


@app.on_event("shutdown")
def close() -> None:
    amqp.release()


