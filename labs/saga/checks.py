"""Public checks of the saga lab: what `msalab.check(...)` runs in the notebook.

They place orders through the order service (or talk to payment directly through the broker), inject faults,
wait until the lab is quiet, and then read the three databases as each service's own user: no order left
pending, every rejection with a reason, stock conserved, money conserved.
"""

from __future__ import annotations

import importlib.util
import sys
import time

from msalab.checks import CheckContext, check
from msalab.paths import labs_dir


def _load_probe():  # type: ignore[no-untyped-def]
    name = "msalab_saga_probe"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, labs_dir() / "saga" / "probe.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


probe = _load_probe()
Shop, wait_for = probe.Shop, probe.wait_for


def three_orders(ctx: CheckContext, flow: str) -> None:
    """One order that goes through, one over the card limit, one for an item that is sold out."""
    shop = Shop(ctx.lab)
    shop.stock_up({"lamp": 5, "gone": 0})
    ok, over, out = f"{shop.tag}-ok", f"{shop.tag}-over", f"{shop.tag}-out"
    shop.place({"id": ok, "item": f"{shop.tag}-lamp", "qty": 2, "amount": 120}, flow)
    shop.place({"id": over, "item": f"{shop.tag}-lamp", "qty": 1, "amount": 900}, flow)
    shop.place({"id": out, "item": f"{shop.tag}-gone", "qty": 1, "amount": 80}, flow)
    shop.settle(timeout=25)
    got = shop.statuses()
    status = {k: v[0] for k, v in got.items()}
    hint = " (Is every event handled? Look at the orders service's log: msalab logs saga orders.)"
    ctx.expect(status.get(ok) == "APPROVED", f"The order that should go through is {status.get(ok)}.{hint}")
    ctx.expect(
        status.get(over) == "REJECTED", f"The order over the card limit is {status.get(over)}, not REJECTED.{hint}"
    )
    ctx.expect(
        status.get(out) == "REJECTED", f"The order for a sold-out item is {status.get(out)}, not REJECTED.{hint}"
    )
    ctx.expect("declined" in got[over][1], f"The order over the card limit was rejected for {got[over][1]!r}.")
    ctx.expect("out of stock" in got[out][1], f"The order for a sold-out item was rejected for {got[out][1]!r}.")
    audit = shop.audit()
    ctx.expect(audit.consistent, "; ".join(audit.problems) + ". Was every step that succeeded undone?")


