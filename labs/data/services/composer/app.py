"""composer: answers queries that need more than one service's data, by asking each service's API.

GET /customers/{id}/orders-page is "my orders" as the shop shows it: the customer, and their orders with the
products' names and prices. No service's database is read here: compose.py (the exercise) calls the APIs.
"""

import os

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse

import compose

app = FastAPI(title="composer")
URLS = {
    "orders": os.environ.get("ORDERS_URL", "http://orders:8000"),
    "catalog": os.environ.get("CATALOG_URL", "http://catalog:8000"),
    "customer": os.environ.get("CUSTOMER_URL", "http://customer:8000"),
}


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/customers/{customer_id}/orders-page")
def orders_page(customer_id: str):
    try:
        return compose.orders_page(URLS, customer_id)
    except compose.Unavailable as e:
        return JSONResponse({"detail": str(e)}, status_code=503)
    except httpx.HTTPError as e:
        return JSONResponse({"detail": f"{type(e).__name__}: {e}"}, status_code=502)
