"""Hidden checks of the gateway lab: run by the grader only."""

import sys
import time
from urllib.parse import urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from msalab.checks import CheckContext, check
from msalab.paths import labs_dir

sys.path.insert(0, str(labs_dir() / "gateway"))

import checkkit as kit


# ---- 1. routing ------------------------------------------------------------------------------------------------
@check(
    "gateway.routing",
    points=1,
    title="Host catalog.shop.test goes to catalog as is; prefixes are whole segments",
    states=(
        "chapter: the host `catalog.shop.test` belongs to the catalog entirely: any path goes there as it "
        'is (`/products/3` → `("catalog", "/products/3")`); - anything else (`/nope`, `/catalogue/x`, '
        "`/`) → `None`."
    ),
)
def host_rule_and_segments(ctx: CheckContext) -> None:
    host = {"Host": "catalog.shop.test"}
    answer = kit.call(ctx.lab, "GET", "/products/3", "bob", headers=host)
    ctx.expect(answer.status_code == 200, f"GET /products/3 with Host catalog.shop.test answered {answer.status_code}.")
    ctx.expect(answer.json().get("name") == "Coffee grinder", f"with Host catalog.shop.test: {answer.text[:150]}.")
    for path in ("/catalogue/products", "/usersx/bob", "/orders-old/mine"):
        answer = kit.call(ctx.lab, "GET", path, "bob")
        ctx.expect(
            answer.status_code == 404, f"GET {path} answered {answer.status_code}; expected 404 (no such prefix)."
        )


# ---- 2. identity -----------------------------------------------------------------------------------------------
@check(
    "gateway.identity",
    points=1,
    title="expired, tampered, unsigned, foreign-signed, other-audience and other-issuer tokens get 401",
    states=(
        "chapter: the signature checks out with the identity provider's public key (`from upstreams "
        'import idp_public_key`) and the algorithm is **RS256** (never let the token choose: `"alg": '
        '"none"` is a classic attack); - it has not expired (`exp`), it was issued by `shop-idp` (`iss`) '
        "for `shop-api` (`aud`)."
    ),
)
def forged_tokens(ctx: CheckContext) -> None:
    short = kit.token(ctx.lab, "alice", expires_in=1)
    real = kit.token(ctx.lab, "alice")
    claims = jwt.decode(real, options={"verify_signature": False})
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = {
        "a tampered token (roles changed to admin)": kit.tampered(real, roles=["admin"]),
        "a tampered token (sub changed to carol)": kit.tampered(real, sub="carol"),
        "an unsigned token (alg none)": kit.unsigned(real),
        "a token signed by someone else's key": jwt.encode(claims, stranger, algorithm="RS256"),
        # Validly signed by the lab's own identity provider: only checking the claims catches these two.
        "a token the idp signed for another audience (aud: other-api)": kit.signed_by_idp(
            ctx.lab, real, aud="other-api"
        ),
        "a token signed with the idp's key but another issuer (iss: other-idp)": kit.signed_by_idp(
            ctx.lab, real, iss="other-idp"
        ),
    }
    for what, bad in forged.items():
        answer = kit.call(ctx.lab, "GET", "/catalog/products", bearer=bad)
        ctx.expect(answer.status_code == 401, f"{what} was answered {answer.status_code}; expected 401.")
    time.sleep(max(0.0, 2.1 - (time.time() - claims["iat"])))
    answer = kit.call(ctx.lab, "GET", "/catalog/products", bearer=short)
    ctx.expect(answer.status_code == 401, f"an expired token was answered {answer.status_code}; expected 401.")


@check(
    "gateway.identity",
    points=1,
    title="identity headers a client smuggles in never reach the service",
    states=(
        "chapter: So remove any `x-user` or `x-roles` a client sent, then set them from `who` (roles "
        "joined with commas)."
    ),
)
def smuggled_identity(ctx: CheckContext) -> None:
    lies = {"X-User": "carol", "X-Roles": "admin"}
    answer = kit.call(ctx.lab, "GET", "/catalog/products/1", "alice", headers=lies)
    seen = answer.json().get("seen_as", {}) if answer.status_code == 200 else {}
    ctx.expect(answer.status_code == 200, f"alice's request answered {answer.status_code}; expected 200.")
    ctx.expect(seen == {"user": "alice", "roles": ["customer"]}, f"alice said she was carol/admin; catalog saw {seen}.")
    anonymous = kit.call(ctx.lab, "GET", "/catalog/products/1", headers=lies)
    ctx.expect(
        anonymous.status_code == 401, f"no token but X-User: carol was answered {anonymous.status_code}; expected 401."
    )
    # Whether a forged admin may then add a product is exercise 3's (policy) to decide, and checked there.


