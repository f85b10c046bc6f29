"""Public checks of the api lab: what `msalab.check(...)` runs in the notebook.

Every request goes to the published port of the orders API; orders are counted in its database, from inside
its container, so that no check has to believe the API about itself.
"""

import sys
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent))

import apikit as kit

from msalab.checks import CheckContext, check


# ---- 1. resources and status codes -----------------------------------------------------------------------------
@check("api.resources", points=1, title="POST /v1/orders: 201, a Location that answers with the new order")
def created_with_location(ctx: CheckContext) -> None:
    answer = kit.call(ctx.lab, "POST", "/v1/orders", json=kit.ORDER)
    ctx.expect(answer.status_code == 201, f"POST /v1/orders answered {kit.short(answer)}; expected 201 Created.")
    order = answer.json()
    ctx.expect(
        isinstance(order, dict) and isinstance(order.get("id"), int) and order.get("status") == "placed",
        f"the new order came back as {answer.text[:160]}; expected the order with its id and status 'placed'.",
    )
    where = answer.headers.get("location")
    ctx.expect(where, "a 201 needs a Location header: the URL of what was created.")
    ctx.expect("/v1/" in urljoin("/", where), f"Location is {where!r}; a link should keep the version (/v1/...).")
    again = kit.call(ctx.lab, "GET", where)
    ctx.expect(again.status_code == 200, f"GET {where} (the Location) answered {kit.short(again)}; expected 200.")
    ctx.expect(again.json() == order, f"GET {where} answered {again.text[:160]}; expected the order just created.")


@check("api.resources", points=1, title="an unknown order is 404; cancel is 200 once, then 409")
def missing_and_cancel(ctx: CheckContext) -> None:
    missing = kit.call(ctx.lab, "GET", "/v1/orders/999999")
    ctx.expect(missing.status_code == 404, f"GET /v1/orders/999999 answered {kit.short(missing)}; expected 404.")
    created = kit.call(ctx.lab, "POST", "/v1/orders", json=kit.ORDER).json()
    path = f"/v1/orders/{created['id']}/cancel"
    first = kit.call(ctx.lab, "POST", path)
    ctx.expect(first.status_code == 200, f"POST {path} answered {kit.short(first)}; expected 200.")
    ctx.expect(first.json().get("status") == "cancelled", f"after cancelling, the order is {first.text[:160]}.")
    second = kit.call(ctx.lab, "POST", path)
    ctx.expect(second.status_code == 409, f"cancelling twice answered {kit.short(second)}; expected 409 Conflict.")
    nothing = kit.call(ctx.lab, "POST", "/v1/orders/999999/cancel")
    ctx.expect(nothing.status_code == 404, f"cancelling order 999999 answered {kit.short(nothing)}; expected 404.")


# ---- 2. errors -------------------------------------------------------------------------------------------------
@check("api.errors", points=1, title="404s are application/problem+json: an unknown path, an unknown order")
def not_found_is_a_problem(ctx: CheckContext) -> None:
    kit.expect_problem(ctx, kit.call(ctx.lab, "GET", "/v1/nowhere"), 404, "GET /v1/nowhere")
    kit.expect_problem(ctx, kit.call(ctx.lab, "GET", "/orders/1"), 404, "GET /orders/1 (no version)")


@check("api.errors", points=1, title="an invalid order: 422 problem+json whose errors name each bad field")
def invalid_is_a_problem(ctx: CheckContext) -> None:
    bad = {"customer": "ada", "items": [{"sku": "TEA-001", "quantity": 0}]}
    body = kit.expect_problem(ctx, kit.call(ctx.lab, "POST", "/v1/orders", json=bad), 422, "an order of 0 teas")
    errors = body.get("errors")
    ctx.expect(
        isinstance(errors, list)
        and errors
        and all(isinstance(e, dict) and "field" in e and "message" in e for e in errors),
        f"the 422 needs 'errors': a list of {{'field': ..., 'message': ...}}; it had {errors!r}.",
    )
    fields = [str(e["field"]) for e in errors]
    ctx.expect(any(f.endswith("quantity") for f in fields), f"the errors name {fields}; expected ...items.0.quantity.")


