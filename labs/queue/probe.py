"""What the queue lab's checks (public and hidden) use to look at the lab from outside.

Everything here goes through published ports on 127.0.0.1: the broker's management HTTP API, Redis, the order
service, the catalog and the mail sink. Nothing asks the learner's code how it did.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import redis

from msalab.lab import Lab

AUTH = ("guest", "guest")
ORDERS_QUEUE = "orders.fulfil"
DEAD_QUEUE = "orders.dead"
# A little over the broker's statistics interval for message counters (1 s, set in lab.toml).
SAMPLE_SECONDS = 1.1

T = TypeVar("T")


def wait_for(condition: Callable[[], Any], timeout: float, step: float = 0.1) -> Any:
    """Poll `condition` until it returns something true or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def settled(read: Callable[[], T], enough: Callable[[T], bool], timeout: float) -> T:
    """A reading of the broker's statistics once it is `enough` and two readings a sample apart agree, or the
    last reading after `timeout` seconds. The broker samples its counters every second (see lab.toml), so a
    reading that has not moved for one sample is what happened, not what is still on its way."""
    deadline, last = time.monotonic() + timeout, None
    while True:
        now = read()
        if (enough(now) and now == last) or time.monotonic() > deadline:
            return now
        last = now
        time.sleep(SAMPLE_SECONDS)


class Probe:
    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.mgmt = lab.url("broker", "management")
        self.orders_url = lab.url("orders")
        self.r = redis.Redis.from_url(lab.url("redis"), decode_responses=True, socket_timeout=5)
        self.tag = uuid.uuid4().hex[:8]

    # ---- the broker, through its management API ------------------------------------------------------------
    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(method, f"{self.mgmt}/api/{path}", auth=AUTH, timeout=10, **kw)

    def queue(self, name: str) -> dict[str, Any] | None:
        answer = self.api("GET", f"queues/%2F/{quote(name, safe='')}")
        return answer.json() if answer.status_code == 200 else None

    def queues(self) -> list[dict[str, Any]]:
        return self.api("GET", "queues/%2F").json()

    def peek(self, name: str, count: int = 50) -> list[dict[str, Any]]:
        """The messages waiting in a queue, left where they are (fetched and requeued by the broker)."""
        answer = self.api(
            "POST",
            f"queues/%2F/{quote(name, safe='')}/get",
            json={"count": count, "ackmode": "ack_requeue_true", "encoding": "auto"},
        )
        return answer.json() if answer.status_code == 200 else []

    def purge(self, name: str) -> None:
        self.api("DELETE", f"queues/%2F/{quote(name, safe='')}/contents")

    def depth(self, name: str = ORDERS_QUEUE) -> int:
        q = self.queue(name) or {}
        return int(q.get("messages", 0) or 0)

    def stats(self, name: str = ORDERS_QUEUE) -> dict[str, int]:
        """The broker's counters of a queue since it was declared: publish, deliver_get, redeliver, ack, ..."""
        counters = (self.queue(name) or {}).get("message_stats") or {}
        return {k: int(v) for k, v in counters.items() if isinstance(v, int | float)}

    def stat_after(self, name: str, counter: str, at_least: int, timeout: float = 8) -> int:
        """A queue's counter once it reaches `at_least` and stops moving, or its value after `timeout` seconds."""
        return settled(lambda: self.stats(name).get(counter, 0), lambda n: n >= at_least, timeout)

    def consumer_channels(self, name: str = ORDERS_QUEUE) -> set[str]:
        """The broker's channels that consume from a queue (one per worker here)."""
        consumers = self.api("GET", "consumers/%2F").json()
        return {c["channel_details"]["name"] for c in consumers if c["queue"]["name"] == name}

    def channel_deliveries(self, settle: bool = True) -> dict[str, int]:
        """Messages the broker has delivered on each of its channels so far (deliver_get), by channel name; with
        `settle`, once two readings a sample apart agree."""

        def read() -> dict[str, int]:
            channels = self.api("GET", "channels").json()
            return {c["name"]: int((c.get("message_stats") or {}).get("deliver_get", 0)) for c in channels}

        return settled(read, lambda _: True, timeout=8) if settle else read()

    def deliveries_by_consumer(self, before: dict[str, int], total: int, timeout: float = 8) -> dict[str, int]:
        """How many messages each consumer channel of the work queue got since `before` (a channel_deliveries()),
        once the broker's statistics add up to `total` deliveries (or after `timeout` seconds)."""

        def read() -> dict[str, int]:
            consuming = self.consumer_channels()
            delivered = self.channel_deliveries(settle=False)
            now = {ch: n - before.get(ch, 0) for ch, n in delivered.items() if ch in consuming}
            return {ch: n for ch, n in now.items() if n > 0}

        return settled(read, lambda got: sum(got.values()) >= total, timeout)

    # ---- orders and what the workers did with them --------------------------------------------------------
    def new_id(self, what: str = "o") -> str:
        return f"{what}-{self.tag}-{uuid.uuid4().hex[:6]}"

    def place(self, **order: Any) -> str:
        order.setdefault("id", self.new_id())
        answer = httpx.post(f"{self.orders_url}/orders", json=order, timeout=15)
        answer.raise_for_status()
        return str(order["id"])

    def count(self, table: str, order_id: str) -> int:
        return int(self.r.hget(table, order_id) or 0)

    def effects(self, ids: list[str]) -> dict[str, int]:
        return {i: self.count("effects", i) for i in ids}

    def attempts(self, ids: list[str]) -> int:
        return sum(self.count("attempts", i) for i in ids)

    def settle(self, ids: list[str], timeout: float = 20) -> None:
        """Wait until the work queue is empty and the workers have not started on any of `ids` for a second."""
        deadline = time.monotonic() + timeout
        last, quiet_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            now = self.attempts(ids)
            if now != last:
                last, quiet_since = now, time.monotonic()
            elif self.depth() == 0 and time.monotonic() - quiet_since > 1.0:
                return
            time.sleep(0.2)

    # ---- the workers ----------------------------------------------------------------------------------------
    @property
    def workers(self) -> list[str]:
        return self.lab.spec.members("worker")

    def kill_workers(self) -> None:
        for w in self.workers:
            self.lab.kill(w)

    def start_workers(self) -> None:
        """Start every worker that is not running, all at once (also what a check's `finally` calls)."""
        since = time.time()
        stopped = [w for w in self.workers if self.lab.state(w) != "running"]
        for w in stopped:
            self.lab.start(w, wait=False)
        for w in stopped:
            self.lab.wait_ready(w, since)

    def drain_poison(self) -> None:
        """End a poison message's endless redelivery: stop the workers, empty the queue, start them again."""
        for w in self.workers:
            self.lab.stop(w, timeout=2)
        self.purge(ORDERS_QUEUE)
        self.start_workers()


