"""Exercise 3: idempotent steps. payment's handle() calls once() inside its database transaction."""

import json


def once(db, message_id, step):
    """Run step(db) for a message and return what it returns (the messages to send, a JSON-able list).

    db is a pymysql connection in an open transaction (db.cursor(); the caller commits). The table
    processed(message_id VARCHAR(64) PRIMARY KEY, reply TEXT) of payment_db is yours to use."""
    with db.cursor() as cur:
        cur.execute("SELECT reply FROM processed WHERE message_id = %s", (message_id,))
        seen = cur.fetchone()
        if seen:  # a redelivery: no second effect, but the same answer (the first one may never have been sent)
            return json.loads(seen[0])
        produced = step(db)
        # Same transaction as the effect: both are committed, or neither.
        cur.execute("INSERT INTO processed (message_id, reply) VALUES (%s, %s)", (message_id, json.dumps(produced)))
    return produced
