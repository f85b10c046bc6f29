"""The shipping service: ships an order, reached two ways for the sync-vs-queue demo.

- POST /ship (HTTP): the caller waits for the answer; while shipping is down, the call fails.
- the `shipping.requests` queue: a consumer thread takes requests off the queue and acks each one only after
  the work, so a request survives shipping's crash and is shipped when it comes back.
Either way a shipped order lands in the Redis set shipped:<run>.
"""

import logging
import os
import threading
import time

import redis
from fastapi import FastAPI, HTTPException
from kombu import Connection, Queue
from kombu.mixins import ConsumerMixin

r = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
REQUESTS = Queue("shipping.requests", durable=True)
WORK = 0.02
app = FastAPI(title="shipping")
consuming = threading.Event()


def ship(order: dict) -> None:
    time.sleep(WORK)
    r.sadd(f"shipped:{order.get('run', 'default')}", str(order.get("id")))


class Shipper(ConsumerMixin):
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get_consumers(self, Consumer, channel):  # noqa: N803 (kombu's name)
        return [Consumer(queues=[REQUESTS], callbacks=[self.on_request], accept=["json"], prefetch_count=5)]

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        consuming.set()

    def on_connection_error(self, exc, interval):
        consuming.clear()
        logging.warning("broker unreachable (%s); trying again in %s s", exc, interval)

    def on_request(self, body, message):
        ship(body)
        message.ack()  # only now may the broker forget the request


threading.Thread(target=lambda: Shipper(Connection(os.environ["AMQP_URL"])).run(), daemon=True).start()


@app.get("/health")
def health() -> dict:
    if not consuming.is_set():
        raise HTTPException(503, "not consuming from the broker yet")
    return {"status": "ok"}


@app.post("/ship")
def ship_now(order: dict) -> dict:
    ship(order)
    return {"shipped": order.get("id")}
