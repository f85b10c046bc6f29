"""Public checks of the queue lab: what `msalab.check(...)` runs in the notebook.

They watch the lab from outside: the broker's management API (queues, depths, redeliveries, consumers and what
each was delivered, dead letters), Redis (what the workers really did), the catalog's database counter and the mail
sink.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import uuid

import httpx

from msalab.checks import CheckContext, check
from msalab.paths import labs_dir


def _load_queue_probe():  # type: ignore[no-untyped-def]
    name = "msalab_queue_probe"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, labs_dir() / "queue" / "probe.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


probe = _load_queue_probe()
Probe, wait_for = probe.Probe, probe.wait_for


# ---- exercise 1: a reliable work queue ---------------------------------------------------------------------------
@check("queue.reliable", points=1, title="orders.fulfil is a durable queue with consumers")
def durable_queue(ctx: CheckContext) -> None:
    p = Probe(ctx.lab)
    q = wait_for(lambda: (q := p.queue(probe.ORDERS_QUEUE)) and q.get("consumers", 0) >= 1 and q, timeout=10)
    ctx.expect(q, "The broker has no queue orders.fulfil with a consumer; is the worker running?")
    ctx.expect(q["durable"], "orders.fulfil is not durable: the broker would forget the queue when it restarts.")


ORDERS_IN_FLIGHT = 24


@check("queue.reliable", points=2, title="workers killed mid-stream: every order is fulfilled, none lost")
def survives_a_worker_crash(ctx: CheckContext) -> None:
    p = Probe(ctx.lab)
    redelivered = p.stat_after(probe.ORDERS_QUEUE, "redeliver", 0)
    # 24 orders of 0.5 s on three workers: the kill lands mid-stream even on a busy machine (with 12 of 0.3 s the
    # workers could finish everything before the kill took effect, and the broker had nothing to redeliver).
    ids = [p.place(work=0.5) for _ in range(ORDERS_IN_FLIGHT)]
    try:
        busy = wait_for(lambda: p.attempts(ids) >= 4, timeout=15)
        ctx.expect(busy, "The workers did not start on the orders within 15 s.")
        p.kill_workers()  # in the middle of an order: each worker sleeps 0.3 s per order
    finally:
        p.start_workers()
    p.settle(ids)
    lost = [i for i, n in p.effects(ids).items() if n == 0]
    ctx.expect(
        not lost,
        f"{len(lost)} of {ORDERS_IN_FLIGHT} orders were never fulfilled after the workers were killed and started "
        "again: the broker had forgotten them. When does your worker acknowledge an order?",
    )
    # The broker's own count: the orders the killed workers held unacknowledged were delivered again.
    again = p.stat_after(probe.ORDERS_QUEUE, "redeliver", redelivered + 1) - redelivered
    ctx.expect(
        again >= 1,
        "The broker counted no redelivery on orders.fulfil after the workers were killed in the middle of their "
        "orders: it held none of them unacknowledged.",
    )


# ---- exercise 2: an idempotent consumer --------------------------------------------------------------------------
@check("queue.idempotent", points=2, title="an order published twice takes stock once")
def duplicates_take_stock_once(ctx: CheckContext) -> None:
    p = Probe(ctx.lab)
    twice, once = p.new_id("twice"), p.new_id("once")
    p.place(id=twice, work=0.05)
    p.place(id=twice, work=0.05)  # the same order again: a client that retried, or a publisher that resent it
    p.place(id=once, work=0.05)
    wait_for(lambda: p.count("attempts", twice) >= 2 and p.count("attempts", once) >= 1, timeout=15)
    p.settle([twice, once], timeout=10)
    got = p.effects([twice, once])
    ctx.expect(got[once] == 1, f"An order delivered once took stock {got[once]} times; expected once.")
    ctx.expect(
        got[twice] == 1,
        f"An order delivered twice took stock {got[twice]} times; expected exactly once.",
    )


# ---- exercise 3: dead-lettering --------------------------------------------------------------------------------------
def poison_run(ctx: CheckContext, p, good: int, one_worker: bool = False):  # type: ignore[no-untyped-def]
    """Publish one poison order and `good` good ones; returns (poison id, good ids, poison's dead letter or None)."""
    if p.queue(probe.DEAD_QUEUE) is not None:
        p.purge(probe.DEAD_QUEUE)
    stopped = p.workers[1:] if one_worker else []
    for w in stopped:
        ctx.lab.stop(w, timeout=2)
    poison = p.new_id("poison")
    try:
        p.place(id=poison, poison=True)
        ids = [p.place(work=0.05) for _ in range(good)]

        def dead_letter():  # type: ignore[no-untyped-def]
            found = [m for m in p.peek(probe.DEAD_QUEUE) if poison in str(m.get("payload"))]
            return found[0] if found else None

        deadline, quiet_since = time.monotonic() + 12, time.monotonic()
        while time.monotonic() < deadline:
            good_done = all(p.effects(ids).values())
            if good_done and dead_letter():
                break
            if p.count("attempts", poison) > 10:
                break  # going round and round: it will not stop by itself
            if not (good_done and p.depth() == 0):
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 2:
                break  # everything done, the queue empty, and no dead letter: the poison went elsewhere
            time.sleep(0.25)
        return poison, ids, dead_letter()
    finally:
        if p.depth() > 0 or p.count("attempts", poison) > 5:
            p.drain_poison()  # the poison may still be going round: take it out of the lab
        else:
            p.start_workers()


# Acknowledging after the work (exercise 1) is what makes a redelivery, or a rejection, possible at all.
@check(
    "queue.deadletter",
    points=2,
    title="a poison order ends in orders.dead, the good ones are fulfilled",
    needs=("queue.reliable",),
)
def poison_goes_to_the_dead_letter_queue(ctx: CheckContext) -> None:
    p = Probe(ctx.lab)
    poison, ids, letter = poison_run(ctx, p, good=6)
    done = sum(1 for n in p.effects(ids).values() if n)
    ctx.expect(done == len(ids), f"Only {done} of the {len(ids)} good orders published after the poison were done.")
    ctx.expect(
        p.queue(probe.DEAD_QUEUE) is not None,
        "The broker has no queue orders.dead: declare it (DEAD_LETTERS), bound to a dead-letter exchange.",
    )
    tried = p.count("attempts", poison)
    hint = " Tried once and gone: was it acknowledged before the work (exercise 1)?" if tried == 1 else ""
    ctx.expect(
        letter is not None,
        f"The poison order was tried {tried} time(s) but is not in orders.dead; a message rejected without requeue "
        f"goes to the queue's x-dead-letter-exchange.{hint}",
    )
    death = ((letter["properties"].get("headers") or {}).get("x-death") or [{}])[0]
    ctx.expect(
        death.get("queue") == probe.ORDERS_QUEUE,
        f"The poison order is in orders.dead, but the broker did not dead-letter it from orders.fulfil (its x-death "
        f"header says {death or 'nothing'}): reject it without requeue and let the queue's dead-letter exchange route "
        "it, rather than publishing it there yourself.",
    )


# ---- exercise 4: nameko ------------------------------------------------------------------------------------------
def rpc_place_order(ctx: CheckContext, order: dict) -> object:
    answer = probe.nameko_rpc(ctx.lab, "orders", "place_order", order)
    ctx.expect("error" not in answer, answer.get("error", ""))
    return answer.get("result")


def mails_to(ctx: CheckContext, address: str) -> list[dict]:
    return [m for m in httpx.get(f"{ctx.lab.url('mail')}/messages", timeout=10).json() if address in m["to"]]


@check("queue.nameko", points=1, title="RPC orders.place_order returns the order with its total")
def rpc_returns_the_total(ctx: CheckContext) -> None:
    order = {"id": f"rpc-{uuid.uuid4().hex[:6]}", "sku": "ROBOT-2", "qty": 3, "email": "ada@example.test"}
    got = rpc_place_order(ctx, order)
    ctx.expect(isinstance(got, dict), f"orders.place_order returned {got!r}; expected the order as a dict.")
    assert isinstance(got, dict)
    ctx.expect(got.get("id") == order["id"], f"The returned order has id {got.get('id')!r}, not {order['id']!r}.")
    ctx.expect(got.get("total") == 750, f"3 x ROBOT-2 at 250 EUR: expected total 750, got {got.get('total')!r}.")


@check("queue.nameko", points=2, title="a placed order sends a confirmation mail through SMTP")
def order_placed_sends_mail(ctx: CheckContext) -> None:
    address = f"grace-{uuid.uuid4().hex[:6]}@example.test"
    order = {"id": f"mail-{uuid.uuid4().hex[:6]}", "sku": "GEAR", "qty": 2, "email": address}
    rpc_place_order(ctx, order)
    mails = wait_for(lambda: mails_to(ctx, address), timeout=8, step=0.2)
    ctx.expect(mails, f"No mail reached {address} within 8 s of placing order {order['id']}.")
    ctx.expect(
        order["id"] in mails[0]["subject"],
        f"The mail's subject {mails[0]['subject']!r} does not name the order {order['id']}.",
    )


# ---- exercise 5: competing consumers -----------------------------------------------------------------------------
def batch_info(ctx: CheckContext, batch: str) -> dict:
    return httpx.get(f"{ctx.lab.url('orders')}/batches/{batch}", timeout=10).json()


@check("queue.throughput", points=2, title="measure() reports the rate at which the workers really fulfilled")
def measurement_is_real(ctx: CheckContext) -> None:
    p = Probe(ctx.lab)
    p.start_workers()
    batch, n = f"check-{uuid.uuid4().hex[:8]}", 15
    before = p.channel_deliveries()
    rate = ctx.run_answer("measure", ctx.lab.url("orders"), n, batch, timeout=60)
    info = batch_info(ctx, batch)
    ctx.expect(info["placed"] == n, f"measure(url, {n}, batch) placed {info['placed']} orders of that batch.")
    ctx.expect(
        info["fulfilled"] == n,
        f"When measure() returned, {info['fulfilled']} of {n} orders were fulfilled: wait until all are done.",
    )
    ctx.expect(len(info["by_worker"]) >= 2, f"Only {len(info['by_worker'])} worker(s) took part; expected several.")
    # The broker's view: how many of its consumers of orders.fulfil it delivered those orders to.
    consumers = p.deliveries_by_consumer(before, n)
    ctx.expect(
        len(consumers) >= 2 and sum(consumers.values()) >= n,
        f"The broker delivered {sum(consumers.values())} messages to {len(consumers)} consumer(s) of orders.fulfil "
        f"while measure() ran; expected the {n} orders to be shared by several consumers.",
    )
    real = n / info["seconds"]
    ok = isinstance(rate, int | float) and 0.4 * real <= rate <= 1.5 * real
    ctx.expect(ok, f"measure() returned {rate!r} orders/s; the workers did {real:.1f} orders/s from first to last.")


# ---- exercise 6: cache-aside ------------------------------------------------------------------------------------
def catalog_reads(ctx: CheckContext) -> int:
    return int(httpx.get(f"{ctx.lab.url('catalog')}/stats", timeout=10).json()["db_reads"])


def fresh_sku() -> str:
    return f"SKU-{uuid.uuid4().int % 100 + 101}"


@check("queue.cache", points=2, title="repeated reads are served from the cache")
def reads_hit_the_cache(ctx: CheckContext) -> None:
    url, sku = ctx.lab.url("catalog"), fresh_sku()
    before = catalog_reads(ctx)
    for _ in range(5):
        answer = httpx.get(f"{url}/products/{sku}", timeout=10)
        ctx.expect(answer.status_code == 200, f"GET /products/{sku} answered {answer.status_code}.")
    queries = catalog_reads(ctx) - before
    ctx.expect(queries <= 1, f"5 reads of {sku} made {queries} database queries; expected at most 1.")


@check("queue.cache", points=2, title="no stale read after a write")
def no_stale_reads(ctx: CheckContext) -> None:
    url, sku = ctx.lab.url("catalog"), fresh_sku()
    reads, stale, before = 0, 0, catalog_reads(ctx)
    for round_ in range(4):
        for _ in range(2):
            httpx.get(f"{url}/products/{sku}", timeout=10)
            reads += 1
        price = 1000 + round_ + int(time.time()) % 1000
        httpx.put(f"{url}/products/{sku}", json={"name": f"Part {sku}", "price": price}, timeout=10)
        got = httpx.get(f"{url}/products/{sku}", timeout=10).json().get("price")
        reads += 1
        stale += got != price
    queries = catalog_reads(ctx) - before
    ctx.expect(queries < reads, f"All {reads} reads went to the database: without a cache nothing can be stale.")
    ctx.expect(stale == 0, f"{stale} of 4 reads right after a write returned the old price.")