# ---- 3. pagination ---------------------------------------------------------------------------------------------
@check("api.pagination", points=1, title="pages of 3, newest first, following next: every order exactly once")
def walks_every_order(ctx: CheckContext) -> None:
    for _ in range(max(0, 8 - kit.count(ctx.lab))):
        kit.call(ctx.lab, "POST", "/v1/orders", json={**kit.ORDER, "customer": "pager"})
    expected = kit.all_ids(ctx.lab)
    seen = kit.walk(ctx, "/v1/orders?limit=3")
    dupes = sorted({i for i in seen if seen.count(i) > 1})
    ctx.expect(not dupes, f"walking the pages showed these orders twice: {dupes[:10]}.")
    ctx.expect(
        sorted(seen) == sorted(expected), f"the pages held {len(seen)} orders; the database has {len(expected)}."
    )
    ctx.expect(
        seen == sorted(seen, reverse=True), f"the orders came in the order {seen[:12]}...; expected newest first."
    )
    first = kit.call(ctx.lab, "GET", "/v1/orders?limit=3").json()
    ctx.expect(len(first["items"]) == 3, f"?limit=3 gave a page of {len(first['items'])} orders.")


@check("api.pagination", points=1, title="limit is bounded: 0 and 101 are refused (4xx), the default page is small")
def limit_is_bounded(ctx: CheckContext) -> None:
    for limit in (0, 101, -5):
        answer = kit.call(ctx.lab, "GET", f"/v1/orders?limit={limit}")
        ctx.expect(400 <= answer.status_code < 500, f"?limit={limit} answered {kit.short(answer)}; expected a 4xx.")
    plain = kit.call(ctx.lab, "GET", "/v1/orders")
    body = plain.json() if plain.status_code == 200 else None
    ctx.expect(
        isinstance(body, dict) and isinstance(body.get("items"), list) and len(body["items"]) <= 100,
        f"GET /v1/orders answered {kit.short(plain)}; expected a page of at most 100 orders.",
    )


# ---- 4. idempotency --------------------------------------------------------------------------------------------
@check("api.idempotency", points=1, title="the same key and body twice: one order, the same answer twice")
def same_key_same_order(ctx: CheckContext) -> None:
    before = kit.count(ctx.lab)
    headers = {"Idempotency-Key": kit.key()}
    first = kit.call(ctx.lab, "POST", "/v1/orders", json=kit.ORDER, headers=headers)
    second = kit.call(ctx.lab, "POST", "/v1/orders", json=kit.ORDER, headers=headers)
    ctx.expect(200 <= first.status_code < 300, f"the first POST answered {kit.short(first)}; expected success.")
    made = kit.count(ctx.lab) - before
    ctx.expect(made == 1, f"two POSTs with one Idempotency-Key made {made} orders; expected 1.")
    ctx.expect(
        (second.status_code, second.json()) == (first.status_code, first.json()),
        f"the repeat answered {kit.short(second)}; expected the first answer again: {kit.short(first)}.",
    )


@check("api.idempotency", points=1, title="the same key with another body is refused (409 or 422), no order")
def same_key_other_body(ctx: CheckContext) -> None:
    headers = {"Idempotency-Key": kit.key()}
    kit.call(ctx.lab, "POST", "/v1/orders", json=kit.ORDER, headers=headers)
    before = kit.count(ctx.lab)
    other = {"customer": "ada", "items": [{"sku": "MUG-002", "quantity": 9}]}
    answer = kit.call(ctx.lab, "POST", "/v1/orders", json=other, headers=headers)
    ctx.expect(
        answer.status_code in (409, 422),
        f"a reused key with another order answered {kit.short(answer)}; expected 409 or 422.",
    )
    ctx.expect(kit.count(ctx.lab) == before, "a reused key with another order still made an order.")
