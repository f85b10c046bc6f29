"""Publishing an event to RabbitMQ, and the two worst moments to die.

publish(event) sends one event (a dict with "event_id" and "type") to the topic exchange `shop` with the event's
type as routing key, persistent, and returns only once the broker confirmed it. It raises when the broker cannot be
reached (within about 2 s): it never waits forever.

Crash points, for the chapter and the checks (`lab.exec("orders", "touch /tmp/crash-before-publish")`):
  /tmp/crash-before-publish   the next publish() kills the process before the event leaves
  /tmp/crash-after-publish    the next publish() kills the process right after the broker confirmed the event
The file is removed as the process dies, so the service starts normally again.
"""

import logging
import os

from kombu import Connection, Exchange, Queue

log = logging.getLogger("bus")

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@broker:5672//")
EXCHANGE = Exchange("shop", type="topic", durable=True)
# Declared by the publisher too, so that no event is routed to nowhere before shipping first starts.
SHIPPING = Queue("shipping.orders", exchange=EXCHANGE, routing_key="order.placed", durable=True)


def crash_point(name: str) -> None:
    path = f"/tmp/crash-{name}"
    if os.path.exists(path):
        os.remove(path)
        log.warning("crash point %s: dying now", name)
        logging.shutdown()
        os._exit(137)


def publish(event: dict) -> None:
    crash_point("before-publish")
    with Connection(AMQP_URL, connect_timeout=2, transport_options={"confirm_publish": True}) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        conn.Producer().publish(
            event,
            exchange=EXCHANGE,
            routing_key=event["type"],
            serializer="json",
            delivery_mode=2,
            declare=[EXCHANGE, SHIPPING],
            retry=False,
            message_id=str(event.get("event_id", "")),
            timeout=5,
        )
    log.info("published %s %s", event["type"], event.get("event_id"))
    crash_point("after-publish")