# nameko's client runs on eventlet, which must not be imported into the checks' own threads (a thread that used it
# never ends); so each call runs in a short-lived process of its own.
_RPC = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy
url, service, method, args = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
try:
    with ClusterRpcProxy({"AMQP_URI": url}, timeout=float(sys.argv[5])) as rpc:
        out = {"result": getattr(getattr(rpc, service), method)(*args)}
except RemoteError as e:
    out = {"error": f"{service}.{method} raised {e.exc_type}: {e.value}"}
except Exception as e:
    out = {"error": f"{service}.{method} did not answer ({type(e).__name__}); does the service run?"}
print("@@rpc@@" + json.dumps(out))
"""


def nameko_rpc(lab: Lab, service: str, method: str, *args: Any, timeout: float = 10) -> dict[str, Any]:
    """Call a nameko RPC method through the broker: {"result": ...} or {"error": "what went wrong"}."""
    amqp = lab.url("broker", "amqp")
    cmd = [sys.executable, "-c", _RPC, amqp, service, method, json.dumps(args), str(timeout)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 20)
    except subprocess.TimeoutExpired:
        return {"error": f"{service}.{method} did not answer within {timeout:.0f} s"}
    if "@@rpc@@" not in done.stdout:
        return {"error": f"the RPC client failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}"}
    return json.loads(done.stdout.rsplit("@@rpc@@", 1)[1])
