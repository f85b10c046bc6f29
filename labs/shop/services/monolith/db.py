"""One SQLite database for the whole monolith, as monoliths have. SQLite's authorizer tells us, for every
statement, which tables it reads and writes: that is how the trace knows who touches what."""

import sqlite3
import threading

import tracing

_MODES = {
    sqlite3.SQLITE_READ: "read",
    sqlite3.SQLITE_INSERT: "write",
    sqlite3.SQLITE_UPDATE: "write",
    sqlite3.SQLITE_DELETE: "write",
}


def _authorizer(action, arg1, arg2, dbname, source):
    mode = _MODES.get(action)
    if mode and arg1 and not arg1.startswith("sqlite_"):
        tracing.table_touched(arg1, mode)
    return sqlite3.SQLITE_OK


# cached_statements=0: every statement is prepared afresh, so the authorizer sees every one
conn = sqlite3.connect(":memory:", check_same_thread=False, cached_statements=0, isolation_level=None)
conn.row_factory = sqlite3.Row
lock = threading.RLock()

SCHEMA = """
create table products   (id integer primary key, name text, price real);
create table stock      (product_id integer primary key, on_hand integer, reserved integer);
create table customers  (id text primary key, name text);
create table addresses  (customer_id text primary key, street text, city text);
create table cart_items (customer_id text, product_id integer, qty integer, primary key (customer_id, product_id));
create table orders     (id integer primary key, customer_id text, status text);
create table order_lines(order_id integer, product_id integer, qty integer, price real);
create table payments   (order_id integer primary key, amount real, status text);
create table shipments  (order_id integer primary key, street text, city text, status text);
"""

PRODUCTS = [(1, "Kettle", 29.0), (2, "Teapot", 19.5), (3, "Coffee grinder", 45.0), (4, "Mug", 6.0)]


def setup() -> None:
    with lock:
        conn.executescript(SCHEMA)
        conn.executemany("insert into products values (?, ?, ?)", PRODUCTS)
        conn.executemany("insert into stock values (?, ?, 0)", [(p[0], 1000) for p in PRODUCTS])
        conn.execute("insert into customers values ('c1', 'Ada')")
        conn.execute("insert into addresses values ('c1', '1 Analytical St', 'London')")
    conn.set_authorizer(_authorizer)


def query(sql: str, *args) -> list[dict]:
    with lock:
        return [dict(row) for row in conn.execute(sql, args).fetchall()]


def execute(sql: str, *args) -> int:
    with lock:
        return conn.execute(sql, args).lastrowid
