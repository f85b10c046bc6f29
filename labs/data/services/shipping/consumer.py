"""shipping: one shipment for every `order.placed` event. It owns shipping_db.

Messages arrive at least once (a publisher that crashed after sending may send the same event again), so shipping
remembers every event_id it has seen in `deliveries` (with how often it arrived) and ships only for a new one, in the
same local transaction. An event that comes twice with the same event_id ships once; the same order announced under
two different event_ids ships twice: shipping cannot tell those apart.
"""

import logging
import os
import time

from kombu import Connection, Exchange, Queue
from kombu.mixins import ConsumerMixin

from db import connect

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
log = logging.getLogger("shipping")

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@broker:5672//")
EXCHANGE = Exchange("shop", type="topic", durable=True)
QUEUE = Queue("shipping.orders", exchange=EXCHANGE, routing_key="order.placed", durable=True)


class Shipping(ConsumerMixin):
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.db = connect()

    def get_consumers(self, Consumer, channel):  # noqa: N803 (kombu's name)
        return [Consumer(queues=[QUEUE], callbacks=[self.on_event], accept=["json"], prefetch_count=1)]

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        log.info("consuming order events")

    def on_connection_error(self, exc, interval):
        log.warning("broker unreachable (%s); trying again in %s s", exc, interval)

    def on_event(self, body: dict, message) -> None:
        try:
            self.db.ping(reconnect=True)
            with self.db.cursor() as cur:
                cur.execute(
                    "INSERT INTO deliveries (event_id, order_id, times) VALUES (%s, %s, 1) "
                    "ON DUPLICATE KEY UPDATE times = times + 1",
                    (body["event_id"], body["order_id"]),
                )
                first = cur.rowcount == 1
                if first:
                    cur.execute("INSERT INTO shipments (order_id) VALUES (%s)", (body["order_id"],))
            self.db.commit()
        except Exception:
            log.exception("could not handle %s", body)
            self.db.rollback()
            time.sleep(0.5)
            message.requeue()
            return
        log.info("%s event %s for order %s", "shipped for" if first else "duplicate", body["event_id"], body["order_id"])
        message.ack()


def main() -> None:
    with Connection(AMQP_URL, connect_timeout=3, heartbeat=10) as conn:
        conn.ensure_connection(max_retries=None, interval_start=0.5, interval_step=0.5, interval_max=2)
        with conn.channel() as channel:
            QUEUE(channel).declare()
        Shipping(conn).run()


if __name__ == "__main__":
    main()