def random_workload(ctx: CheckContext, flow: str, n: int, seed: int, kill: str | None = None, hint: str = "") -> None:
    """n random orders placed by 4 clients (with `kill` killed after a third of them and started again 2 s
    later); once the lab is quiet, the invariants must hold. `hint` ends the message when they do not."""
    shop = Shop(ctx.lab)
    shop.stock_up({"lamp": 18, "chair": 12, "desk": 5})
    orders = shop.workload(n, seed=seed)
    shop.burst(orders, flow, kill=kill, kill_after=n // 3, down_for=2.0)
    shop.settle(timeout=40)
    audit = shop.audit()
    what = f"{n} random orders" + (f", {kill} killed in the middle and started again 2 s later" if kill else "")
    ctx.expect(audit.consistent, f"After {what}: " + "; ".join(audit.problems) + "." + (f" {hint}" if hint else ""))


# ---- exercise 1: the orchestrated saga ----------------------------------------------------------------------------
@check("saga.orchestration", points=2, title="approved, declined (stock released), sold out (charge refunded)")
def orchestrated_three_orders(ctx: CheckContext) -> None:
    three_orders(ctx, "saga")


@check("saga.orchestration", points=2, title="30 random orders: none pending, stock and money conserved")
def orchestrated_random_workload(ctx: CheckContext) -> None:
    random_workload(ctx, "saga", 30, seed=11)


# ---- exercise 2: crash safety of a participant -----------------------------------------------------------------------
def charge(shop, order_id: str, amount: int = 100, msg_id: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    body = {
        "msg_id": msg_id or f"{order_id}-c",
        "step": "charge",
        "order_id": order_id,
        "customer": "ada",
        "amount": amount,
    }
    shop.publish("cmd.payment.charge", body)
    return body


def restore(ctx: CheckContext, crash_point: str) -> None:
    """Disarm the crash point and have payment running again, whatever happened."""
    if ctx.lab.state("payment") == "running":
        ctx.lab.exec("payment", f"rm -f /tmp/crash-{crash_point}")
    else:
        ctx.lab.start("payment")
        ctx.lab.exec("payment", f"rm -f /tmp/crash-{crash_point}")


def replies_for(shop, tap: str, order_id: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [m for m in shop.heard(tap) if m.get("order_id") == order_id]


@check("saga.crashsafe", points=2, title="payment dies in the middle of a charge: after its restart the charge is done")
def payment_dies_mid_step(ctx: CheckContext) -> None:
    shop = Shop(ctx.lab)
    tap = shop.listen("reply.orders")
    order = f"{shop.tag}-crash"
    try:
        ctx.lab.exec("payment", "touch /tmp/crash-payment-before-commit")
        charge(shop, order)
        died = wait_for(lambda: ctx.lab.state("payment") != "running", timeout=15)
        ctx.expect(died, "payment never took the charge command (it should have died at the crash point).")
    finally:
        restore(ctx, "payment-before-commit")
        heard = wait_for(lambda: replies_for(shop, tap, order), timeout=15)
        shop.close()
    ctx.expect(
        heard,
        "payment was killed in the middle of a charge and started again, and the charge never happened: the broker "
        "had already forgotten the command. When does payment acknowledge it?",
    )
    ctx.expect(heard[0].get("event") == "charged", f"payment answered {heard[0]!r}, not 'charged'.")
    ctx.expect(len(shop.ledger(order)) >= 1, "payment replied 'charged' but its ledger has no charge for the order.")


@check("saga.crashsafe", points=2, title="payment killed twice during 30 charges: every charge is done and answered")
def payment_killed_during_charges(ctx: CheckContext) -> None:
    shop = Shop(ctx.lab)
    tap = shop.listen("reply.orders")
    ids = [f"{shop.tag}-k{i:02d}" for i in range(30)]

    def charged() -> int:
        # One query, not one per order: a slow poll would let payment finish every charge before the kill, and a
        # payment that acknowledges before its work would then lose nothing and pass.
        rows = shop.sql(
            "payment", f"SELECT COUNT(DISTINCT order_id) FROM payment_db.ledger WHERE order_id LIKE '{shop.tag}-k%'"
        )
        return int(rows[0][0]) if rows else 0

    try:
        for oid in ids:
            charge(shop, oid)
        for target in (4, 12):  # two kills: one landing between two charges (a few ms of 150) cannot decide it
            busy = wait_for(lambda target=target: charged() >= target, timeout=20, step=0.05)
            ctx.expect(busy, f"payment had not done {target} charges within 20 s.")
            ctx.lab.kill("payment")  # it takes 0.15 s per charge: almost surely in the middle of one
            time.sleep(1.5)
            ctx.lab.start("payment")
    finally:
        if ctx.lab.state("payment") != "running":
            ctx.lab.start("payment")
    wait_for(lambda: {m.get("order_id") for m in shop.heard(tap)} >= set(ids), timeout=30)
    answered = {m.get("order_id") for m in shop.heard(tap)}
    shop.close()
    unanswered = [oid for oid in ids if oid not in answered]
    uncharged = [oid for oid in ids if not shop.ledger(oid)]
    ctx.expect(
        not unanswered and not uncharged,
        f"{len(unanswered)} of {len(ids)} charge commands were never answered and {len(uncharged)} never charged "
        "after payment was killed twice and started again: they were lost.",
    )


# ---- exercise 3: idempotent steps ------------------------------------------------------------------------------------
@check("saga.idempotent", points=2, title="a charge command delivered twice charges once, and is answered both times")
def charge_twice_charges_once(ctx: CheckContext) -> None:
    shop = Shop(ctx.lab)
    tap = shop.listen("reply.orders")
    order = f"{shop.tag}-twice"
    try:
        body = charge(shop, order, amount=130)
        shop.publish("cmd.payment.charge", body)  # the same message again: a redelivery, or a publisher's retry
        heard = wait_for(lambda: len(replies_for(shop, tap, order)) >= 2, timeout=15)
    finally:
        shop.close()
    booked = shop.ledger(order)
    ctx.expect(booked == [("charge", 130)], f"One charge of 130 EUR, delivered twice, booked {booked} in the ledger.")
    ctx.expect(
        heard and {m.get("event") for m in replies_for(shop, tap, order)} == {"charged"},
        "Both deliveries need the same answer, 'charged' (the first answer may never have reached the orchestrator).",
    )


@check("saga.idempotent", points=2, title="a refund command delivered twice refunds once")
def refund_twice_refunds_once(ctx: CheckContext) -> None:
    shop = Shop(ctx.lab)
    tap = shop.listen("reply.orders")
    order = f"{shop.tag}-refund"
    try:
        charge(shop, order, amount=70)
        refund = {"msg_id": f"{order}-r", "step": "refund", "order_id": order, "amount": 70}
        for _ in range(3):
            shop.publish("cmd.payment.refund", refund)
        wait_for(lambda: len(replies_for(shop, tap, order)) >= 4, timeout=15)
    finally:
        shop.close()
    booked = shop.ledger(order)
    refunds = [b for b in booked if b[0] == "refund"]
    ctx.expect(len(refunds) == 1, f"One refund, delivered three times, booked {len(refunds)} refund(s): {booked}.")


# ---- exercise 4: choreography ----------------------------------------------------------------------------------------
@check("saga.choreography", points=2, title="choreographed: approved, declined (stock released), sold out")
def choreographed_three_orders(ctx: CheckContext) -> None:
    three_orders(ctx, "choreo")


@check("saga.choreography", points=2, title="choreographed: 30 random orders, none pending, stock and money conserved")
def choreographed_random_workload(ctx: CheckContext) -> None:
    random_workload(ctx, "choreo", 30, seed=12)
