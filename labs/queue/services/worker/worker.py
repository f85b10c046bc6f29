"""A fulfilment worker: takes orders off the `orders.fulfil` queue and fulfils them.

The lab runs three of these (worker-1..3) on the same queue: competing consumers. The parts you write live in
their own files: reliable.py (exercise 1), idempotent.py (exercise 2) and dead_letter.py (exercise 3).

Fulfilling one order (every step is visible from outside, in Redis):
  1. attempts[id] += 1            the worker starts on the order (once per delivery)
  2. sleep(order["work"])         picking the goods
  3. idempotent.apply(...)        takes the goods out of stock: effects[id] += 1
  4. sleep(order["after"])        printing the packing slip
  5. batch:<batch> gets "<worker> <time>"
"""

import logging
import os
import signal
import socket
import sys
import time

import redis
from kombu import Connection, Exchange, Queue
from kombu.exceptions import OperationalError
from kombu.mixins import ConsumerMixin
from amqp.exceptions import NotFound, PreconditionFailed

import dead_letter
import idempotent
import reliable

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
log = logging.getLogger("worker")
WORKER = socket.gethostname()
r = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)


class Poison(Exception):
    """An order no worker can ever fulfil (it names a product that does not exist)."""


def take_stock(r: redis.Redis, order: dict) -> None:
    """The effect of an order: its goods leave the stock. Run twice, it takes them twice."""
    r.hincrby("effects", order["id"], 1)
    r.incrby(f"stock:{order.get('sku', 'ROBOT-1')}", -int(order.get("qty", 1)))


def fulfil(order: dict) -> None:
    r.hincrby("attempts", order["id"], 1)
    if order.get("poison"):
        raise Poison(f"order {order['id']} names no product we know")
    time.sleep(float(order.get("work", 0.1)))
    idempotent.apply(r, order, take_stock)
    time.sleep(float(order.get("after", 0)))
    if order.get("batch"):
        r.rpush(f"batch:{order['batch']}", f"{WORKER} {time.time():.4f}")
    log.info("fulfilled %s", order["id"])


def retry(message, attempts: int) -> None:
    """Put a copy of the message at the back of its queue, with header x-attempts, and ack the original."""
    queue = orders_queue().name
    message.channel.basic_publish(
        message.channel.prepare_message(
            message.body,
            priority=0,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            headers={**(message.headers or {}), "x-attempts": attempts},
            properties={"delivery_mode": 2},
        ),
        exchange="",
        routing_key=queue,
    )
    message.ack()


def orders_queue() -> Queue:
    """Exercise 1's queue, with the arguments exercise 3 adds (its dead-letter exchange)."""
    q = reliable.ORDERS_QUEUE
    args = {**(q.queue_arguments or {}), **(dead_letter.QUEUE_ARGUMENTS or {})}
    return Queue(
        q.name, exchange=q.exchange, routing_key=q.routing_key, durable=q.durable, auto_delete=q.auto_delete,
        queue_arguments=args or None,
    )


def on_message(body, message) -> None:
    try:
        reliable.on_order(body, message, fulfil)
    except Exception as error:
        log.warning("order %s failed: %s", body.get("id") if isinstance(body, dict) else body, error)
        if message.acknowledged:
            log.warning("... but it was already acknowledged: the broker has forgotten it, it is lost")
            return
        dead_letter.on_failure(body, message, error, retry)


def declare(connection: Connection) -> None:
    """Declare the queues; a queue whose declaration changed (durable, arguments) is deleted and made again.
    That loses what it held: fine while you develop in a lab, never do it in production."""
    wanted = [orders_queue()] + ([dead_letter.DEAD_LETTERS] if dead_letter.DEAD_LETTERS is not None else [])
    for queue in wanted:
        for _ in range(10):
            try:
                queue(connection.channel()).declare()
                break
            except PreconditionFailed:
                log.warning("queue %s was declared differently before: deleting it and declaring it again", queue.name)
                try:
                    queue(connection.channel()).delete()
                except NotFound:
                    pass  # another replica deleted it first
            except NotFound:
                # The replicas restart together: another one deleted the queue between this one's declare and its
                # bind, and is declaring it again. Declare once more.
                time.sleep(0.2)
        else:
            queue(connection.channel()).declare()  # still failing: let the error show in the log


class Worker(ConsumerMixin):
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get_consumers(self, Consumer, channel):  # noqa: N803 (kombu's name)
        return [Consumer(queues=[orders_queue()], callbacks=[on_message], accept=["json"], prefetch_count=1)]

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        log.info("consuming from %s", orders_queue().name)
        print("worker ready", flush=True)

    def on_connection_error(self, exc, interval):
        log.warning("broker unreachable (%s); trying again in %s s", exc, interval)


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with Connection(os.environ["AMQP_URL"], connect_timeout=3) as connection:
        while True:
            try:
                connection.ensure_connection(max_retries=None, interval_start=0.5, interval_step=0.5, interval_max=2)
                declare(connection)
                break
            except (OperationalError, OSError) as e:
                log.warning("broker not there yet (%s)", e)
                time.sleep(1)
        Worker(connection).run()


if __name__ == "__main__":
    main()
