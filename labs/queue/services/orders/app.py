"""The order service: takes orders over HTTP and hands them on.

- POST /orders                  publishes the order to the `orders` exchange (routing key order.placed);
                                the workers fulfil it, whenever they can.
- POST /checkout?via=http|queue the sync-vs-queue demo: ask `shipping` directly over HTTP, or leave the request
                                on the `shipping.requests` queue.
- GET  /batches/{batch}         how far the workers got with the orders of one batch (for measuring throughput).
"""

import os
import time
import uuid

import httpx
import redis
from fastapi import FastAPI, HTTPException
from kombu import Connection, Exchange, Queue
from kombu.pools import producers

AMQP_URL = os.environ["AMQP_URL"]
SHIPPING_URL = os.environ["SHIPPING_URL"]
r = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)

ORDERS = Exchange("orders", type="topic", durable=True)
SHIPPING_REQUESTS = Queue("shipping.requests", durable=True)  # on the default exchange, by its name
DEFAULT_WORK = 0.2  # seconds a worker spends picking an order, unless the order says otherwise

connection = Connection(AMQP_URL, connect_timeout=3, transport_options={"confirm_publish": True})
app = FastAPI(title="orders")


def publish(body: dict, **where) -> None:
    # Persistent (delivery_mode 2): a durable queue keeps the message on disk, through a broker restart.
    # confirm_publish: publish() returns only once the broker has taken responsibility for the message.
    with producers[connection].acquire(block=True, timeout=10) as producer:
        producer.publish(
            body,
            serializer="json",
            delivery_mode="persistent",
            retry=True,
            retry_policy={"max_retries": 5, "interval_start": 0.2, "interval_step": 0.5},
            **where,
        )


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.post("/orders", status_code=202)
def place_order(order: dict) -> dict:
    order = {"id": uuid.uuid4().hex[:12], "sku": "ROBOT-1", "qty": 1, "work": DEFAULT_WORK, **order}
    if "batch" in order:
        r.hsetnx("batch-started", order["batch"], time.time())
        r.hincrby("batch-placed", order["batch"], 1)
    try:
        publish(order, exchange=ORDERS, routing_key="order.placed", declare=[ORDERS])
    except Exception as e:
        raise HTTPException(503, f"the broker did not take the order: {type(e).__name__}") from None
    return {"queued": order["id"]}


@app.post("/checkout")
def checkout(order: dict, via: str = "http") -> dict:
    if via == "queue":
        try:
            publish(order, routing_key=SHIPPING_REQUESTS.name, declare=[SHIPPING_REQUESTS])
        except Exception as e:
            raise HTTPException(503, f"the broker did not take the request: {type(e).__name__}") from None
        return {"accepted": order.get("id"), "via": "queue"}
    try:
        answer = httpx.post(f"{SHIPPING_URL}/ship", json=order, timeout=1.0)
        answer.raise_for_status()
    except httpx.HTTPError as e:
        # The caller has nowhere to put the request: unless the client tries again, the order is lost.
        raise HTTPException(503, f"shipping is unreachable: {type(e).__name__}") from None
    return {"accepted": order.get("id"), "via": "http"}


@app.get("/batches/{batch}")
def batch(batch: str) -> dict:
    done = r.lrange(f"batch:{batch}", 0, -1)
    workers: dict[str, int] = {}
    last = 0.0
    for entry in done:
        worker, at = entry.split(" ")
        workers[worker] = workers.get(worker, 0) + 1
        last = max(last, float(at))
    started = float(r.hget("batch-started", batch) or 0)
    return {
        "placed": int(r.hget("batch-placed", batch) or 0),
        "fulfilled": len(done),
        "by_worker": workers,
        "seconds": round(last - started, 3) if done else None,
    }
