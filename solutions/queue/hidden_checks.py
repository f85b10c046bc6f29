"""Hidden checks of the queue lab: run by the grader only. They inject the faults the chapter promises."""

from __future__ import annotations

import time
import uuid

import httpx

from msalab.checks import CheckContext, check, lab_module

probe = lab_module("queue", "probe.py")
Probe, wait_for = probe.Probe, probe.wait_for


def queue_public_checks():  # type: ignore[no-untyped-def]
    """Helpers of the public checks, loaded without registering those checks a second time."""
    import msalab.checks as checks

    saved = list(checks._registry)
    try:
        return lab_module("queue", "checks.py")
    finally:
        checks._registry[:] = saved


# ---- exercise 1 ------------------------------------------------------------------------------------------------------
@check(
    "queue.reliable",
    points=2,
    title="orders waiting in the queue survive a broker restart",
    states=("chapter: Fix it: make the queue durable, and acknowledge only after the work is done."),
)
def survives_a_broker_restart(ctx: CheckContext) -> None:
    p = Probe(ctx.lab)
    for w in p.workers:
        ctx.lab.stop(w, timeout=2)
    try:
        ids = [p.place(work=0.05) for _ in range(4)]
        wait_for(lambda: p.depth() >= 4, timeout=5)
        ctx.lab.restart("broker", timeout=10)
    finally:
        p.start_workers()
    wait_for(lambda: all(p.effects(ids).values()), timeout=4)  # what the queue kept is fulfilled at once
    p.settle(ids, timeout=10)
    lost = [i for i, n in p.effects(ids).items() if n == 0]
    ctx.expect(
        not lost,
        f"{len(lost)} of 4 orders waiting in the queue were gone after the broker restarted: is the queue durable?",
    )


# ---- exercise 2 ------------------------------------------------------------------------------------------------------
# Acknowledging after the work (exercise 1) is what makes a redelivery, or a rejection, possible at all.
@check(
    "queue.idempotent",
    points=2,
    title="an order redelivered after a crash takes stock once",
    needs=("queue.reliable",),
    states=(
        "chapter: a worker that dies **after** the work but **before** the ack gets the message again, "
        "and does the work twice.\n"
        "chapter: Make `apply` call `take_stock` only for the first delivery of each order id."
    ),
)
def redelivery_takes_stock_once(ctx: CheckContext) -> None:
    p = Probe(ctx.lab)
    order = p.new_id("slip")
    redelivered = p.stat_after(probe.ORDERS_QUEUE, "redeliver", 0)
    p.place(id=order, work=0.05, after=1.0)  # after taking stock, the worker prints a packing slip for 1 s ...
    try:
        took = wait_for(lambda: p.count("effects", order) >= 1, timeout=15)
        ctx.expect(took, "The workers did not take stock for the order within 15 s.")
        p.kill_workers()  # ... and dies while printing it, before any ack
    finally:
        p.start_workers()
    # The broker's own count of redeliveries on the work queue: the order the killed worker held comes again.
    again = p.stat_after(probe.ORDERS_QUEUE, "redeliver", redelivered + 1) > redelivered
    wait_for(lambda: p.count("attempts", order) >= 2, timeout=5)
    p.settle([order], timeout=10)
    ctx.expect(
        again,
        "The order was not delivered again after the worker died before finishing it, so this check cannot see "
        "a redelivery: does the worker acknowledge only after the work (exercise 1)?",
    )
    n = p.count("effects", order)
    ctx.expect(n == 1, f"The order was delivered twice and took stock {n} times; expected exactly once.")


# ---- exercise 3 ------------------------------------------------------------------------------------------------------
# Acknowledging after the work (exercise 1) is what makes a redelivery, or a rejection, possible at all.
@check(
    "queue.deadletter",
    points=1,
    title="the poison is retried, but only a few times, then dead-lettered",
    needs=("queue.reliable",),
    states=("chapter: Instead: retry a few times, then **reject** it without requeue\nchapter: Allow three attempts."),
)
def bounded_retries(ctx: CheckContext) -> None:
    p = Probe(ctx.lab)
    good = 2
    delivered = p.stat_after(probe.ORDERS_QUEUE, "deliver_get", 0)
    poison, _, letter = queue_public_checks().poison_run(ctx, p, good=good)
    tried = p.count("attempts", poison)
    ctx.expect(letter is not None, f"The poison order (tried {tried} times) did not reach orders.dead.")
    ctx.expect(2 <= tried <= 5, f"The poison order was tried {tried} times; expected a few retries (2 to 5).")
    # The broker's own count: deliveries from orders.fulfil during the run, less one for each good order.
    by_broker = p.stat_after(probe.ORDERS_QUEUE, "deliver_get", delivered + good + 2) - delivered - good
    ctx.expect(
        2 <= by_broker <= 5,
        f"The broker delivered the poison order {by_broker} times from orders.fulfil; expected a few (2 to 5).",
    )


# Acknowledging after the work (exercise 1) is what makes a redelivery, or a rejection, possible at all.
@check(
    "queue.deadletter",
    points=1,
    title="with one worker, the orders behind a poison one keep flowing",
    needs=("queue.reliable",),
    states=(
        "chapter: `retry(message, attempts)` puts a copy at the back of the queue with the header "
        "`x-attempts` set to `attempts` and acks the original (so the orders behind it keep flowing)"
    ),
)
def stream_keeps_flowing(ctx: CheckContext) -> None:
    p = Probe(ctx.lab)
    _, ids, letter = queue_public_checks().poison_run(ctx, p, good=8, one_worker=True)
    done = sum(1 for n in p.effects(ids).values() if n)
    ctx.expect(done == len(ids), f"With one worker, {done} of 8 orders behind a poison order were done in 12 s.")
    ctx.expect(letter is not None, "The poison order did not reach orders.dead.")