# ---- 3. policy -------------------------------------------------------------------------------------------------
@check(
    "gateway.policy",
    points=1,
    title="after Retry-After seconds the consumer is let in again",
    states=(
        "chapter: a burst of 10 requests, then 2 per second (a *token bucket*: each consumer has up to 10 "
        "tokens, every request takes one, tokens come back at 2 per second).\n"
        "chapter: `Retry-After` says in whole seconds (at least 1) when to try again."
    ),
)
def limit_recovers(ctx: CheckContext) -> None:
    erin = kit.token(ctx.lab, "erin")
    answers = [kit.call(ctx.lab, "GET", "/catalog/products", bearer=erin, patient=False) for _ in range(25)]
    limited = [a for a in answers if a.status_code == 429]
    ctx.expect(limited, f"25 quick requests by erin were answered {[a.status_code for a in answers]}; expected 429s.")
    remaining = [int(a.headers.get("x-ratelimit-remaining", "-1")) for a in answers if a.status_code == 200]
    ctx.expect(
        remaining == sorted(remaining, reverse=True), f"X-RateLimit-Remaining went {remaining}; expected it to fall."
    )
    wait = int(limited[-1].headers.get("retry-after", "1"))
    time.sleep(wait + 0.2)
    again = kit.call(ctx.lab, "GET", "/catalog/products", bearer=erin, patient=False)
    ctx.expect(again.status_code == 200, f"{wait + 0.2:.1f} s after Retry-After: {wait}, erin got {again.status_code}.")


# Orders and users are reached only through the routes of exercise 1; roles come from exercise 2's identity.
@check(
    "gateway.policy",
    points=1,
    title="customers read and order; no role, no access; admin-only paths",
    needs=("gateway.routing", "gateway.identity"),
    states=(
        "chapter: an `admin` may do anything; a `customer` may read (`GET`) anything except "
        "`/users/admin/...`, and may place orders (`POST /orders/` or `/orders`), nothing else; a "
        "consumer with neither role may do nothing."
    ),
)
def role_rules(ctx: CheckContext) -> None:
    cases = [
        ("mallory", "GET", "/catalog/products", None, 403),
        ("alice", "GET", "/storefront/1", None, None),
        ("alice", "DELETE", "/catalog/products/3", None, 403),
        ("alice", "POST", "/orders/", {"product_id": 2}, 201),
        ("alice", "GET", "/users/admin/all", None, 403),
        ("carol", "GET", "/users/admin/all", None, 200),
    ]
    for who, method, path, body, want in cases:
        answer = kit.call(ctx.lab, method, path, who, json=body)
        if want is None:
            ctx.expect(
                answer.status_code not in (401, 403), f"{who} {method} {path}: {answer.status_code}; expected access."
            )
        else:
            ctx.expect(answer.status_code == want, f"{who} {method} {path}: {answer.status_code}; expected {want}.")


# ---- 4. hiding the inside --------------------------------------------------------------------------------------
@check(
    "gateway.hiding",
    points=1,
    title="a dead service: an honest 5xx that names nothing inside",
    states=(
        "chapter: `unreachable(url, error)` answers when a service is not reachable at all: say `503` and "
        "nothing about where you tried to go."
    ),
)
def dead_service(ctx: CheckContext) -> None:
    # catalog, whose route the starting code has already: hiding is judged apart from the routes of exercise 1.
    ctx.lab.kill("catalog")
    try:
        answer = kit.call(ctx.lab, "GET", "/catalog/products", "alice")
    finally:
        ctx.lab.start("catalog")
    ctx.expect(
        answer.status_code in (502, 503, 504), f"with catalog down, /catalog/products answered {answer.status_code}."
    )
    found = kit.leaks(ctx.lab, answer)
    ctx.expect(not found, f"with catalog down, the answer gives away: {', '.join(found)}.")


