"""Hidden checks of the saga lab: run by the grader only. More faults, and the corners of each exercise."""

from __future__ import annotations

from msalab.checks import CheckContext, check, lab_module


def _public():  # type: ignore[no-untyped-def]
    """The public checks' helpers, loaded without registering those checks a second time."""
    import msalab.checks as checks

    saved = list(checks._registry)
    try:
        return lab_module("saga", "checks.py")
    finally:
        checks._registry[:] = saved


probe = lab_module("saga", "probe.py")
public = _public()
Shop, wait_for = probe.Shop, probe.wait_for


# Which exercises a whole saga under a fault leans on, for the messages of the checks that run one.
NEEDS_ALL = (
    "This check runs whole orchestrated sagas, so it passes only once exercises 1 (the state machine), 2 (payment "
    "acknowledges after its commit and reply) and 3 (idempotent steps: after a crash the broker delivers again "
    "every command that was not acknowledged) all pass; fix whichever of those still fails first."
)


# ---- exercise 1 ------------------------------------------------------------------------------------------------------
@check(
    "saga.orchestration",
    points=1,
    title="declined and sold out at once: rejected, nothing left to undo",
    states=(
        "chapter: The replies may come in either order, and either step may fail, or both. In every case "
        "the saga ends APPROVED or REJECTED, with every step that succeeded undone."
    ),
)
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


@check(
    "saga.orchestration",
    points=1,
    title="a stray late reply changes no finished order",
    states=("chapter: A reply the state does not expect (a late or stray one) must change nothing."),
)
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


@check(
    "saga.orchestration",
    points=1,
    title="the orchestrator itself killed mid-burst: every saga still ends",
    # Started again, orders sends again what its outbox had not marked sent, with the same message ids: payment
    # charges once only with an idempotent once() (exercise 3).
    needs=("saga.idempotent",),
    states=(
        "chapter: So whenever orders dies, the database says exactly where each saga was, and nothing it "
        "meant to send is lost.\n"
        "chapter: In every case the saga ends APPROVED or REJECTED, with every step that succeeded "
        "undone."
    ),
)
def hidden_orchestrator_killed(ctx: CheckContext) -> None:
    public.random_workload(ctx, "saga", 24, seed=21, kill="orders")


@check(
    "saga.orchestration",
    points=2,
    title="30 orders, the broker killed mid-burst and back 2 s later: invariants hold",
    needs=("saga.crashsafe", "saga.idempotent"),
    states=(
        "chapter: Both run over a message broker, and that is what makes them survive a crash: a command "
        "or event waits in a durable queue until its service is back, and is delivered again if the "
        "service died before acknowledging it."
    ),
)
def hidden_broker_restart_mid_burst(ctx: CheckContext) -> None:
    shop = Shop(ctx.lab)
    shop.stock_up({"lamp": 18, "chair": 12, "desk": 5})
    # The broker is killed after the 10th order and started again (burst() returns once it is ready again).
    shop.burst(shop.workload(30, seed=25), "saga", kill="broker", kill_after=10, down_for=2.0)
    # Right after a restart the broker's statistics read empty while the services are still reconnecting (they
    # back off for seconds): settle() would take that for "nothing moves any more". Wait for every consumer first.
    wait_for(shop.consumers_back, timeout=30, step=0.5)
    shop.settle(timeout=45, quiet=5.0)
    audit = shop.audit()
    ctx.expect(
        audit.consistent,
        "After 30 random orders, the broker killed after the 10th and started again 2 s later: "
        + "; ".join(audit.problems)
        + ". Durable queues, persistent messages and the outbox keep every command and reply through the restart. "
        + NEEDS_ALL,
    )


# ---- exercise 2 ------------------------------------------------------------------------------------------------------
@check(
    "saga.crashsafe",
    points=2,
    title="30 orders, payment killed mid-burst and back 2 s later: invariants hold",
    needs=("saga.orchestration", "saga.idempotent"),
    states=(
        "chapter: Fix it: the broker may forget a command only when its effect is committed **and** its "
        "reply is published.\n"
        "chapter: every order ends **approved** or **rejected with a reason**, and stock and money add "
        "up."
    ),
)
def hidden_saga_survives_payment_kill(ctx: CheckContext) -> None:
    public.random_workload(ctx, "saga", 30, seed=23, kill="payment", hint=NEEDS_ALL)


# ---- exercise 3 ------------------------------------------------------------------------------------------------------
@check(
    "saga.idempotent",
    points=2,
    title="payment dies after its commit, before the ack: charged once, answered",
    needs=("saga.crashsafe",),  # the command must be redelivered to be answered again
    states=(
        "chapter: payment may die **after** its commit but **before** the ack, and then gets the same "
        "command again.\n"
        "chapter: A redelivered command then has no second effect, but gets the same reply again, which "
        "matters: the first reply may never have been sent."
    ),
)
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


@check(
    "saga.idempotent",
    points=2,
    title="a stock.reserved event delivered twice charges once, answered both times",
    states=(
        "labs/saga/services/app/payment.py: Every delivery goes through your code: consumer.on_command "
        "(exercise 2) decides when the broker may forget it, and once.once (exercise 3) makes a "
        "redelivered message have its effect once.\n"
        "labs/saga/services/app/payment.py: event evt.stock.reserved (choreography) -> "
        "evt.payment.charged / evt.payment.declined"
    ),
)
def hidden_event_twice_charges_once(ctx: CheckContext) -> None:
    """The choreography's event to payment, duplicated (a redelivery, or inventory publishing it again)."""
    shop = Shop(ctx.lab)
    tap = shop.listen("evt.payment.*")
    order = f"{shop.tag}-evt"
    event = {
        "msg_id": f"{order}>stock.reserved",
        "order_id": order,
        "customer": "ada",
        "item": f"{shop.tag}-lamp",
        "qty": 1,
        "amount": 160,
    }
    try:
        shop.publish("evt.stock.reserved", event)
        shop.publish("evt.stock.reserved", event)  # the same message again
        wait_for(lambda: len(public.replies_for(shop, tap, order)) >= 2, timeout=15)
        answers = public.replies_for(shop, tap, order)
    finally:
        shop.close()
    booked = shop.ledger(order)
    ctx.expect(
        booked == [("charge", 160)],
        f"One stock.reserved event of 160 EUR, delivered twice, booked {booked} in payment's ledger; expected one "
        "charge. once() must recognise an event by its message id, as it does a command.",
    )
    ctx.expect(
        len(answers) >= 2 and all(a == answers[0] for a in answers) and "reason" not in answers[0],
        f"Both deliveries of the event need the same answer, payment.charged (the first may never have been sent); "
        f"payment published {answers}.",
    )


# ---- exercise 4 ------------------------------------------------------------------------------------------------------
@check(
    "saga.choreography",
    points=2,
    title="choreographed, inventory killed mid-burst: invariants hold",
    # Killed mid-event, inventory publishes its events again with the same message ids: payment charges once
    # only with an idempotent once() (exercise 3).
    needs=("saga.idempotent",),
    states=(
        "chapter: (The lab makes each event's message id from the one that caused it, so a redelivered "
        "event leads to the same messages, and inventory's natural key makes its steps idempotent.)\n"
        "chapter: every order ends **approved** or **rejected with a reason**, and stock and money add "
        "up."
    ),
)
def hidden_choreography_survives_inventory_kill(ctx: CheckContext) -> None:
    public.random_workload(ctx, "choreo", 30, seed=24, kill="inventory")
