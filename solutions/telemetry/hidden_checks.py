"""Hidden checks of the telemetry lab: run by the grader only."""

from __future__ import annotations

import json
import time
from collections import Counter

from msalab.checks import CheckContext, check, lab_module

probe = lab_module("telemetry", "probe.py")
Telemetry, new_context, wait_for, ALERT = probe.Telemetry, probe.new_context, probe.wait_for, probe.ALERT


@check(
    "telemetry.propagate",
    points=1,
    title="the queued message carries the order's trace, sampled flag and all",
    states=(
        "chapter: What is missing is in `orders`: its call to `payments` and the message it publishes for "
        "`shipping` carry nothing\n"
        "chapter: **Sampling** keeps only a share of the traces, decided once at the root (the edge) and "
        "followed by every service downstream"
    ),
)
def message_carries_the_context(ctx: CheckContext) -> None:
    t = Telemetry(ctx.lab)
    ctx.lab.stop("shipping")  # so the message waits in the queue, where the check can read it
    try:
        seen = {}
        for sampled in (True, False):
            tid, _, traceparent = new_context(sampled)
            r = t.order(traceparent)
            ctx.expect(r.status_code == 201, f"The edge answered {r.status_code} to an order; expected 201.")
            oid = r.json()["id"]
            msgs = wait_for(lambda oid=oid: [m for m in t.peek() if f'"{oid}"' in m["payload"]], 10)
            ctx.expect(msgs, f"The message for order {oid} never reached the queue shipments.")
            header = (msgs[0]["properties"].get("headers") or {}).get("traceparent", "")
            seen[sampled] = (tid, header)
        tid, header = seen[True]
        parts = header.split("-")
        ctx.expect(
            len(parts) == 4 and parts[1] == tid,
            f"The message of an order in trace {tid} has traceparent {header!r}; expected '00-{tid}-<span id>-01'.",
        )
        producer = t.span_where(tid, service="orders", kind="PRODUCER")
        ctx.expect(
            producer and parts[2] == producer["span_id"],
            f"The message's traceparent names span {parts[2]}, not orders' publish span "
            f"{producer and producer['span_id']}: inject where the message is published.",
        )
        tid, header = seen[False]
        ctx.expect(
            header.split("-")[1:2] == [tid] and header.endswith("-00"),
            f"An order whose caller did not sample its trace {tid} (flags 00) published traceparent {header!r}: "
            "the trace id and the sampled flag must travel unchanged, or every service decides anew.",
        )
    finally:
        ctx.lab.start("shipping")


@check(
    "telemetry.consume",
    points=1,
    title="one message's context does not leak into the next message's span",
    states=("chapter: A message without a `traceparent` starts a trace of its own, never one of the message before."),
)
def contexts_do_not_leak(ctx: CheckContext) -> None:
    t = Telemetry(ctx.lab)
    tid, sid, traceparent = new_context()
    t.publish({"order": f"leak-a-{sid}", "items": []}, {"traceparent": traceparent})
    first = t.span_where(tid, timeout=15, service="shipping", kind="CONSUMER")
    ctx.expect(first, f"No consumer span of shipping in trace {tid} within 15 s.")
    second = f"leak-b-{sid}"
    t.publish({"order": second, "items": []}, {})

    def shipped() -> dict | None:  # shipping's own JSON log line for the second message names its trace
        for line in reversed(ctx.lab.logs("shipping", tail=200).splitlines()):
            if second in line and line.startswith("{"):
                return json.loads(line)
        return None

    line = wait_for(shipped, 15)
    ctx.expect(line, "shipping did not ship a message without trace headers within 15 s.")
    ctx.expect(
        line.get("trace_id") != tid,
        f"A message without a traceparent was processed inside the previous message's trace {tid}: the context "
        "attached for one message stayed current afterwards (detach it, or pass it as `context=`).",
    )


@check(
    "telemetry.red",
    points=1,
    title="failed orders are counted with their status code",
    states=(
        "chapter: `observe(request, status_code, seconds)` is called once per request. The histogram must "
        "be named `http_request_duration_seconds`, with labels `route`, `method` and `code`."
    ),
)
def errors_counted_with_code(ctx: CheckContext) -> None:
    t = Telemetry(ctx.lab)
    before = t.edge_metrics()
    t.fault("payments", "errors", share=1.0, **{"for": 20})
    try:
        codes = [t.order().status_code for _ in range(6)]
    finally:
        t.fault("payments", "clear")
    after = t.edge_metrics()
    failed = codes.count(502)
    ctx.expect(failed == 6, f"With every charge failing, the edge answered {codes}; expected 502 six times.")

    def count(samples: dict) -> float:
        want = {"route": "/shop/orders", "method": "POST", "code": "502"}
        return sum(
            v
            for (name, labels), v in samples.items()
            if name.endswith("_count") and all(dict(labels).get(k) == x for k, x in want.items())
        )

    ctx.expect(
        count(after) - count(before) == failed,
        f"The edge answered 502 to {failed} orders, but its histogram counted {count(after) - count(before):g} "
        "POST /shop/orders with code 502: errors are requests too (R, E and D).",
    )


@check(
    "telemetry.slo",
    points=1,
    title="normal load (a few errors, within the objective) pages no one",
    timeout=150,
    states=(
        "chapter: An alert should page a person when the budget is being spent so fast that it will run "
        "out, not on every error (a shop with some traffic always has a few).\n"
        "chapter: fires when the error ratio of `orders`' `POST /orders` (status 5xx among all) is above "
        "10 times the budget over both `1m` and `10s`."
    ),
)
def silent_under_normal_load(ctx: CheckContext) -> None:
    t = Telemetry(ctx.lab)
    ctx.expect(t.prometheus_ready(), "Prometheus does not answer; did it start with your slo.yml?")
    ctx.expect(t.rule(), f"Prometheus has no alerting rule named {ALERT}.")
    quiet = wait_for(lambda: t.rule()["state"] == "inactive", 90, every=1)
    ctx.expect(quiet, f"{ALERT} was still active 90 s after any earlier errors; it should not be.")
    started = time.time()
    try:
        t.start_load(16, 45, mix={"orders": 1, "products": 1})
        states = set()
        while time.time() < started + 45:
            states.add(t.rule()["state"])
            time.sleep(1)
        results = t.finish_load()
    finally:
        t.http.post(f"{t.backend}/load/stop")
    errors = sum(1 for _, route, code, _ in results if route == "orders" and code >= 500)
    orders = sum(1 for _, route, _, _ in results if route == "orders")
    time.sleep(3)
    paged = t.notifications(started, status="firing")
    ctx.expect(
        not paged and "firing" not in states,
        f"{ALERT} fired under normal load: {errors} of {orders} orders failed ({errors / max(orders, 1):.1%}), within "
        "the 1 % error budget. An alert on any error pages people for nothing.",
    )
    if errors == 0:  # the lab's doing, not the answer's: one charge in 150 fails, so a normal load always has some
        codes = Counter(code for _, route, code, _ in results if route == "orders")
        raise RuntimeError(f"normal load had no failed order (orders by status: {dict(codes)}); ask your instructor")
