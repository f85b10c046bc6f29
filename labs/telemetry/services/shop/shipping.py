"""shipping: consumes the queue `shipments` (RabbitMQ) and ships each order. What it does with the trace context
that comes with each message is yours to write: see consume.py."""

from __future__ import annotations

import os
import threading
import time

from kombu import Connection, Queue

import consume
from telemetry import faults, log, make_app, tracer

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@broker:5672//")
SHIPMENTS = Queue("shipments", durable=True)
app = make_app()
SHIPPED: list[str] = []


def ship(body: dict) -> None:
    """The work: a few milliseconds, or forever while the lab's 'stuck' fault is on."""
    with tracer.start_as_current_span("ship"):
        while faults.active("stuck"):
            time.sleep(0.2)
        time.sleep(0.005 + faults.delay())
        SHIPPED.append(body.get("order"))
        log.info("shipped", extra={"fields": {"order_id": body.get("order")}})


def consume_forever() -> None:
    while True:
        try:
            with Connection(AMQP_URL, connect_timeout=5) as conn:
                with conn.Consumer(SHIPMENTS, callbacks=[lambda body, message: consume.handle(body, message, ship)],
                                   accept=["json"], prefetch_count=10):
                    log.info("consuming shipments")
                    while True:
                        try:
                            conn.drain_events(timeout=1)
                        except TimeoutError:
                            pass
        except Exception as e:  # broker not up yet, or gone: try again
            log.warning("broker unavailable, retrying", extra={"fields": {"error": str(e)}})
            time.sleep(1)


@app.on_event("startup")
def start() -> None:
    threading.Thread(target=consume_forever, daemon=True).start()


@app.get("/shipped")
def shipped() -> dict:
    return {"count": len(SHIPPED), "last": SHIPPED[-20:]}
