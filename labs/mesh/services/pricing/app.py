"""pricing: the price of a product. Two versions run side by side: v1 and the canary v2 (a new discount)."""

import os

from fastapi import FastAPI, Request

app = FastAPI(title="pricing")
VERSION = os.environ.get("VERSION", "v1")
PRICES = {"tea": 4.5, "mug": 9.0, "pot": 24.0}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"pong": VERSION}


@app.get("/price/{sku}")
def price(sku: str, request: Request) -> dict[str, object]:
    base = PRICES.get(sku, 1.0)
    value = round(base * 0.9, 2) if VERSION == "v2" else base
    return {"sku": sku, "price": value, "version": VERSION, "caller": caller(request)}


def caller(request: Request) -> str | None:
    """The caller's SPIFFE identity, as the sidecar verified it from the client certificate (or None)."""
    xfcc = request.headers.get("x-forwarded-client-cert", "")
    for part in xfcc.split(";"):
        if part.startswith("URI="):
            return part[len("URI=") :]
    return None
