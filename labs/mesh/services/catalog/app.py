"""catalog: product details, with a price it asks pricing for.

It knows no address: it calls http://127.0.0.1:15001 (its own sidecar) and names the service it wants in the
Host header. The sidecar finds an instance, encrypts, retries; this code stays as simple as it looks.
"""

import os
import socket

import httpx
from fastapi import FastAPI, Request, Response

app = FastAPI(title="catalog")
INSTANCE = os.environ.get("INSTANCE", socket.gethostname())
OUTBOUND = "http://127.0.0.1:15001"  # the sidecar's outbound listener, in this container's network namespace
PRODUCTS = {"tea": "Green tea", "mug": "Blue mug", "pot": "Clay teapot"}
client = httpx.Client(base_url=OUTBOUND, timeout=30)
PASS_ON = ("x-canary", "x-request-id")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"pong": INSTANCE}


@app.get("/products/{sku}")
def product(sku: str, request: Request, response: Response) -> dict[str, object]:
    headers = {"host": "pricing", **{h: request.headers[h] for h in PASS_ON if h in request.headers}}
    try:
        priced = client.get(f"/price/{sku}", headers=headers)
    except httpx.HTTPError as exc:
        response.status_code = 502
        return {"error": f"pricing unreachable: {type(exc).__name__}", "instance": INSTANCE}
    if priced.status_code != 200:
        response.status_code = 502
        return {"error": f"pricing answered {priced.status_code}", "instance": INSTANCE}
    price = priced.json()
    return {
        "sku": sku,
        "name": PRODUCTS.get(sku, sku),
        "price": price["price"],
        "pricing_version": price["version"],
        "instance": INSTANCE,
        # Who called catalog, as its sidecar vouches for it (the client certificate's identity), and who
        # pricing saw calling it: both come from the x-forwarded-client-cert header a sidecar sets.
        "caller": caller(request),
        "pricing_saw": price["caller"],
    }


def caller(request: Request) -> str | None:
    xfcc = request.headers.get("x-forwarded-client-cert", "")
    for part in xfcc.split(";"):
        if part.startswith("URI="):
            return part[len("URI=") :]
    return None
