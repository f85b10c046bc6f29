"""Public checks of the data lab: what `msalab.check(...)` runs in the notebook.

They look from outside: SQL as each service's own database user (or as root to set up a user), HTTP through the
published ports, and the broker's own tools. Every fault they inject (a killed service, a stopped broker, an armed
crash point) is undone before they return.
"""

from __future__ import annotations

import importlib.util
import sys

from msalab.checks import CheckContext, CheckFailed, check
from msalab.paths import labs_dir


def _load_probe():  # type: ignore[no-untyped-def]
    name = "msalab_data_probe"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, labs_dir() / "data" / "probe.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


probe = _load_probe()


# ---- exercise 1: a user per service -------------------------------------------------------------------------------
NewService, seed_orders, page_of, lines_of, relay_idle = (
    probe.NewService,
    probe.seed_orders,
    probe.page_of,
    probe.lines_of,
    probe.relay_idle,
)


@check("data.grants", points=1, title="the new service creates, writes and reads a table in its own schema")
def own_schema(ctx: CheckContext) -> None:
    with NewService(ctx) as svc:
        svc.login()
        try:
            svc.run(f"CREATE TABLE {svc.schema}.parcels (id INT PRIMARY KEY, weight INT)")
            svc.run(f"INSERT INTO {svc.schema}.parcels VALUES (1, 250)")
            rows = svc.run(f"SELECT weight FROM {svc.schema}.parcels WHERE id = 1")
        except probe.SqlError as e:
            raise CheckFailed(f"In its own schema {svc.schema}, '{svc.name}' got: {e}") from None
        ctx.expect(rows == [["250"]], f"Reading back the row gave {rows!r}.")


@check("data.grants", points=1, title="the new service is denied the other services' tables (error 1142)")
def others_denied(ctx: CheckContext) -> None:
    with NewService(ctx) as svc:
        svc.login()
        for table in ("order_db.orders", "catalog_db.products", "customer_db.customers"):
            try:
                svc.run(f"SELECT COUNT(*) FROM {table}")
            except probe.SqlError as e:
                ctx.expect(e.code == 1142, f"Reading {table} failed, but not as 'denied': {e}")
                continue
            raise CheckFailed(f"'{svc.name}' could read {table}: its grants reach beyond its own schema.")


# ---- exercise 2: API composition -------------------------------------------------------------------------------
@check("data.compose", points=1, title="the page: customer's name, each order line with product name and price")
def full_page(ctx: CheckContext) -> None:
    orders = seed_orders(ctx, "c2")
    body = page_of(ctx, "c2", "With every service up")
    customer = body.get("customer") or {}
    ctx.expect(customer.get("name") == "Grace Hopper", f"customer is {body.get('customer')!r}; expected c2's record.")
    for oid, lines in lines_of(ctx, body, orders).items():
        for line in lines:
            want = probe.NAMES.get(line.get("sku"))
            got = (line.get("name"), line.get("price"))
            ctx.expect(got == want, f"Order {oid}, line {line.get('sku')}: name and price are {got}; expected {want}.")
    ctx.expect(body.get("degraded") == [], f"degraded is {body.get('degraded')!r} with every service up; expected [].")


@check("data.compose", points=2, title="catalog killed: still 200, the orders without names, 'catalog' degraded")
def without_catalog(ctx: CheckContext) -> None:
    orders = seed_orders(ctx, "c3")
    ctx.lab.kill("catalog")
    try:
        body = page_of(ctx, "c3", "With catalog killed")
    finally:
        ctx.lab.start("catalog")
    ctx.expect(body.get("degraded") == ["catalog"], f"degraded is {body.get('degraded')!r}; expected ['catalog'].")
    ctx.expect((body.get("customer") or {}).get("name") == "Alan Turing", "customer is missing, but customer is up.")
    for oid, lines in lines_of(ctx, body, orders).items():
        ctx.expect(
            [(ln.get("sku"), ln.get("qty"), ln.get("name")) for ln in lines]
            == [(ln["sku"], ln["qty"], None) for ln in orders[oid]],
            f"Order {oid}'s lines are {lines!r}: expected each sku and qty, with name None.",
        )


# ---- exercise 3: the transactional outbox ---------------------------------------------------------------------------
@check(
    "data.outbox", points=2, title="broker down: orders are still accepted, and each is shipped once after it returns"
)
def broker_down(ctx: CheckContext) -> None:
    tag = probe.new_tag()
    ids = [f"{tag}-b{i}" for i in range(3)]
    probe.broker_app(ctx.lab, up=False)
    try:
        statuses = [probe.place(ctx.lab, oid) for oid in ids]
    finally:
        probe.broker_app(ctx.lab, up=True)
    ctx.expect(
        statuses == [201] * 3,
        f"With the broker stopped, POST /orders answered {statuses}; expected 201 each: taking an order must not "
        "depend on the broker being up.",
    )
    shipped = probe.wait_for(lambda: set(probe.shipments(ctx.lab, ids).values()) == {1}, timeout=40)
    counts = probe.shipments(ctx.lab, ids)
    ctx.expect(shipped, f"40 s after the broker came back, shipments per order are {counts}; expected 1 each.")


@check(
    "data.outbox", points=2, title="orders killed between commit and publish: after its restart the order ships once"
)
def crash_before_publish(ctx: CheckContext) -> None:
    oid = f"{probe.new_tag()}-kb"
    relay_idle(ctx)
    try:
        probe.arm(ctx.lab, "before-publish")
        probe.place(ctx.lab, oid)
        ctx.expect(probe.died(ctx.lab), "orders never tried to publish the event (it should have died doing so).")
    finally:
        probe.revive(ctx.lab)
    ctx.expect(probe.stored(ctx.lab, oid), f"Order {oid} is not in order_db: was it committed before publishing?")
    probe.wait_for(lambda: probe.shipments(ctx.lab, [oid])[oid] >= 1, timeout=15)
    n = probe.shipments(ctx.lab, [oid])[oid]
    ctx.expect(
        n == 1,
        f"Order {oid} is stored but shipped {n} times, 15 s after orders restarted: "
        + ("its event was lost between the commit and the publish." if n == 0 else "expected once."),
    )
