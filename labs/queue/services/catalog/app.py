"""The catalog: product data in a stand-in for a slow database (a dict and a 50 ms sleep), with a Redis cache in front
(cache.py, exercise 6).

GET /products/{sku} reads a product, PUT /products/{sku} changes it, GET /stats counts database reads.
Each response says how long the service took (`ms`), so the notebook can plot hit and miss latency.
"""

import copy
import os
import threading
import time

import redis
from fastapi import FastAPI, HTTPException

import cache

DB_LATENCY = 0.05  # seconds per "database" query (a dict): what a remote database under some load would cost
r = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
app = FastAPI(title="catalog")

_db = {f"SKU-{i}": {"sku": f"SKU-{i}", "name": f"Robot part {i}", "price": 10 + i} for i in range(1, 201)}
_lock = threading.Lock()
stats = {"db_reads": 0, "db_writes": 0}


def load(sku: str) -> dict | None:
    """Read a product from the database (slow); None if there is no such product."""
    time.sleep(DB_LATENCY)
    with _lock:
        stats["db_reads"] += 1
        return copy.deepcopy(_db.get(sku))


def save(sku: str, product: dict) -> None:
    """Write a product to the database (slow)."""
    time.sleep(DB_LATENCY)
    with _lock:
        stats["db_writes"] += 1
        _db[sku] = {**copy.deepcopy(product), "sku": sku}


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/products/{sku}")
def get_product(sku: str) -> dict:
    started = time.perf_counter()
    product = cache.get_product(r, sku, load)
    if product is None:
        raise HTTPException(404, f"no product {sku}")
    return {**product, "ms": round((time.perf_counter() - started) * 1000, 2)}


@app.put("/products/{sku}")
def put_product(sku: str, product: dict) -> dict:
    cache.update_product(r, sku, {k: v for k, v in product.items() if k != "ms"}, save)
    return {"updated": sku}


@app.get("/stats")
def get_stats() -> dict:
    with _lock:
        return dict(stats)
