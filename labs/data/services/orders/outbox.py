"""Placing an order, and getting its event to the broker.

place_order(db, order, publish) is called for every POST /orders, with a fresh pymysql connection `db`
(autocommit off: nothing is stored until db.commit()). relay_once(db, publish) is called about every 0.2 s by a
background thread of the same process, with a connection of its own; it returns how many events it published.

This first version is a *dual write*: it commits the order, then publishes the event. Between the two lies a crash,
or a broker that is down, and the event is lost while the order stays.
"""

import json
import uuid


def place_order(db, order: dict, publish) -> None:
    with db.cursor() as cur:
        cur.execute(
            "INSERT INTO orders (id, customer, body) VALUES (%s, %s, %s)",
            (order["id"], order["customer"], json.dumps(order)),
        )
    db.commit()
    publish({"event_id": uuid.uuid4().hex, "type": "order.placed", "order_id": order["id"], "order": order})


def relay_once(db, publish) -> int:
    return 0
