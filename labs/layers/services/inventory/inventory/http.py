"""The HTTP adapter: FastAPI routes that translate requests into calls of the core, and the core's errors into
status codes. No business rule lives here."""

from __future__ import annotations

import threading

from fastapi import FastAPI, HTTPException, Response
from pydantic import BaseModel, Field

from inventory.core import Inventory
from inventory.model import OutOfStock, UnknownItem, UnknownReservation


class Receive(BaseModel):
    qty: int


class Reserve(BaseModel):
    order_id: str
    lines: dict[str, int] = Field(description="sku -> quantity")


def make_app(inventory: Inventory, adapter: str) -> FastAPI:
    app = FastAPI(title="inventory")
    lock = threading.Lock()  # one request at a time reaches the core (the SQL adapter holds one connection)

    def call(func, *args):  # type: ignore[no-untyped-def]
        with lock:
            try:
                return func(*args)
            except (UnknownItem, UnknownReservation) as e:
                raise HTTPException(404, str(e)) from None
            except OutOfStock as e:
                raise HTTPException(409, str(e)) from None
            except ValueError as e:
                raise HTTPException(422, str(e)) from None
            except NotImplementedError as e:
                raise HTTPException(501, f"not implemented: {e}") from None

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "adapter": adapter}

    @app.post("/stock/{sku}/receive")
    def receive(sku: str, body: Receive) -> dict:
        item = call(inventory.receive, sku, body.qty)
        return {"sku": item.sku, "on_hand": item.on_hand}

    @app.get("/stock/{sku}")
    def stock(sku: str) -> dict:
        return {"sku": sku, "on_hand": call(inventory.stock, sku)}

    @app.post("/reservations", status_code=201)
    def reserve(body: Reserve) -> dict:
        r = call(inventory.reserve, body.order_id, body.lines)
        return {"order_id": r.order_id, "lines": r.lines}

    @app.delete("/reservations/{order_id}", status_code=204)
    def release(order_id: str) -> Response:
        call(inventory.release, order_id)
        return Response(status_code=204)

    return app
