"""The shop as one process: seven capabilities in seven modules, one database. It records its own calls."""

from fastapi import FastAPI, Request

import cart
import catalog
import customer
import db
import inventory
import order
import shipping
import tracing

CAPABILITIES = ["catalog", "cart", "order", "payment", "inventory", "shipping", "customer"]

app = FastAPI(title="shop monolith")
for module in (catalog, cart, order, inventory, shipping, customer):
    app.include_router(module.router)
db.setup()


@app.middleware("http")
async def use_case(request: Request, call_next):
    # The workload names the use case each request belongs to; requests without one are not recorded.
    tracing.begin_request(request.headers.get("x-use-case"))
    return await call_next(request)


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@app.get("/trace")
async def trace() -> dict:
    return {"capabilities": CAPABILITIES, "events": list(tracing.EVENTS)}


@app.delete("/trace", status_code=204)
async def clear_trace() -> None:
    tracing.clear()
