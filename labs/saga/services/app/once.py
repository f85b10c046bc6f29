"""Exercise 3: idempotent steps. payment's handle() calls once() inside its database transaction."""

import json  # noqa: F401 (the reply is stored as text)


def once(db, message_id, step):
    """Run step(db) for a message and return what it returns (the messages to send, a JSON-able list).

    db is a pymysql connection in an open transaction (db.cursor(); the caller commits). The table
    processed(message_id VARCHAR(64) PRIMARY KEY, reply TEXT) of payment_db is yours to use."""
    return step(db)
