"""What the three services share: their database, the broker's topology, publishing, and crash points.

One topic exchange, `shop`, carries everything:
  cmd.<service>.<step>   commands from the orchestrator (orders) to a participant       e.g. cmd.payment.charge
  reply.orders           a participant's answer to a command                            {"event": "charged", ...}
  evt.<what>             events for the choreographed flow                              e.g. evt.stock.reserved
Every queue is durable and every message persistent: what the broker holds survives a broker restart.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid

import pymysql
from kombu import Connection, Exchange, Producer, Queue

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
log = logging.getLogger("shop")

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@broker:5672//")
EXCHANGE = Exchange("shop", type="topic", durable=True)
BINDINGS = {
    "orders.replies": ["reply.orders"],
    "orders.events": ["evt.payment.charged", "evt.stock.rejected", "evt.stock.released"],
    "payment.commands": ["cmd.payment.*"],
    "payment.events": ["evt.stock.reserved"],
    "inventory.commands": ["cmd.inventory.*"],
    "inventory.events": ["evt.order.created", "evt.payment.declined"],
}


def queue(name: str) -> Queue:
    from kombu import binding

    return Queue(name, bindings=[binding(EXCHANGE, routing_key=k) for k in BINDINGS[name]], durable=True)


def declare_all(connection: Connection) -> None:
    """Every service declares the whole topology at start: no message is routed to a queue that is not there yet."""
    channel = connection.channel()
    try:
        EXCHANGE(channel).declare()
        for name in BINDINGS:
            queue(name)(channel).declare()
    finally:
        channel.close()


def new_id() -> str:
    return uuid.uuid4().hex[:16]


# ---- the database -------------------------------------------------------------------------------------------------
def connect_db(user: str, database: str) -> pymysql.connections.Connection:
    """A connection of this service's own user, to its own schema; waits for the server to be there."""
    while True:
        try:
            return pymysql.connect(
                host=os.environ.get("DB_HOST", "db"),
                user=user,
                password=os.environ["DB_PASSWORD"],
                database=database,
                autocommit=False,
                connect_timeout=3,
            )
        except pymysql.err.OperationalError as e:
            log.warning("database not there yet (%s)", e)
            time.sleep(1)


class Db:
    """One connection per thread (pymysql connections must not be shared), reconnected when the server went away."""

    def __init__(self, user: str, database: str) -> None:
        self.user, self.database = user, database
        self.local = threading.local()

    def conn(self) -> pymysql.connections.Connection:
        c = getattr(self.local, "conn", None)
        if c is None:
            c = self.local.conn = connect_db(self.user, self.database)
        else:
            try:
                c.ping(reconnect=True)
            except pymysql.err.Error:
                c = self.local.conn = connect_db(self.user, self.database)
        return c


# ---- publishing ---------------------------------------------------------------------------------------------------
class Publisher:
    """Persistent messages with publisher confirms: publish() returns once the broker has the message."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connection = Connection(AMQP_URL, connect_timeout=3, transport_options={"confirm_publish": True})

    def publish(self, routing_key: str, body: dict) -> None:
        with self.lock:
            producer = Producer(self.connection)
            producer.publish(
                body,
                exchange=EXCHANGE,
                routing_key=routing_key,
                serializer="json",
                delivery_mode=2,
                retry=True,
                retry_policy={"max_retries": None, "interval_start": 0.5, "interval_step": 0.5, "interval_max": 2},
            )


def dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


# ---- fault injection at the worst moment ------------------------------------------------------------------------
def crash_point(name: str) -> None:
    """If the file /tmp/crash-<name> exists, remove it and die at once (as SIGKILL would): a check or the chapter
    arms it with `lab.exec(service, "touch /tmp/crash-<name>")` to crash a service exactly here."""
    path = f"/tmp/crash-{name}"
    if os.path.exists(path):
        os.remove(path)
        log.warning("crash point %s: dying now", name)
        logging.shutdown()
        os._exit(137)


# ---- consuming ------------------------------------------------------------------------------------------------------
class Consuming(threading.Thread):
    """Consumes queues in a thread of its own, prefetch 1, one handler per queue; reconnects by itself.

    A handler gets (body, message) and must ack the message itself. If it raises before acking, the message goes
    back to the queue after a short pause (so a broken handler does not spin)."""

    def __init__(self, handlers: dict) -> None:
        super().__init__(daemon=True, name="consuming")
        self.handlers = handlers
        self.ready = threading.Event()

    def run(self) -> None:
        from kombu.mixins import ConsumerMixin

        outer = self

        class Worker(ConsumerMixin):
            def __init__(self, connection: Connection) -> None:
                self.connection = connection

            def get_consumers(self, Consumer, channel):  # noqa: N803 (kombu's name)
                return [
                    Consumer(queues=[queue(name)], callbacks=[outer.wrap(name, h)], accept=["json"], prefetch_count=1)
                    for name, h in outer.handlers.items()
                ]

            def on_consume_ready(self, connection, channel, consumers, **kwargs):
                log.info("consuming from %s", ", ".join(outer.handlers))
                outer.ready.set()

            def on_connection_error(self, exc, interval):
                outer.ready.clear()
                log.warning("broker unreachable (%s); trying again in %s s", exc, interval)

        with Connection(AMQP_URL, connect_timeout=3, heartbeat=10) as connection:
            while True:
                try:
                    connection.ensure_connection(max_retries=None, interval_start=0.5, interval_step=0.5, interval_max=2)
                    declare_all(connection)
                    break
                except Exception as e:  # noqa: BLE001
                    log.warning("broker not there yet (%s)", e)
                    time.sleep(1)
            Worker(connection).run()

    @staticmethod
    def wrap(name: str, handler):  # type: ignore[no-untyped-def]
        def on_message(body, message) -> None:  # type: ignore[no-untyped-def]
            try:
                handler(body, message)
            except Exception:
                log.exception("handling a message from %s failed", name)
                if not message.acknowledged:
                    time.sleep(0.5)
                    message.requeue()

        return on_message
