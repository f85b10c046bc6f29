"""The shop's API gateway, written in FastAPI: every request from outside passes through here.

The pipeline is fixed; the decisions are yours, each in its own module (the exercises):

    route      routing.route(method, path, host)      which service, which path there?   -> 404
    identify   identity.identify(authorization)       who is calling (a verified token)? -> 401
    limit      policy.take(consumer, now)              within their rate limit?           -> 429
    authorize  policy.allowed(roles, method, path)     may they do this?                  -> 403
    forward    identity.trusted_headers(headers, who)  what the service may believe
    answer     hiding.scrub(...), hiding.unreachable(...)   what the outside may see
    compose    aggregate.storefront(client, urls, product_id)   one answer from two services

The edge (Traefik) sends every request it does not answer itself to this service, as gateway:8000.
"""

import time

import aggregate
import httpx
import hiding
import identity
import policy
import routing
import upstreams
from fastapi import FastAPI, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

SERVICES = upstreams.SERVICES
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# Hop-by-hop headers belong to one connection and are never forwarded (RFC 9110, 7.6.1).
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length"}

app = FastAPI(
    title="Shop API",
    version="1.0",
    description="The shop's public API: one entry point in front of catalog, orders and users.",
)
client = httpx.AsyncClient(timeout=5.0)


@app.get("/health", include_in_schema=False)
def health() -> dict:
    return {"status": "ok"}


def _json(status: int, body: dict, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers or {})


def _admit(request: Request, path: str) -> tuple[dict | None, dict[str, str], Response | None]:
    """Identify, rate-limit and authorize the caller: (who, rate-limit headers, refusal or None)."""
    who = identity.identify(request.headers.get("authorization"))
    if who is None:
        return None, {}, _json(401, {"error": "a valid bearer token is required"}, {"WWW-Authenticate": "Bearer"})
    ok, limits = policy.take(who["sub"], time.monotonic())
    if not ok:
        return who, limits, _json(429, {"error": "rate limit exceeded, slow down"}, limits)
    if not policy.allowed(who.get("roles", []), request.method, path):
        return who, limits, _json(403, {"error": "you may not do this"}, limits)
    return who, limits, None


@app.get("/storefront/{product_id}", summary="A product with its sales, composed from catalog and orders")
async def storefront(product_id: int, request: Request) -> Response:
    who, limits, refusal = _admit(request, f"/storefront/{product_id}")
    if refusal is not None:
        return refusal
    status, body = await aggregate.storefront(client, SERVICES, product_id)
    return _json(status, body, limits)


PUBLIC_PATHS = ["catalog/products", "catalog/products/2", "orders/mine", "orders/", "users/me", "users/alice"]


@app.api_route("/{path:path}", methods=METHODS, summary="Everything else: routed to catalog, orders or users")
async def forward(
    request: Request,
    path: str = PathParam(description="catalog/..., orders/... or users/...", examples=PUBLIC_PATHS),
) -> Response:
    public_path = "/" + path
    target = routing.route(request.method, public_path, request.headers.get("host", "").split(":")[0])
    if target is None:
        return _json(404, {"error": "no such endpoint", "path": public_path})
    service, upstream_path = target
    who, limits, refusal = _admit(request, public_path)
    if refusal is not None:
        return refusal
    incoming = {k.lower(): v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    url = f"{SERVICES[service]}{upstream_path}"
    try:
        upstream = await client.request(
            request.method,
            url,
            params=request.query_params,
            content=await request.body(),
            headers=identity.trusted_headers(incoming, who),
        )
    except httpx.HTTPError as error:
        status, body = hiding.unreachable(url, error)
        return _json(status, body, limits)
    # httpx has already decoded the body; the gateway sets its own Date.
    dropped = HOP_BY_HOP | {"content-encoding", "date"}
    headers = {k.lower(): v for k, v in upstream.headers.items() if k.lower() not in dropped}
    status, headers, content = hiding.scrub(service, upstream.status_code, headers, upstream.content)
    return Response(content=content, status_code=status, headers={**headers, **limits})
