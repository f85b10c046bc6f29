"""Looking at the saga lab from outside: what the chapter, the checks and the tests measure with.

Nothing here asks a service how it did. Orders go in through the order service's published HTTP port; what became
of them is read from the three databases (SQL as each service's own user, run by the MariaDB client inside the
database container) and from the broker's management API. Faults are injected with the lab handle.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from msalab.lab import Lab

PASSWORDS = {"orders": "orders-pw", "payment": "payment-pw", "inventory": "inventory-pw", "root": "root-pw"}
QUEUES = [
    "orders.replies",
    "orders.events",
    "payment.commands",
    "payment.events",
    "inventory.commands",
    "inventory.events",
]
CARD_LIMIT = 500


def wait_for(condition: Callable[[], Any], timeout: float, step: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


@dataclass
class Audit:
    """What the databases say about one batch of orders; `problems` lists every broken invariant."""

    orders: int = 0
    approved: int = 0
    rejected: int = 0
    pending: int = 0
    no_reason: int = 0
    stock_leaked: int = 0  # units that left the shelf without an approved order (negative: appeared from nowhere)
    money_off: int = 0  # EUR charged, net of refunds, that no approved order accounts for (or is missing)
    wrong_charges: int = 0  # orders whose net charge is not their amount (approved) or 0 (rejected, pending)
    charged: int = 0
    refunded: int = 0
    approved_total: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return (
            f"{self.orders} orders: {self.approved} approved, {self.rejected} rejected, {self.pending} pending; "
            f"stock leaked {self.stock_leaked} units; money off by {self.money_off} EUR "
            f"(charged {self.charged}, refunded {self.refunded}, approved orders {self.approved_total})"
        )


class Shop:
    def __init__(self, lab: Lab, tag: str | None = None) -> None:
        self.lab = lab
        self.url = lab.url("orders")
        self.mgmt = lab.url("broker", "management")
        self.tag = tag or f"t{uuid.uuid4().hex[:6]}"
        self.items: dict[str, int] = {}
        self.taps: list[str] = []
        self.tapped: dict[str, list[dict]] = {}

    # ---- SQL, as a service's own user ----------------------------------------------------------------------------
    def sql(self, user: str, query: str) -> list[list[str]]:
        cmd = ["mariadb", "-h127.0.0.1", f"-u{user}", f"-p{PASSWORDS[user]}", "-N", "-B", "-e", query]
        for attempt in range(3):
            done = self.lab.exec("db", cmd)
            if done.exit_code == 0:
                return [line.split("\t") for line in done.output.splitlines() if line.strip()]
            time.sleep(0.5 * (attempt + 1))
        raise RuntimeError(f"SQL as {user} failed: {done.output.strip()[-300:]}")

    # ---- the workload -------------------------------------------------------------------------------------------
    def stock_up(self, stock: dict[str, int]) -> None:
        """New items for this batch only (named <tag>-<name>), so batches never disturb each other."""
        values = ", ".join(f"('{self.tag}-{name}', {n}, {n})" for name, n in stock.items())
        self.sql("inventory", f"INSERT INTO inventory_db.stock (item, initial, on_hand) VALUES {values}")
        self.items.update({f"{self.tag}-{name}": n for name, n in stock.items()})

    def workload(self, n: int, seed: int = 7, declined: float = 0.25) -> list[dict]:
        """n orders for the batch's items: 1-3 units each, amounts of 20-480 EUR, and a share over the card limit."""
        rng = random.Random(seed)
        items = sorted(self.items)
        out = []
        for i in range(n):
            over = rng.random() < declined
            amount = rng.randint(CARD_LIMIT + 1, CARD_LIMIT + 300) if over else rng.randint(20, 480)
            out.append(
                {"id": f"{self.tag}-{i:03d}", "item": rng.choice(items), "qty": rng.randint(1, 3), "amount": amount}
            )
        return out

    def place(self, order: dict, flow: str) -> bool:
        """One order, as a client places it; True when the service accepted it."""
        try:
            if flow == "rest":
                answer = httpx.post(f"{self.url}/rest/orders", json=order, timeout=15)
            else:
                answer = httpx.post(f"{self.url}/orders", json={**order, "flow": flow}, timeout=15)
            return answer.status_code < 300
        except httpx.HTTPError:
            return False

    def burst(
        self,
        orders: list[dict],
        flow: str,
        kill: str | None = None,
        kill_after: int = 8,
        down_for: float = 2.0,
        concurrency: int = 4,
    ) -> dict[str, bool]:
        """Place the orders from `concurrency` clients; after `kill_after` of them, SIGKILL `kill` and start it
        again `down_for` seconds later. Returns order id -> accepted by the service. Always restores the service."""
        accepted: dict[str, bool] = {}
        placed = threading.Semaphore(0)
        killer = None
        if kill:

            def crash_and_recover() -> None:
                for _ in range(kill_after):
                    placed.acquire(timeout=30)
                self.lab.kill(kill)
                time.sleep(down_for)
                self.lab.start(kill)

            killer = threading.Thread(target=crash_and_recover, daemon=True)
            killer.start()

        def one(order: dict) -> None:
            accepted[order["id"]] = self.place(order, flow)
            placed.release()

        try:
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                list(pool.map(one, orders))
        finally:
            if killer is not None:
                killer.join(timeout=120)
                if self.lab.state(kill) != "running":  # type: ignore[arg-type]
                    self.lab.start(kill)  # type: ignore[arg-type]
        return accepted

    # ---- quiescence ----------------------------------------------------------------------------------------------
    def pending(self) -> int:
        rows = self.sql(
            "orders", f"SELECT COUNT(*) FROM orders_db.orders WHERE id LIKE '{self.tag}-%' AND status = 'PENDING'"
        )
        return int(rows[0][0])

    def _lab_queues(self) -> dict[str, dict[str, Any]] | None:
        """The broker's view of the lab's queues by name, or None while it cannot answer (a restart)."""
        try:
            qs = self.api("GET", "queues/%2F").json()
        except (httpx.HTTPError, ValueError):
            return None
        if not isinstance(qs, list):
            return None
        return {q["name"]: q for q in qs if q.get("name") in QUEUES}

    def queued(self) -> int:
        """Messages in the lab's queues, ready or delivered and not yet acknowledged."""
        qs = self._lab_queues()
        return -1 if qs is None else sum(int(q.get("messages", 0) or 0) for q in qs.values())

    def consumers_back(self) -> bool:
        """Every queue of the lab has its consumer again (the services reconnect to a restarted broker by
        themselves, backing off for seconds)."""
        qs = self._lab_queues()
        return qs is not None and all(int((qs.get(name) or {}).get("consumers", 0) or 0) > 0 for name in QUEUES)

    def outbox(self) -> int:
        return int(self.sql("orders", "SELECT COUNT(*) FROM orders_db.outbox")[0][0])

    def settle(self, timeout: float = 45, quiet: float = 2.0) -> float:
        """Wait until no order of the batch is pending, or nothing moves any more (queues and outbox empty, the
        pending count unchanged for `quiet` seconds); returns the seconds it took."""
        started = time.monotonic()
        last, since = -1, time.monotonic()
        while time.monotonic() - started < timeout:
            now = self.pending()
            if now == 0:
                break
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since > quiet and self.queued() == 0 and self.outbox() == 0:
                break
            time.sleep(0.3)
        return time.monotonic() - started

    # ---- the invariants -----------------------------------------------------------------------------------------
    def audit(self) -> Audit:
        a = Audit()
        like = f"'{self.tag}-%'"
        orders = self.sql(
            "orders", f"SELECT id, item, qty, amount, status, reason FROM orders_db.orders WHERE id LIKE {like}"
        )
        ledger = self.sql("payment", f"SELECT order_id, kind, amount FROM payment_db.ledger WHERE order_id LIKE {like}")
        stock = self.sql("inventory", f"SELECT item, initial, on_hand FROM inventory_db.stock WHERE item LIKE {like}")
        net: dict[str, int] = {}
        for oid, kind, amount in ledger:
            sign = 1 if kind == "charge" else -1
            net[oid] = net.get(oid, 0) + sign * int(amount)
            if kind == "charge":
                a.charged += int(amount)
            else:
                a.refunded += int(amount)
        sold: dict[str, int] = {}
        for oid, item, qty, amount, status, reason in orders:
            a.orders += 1
            if status == "APPROVED":
                a.approved += 1
                a.approved_total += int(amount)
                sold[item] = sold.get(item, 0) + int(qty)
            elif status == "REJECTED":
                a.rejected += 1
                key = reason.split(":")[0] or "(no reason)"
                a.reasons[key] = a.reasons.get(key, 0) + 1
                a.no_reason += not reason.strip()
            else:
                a.pending += 1
            owed = int(amount) if status == "APPROVED" else 0
            a.wrong_charges += net.get(oid, 0) != owed
        for item, initial, on_hand in stock:
            a.stock_leaked += int(initial) - int(on_hand) - sold.get(item, 0)
        a.money_off = (a.charged - a.refunded) - a.approved_total
        if a.pending:
            a.problems.append(f"{a.pending} of {a.orders} orders are still PENDING")
        if a.no_reason:
            a.problems.append(f"{a.no_reason} rejected orders have no reason")
        if a.stock_leaked:
            a.problems.append(
                f"stock is not conserved: {a.stock_leaked} units left the shelves without an approved order"
                if a.stock_leaked > 0
                else f"stock is not conserved: {-a.stock_leaked} units more on the shelves than there ever were"
            )
        if a.wrong_charges:
            a.problems.append(
                f"money is not conserved: for {a.wrong_charges} orders the customer paid, net of refunds, something "
                f"other than the amount (approved) or nothing (rejected); charged {a.charged} EUR, refunded "
                f"{a.refunded} EUR, approved orders total {a.approved_total} EUR"
            )
        return a

    # ---- talking to a participant directly, through the broker's management API -----------------------------
    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(method, f"{self.mgmt}/api/{path}", auth=("guest", "guest"), timeout=10, **kw)

    def publish(self, routing_key: str, body: dict) -> None:
        """A persistent JSON message on the shop exchange, as a service would publish it."""
        answer = self.api(
            "POST",
            "exchanges/%2F/shop/publish",
            json={
                "properties": {"delivery_mode": 2, "content_type": "application/json"},
                "routing_key": routing_key,
                "payload": json.dumps(body),
                "payload_encoding": "string",
            },
        )
        answer.raise_for_status()
        if not answer.json().get("routed"):
            raise RuntimeError(f"the broker routed {routing_key} to no queue; do the services run?")

    def listen(self, routing_key: str) -> str:
        """A queue of our own that gets a copy of every message with this routing key (a wire tap)."""
        name = f"tap.{self.tag}.{uuid.uuid4().hex[:4]}"
        self.api("PUT", f"queues/%2F/{name}", json={"durable": False, "auto_delete": False}).raise_for_status()
        self.api("POST", f"bindings/%2F/e/shop/q/{name}", json={"routing_key": routing_key}).raise_for_status()
        self.taps.append(name)
        return name

    def heard(self, tap: str) -> list[dict]:
        """Everything the tap has got so far (taken out of it)."""
        got = self.api(
            "POST", f"queues/%2F/{tap}/get", json={"count": 100, "ackmode": "ack_requeue_false", "encoding": "auto"}
        )
        bodies = [json.loads(m["payload"]) for m in (got.json() if got.status_code == 200 else [])]
        self.tapped.setdefault(tap, []).extend(bodies)
        return self.tapped[tap]

    def close(self) -> None:
        for tap in self.taps:
            self.api("DELETE", f"queues/%2F/{tap}")
        self.taps.clear()

    def ledger(self, order_id: str) -> list[tuple[str, int]]:
        rows = self.sql(
            "payment", f"SELECT kind, amount FROM payment_db.ledger WHERE order_id = '{order_id}' ORDER BY seq"
        )
        return [(k, int(a)) for k, a in rows]

    def statuses(self) -> dict[str, tuple[str, str]]:
        rows = self.sql("orders", f"SELECT id, status, reason FROM orders_db.orders WHERE id LIKE '{self.tag}-%'")
        return {oid: (status, reason) for oid, status, reason in rows}