# ---- exercise 4 ------------------------------------------------------------------------------------------------------
@check(
    "queue.nameko",
    points=1,
    title="mail goes out through a real event subscription, once per order",
    states=(
        'chapter: every service with `@event_handler("orders", "order_placed")` gets its own queue for it\n'
        "chapter: `Notifications` handles `order_placed` from `orders` and sends a mail with "
        "`self.mailer.send(to, subject, body)` to the order's `email`; the subject names the order id, "
        "the body says the total."
    ),
)
def one_mail_per_order_via_an_event(ctx: CheckContext) -> None:
    pub = queue_public_checks()
    p = Probe(ctx.lab)
    subscribers = [
        q for q in p.queues() if q["name"].startswith("evt-orders-order_placed--notifications.") and q["consumers"]
    ]
    ctx.expect(
        subscribers,
        "No queue of the notifications service subscribes to orders' order_placed event (an @event_handler).",
    )
    address = f"alan-{uuid.uuid4().hex[:6]}@example.test"
    orders = [{"id": f"ev-{uuid.uuid4().hex[:6]}", "sku": "ROBOT-1", "qty": q, "email": address} for q in (1, 2, 3)]
    for order in orders:
        pub.rpc_place_order(ctx, order)
    wait_for(lambda: len(pub.mails_to(ctx, address)) >= 3, timeout=10, step=0.2)
    time.sleep(0.5)  # duplicates would arrive about now
    mails = pub.mails_to(ctx, address)
    ctx.expect(len(mails) == 3, f"3 orders sent {len(mails)} mails to {address}; expected one each.")
    for order in orders:
        mine = [m for m in mails if order["id"] in m["subject"]]
        ctx.expect(mine, f"No mail names order {order['id']}.")
        total = str(120 * order["qty"])
        ctx.expect(total in mine[0]["body"], f"The mail for order {order['id']} does not say its total {total}.")


# ---- exercise 5 ------------------------------------------------------------------------------------------------------
@check(
    "queue.throughput",
    points=2,
    title="three competing workers are measured faster than one",
    states=(
        "chapter: return the orders per second from your first order to the last one fulfilled. The check "
        "calls your function in a process of its own and compares what it returns with what the workers "
        "really did.\n"
        "chapter: These are **competing consumers**, the simplest way to scale a backing worker out: "
        "start more copies."
    ),
)
def three_workers_beat_one(ctx: CheckContext) -> None:
    pub = queue_public_checks()
    p = Probe(ctx.lab)
    one = f"one-{uuid.uuid4().hex[:8]}"
    for w in p.workers[1:]:
        ctx.lab.stop(w, timeout=2)
    try:
        alone = wait_for(lambda: (p.queue(probe.ORDERS_QUEUE) or {}).get("consumers") == 1, timeout=5)
        ctx.expect(alone, "With two workers stopped, the broker does not count one consumer of orders.fulfil.")
        before = p.channel_deliveries()
        rate1 = ctx.run_answer("measure", ctx.lab.url("orders"), 8, one, timeout=60)
        by_broker1 = p.deliveries_by_consumer(before, 8)
    finally:
        p.start_workers()
    info1 = pub.batch_info(ctx, one)
    ctx.expect(len(info1["by_worker"]) == 1, f"With one worker running, {len(info1['by_worker'])} took part.")
    ctx.expect(
        len(by_broker1) == 1 and sum(by_broker1.values()) >= 8,
        f"With one worker running, the broker delivered {sum(by_broker1.values())} messages to {len(by_broker1)} "
        "consumer(s) of orders.fulfil; expected the 8 orders to one.",
    )
    three = f"three-{uuid.uuid4().hex[:8]}"
    all_three = wait_for(lambda: (p.queue(probe.ORDERS_QUEUE) or {}).get("consumers") == 3, timeout=5)
    ctx.expect(all_three, "With every worker started again, the broker does not count 3 consumers of orders.fulfil.")
    before = p.channel_deliveries()
    rate3 = ctx.run_answer("measure", ctx.lab.url("orders"), 15, three, timeout=60)
    by_broker3 = p.deliveries_by_consumer(before, 15)
    ctx.expect(
        len(by_broker3) == 3 and sum(by_broker3.values()) >= 15,
        f"With three workers, the broker delivered {sum(by_broker3.values())} messages to {len(by_broker3)} "
        "consumer(s) of orders.fulfil; expected the 15 orders shared by all three.",
    )
    ctx.expect(
        isinstance(rate1, int | float) and isinstance(rate3, int | float) and rate3 >= 1.6 * rate1 > 0,
        f"measure() gave {rate1!r} orders/s with one worker and {rate3!r} with three; expected three to be "
        "clearly faster.",
    )


# ---- exercise 6 ------------------------------------------------------------------------------------------------------
@check(
    "queue.cache",
    points=1,
    title="cache entries expire (a TTL is set)",
    states=("chapter: give each entry a TTL (`r.set(key, value, ex=TTL_SECONDS)`)"),
)
def entries_expire(ctx: CheckContext) -> None:
    p = Probe(ctx.lab)
    sku = f"SKU-{uuid.uuid4().int % 100 + 101}"
    httpx.get(f"{ctx.lab.url('catalog')}/products/{sku}", timeout=10)
    keys = list(p.r.scan_iter(match=f"*{sku}*"))
    ctx.expect(keys, f"After reading {sku}, Redis holds no key that names it.")
    ttls = {k: p.r.ttl(k) for k in keys}
    ctx.expect(
        all(0 < t <= 3600 for t in ttls.values()),
        f"Cache entries for {sku} have TTLs {ttls} (-1: never expires); expected 1 s to an hour.",
    )
