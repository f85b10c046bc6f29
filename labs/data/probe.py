"""Looking at the data lab from outside, for the checks, the tests and the chapter.

SQL runs as a given database user with the `mariadb` client inside the db container (the database publishes no
port: only services talk to it). Orders and pages go through the published HTTP ports; the broker is read through
its management API.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from msalab.checks import CheckContext, CheckFailed
from msalab.lab import Lab

PASSWORDS = {
    "root": "root-pw",
    "catalog": "catalog-pw",
    "customer": "customer-pw",
    "orders": "orders-pw",
    "shipping": "shipping-pw",
}
SCHEMAS = {"catalog": "catalog_db", "customer": "customer_db", "orders": "order_db", "shipping": "shipping_db"}


class SqlError(Exception):
    """What the server answered instead of rows, e.g. code 1142: `SELECT command denied to user ...`."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def wait_for(condition: Callable[[], Any], timeout: float, step: float = 0.25) -> Any:
    """Poll until condition() is truthy (returns it) or the deadline passes (returns the last value)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def sql(lab: Lab, user: str, query: str, password: str | None = None) -> list[list[str]]:
    """Run `query` as `user`; rows as lists of strings. Raises SqlError with the server's error code."""
    cmd = ["mariadb", "-h127.0.0.1", f"-u{user}", f"-p{password or PASSWORDS[user]}", "-N", "-B", "-e", query]
    done = lab.exec("db", cmd)
    if done.exit_code != 0:
        text = done.output.strip()
        found = re.search(r"ERROR (\d+)", text)
        raise SqlError(int(found.group(1)) if found else -1, text)
    return [line.split("\t") for line in done.output.splitlines() if line]


def can(lab: Lab, user: str, query: str) -> str:
    """'yes', or the reason the server gave ('denied (1142)', ...)."""
    try:
        sql(lab, user, query)
        return "yes"
    except SqlError as e:
        return f"denied ({e.code})" if e.code in (1044, 1142, 1143, 1227) else f"error ({e.code})"


# ---- orders and shipping -------------------------------------------------------------------------------------------
def new_tag() -> str:
    return uuid.uuid4().hex[:6]


def place(lab: Lab, order_id: str, customer: str = "c1", lines: list[dict] | None = None, timeout: float = 10) -> int:
    """POST /orders; the status code, or 0 when the connection broke (orders died while answering)."""
    body = {"id": order_id, "customer": customer, "lines": lines or [{"sku": "lamp", "qty": 1}]}
    try:
        return httpx.post(f"{lab.url('orders')}/orders", json=body, timeout=timeout).status_code
    except httpx.HTTPError:
        return 0


def stored(lab: Lab, order_id: str) -> bool:
    return bool(sql(lab, "orders", f"SELECT 1 FROM order_db.orders WHERE id = '{order_id}'"))


def outbox_rows(lab: Lab, order_id: str) -> list[tuple[str, bool]]:
    """(event_id, published?) of every outbox row that mentions the order."""
    rows = sql(
        lab,
        "orders",
        f"SELECT event_id, published IS NOT NULL FROM order_db.outbox WHERE body LIKE '%{order_id}%' ORDER BY seq",
    )
    return [(e, p == "1") for e, p in rows]


def shipments(lab: Lab, order_ids: list[str]) -> dict[str, int]:
    """order id -> shipments for it, as shipping's own user sees them."""
    if not order_ids:
        return {}
    names = ", ".join(f"'{o}'" for o in order_ids)
    rows = sql(
        lab,
        "shipping",
        f"SELECT order_id, COUNT(*) FROM shipping_db.shipments WHERE order_id IN ({names}) GROUP BY order_id",
    )
    counts = dict.fromkeys(order_ids, 0)
    counts.update({o: int(n) for o, n in rows})
    return counts


def deliveries(lab: Lab, order_id: str) -> list[tuple[str, int]]:
    """(event_id, how often it arrived) of every event shipping received for the order."""
    rows = sql(lab, "shipping", f"SELECT event_id, times FROM shipping_db.deliveries WHERE order_id = '{order_id}'")
    return [(e, int(t)) for e, t in rows]


def arm(lab: Lab, point: str) -> None:
    """Make orders die at a crash point of bus.publish: 'before-publish' or 'after-publish'."""
    lab.exec("orders", f"touch /tmp/crash-{point}")


def revive(lab: Lab) -> None:
    """Orders running again, with no crash point armed, whatever happened."""
    if lab.state("orders") != "running":
        lab.start("orders")
    lab.exec("orders", "rm -f /tmp/crash-before-publish /tmp/crash-after-publish")


def died(lab: Lab, timeout: float = 15) -> bool:
    return bool(wait_for(lambda: lab.state("orders") != "running", timeout))


