"""Hidden checks of the data lab: run by the grader only."""

from __future__ import annotations

import time

from msalab.checks import CheckContext, CheckFailed, check, lab_module

probe = lab_module("data", "probe.py")


@check(
    "data.grants",
    points=1,
    title="no privilege beyond its schema: no other database, no new one, no grant",
    states=(
        "chapter: allowed to create, read and change tables in its own schema `<service>_db` (which "
        "exists already), and **nothing** else: no other schema, no global privilege, no right to pass "
        "rights on."
    ),
)
def nothing_global(ctx: CheckContext) -> None:
    with probe.NewService(ctx) as svc:
        svc.login()
        seen = sorted(r[0] for r in svc.run("SHOW DATABASES"))
        ctx.expect(
            seen == sorted(["information_schema", svc.schema]),
            f"'{svc.name}' sees the databases {seen}; expected only information_schema and {svc.schema}.",
        )
        try:
            svc.run(f"CREATE DATABASE {svc.name}_other")
            svc.run(f"DROP DATABASE {svc.name}_other")
            raise CheckFailed(f"'{svc.name}' could create a database of its own choosing.")
        except probe.SqlError:
            pass
        grants = " ".join(r[0] for r in svc.run("SHOW GRANTS"))
        ctx.expect("GRANT OPTION" not in grants, f"'{svc.name}' may pass its rights on: {grants}")


@check(
    "data.compose",
    points=1,
    title="customer killed: 200 without the customer; orders killed: 503",
    states=(
        "chapter: catalog or customer down, slow (wait at most about a second for anyone) or answering an "
        "error: leave their parts `None`, name them in `degraded`, and still answer;\n"
        "chapter: orders down: raise `Unavailable` (the composer then answers 503)."
    ),
)
def without_customer_or_orders(ctx: CheckContext) -> None:
    orders = probe.seed_orders(ctx, "c1")
    ctx.lab.kill("customer")
    try:
        body = probe.page_of(ctx, "c1", "With customer killed")
    finally:
        ctx.lab.start("customer")
    ctx.expect(body.get("degraded") == ["customer"], f"degraded is {body.get('degraded')!r}; expected ['customer'].")
    ctx.expect(body.get("customer") is None, f"customer is {body.get('customer')!r}; expected None.")
    for oid, lines in probe.lines_of(ctx, body, orders).items():
        ctx.expect(all(ln.get("name") for ln in lines), f"Order {oid} lost its product names, but catalog is up.")
    ctx.lab.kill("orders")
    try:
        status, body, _ = probe.page(ctx.lab, "c1")
    finally:
        ctx.lab.start("orders")
    ctx.expect(status == 503, f"With orders killed the page answered {status}: {body!r}; expected 503."[:300])


@check(
    "data.compose",
    points=1,
    title="catalog frozen (paused): the page still answers within 3 s, degraded",
    states=(
        "chapter: catalog or customer down, slow (wait at most about a second for anyone) or answering an "
        "error: leave their parts `None`, name them in `degraded`, and still answer;"
    ),
)
def frozen_catalog(ctx: CheckContext) -> None:
    probe.seed_orders(ctx, "c2")
    ctx.lab.pause("catalog")
    try:
        status, body, seconds = probe.page(ctx.lab, "c2", timeout=15)
    finally:
        ctx.lab.unpause("catalog")
    ctx.expect(
        status == 200 and seconds < 3.0,
        f"With catalog frozen, the page answered {status or 'nothing'} after {seconds:.1f} s; expected 200 within "
        "3 s: a composer waits for nobody for long.",
    )
    ctx.expect(isinstance(body, dict) and body.get("degraded") == ["catalog"], f"degraded: {body!r}"[:300])


@check(
    "data.outbox",
    points=2,
    title="orders killed after publishing, before marking it sent: still shipped once",
    states=(
        "chapter: the checks kill orders between commit and publish, and after publish before the mark, "
        "and count shipments as shipping's database user sees them.\n"
        "chapter: Your part is to give each event its id once, when it is written, so that a repeat "
        "carries the same id."
    ),
)
def crash_after_publish(ctx: CheckContext) -> None:
    oid = f"{probe.new_tag()}-ka"
    probe.relay_idle(ctx)
    try:
        probe.arm(ctx.lab, "after-publish")
        probe.place(ctx.lab, oid)
        ctx.expect(probe.died(ctx.lab), "orders never published the event (it should have died right after).")
    finally:
        probe.revive(ctx.lab)
    # The outbox row is written in the order's own transaction: it is there as soon as the order is.
    ctx.expect(
        probe.outbox_rows(ctx.lab, oid),
        f"Order {oid} has no row in order_db.outbox: where does its event wait to be published?",
    )
    probe.wait_for(lambda: all(p for _, p in probe.outbox_rows(ctx.lab, oid)), 20)
    rows = probe.outbox_rows(ctx.lab, oid)
    ctx.expect(all(p for _, p in rows), f"20 s after the restart, {oid}'s outbox row is still not marked published.")
    time.sleep(1.0)  # a second delivery, if any, has arrived by now
    n = probe.shipments(ctx.lab, [oid])[oid]
    got = probe.deliveries(ctx.lab, oid)
    ctx.expect(
        n == 1,
        f"Order {oid} shipped {n} times; shipping received {got} (event id, times). The same event sent twice must "
        "carry the same event_id, so that shipping recognises it.",
    )
