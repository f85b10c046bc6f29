"""Where orders live: one SQLite file inside the container. Given; your API calls these functions."""

import json
import sqlite3
import threading
from datetime import UTC, datetime

PATH = "/tmp/orders.db"
_lock = threading.RLock()
_conn = sqlite3.connect(PATH, check_same_thread=False, isolation_level=None)
_conn.row_factory = sqlite3.Row
_conn.executescript(
    """
    create table if not exists orders (
        id integer primary key autoincrement, customer text, items text, status text, created_at text);
    """
)


def _order(row: sqlite3.Row) -> dict:
    return {**dict(row), "items": json.loads(row["items"])}


def create(customer: str, items: list[dict]) -> dict:
    """Store a new order and return it, with its id. The customer 'crash-test' makes the database fail."""

    if customer == "crash-test":
        raise RuntimeError("disk I/O error at /tmp/orders.db (a failure you can trigger on purpose)")
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    with _lock:
        cur = _conn.execute(
            "insert into orders (customer, items, status, created_at) values (?, ?, 'placed', ?)",
            (customer, json.dumps(items), now),
        )
        return get(cur.lastrowid)


def get(order_id: int) -> dict | None:
    """The order, or None when there is no such order."""
    with _lock:
        row = _conn.execute("select * from orders where id = ?", (order_id,)).fetchone()
    return _order(row) if row else None


def cancel(order_id: int) -> dict:
    """Mark an order cancelled and return it (whatever its status was: deciding that is the API's job)."""
    with _lock:
        _conn.execute("update orders set status = 'cancelled' where id = ?", (order_id,))
    return get(order_id)


def newest(before: int | None = None, limit: int = 20) -> list[dict]:
    """Up to `limit` orders, newest first; with `before`, only orders older than (id less than) that id."""
    with _lock:
        if before is None:
            rows = _conn.execute("select * from orders order by id desc limit ?", (limit,)).fetchall()
        else:
            sql = "select * from orders where id < ? order by id desc limit ?"
            rows = _conn.execute(sql, (before, limit)).fetchall()
    return [_order(r) for r in rows]


def everything() -> list[dict]:
    """Every order, oldest first (no paging: fine for ten orders, not for ten million)."""
    with _lock:
        return [_order(r) for r in _conn.execute("select * from orders order by id").fetchall()]
