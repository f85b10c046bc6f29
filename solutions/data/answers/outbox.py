import json
import uuid


def place_order(db, order: dict, publish) -> None:
    # The event gets its id now, once: a relay that sends it again after a crash sends the same id.
    event = {"event_id": uuid.uuid4().hex, "type": "order.placed", "order_id": order["id"], "order": order}
    with db.cursor() as cur:
        cur.execute(
            "INSERT INTO orders (id, customer, body) VALUES (%s, %s, %s)",
            (order["id"], order["customer"], json.dumps(order)),
        )
        cur.execute(
            "INSERT INTO outbox (event_id, type, body) VALUES (%s, %s, %s)",
            (event["event_id"], event["type"], json.dumps(event)),
        )
    db.commit()  # one local transaction: both rows, or neither


def relay_once(db, publish) -> int:
    with db.cursor() as cur:
        cur.execute("SELECT seq, body FROM outbox WHERE published IS NULL ORDER BY seq LIMIT 100")
        pending = cur.fetchall()
    db.commit()
    for seq, body in pending:
        publish(json.loads(body))  # a crash here, or before the next commit: sent again later (at least once)
        with db.cursor() as cur:
            cur.execute("UPDATE outbox SET published = NOW(6) WHERE seq = %s", (seq,))
        db.commit()
    return len(pending)
