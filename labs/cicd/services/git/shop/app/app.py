"""The shop's HTTP API. Every response names the slot (blue or green) and the commit it was built from, so
production can always say what it runs."""

from __future__ import annotations

import logging
import os

from fastapi import FastAPI, HTTPException, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app import catalog

REVISION = os.environ.get("REVISION", "unknown")
SLOT = os.environ.get("SLOT", "local")

api = FastAPI(title="shop", version="1")


class ProductOut(BaseModel):
    id: int
    name: str
    price_cents: int
    price_with_tax_cents: int


@api.middleware("http")
async def name_the_release(request, call_next):  # type: ignore[no-untyped-def]
    try:
        response: Response = await call_next(request)
    except Exception:
        # An error the code did not handle must still name its release: a canary's failures count against it.
        logging.getLogger("uvicorn.error").exception("unhandled error in %s %s", request.method, request.url.path)
        response = JSONResponse({"detail": "Internal Server Error"}, status_code=500)
    response.headers["x-revision"] = REVISION
    response.headers["x-slot"] = SLOT
    return response


@api.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "revision": REVISION}


@api.get("/products/{product_id}", response_model=ProductOut, responses={404: {"description": "No such product"}})
def product(product_id: int) -> ProductOut:
    found = catalog.find(product_id)
    if found is None:
        raise HTTPException(404, "no such product")
    return ProductOut(
        id=found.id, name=found.name, price_cents=found.price_cents, price_with_tax_cents=catalog.price_with_tax(found)
    )
