"""catalog: what the shop sells. It owns catalog_db; nobody else reads it, they ask this API."""

from fastapi import FastAPI, HTTPException, Query

from db import connect

app = FastAPI(title="catalog")


@app.on_event("startup")
def wait_for_db() -> None:
    connect().close()


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/products")
def products(sku: str = Query("", description="comma-separated SKUs; empty: all")) -> list[dict]:
    wanted = [s for s in sku.split(",") if s]
    conn = connect()
    try:
        with conn.cursor() as cur:
            if wanted:
                cur.execute(
                    f"SELECT sku, name, price FROM products WHERE sku IN ({', '.join(['%s'] * len(wanted))})", wanted
                )
            else:
                cur.execute("SELECT sku, name, price FROM products ORDER BY sku")
            return [{"sku": s, "name": n, "price": p} for s, n, p in cur.fetchall()]
    finally:
        conn.close()


@app.get("/products/{sku}")
def product(sku: str) -> dict:
    found = products(sku)
    if not found:
        raise HTTPException(404, f"no product {sku!r}")
    return found[0]
