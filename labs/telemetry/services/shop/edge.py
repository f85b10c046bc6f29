"""edge: the shop's front door. Products are answered here; orders are passed on to the orders service.
Its RED metrics are yours to write: see metrics.py."""

from __future__ import annotations

import os
import time

import httpx
from fastapi import HTTPException
from fastapi.responses import JSONResponse
from opentelemetry.trace import SpanKind, Status, StatusCode

import metrics
from telemetry import faults, inject, log, make_app, tracer

ORDERS_URL = os.environ.get("ORDERS_URL", "http://orders:8000")
PRODUCTS = {pid: {"id": pid, "name": f"product {pid}", "price": 5 + pid % 17} for pid in range(1, 101)}

app = make_app(observe=metrics.observe)
client = httpx.Client(timeout=10)


@app.get("/shop/products/{pid}")
def product(pid: int) -> dict:
    time.sleep(faults.delay())
    if pid not in PRODUCTS:
        raise HTTPException(404, "no such product")
    return PRODUCTS[pid]


@app.post("/shop/orders")
def place(order: dict) -> JSONResponse:
    with tracer.start_as_current_span("POST /orders", kind=SpanKind.CLIENT) as span:
        try:
            answer = client.post(f"{ORDERS_URL}/orders", json=order, headers=inject({}))
        except httpx.HTTPError as e:
            span.set_status(Status(StatusCode.ERROR, str(e)))
            log.error("orders unreachable", extra={"fields": {"error": str(e)}})
            return JSONResponse({"detail": "orders unreachable"}, status_code=503)
        if answer.status_code >= 500:
            span.set_status(Status(StatusCode.ERROR, f"orders answered {answer.status_code}"))
    return JSONResponse(answer.json(), status_code=answer.status_code)
