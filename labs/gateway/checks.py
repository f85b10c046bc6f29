"""Public checks of the gateway lab: what `msalab.check(...)` runs in the notebook.

Every request goes through the edge (Traefik, the only published port) to your gateway; what services
themselves say is read from inside their containers.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import checkkit as kit

from msalab.checks import CheckContext, check


# ---- 1. routing ------------------------------------------------------------------------------------------------
@check("gateway.routing", points=1, title="/orders/... and /users/... reach orders and users")
def routes_by_path(ctx: CheckContext) -> None:
    mine = kit.call(ctx.lab, "GET", "/orders/mine", "bob")
    ctx.expect(mine.status_code == 200, f"GET /orders/mine answered {mine.status_code}; expected 200 from orders.")
    ctx.expect("orders" in mine.json(), f"GET /orders/mine answered {mine.text[:200]}; expected orders' list.")
    me = kit.call(ctx.lab, "GET", "/users/bob", "bob")
    ctx.expect(me.status_code == 200, f"GET /users/bob answered {me.status_code}; expected 200 from users.")
    ctx.expect(
        me.json().get("name") == "Bob Marley", f"GET /users/bob answered {me.text[:200]}; expected bob's profile."
    )


@check("gateway.routing", points=1, title="an unknown path gets 404 from the gateway itself")
def unknown_is_404(ctx: CheckContext) -> None:
    known = kit.call(ctx.lab, "GET", "/users/me", "bob")
    ctx.expect(known.status_code == 200, f"GET /users/me answered {known.status_code}; expected 200 (route it first).")
    for path in ("/nope", "/inventory/1", "/"):
        answer = kit.call(ctx.lab, "GET", path, "bob")
        ctx.expect(answer.status_code == 404, f"GET {path} answered {answer.status_code}; expected 404.")
        said = answer.json().get("error") if "json" in answer.headers.get("content-type", "") else None
        ctx.expect(
            said == "no such endpoint",
            f"GET {path} was answered {answer.text[:120]!r}: a service answered; the gateway itself should say 404.",
        )


# ---- 2. identity -----------------------------------------------------------------------------------------------
@check("gateway.identity", points=1, title="no token or a garbage token: 401; a valid one passes")
def needs_a_valid_token(ctx: CheckContext) -> None:
    bare = kit.call(ctx.lab, "GET", "/catalog/products")
    ctx.expect(
        bare.status_code == 401, f"GET /catalog/products without a token answered {bare.status_code}; expected 401."
    )
    ctx.expect(
        bare.headers.get("www-authenticate", "").lower().startswith("bearer"),
        "a 401 should say how to authenticate: WWW-Authenticate: Bearer.",
    )
    junk = kit.call(ctx.lab, "GET", "/catalog/products", bearer="not-a-token")
    ctx.expect(junk.status_code == 401, f"a garbage token was answered {junk.status_code}; expected 401.")
    good = kit.call(ctx.lab, "GET", "/catalog/products", "alice")
    ctx.expect(good.status_code == 200, f"alice's valid token was answered {good.status_code}; expected 200.")


@check("gateway.identity", points=1, title="the service learns who is calling (X-User, X-Roles)")
def service_sees_the_caller(ctx: CheckContext) -> None:
    answer = kit.call(ctx.lab, "GET", "/catalog/products/1", "alice")
    ctx.expect(
        answer.status_code == 200, f"GET /catalog/products/1 as alice answered {answer.status_code}; expected 200."
    )
    seen = answer.json().get("seen_as", {})
    ctx.expect(seen.get("user") == "alice", f"catalog saw the caller as {seen.get('user')!r}; expected 'alice'.")
    ctx.expect(
        seen.get("roles") == ["customer"], f"catalog saw the roles {seen.get('roles')!r}; expected ['customer']."
    )


# ---- 3. policy -------------------------------------------------------------------------------------------------
# Roles come from the caller's identity (exercise 2): with its starting code everyone is an anonymous customer.
@check(
    "gateway.policy",
    points=1,
    title="a customer may not add products (403); an admin may (201)",
    needs=("gateway.identity",),
)
def roles_decide(ctx: CheckContext) -> None:
    product = {"name": "Check kettle", "price": 1.0}
    refused = kit.call(ctx.lab, "POST", "/catalog/products", "alice", json=product)
    ctx.expect(
        refused.status_code == 403, f"alice (customer) adding a product got {refused.status_code}; expected 403."
    )
    done = kit.call(ctx.lab, "POST", "/catalog/products", "carol", json=product)
    ctx.expect(done.status_code == 201, f"carol (admin) adding a product got {done.status_code}; expected 201.")


# Per consumer: who is who comes from exercise 2's identity (its starting code calls everyone "anonymous").
@check(
    "gateway.policy",
    points=1,
    title="past the limit: 429 with Retry-After; headers on every answer; others unaffected",
    needs=("gateway.identity",),
)
def rate_limit_per_consumer(ctx: CheckContext) -> None:
    dave = kit.token(ctx.lab, "dave")
    answers = [kit.call(ctx.lab, "GET", "/catalog/products", bearer=dave, patient=False) for _ in range(25)]
    codes = [a.status_code for a in answers]
    ctx.expect(429 in codes, f"25 quick requests by dave were answered {codes}; expected some 429s.")
    ctx.expect(codes[0] == 200, f"dave's first request was answered {codes[0]}; expected 200.")
    for a in answers:
        ctx.expect(
            "x-ratelimit-limit" in a.headers and "x-ratelimit-remaining" in a.headers,
            f"an answer ({a.status_code}) came without X-RateLimit-Limit and X-RateLimit-Remaining headers.",
        )
    limited = next(a for a in answers if a.status_code == 429)
    retry = limited.headers.get("retry-after", "")
    ctx.expect(
        retry.isdigit() and int(retry) >= 1, f"the 429 said Retry-After: {retry!r}; expected whole seconds >= 1."
    )
    erin = kit.call(ctx.lab, "GET", "/catalog/products", "erin", patient=False)
    ctx.expect(erin.status_code == 200, f"erin, right after dave, was answered {erin.status_code}; expected 200.")


# ---- 4. hiding the inside --------------------------------------------------------------------------------------
@check("gateway.hiding", points=1, title="a service's crash shows no stack trace, no internal name")
def no_stack_traces(ctx: CheckContext) -> None:
    answer = kit.call(ctx.lab, "GET", "/catalog/products/13", "alice")
    ctx.expect(
        answer.status_code >= 500, f"GET /catalog/products/13 answered {answer.status_code}; catalog fails there."
    )
    found = kit.leaks(ctx.lab, answer)
    ctx.expect(not found, f"the answer to a failed request gives away: {', '.join(found)}.")


@check("gateway.hiding", points=1, title="normal answers name no server or container; only the edge publishes a port")
def no_internal_names(ctx: CheckContext) -> None:
    for service in ("catalog", "orders", "users", "idp", "gateway"):
        ports = ctx.lab.container(service).attrs["HostConfig"].get("PortBindings") or {}
        ctx.expect(not ports, f"{service} publishes the port(s) {ports}; only the edge may publish a port on the host.")
    for path in ("/catalog/products", "/catalog/products/2"):
        answer = kit.call(ctx.lab, "GET", path, "alice")
        found = kit.leaks(ctx.lab, answer)
        ctx.expect(not found, f"GET {path} gives away: {', '.join(found)}.")


# ---- 5. aggregation --------------------------------------------------------------------------------------------
@check("gateway.aggregate", points=1, title="/storefront/2 composes catalog's product and orders' units sold")
def composes_two_services(ctx: CheckContext) -> None:
    product = kit.inside_json(ctx.lab, "catalog", "/products/2")
    sold = kit.inside_json(ctx.lab, "orders", "/stats/2")["units_sold"]
    answer = kit.call(ctx.lab, "GET", "/storefront/2", "alice")
    ctx.expect(answer.status_code == 200, f"GET /storefront/2 answered {answer.status_code}; expected 200.")
    body = answer.json()
    got = (body.get("product") or {}).get("name")
    ctx.expect(got == product["name"], f"the storefront's product is {got!r}; catalog says {product['name']!r}.")
    ctx.expect(body.get("units_sold") == sold, f"units_sold is {body.get('units_sold')!r}; orders says {sold}.")
    ctx.expect(
        body.get("partial") is False, f"with both services up, partial is {body.get('partial')!r}; expected false."
    )


@check("gateway.aggregate", points=1, title="with orders killed: 200, the product, partial: true, missing: ['orders']")
def degrades_without_orders(ctx: CheckContext) -> None:
    ctx.lab.kill("orders")
    try:
        answer = kit.call(ctx.lab, "GET", "/storefront/2", "alice")
    finally:
        ctx.lab.start("orders")
    ctx.expect(
        answer.status_code == 200, f"with orders down, /storefront/2 answered {answer.status_code}; expected 200."
    )
    body = answer.json()
    ctx.expect(
        body.get("product") is not None, "with orders down, the product from catalog is missing from the answer."
    )
    ctx.expect(
        body.get("units_sold") is None, f"with orders down, units_sold is {body.get('units_sold')!r}; expected null."
    )
    ctx.expect(
        body.get("partial") is True and body.get("missing") == ["orders"],
        f"with orders down the answer says partial={body.get('partial')!r}, missing={body.get('missing')!r}; "
        "expected true and ['orders'].",
    )