@check(
    "gateway.hiding",
    points=1,
    title="a Location header points at the gateway, not inside",
    needs=("gateway.identity",),  # only an admin (carol, known from her token) adds the product it follows
    states=(
        "chapter: turn an absolute `Location` into the public path (`http://<container>:8000/products/5` "
        "from catalog → `/catalog/products/5`)"
    ),
)
def location_rewritten(ctx: CheckContext) -> None:
    added = kit.call(ctx.lab, "POST", "/catalog/products", "carol", json={"name": "Hidden kettle", "price": 9.0})
    ctx.expect(added.status_code == 201, f"carol adding a product got {added.status_code}; expected 201.")
    location = added.headers.get("location", "")
    found = kit.leaks(ctx.lab, added)
    ctx.expect(not found, f"the answer to a new product gives away: {', '.join(found)} (Location: {location!r}).")
    ctx.expect(
        urlsplit(location).path.startswith("/catalog/products/"),
        f"the 201 came with Location {location!r}; expected the product's public path, /catalog/products/<id> "
        "(a 201 keeps its Location: rewrite it, do not drop it).",
    )
    followed = kit.call(ctx.lab, "GET", urlsplit(location).path, "carol")
    ctx.expect(followed.status_code == 200, f"following Location {location!r} answered {followed.status_code}.")
    name = followed.json().get("name")
    ctx.expect(name == "Hidden kettle", f"following Location {location!r} gave the product {name!r}.")


# ---- 5. aggregation --------------------------------------------------------------------------------------------
@check(
    "gateway.aggregate",
    points=1,
    title="with catalog killed: partial, missing ['catalog']; unknown product 404",
    states=(
        "chapter: When one of the two cannot answer (down, an error, or slower than a second), still "
        'answer **200** with what you have: the missing part `null`, `"partial": true` and `"missing": '
        '["orders"]` (or `["catalog"]`).\n'
        "chapter: A product that catalog does not know is a **404**."
    ),
)
def degrades_without_catalog(ctx: CheckContext) -> None:
    unknown = kit.call(ctx.lab, "GET", "/storefront/999", "alice")
    ctx.expect(unknown.status_code == 404, f"/storefront/999 (no such product) answered {unknown.status_code}.")
    ctx.lab.kill("catalog")
    try:
        answer = kit.call(ctx.lab, "GET", "/storefront/2", "alice")
    finally:
        ctx.lab.start("catalog")
    ctx.expect(answer.status_code == 200, f"with catalog down, /storefront/2 answered {answer.status_code}.")
    body = answer.json()
    ctx.expect(
        body.get("partial") is True and body.get("missing") == ["catalog"] and body.get("product") is None,
        f"with catalog down the answer was {body}; expected partial true, missing ['catalog'], product null.",
    )
    ctx.expect(isinstance(body.get("units_sold"), int), f"with catalog down, units_sold is {body.get('units_sold')!r}.")


@check(
    "gateway.aggregate",
    points=1,
    title="a frozen orders service costs at most ~1 s, not the whole answer",
    states=(
        "chapter: Ask both services at once (`asyncio.gather`) and give each call its own `timeout=1.0`: "
        "a slow service must not hold the whole page hostage."
    ),
)
def frozen_orders(ctx: CheckContext) -> None:
    ctx.lab.pause("orders")
    try:
        began = time.monotonic()
        answer = kit.call(ctx.lab, "GET", "/storefront/1", "alice")
        took = time.monotonic() - began
    except httpx.HTTPError as e:
        ctx.expect(False, f"with orders frozen, /storefront/1 did not answer: {type(e).__name__}.")
        return
    finally:
        ctx.lab.unpause("orders")
    ctx.expect(
        took < 2.5, f"with orders frozen, /storefront/1 took {took:.1f} s; expected under 2.5 s (use a timeout)."
    )
    body = answer.json() if answer.status_code == 200 else {}
    ctx.expect(body.get("missing") == ["orders"], f"with orders frozen the answer was {answer.status_code} {body}.")