# ---- the broker ---------------------------------------------------------------------------------------------------
def broker_app(lab: Lab, up: bool) -> None:
    """Stop or start RabbitMQ inside its running container (rabbitmqctl stop_app / start_app): connections are
    refused while it is stopped; durable queues and persistent messages are kept."""
    done = lab.exec("broker", ["rabbitmqctl", "-q", "start_app" if up else "stop_app"])
    if done.exit_code != 0:
        raise RuntimeError(f"rabbitmqctl failed: {done.output.strip()}")


def queue_stats(lab: Lab, name: str = "shipping.orders") -> dict:
    """The management API's view of a queue: messages waiting, and how many were published and delivered."""
    url = f"{lab.url('broker', 'management')}/api/queues/%2F/{name}"
    try:
        q = httpx.get(url, auth=("guest", "guest"), timeout=5).json()
    except (httpx.HTTPError, ValueError):
        return {}
    stats = q.get("message_stats", {})
    return {
        "messages": q.get("messages", 0),
        "consumers": q.get("consumers", 0),
        "published": stats.get("publish", 0),
        "delivered": stats.get("deliver_get", 0),
        "redelivered": stats.get("redeliver", 0),
    }


def page(lab: Lab, customer: str, timeout: float = 10) -> tuple[int, Any, float]:
    """GET the composed orders page: (status, body, seconds); status 0 when no answer came."""
    started = time.monotonic()
    try:
        r = httpx.get(f"{lab.url('composer')}/customers/{customer}/orders-page", timeout=timeout)
        body = r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text
        return r.status_code, body, time.monotonic() - started
    except httpx.HTTPError as e:
        return 0, repr(e), time.monotonic() - started


# ---- for the checks -----------------------------------------------------------------------------------------------
class NewService:
    """A fresh service name and schema; the learner's grants() run as root; removed again on exit."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.name = f"svc{new_tag()}"
        self.password = f"pw-{new_tag()}"
        self.schema = f"{self.name}_db"

    def __enter__(self) -> NewService:
        lab = self.ctx.lab
        sql(lab, "root", f"CREATE DATABASE {self.schema}")
        statements = self.ctx.run_answer("grants", self.name, self.password)
        self.ctx.expect(
            isinstance(statements, list) and all(isinstance(s, str) for s in statements),
            f"grants() returned {statements!r}; expected a list of SQL statements (strings).",
        )
        if statements:
            try:
                sql(lab, "root", ";\n".join(statements))
            except SqlError as e:
                raise CheckFailed(f"Your statements failed when run as root: {e}") from None
        return self

    def run(self, query: str) -> list[list[str]]:
        return sql(self.ctx.lab, self.name, query, password=self.password)

    def login(self) -> None:
        try:
            self.run("SELECT 1")
        except SqlError as e:
            raise CheckFailed(
                f"'{self.name}' cannot even log in with its password (error {e.code}): create the user "
                f"'{self.name}'@'%' identified by the password you are given."
            ) from None

    def __exit__(self, *exc: object) -> None:
        sql(self.ctx.lab, "root", f"DROP USER IF EXISTS '{self.name}'@'%'; DROP DATABASE IF EXISTS {self.schema}")


def seed_orders(ctx: CheckContext, customer: str) -> dict[str, list[dict]]:
    """Two orders for the customer, written straight into order_db as orders' user (independent of the outbox)."""
    tag = new_tag()
    orders = {
        f"{tag}-1": [{"sku": "lamp", "qty": 2}, {"sku": "mug", "qty": 1}],
        f"{tag}-2": [{"sku": "chair", "qty": 1}],
    }
    for oid, lines in orders.items():
        body = json.dumps({"id": oid, "customer": customer, "lines": lines}).replace("'", "''")
        sql(
            ctx.lab,
            "orders",
            f"INSERT INTO order_db.orders (id, customer, body) VALUES ('{oid}', '{customer}', '{body}')",
        )
    return orders


NAMES = {"lamp": ("Desk lamp", 3900), "mug": ("Coffee mug", 900), "chair": ("Office chair", 14900)}


def page_of(ctx: CheckContext, customer: str, what: str) -> dict:
    status, body, seconds = page(ctx.lab, customer)
    ctx.expect(status == 200, f"{what}, the page answered {status or 'nothing'} after {seconds:.1f} s: {body!r}"[:400])
    ctx.expect(isinstance(body, dict), f"{what}, the page is not a JSON object: {body!r}"[:300])
    return body


def lines_of(ctx: CheckContext, body: dict, orders: dict) -> dict[str, list[dict]]:
    got = {o.get("id"): o.get("lines", []) for o in body.get("orders", []) if isinstance(o, dict)}
    missing = [oid for oid in orders if oid not in got]
    ctx.expect(not missing, f"The page lacks the customer's orders {missing}.")
    return {oid: got[oid] for oid in orders}


def relay_idle(ctx: CheckContext) -> None:
    """Before arming a crash point: nothing left in the outbox that could set it off early."""
    wait_for(
        lambda: sql(ctx.lab, "orders", "SELECT COUNT(*) FROM order_db.outbox WHERE published IS NULL") == [["0"]],
        timeout=15,
    )
