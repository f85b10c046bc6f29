"""Hidden checks of the saga lab: run by the grader only. More faults, and the corners of each exercise."""

from __future__ import annotations

import importlib.util
import sys

from msalab.checks import CheckContext, check
from msalab.paths import labs_dir


def _load(name: str, path):  # type: ignore[no-untyped-def]
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


def _public():  # type: ignore[no-untyped-def]
    """The public checks' helpers, loaded without registering those checks a second time."""
    import msalab.checks as checks

    saved = list(checks._registry)
    try:
        return _load("msalab_saga_public_checks", labs_dir() / "saga" / "checks.py")
    finally:
        checks._registry[:] = saved


probe = _load("msalab_saga_probe", labs_dir() / "saga" / "probe.py")
public = _public()
Shop, wait_for = probe.Shop, probe.wait_for


# ---- exercise 1 ------------------------------------------------------------------------------------------------------
@check("saga.orchestration", points=1, title="declined and sold out at once: rejected, nothing left to undo")
def hidden_both_steps_fail(ctx: CheckContext) -> None:
    shop = Shop(ctx.lab)
    shop.stock_up({"gone": 0})
    oid = f"{shop.tag}-both"
    shop.place({"id": oid, "item": f"{shop.tag}-gone", "qty": 1, "amount": 990}, "saga")
    shop.settle(timeout=20)
    status, reason = shop.statuses().get(oid, ("missing", ""))
    ctx.expect(status == "REJECTED" and reason, f"An order both declined and sold out ended {status} ({reason!r}).")
    audit = shop.audit()
    ctx.expect(audit.consistent, "; ".join(audit.problems) + ".")


@check("saga.orchestration", points=1, title="a stray late reply changes no finished order")
def hidden_stray_reply_changes_nothing(ctx: CheckContext) -> None:
    shop = Shop(ctx.lab)
    shop.stock_up({"lamp": 3})
    ok, over = f"{shop.tag}-ok", f"{shop.tag}-over"
    shop.place({"id": ok, "item": f"{shop.tag}-lamp", "qty": 1, "amount": 50}, "saga")
    shop.place({"id": over, "item": f"{shop.tag}-lamp", "qty": 1, "amount": 800}, "saga")
    shop.settle(timeout=20)
    before = shop.statuses()
    ctx.expect(before.get(ok, ("",))[0] == "APPROVED", f"The first order ended {before.get(ok)}; expected APPROVED.")
    for oid in (ok, over):
        for event in ("declined", "out_of_stock", "charged", "reserved", "released", "refunded"):
            shop.publish(
                "reply.orders", {"msg_id": f"{oid}-stray-{event}", "order_id": oid, "event": event, "reason": "stray"}
            )
    wait_for(lambda: shop.queued() == 0, timeout=10)
    shop.settle(timeout=10, quiet=1.5)
    after = shop.statuses()
    ctx.expect(after == before, f"Late replies to finished orders changed them: {before} became {after}.")
    audit = shop.audit()
    ctx.expect(audit.consistent, "After stray replies: " + "; ".join(audit.problems) + ".")


@check("saga.orchestration", points=1, title="the orchestrator itself killed mid-burst: every saga still ends")
def hidden_orchestrator_killed(ctx: CheckContext) -> None:
    public.random_workload(ctx, "saga", 24, seed=21, kill="orders")


# ---- exercise 2 ------------------------------------------------------------------------------------------------------
@check("saga.crashsafe", points=2, title="30 orders, payment killed mid-burst and back 2 s later: invariants hold")
def hidden_saga_survives_payment_kill(ctx: CheckContext) -> None:
    public.random_workload(ctx, "saga", 30, seed=23, kill="payment")


# ---- exercise 3 ------------------------------------------------------------------------------------------------------
@check("saga.idempotent", points=2, title="payment dies after its commit, before the ack: charged once, answered")
def hidden_crash_after_commit(ctx: CheckContext) -> None:
    shop = Shop(ctx.lab)
    tap = shop.listen("reply.orders")
    order = f"{shop.tag}-late"
    try:
        ctx.lab.exec("payment", "touch /tmp/crash-payment-after-commit")
        public.charge(shop, order, amount=210)
        died = wait_for(lambda: ctx.lab.state("payment") != "running", timeout=15)
        ctx.expect(died, "payment never took the charge command.")
    finally:
        public.restore(ctx, "payment-after-commit")
        heard = wait_for(lambda: public.replies_for(shop, tap, order), timeout=15)
        shop.close()
    booked = shop.ledger(order)
    ctx.expect(
        heard,
        "payment committed the charge and died before it answered; started again, it never answered, so the saga "
        "would wait forever (the command must be redelivered, exercise 2, and answered again from what was stored).",
    )
    ctx.expect(booked == [("charge", 210)], f"The redelivered charge booked {booked}; expected one charge of 210.")


# ---- exercise 4 ------------------------------------------------------------------------------------------------------
@check("saga.choreography", points=2, title="choreographed, inventory killed mid-burst: invariants hold")
def hidden_choreography_survives_inventory_kill(ctx: CheckContext) -> None:
    public.random_workload(ctx, "choreo", 30, seed=24, kill="inventory")
